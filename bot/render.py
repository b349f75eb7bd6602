"""Turning Rasa replies into Telegram messages. Pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TELEGRAM_MAX_TEXT = 4096
RTL_MARK = "\u200f"
# A message whose first strong character is not Arabic renders left-to-right on Telegram.
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_STRONG_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Button:
    title: str
    callback_id: str


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: text and optional inline keyboard (one button per row)."""

    text: str
    buttons: tuple[Button, ...] = field(default_factory=tuple)


def keep_right_to_left(text: str, language: str) -> str:
    """Prefix Arabic replies that start with a Latin letter, digit or emoji with U+200F."""
    if language != "ar" or not text or text.startswith(RTL_MARK):
        return text
    first = _STRONG_LETTER.search(text)
    if first and _ARABIC_LETTER.match(first.group()) and first.start() == 0:
        return text
    return RTL_MARK + text


def split_text(text: str, limit: int = TELEGRAM_MAX_TEXT) -> list[str]:
    """Split text into parts of at most `limit` characters at paragraph, line or word ends."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def render_replies(
    replies: list[dict[str, Any]],
    language: str,
    register_button: Callable[[str, str], str],
) -> list[OutgoingMessage]:
    """Render Rasa REST replies (or content messages) as Telegram messages.

    `register_button(payload, title)` stores a button's payload server-side and returns the
    short callback id sent to Telegram instead (callback_data is limited to 64 bytes).
    Buttons go on the last part of a split message.
    """
    messages: list[OutgoingMessage] = []
    for reply in replies:
        text = (reply.get("text") or "").strip()
        buttons = tuple(
            Button(title=str(b.get("title") or b.get("payload")), callback_id=register_button(
                str(b.get("payload") or ""), str(b.get("title") or "")
            ))
            for b in reply.get("buttons") or []
            if b.get("payload")
        )
        if not text and not buttons:
            continue  # images and custom payloads are not used by this assistant
        parts = split_text(text) or ["…"]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            messages.append(
                OutgoingMessage(keep_right_to_left(part, language), buttons if last else ())
            )
    return messages
