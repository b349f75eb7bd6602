"""Rendering Rasa replies as Telegram messages (pure functions)."""

from __future__ import annotations

import pytest

from bot.callbacks import CallbackStore
from bot.pseudonym import user_key
from bot.render import RTL_MARK, TELEGRAM_MAX_TEXT, keep_right_to_left, render_replies, split_text


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("أهلاً وسهلاً", "ar", "أهلاً وسهلاً"),
        ("R-7KQ2MX رقم طلبك", "ar", RTL_MARK + "R-7KQ2MX رقم طلبك"),
        ("✅ تم تسجيل طلبك", "ar", RTL_MARK + "✅ تم تسجيل طلبك"),
        ("104 للشرطة", "ar", RTL_MARK + "104 للشرطة"),
        ("Hello", "en", "Hello"),
        (RTL_MARK + "R-7KQ2MX", "ar", RTL_MARK + "R-7KQ2MX"),
        ("", "ar", ""),
    ],
)
def test_arabic_replies_stay_right_to_left(text: str, language: str, expected: str) -> None:
    assert keep_right_to_left(text, language) == expected


def test_long_text_is_split_at_word_ends_under_the_limit() -> None:
    text = ("كلمة " * 2000).strip()
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(part) <= TELEGRAM_MAX_TEXT for part in parts)
    assert " ".join(parts) == text


def test_text_without_spaces_is_still_split() -> None:
    parts = split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_buttons_become_short_callback_ids_mapped_on_the_server() -> None:
    store = CallbackStore()
    payload = '/referral_request{"need_category":"psychosocial","urgent":true}'
    messages = render_replies(
        [{"text": "تحب نسجل طلب؟", "buttons": [{"title": "✅ نعم، أريد موظف حالة", "payload": payload}]}],
        "ar",
        store.register,
    )
    [message] = messages
    [button] = message.buttons
    assert len(button.callback_id.encode()) <= 64
    assert store.resolve(button.callback_id).payload == payload


def test_buttons_go_on_the_last_part_of_a_split_reply() -> None:
    store = CallbackStore()
    messages = render_replies(
        [{"text": "a " * 3000, "buttons": [{"title": "ok", "payload": "/affirm"}]}], "en", store.register
    )
    assert len(messages) == 2
    assert messages[0].buttons == () and len(messages[1].buttons) == 1


def test_replies_without_text_or_buttons_are_dropped() -> None:
    assert render_replies([{"image": "http://x/y.png"}, {"custom": {}}], "ar", CallbackStore().register) == []


def test_the_callback_store_forgets_the_oldest_buttons() -> None:
    store = CallbackStore(capacity=2)
    first = store.register("/a", "a")
    store.register("/b", "b")
    store.register("/c", "c")
    assert store.resolve(first) is None
    assert store.resolve("b:unknown") is None


def test_user_keys_are_keyed_hashes() -> None:
    key = user_key("secret-one-0123456789", 42)
    assert len(key) == 64 and "42" not in key
    assert key == user_key("secret-one-0123456789", 42)
    assert key != user_key("secret-two-0123456789", 42)
    assert key != user_key("secret-one-0123456789", 43)
