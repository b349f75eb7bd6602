"""A chat in the terminal through the same `Assistant` as Telegram (no token needed).

Buttons are shown as numbers: type the number to press one. Commands: /start, /help,
/language, /delete, /quit.
"""

from __future__ import annotations

import asyncio
import sys

from bot.assistant import Assistant, Turn
from bot.render import OutgoingMessage

CONSOLE_USER_ID = 1
PROMPT = "> "


def show(messages: list[OutgoingMessage], out=sys.stdout) -> list[str]:  # type: ignore[no-untyped-def]
    """Print messages; return the callback ids of the buttons shown, in number order."""
    buttons: list[str] = []
    for outgoing in messages:
        print(f"\n🤖 {outgoing.text}", file=out)
        for button in outgoing.buttons:
            buttons.append(button.callback_id)
            print(f"   [{len(buttons)}] {button.title}", file=out)
    out.flush()
    return buttons


async def run_console(assistant: Assistant, stdin=sys.stdin) -> None:  # type: ignore[no-untyped-def]
    print("Console chat with the assistant. Type /quit to leave. اكتب رسالتك:")
    buttons: list[str] = []
    turn_number = 0
    while True:
        print(PROMPT, end="", flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        turn_number += 1
        turn = Turn(telegram_user_id=CONSOLE_USER_ID, chat_id=CONSOLE_USER_ID,
                    turn_id=f"console-{turn_number}")
        if text == "/quit":
            break
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            messages = await assistant.on_button(turn, buttons[int(text) - 1])
        elif text.split()[0] == "/start":
            payload = text.split()[1] if len(text.split()) > 1 else None
            messages = await assistant.on_start(turn, payload)
        elif text == "/help":
            messages = assistant.fixed_message("help", await assistant.language_of(turn))
        elif text == "/language":
            messages = assistant.language_menu(await assistant.language_of(turn))
        elif text == "/delete":
            messages = await assistant.request_deletion(turn)
        else:
            messages = await assistant.on_text(turn, text)
        buttons = show(messages) or buttons
