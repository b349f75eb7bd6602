"""The assistant's front door, independent of Telegram: one user turn in, messages out.

Both the Telegram handlers and the console chat call `Assistant`, so they share the
language routing, the crisis safety net, the forwarding to Rasa, the fallbacks and the
rendering of buttons.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.callbacks import (
    DELETE_NO,
    DELETE_PREFIX,
    DELETE_YES,
    LANGUAGE_PREFIX,
    CallbackStore,
    StoredButton,
)
from bot.flood import FloodGuard, Verdict
from bot.language import Lang, guess_language, reply_language
from bot.pseudonym import user_key
from bot.rasa_client import RasaClient, RasaTurnFailed, RasaUnavailable
from bot.render import Button, OutgoingMessage, render_replies
from nlu.safety import CrisisKind, detect_crisis
from content.loader import message, safety_message
from store.erasure import erase_conversation, erase_user
from store.repository import get_chat_link, link_chat

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
# A deep-link payload is at most 64 characters of A-Z a-z 0-9 _ -.
_START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
CRISIS_INTENTS = {CrisisKind.SELF_HARM: "/crisis_self_harm", CrisisKind.VIOLENCE: "/crisis_violence"}
# A button payload the bot handles itself (utter_data_delete's button): never sent to Rasa.
DELETE_COMMAND = "/delete"


@dataclass(frozen=True)
class Turn:
    """Who sent a message, pseudonymously, and where the answer goes."""

    telegram_user_id: int
    chat_id: int
    chat_type: str = "private"
    turn_id: str = ""


def clean_text(text: str) -> str:
    """Drop control, zero-width and bidi-override characters; trim; cap the length."""
    return _CONTROL.sub("", text or "").strip()[:MAX_TEXT_CHARS]


def as_user_text(text: str) -> str:
    """Text a user typed never reaches Rasa as an intent: '/greet' would be parsed as one."""
    return text.lstrip("/").strip() or text


class Assistant:
    """Routes a user's turn: Kurdish reply, safety net, Rasa, or the apology when Rasa fails."""

    def __init__(
        self,
        rasa: RasaClient,
        session_factory: sessionmaker[Session],
        pseudonym_secret: str,
        callbacks: CallbackStore | None = None,
        flood: FloodGuard | None = None,
        tracker_db_url: str | None = None,
    ) -> None:
        self._rasa = rasa
        self._sessions = session_factory
        self._secret = pseudonym_secret
        # Rasa's SQL tracker store, where /delete erases the conversation (None: not erased).
        self._tracker_db_url = tracker_db_url
        self.callbacks = callbacks or CallbackStore()
        self._flood = flood or FloodGuard()
        self._locks: dict[str, asyncio.Lock] = {}

    # --- public entry points ------------------------------------------------------------

    async def on_text(self, turn: Turn, text: str) -> list[OutgoingMessage]:
        """A text message from a user in a private chat."""
        text = clean_text(text)
        if not text:  # only invisible characters: ask for words
            return self.fixed_message("non_text", await self.language_of(turn))
        key = self.key_for(turn)
        crisis = detect_crisis(text)
        # A crisis message is never held back by flood control.
        verdict = Verdict.ALLOW if crisis else self._flood.check(key)
        if verdict is Verdict.DROP:
            return []
        async with self._lock(key):
            previous, chosen = await self._remember_chat(key, turn.chat_id)
            if verdict is Verdict.WARN:
                return self.fixed_message("flood", (chosen or previous or Lang.AR).value)
            guess = guess_language(text)
            if guess.lang is Lang.KU and chosen is None and crisis is None:
                return self._kurdish_reply()
            language = reply_language(text, previous, chosen).value
            if language == Lang.KU.value:
                language = (previous or Lang.AR).value
            await self._save_language(key, language)
            metadata = {
                "language": language,
                "detected_language": guess.lang.value if guess.lang else None,
                "arabizi": guess.arabizi,
                "chat_type": turn.chat_type,
                "turn_id": turn.turn_id,
            }
            if crisis is not None:
                return await self._crisis_turn(key, crisis, language, metadata)
            return await self._rasa_turn(key, as_user_text(text), language, metadata)

    async def on_start(self, turn: Turn, payload: str | None) -> list[OutgoingMessage]:
        """/start, with an optional deep-link payload passed to Rasa as data."""
        key = self.key_for(turn)
        async with self._lock(key):
            previous, chosen = await self._remember_chat(key, turn.chat_id)
            language = (chosen or previous or Lang.AR).value
            metadata: dict[str, Any] = {"language": language, "chat_type": turn.chat_type,
                                        "turn_id": turn.turn_id}
            if payload and _START_PAYLOAD.fullmatch(payload):
                metadata["start_payload"] = payload
            return await self._rasa_turn(key, "/start", language, metadata)

    async def on_button(self, turn: Turn, callback_data: str) -> list[OutgoingMessage]:
        """An inline button was pressed."""
        key = self.key_for(turn)
        if callback_data.startswith(LANGUAGE_PREFIX):
            return await self.choose_language(turn, callback_data.removeprefix(LANGUAGE_PREFIX))
        if callback_data.startswith(DELETE_PREFIX):
            return await self.confirm_deletion(turn, callback_data == DELETE_YES)
        button = self.callbacks.resolve(callback_data)
        if button is not None and button.payload == DELETE_COMMAND:
            return await self.request_deletion(turn)
        async with self._lock(key):
            previous, chosen = await self._remember_chat(key, turn.chat_id)
            language = (chosen or previous or Lang.AR).value
            if button is None:
                return self._render([{"text": message("button_expired", language)}], language)
            metadata = {"language": language, "chat_type": turn.chat_type,
                        "turn_id": turn.turn_id, "button": True}
            return await self._rasa_turn(key, button.payload, language, metadata, retry=button)

    async def choose_language(self, turn: Turn, value: str) -> list[OutgoingMessage]:
        """/language buttons: the choice sticks for the conversation."""
        key = self.key_for(turn)
        if value not in (Lang.AR.value, Lang.EN.value):
            return self.language_menu(Lang.AR.value)
        async with self._lock(key):
            await self._remember_chat(key, turn.chat_id)
            await self._save_language(key, value, chosen=True)
        return self._render([{"text": message("language_set", value)}], value)

    async def request_deletion(self, turn: Turn) -> list[OutgoingMessage]:
        """/delete: say what would be erased and what stays anonymised; ask to confirm."""
        language = await self.language_of(turn)
        return [
            OutgoingMessage(
                message("delete_explain", language),
                buttons=(
                    Button(_title(message("delete_yes", language)), DELETE_YES),
                    Button(_title(message("delete_no", language)), DELETE_NO),
                ),
            )
        ]

    async def confirm_deletion(self, turn: Turn, confirmed: bool) -> list[OutgoingMessage]:
        """The answer to request_deletion's question: erase everything keyed to the user, or not."""
        key = self.key_for(turn)
        async with self._lock(key):
            previous, chosen = await self._remember_chat(key, turn.chat_id)
            language = (chosen or previous or Lang.AR).value
            if not confirmed:
                return self.fixed_message("delete_cancelled", language)
            try:
                await asyncio.to_thread(self._erase, key)
            except SQLAlchemyError:
                logger.exception("erasure failed")
                return self.fixed_message("delete_failed", language)
        logger.info("a user's data was erased on request")
        return self.fixed_message("delete_done", language)

    def _erase(self, key: str) -> None:
        """The store first (one transaction, with its audit entry), then Rasa's conversation."""
        with self._sessions.begin() as session:
            erase_user(session, key)
        if self._tracker_db_url:
            erase_conversation(self._tracker_db_url, key)

    def language_menu(self, language: str) -> list[OutgoingMessage]:
        return [
            OutgoingMessage(
                message("choose_language", language),
                buttons=_language_buttons(),
            )
        ]

    async def language_of(self, turn: Turn) -> str:
        """The language this user's conversation is in (for bot-side messages)."""
        previous, chosen = await self._remember_chat(self.key_for(turn), turn.chat_id)
        return (chosen or previous or Lang.AR).value

    def fixed_message(self, key: str, language: str) -> list[OutgoingMessage]:
        """A fixed text from content/messages.yml, rendered like any reply."""
        return self._render([{"text": message(key, language)}], language)

    def key_for(self, turn: Turn) -> str:
        return user_key(self._secret, turn.telegram_user_id)

    # --- the paths of a turn ------------------------------------------------------------

    async def _rasa_turn(
        self, key: str, text: str, language: str, metadata: dict[str, Any],
        retry: StoredButton | None = None,
    ) -> list[OutgoingMessage]:
        """Send the turn to Rasa and render its replies, or say plainly what went wrong.

        When Rasa is up but the turn failed inside it (the action server is down or
        restarting), the answers given so far are kept in Rasa's tracker store: the user is
        told so and asked to try again in a moment, not given the emergency apology. When Rasa
        itself is down or slow, the apology with the emergency numbers. Either way a pressed
        button's keyboard is gone by then, so the message offers it again as "Try again".
        """
        try:
            replies = await self._rasa.send(key, text, metadata)
        except RasaTurnFailed:
            logger.warning("a Rasa turn failed (an action did not run): asking to try again")
            return self._failure("turn_failed", language, retry)
        except RasaUnavailable as error:
            logger.warning("Rasa unavailable (%s): sending the apology", error)
            return self._failure("apology_unavailable", language, retry)
        return self._render(replies, language)

    def _failure(self, key: str, language: str, retry: StoredButton | None) -> list[OutgoingMessage]:
        buttons = [] if retry is None else [
            {"title": _title(message("retry_button", language)), "payload": retry.payload}]
        return self._render([{"text": message(key, language), "buttons": buttons}], language)

    async def _crisis_turn(
        self, key: str, crisis: CrisisKind, language: str, metadata: dict[str, Any]
    ) -> list[OutgoingMessage]:
        """The safety net: the message goes to Rasa as the crisis intent it is.

        Whatever Rasa's state (a form open, a misclassification, down or slow), the user gets
        the safety answer: Rasa's, or the same one from content/ when Rasa fails.
        """
        logger.info("safety net: crisis message (%s)", crisis.value)
        try:
            replies = await self._rasa.send(key, CRISIS_INTENTS[crisis], metadata)
        except RasaUnavailable as error:
            logger.warning("Rasa unavailable (%s) for a crisis message: local safety answer", error)
            replies = safety_message(crisis.value, language)
        return self._render(replies, language)

    def _kurdish_reply(self) -> list[OutgoingMessage]:
        return [OutgoingMessage(message("kurdish", "ar"), buttons=_language_buttons())]

    def _render(self, replies: list[dict[str, Any]], language: str) -> list[OutgoingMessage]:
        return render_replies(replies, language, self.callbacks.register)

    # --- state --------------------------------------------------------------------------

    def _lock(self, key: str) -> asyncio.Lock:
        """One lock per user keeps each user's turns in order while users run concurrently."""
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) > 10_000:
                for stale in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[stale]
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def _remember_chat(self, key: str, chat_id: int) -> tuple[Lang | None, Lang | None]:
        """Store the key → chat mapping; return the conversation's (previous, chosen) language."""

        def work() -> tuple[str | None, str | None]:
            with self._sessions.begin() as session:
                existing = get_chat_link(session, key)
                had_language = existing is not None
                link = link_chat(session, key, chat_id)
                return (link.language if had_language else None), link.chosen_language

        try:
            try:
                previous, chosen = await asyncio.to_thread(work)
            except IntegrityError:
                # A user's first updates can arrive together (say, queued while the bot was
                # down) and are handled concurrently: the other one created the link first.
                previous, chosen = await asyncio.to_thread(work)
        except SQLAlchemyError:
            logger.exception("chat link could not be stored")
            return None, None
        return _lang(previous), _lang(chosen)

    async def _save_language(self, key: str, language: str, chosen: bool = False) -> None:
        def work() -> None:
            with self._sessions.begin() as session:
                link = get_chat_link(session, key)
                if link is not None:
                    link.language = language
                    if chosen:
                        link.chosen_language = language

        try:
            await asyncio.to_thread(work)
        except SQLAlchemyError:
            logger.exception("language could not be stored")


def _lang(value: str | None) -> Lang | None:
    try:
        return Lang(value) if value else None
    except ValueError:
        return None


def _title(text: str) -> str:
    """A button title: without the right-to-left mark message() puts before a leading emoji."""
    return text.lstrip("\u200f")


def _language_buttons() -> tuple[Button, ...]:
    return (
        Button("العربية", LANGUAGE_PREFIX + Lang.AR.value),
        Button("English", LANGUAGE_PREFIX + Lang.EN.value),
    )

