"""What every kind of Telegram update gets from the real bot process (with the real Rasa)."""

from __future__ import annotations

import time

import httpx
import pytest

from content.loader import message
from tests.e2e.conftest import containing, start_bot, wait_for, with_button

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "attachment",
    [
        {"voice": {"file_id": "v1", "file_unique_id": "u1", "duration": 3}},
        {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
        {"sticker": {"file_id": "s1", "file_unique_id": "u3", "width": 512, "height": 512,
                     "is_animated": False, "is_video": False, "type": "regular"}},
        {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "x.pdf"}},
        {"location": {"latitude": 36.34, "longitude": 43.13}},
    ],
    ids=["voice", "photo", "sticker", "file", "location"],
)
def test_non_text_messages_get_a_polite_please_write(stack, telegram, bot, attachment) -> None:  # type: ignore[no-untyped-def]
    user = 71000 + len(str(attachment))
    since = telegram.mark()
    telegram.push_message(user, **attachment)
    wait_for(telegram, user, since, containing(message("non_text", "ar").strip()[:20]))


def test_group_chats_are_asked_to_message_privately(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    group = -1009001
    since = telegram.mark()
    telegram.push_text(71101, "شلون اطلع هوية", chat_id=group, chat_type="supergroup")
    wait_for(telegram, group, since, containing(message("group_chat", "ar").strip()[:20]))


def test_help_and_typing(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 71201
    since = telegram.mark()
    telegram.push_command(user, "/help")
    wait_for(telegram, user, since, containing("/language"))
    since = telegram.mark()
    telegram.push_text(user, "شلون اطلع البطاقة الوطنية")
    wait_for(telegram, user, since, lambda m: True)
    assert "typing" in telegram.chat_actions(user)


def test_language_choice_switches_the_whole_conversation_to_english(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 71301
    since = telegram.mark()
    telegram.push_command(user, "/language")
    menu = wait_for(telegram, user, since, with_button("English"))
    since = telegram.mark()
    telegram.press_button(user, menu, "English")
    wait_for(telegram, user, since, containing(message("language_set", "en").strip()[:15]))
    since = telegram.mark()
    telegram.push_text(user, "اريد موظف حالة")
    wait_for(telegram, user, since, with_button("✅ Yes, I agree"))


def test_an_english_question_is_answered_in_english(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 71401
    since = telegram.mark()
    telegram.push_text(user, "Hello, how can I get a new national ID card? I lost mine")
    reply = wait_for(telegram, user, since, lambda m: True)
    assert reply["text"].isascii() or "ID" in reply["text"]


def test_webhook_mode_receives_updates_with_the_secret_token(stack) -> None:  # type: ignore[no-untyped-def]
    """A Bot API of its own, so the long-polling bot of the other tests is not disturbed."""
    from tests.e2e.conftest import BOT_TOKEN
    from tests.support.fake_telegram import FakeTelegram
    from tests.support.processes import free_port

    port = free_port()
    with FakeTelegram(token=BOT_TOKEN) as telegram:
        service = start_bot(
            stack, telegram,
            TELEGRAM_MODE="webhook",
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            TELEGRAM_WEBHOOK_SECRET="s3cret-token_for-tests",
            TELEGRAM_WEBHOOK_PORT=str(port),
        )
        try:
            deadline = time.monotonic() + 20
            while not telegram.webhook_info().get("url") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert telegram.webhook_info()["url"] == f"http://127.0.0.1:{port}/telegram"
            user = 71501
            since = telegram.mark()
            telegram.push_text(user, "هلو")
            wait_for(telegram, user, since, containing("أهلاً"))

            # Anyone else posting to the webhook without the secret token is refused.
            forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi",
                                                  "chat": {"id": 5, "type": "private"}}}
            url = f"http://127.0.0.1:{port}/telegram"
            assert httpx.post(url, json=forged).status_code == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            assert httpx.post(url, json=forged, headers=wrong).status_code == 403
        finally:
            service.stop()
