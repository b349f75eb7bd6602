"""Tests of the fake Bot API server, driven by python-telegram-bot's real client."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_telegram import (
    FakeTelegram,
    command_entities,
    decode_params,
    html_to_plain_text,
    validate_reply_markup,
    validate_text,
)

TOKEN = "123:TEST"
USER_ID = 4242


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> Bot:
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ----------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", [{"type": "bot_command", "offset": 0, "length": 6}]),
        ("/start abc_123", [{"type": "bot_command", "offset": 0, "length": 6}]),
        ("/help@test_returnee_bot", [{"type": "bot_command", "offset": 0, "length": 23}]),
        ("مرحبا", []),
        ("hello /start", []),
        ("/", []),
    ],
)
def test_command_entities(text: str, expected: list[dict]) -> None:
    assert command_entities(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "message text is empty"),
        ("   \n", "message text is empty"),
        (None, "message text is empty"),
        ("a" * 4097, "message is too long"),
    ],
)
def test_validate_text_rejects(text: str | None, error: str) -> None:
    with pytest.raises(Exception, match=error):
        validate_text(text)


def test_validate_text_accepts_limit() -> None:
    assert validate_text("ب" * 4096) == "ب" * 4096


@pytest.mark.parametrize(
    ("markup", "ok"),
    [
        ({"inline_keyboard": [[{"text": "x", "callback_data": "a" * 64}]]}, True),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "ب" * 32}]]}, True),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "ب" * 33}]]}, False),
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}, False),
        ({"inline_keyboard": [[{"text": "x"}]]}, False),
        ({"inline_keyboard": [[{"text": "x", "url": "https://example.org"}]]}, True),
        ({"keyboard": [["نعم", {"text": "لا"}]]}, True),
        ({"remove_keyboard": True}, True),
        ({"something": 1}, False),
        ("not json", False),
    ],
)
def test_validate_reply_markup(markup: object, ok: bool) -> None:
    if ok:
        assert validate_reply_markup(markup) == markup
    else:
        with pytest.raises(Exception, match="Bad Request"):
            validate_reply_markup(markup)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("<b>مرحبا</b> &lt;3", "مرحبا <3"),
        ('<a href="https://example.org">link</a>', "link"),
        ("plain", "plain"),
    ],
)
def test_html_to_plain_text(text: str, plain: str) -> None:
    assert html_to_plain_text(text) == plain


@pytest.mark.parametrize("text", ["<br>", "<b>open", "<b><i>x</b></i>", "a <script>x</script>"])
def test_html_to_plain_text_rejects(text: str) -> None:
    with pytest.raises(Exception, match="(?i)can't parse entities"):
        html_to_plain_text(text)


def test_decode_params_form_json_and_multipart() -> None:
    form = b"chat_id=42&text=123&reply_markup=%7B%22remove_keyboard%22%3A+true%7D"
    assert decode_params("", "application/x-www-form-urlencoded", form) == {
        "chat_id": 42,
        "text": "123",
        "reply_markup": {"remove_keyboard": True},
    }
    body = json.dumps({"chat_id": 7, "reply_markup": '{"remove_keyboard": true}'}).encode()
    assert decode_params("offset=5", "application/json", body) == {
        "offset": 5,
        "chat_id": 7,
        "reply_markup": {"remove_keyboard": True},
    }
    multipart = (
        b"--XX\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n"
        b"--XX\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n"
    )
    assert decode_params("", "multipart/form-data; boundary=XX", multipart) == {
        "chat_id": 42,
        "document": {"filename": "a.txt", "size": 5},
    }


# ----------------------------------------------------------------------------- plain HTTP, sync API


def test_wait_for_messages_json_body_and_reset(fake: FakeTelegram) -> None:
    url = f"{fake.base_url}{TOKEN}"
    cursor = fake.mark()
    timer = threading.Timer(
        0.1, lambda: httpx.post(f"{url}/SENDMESSAGE", json={"chat_id": 5, "text": "hi"})
    )
    timer.start()
    [message] = fake.wait_for_messages(5, 1, timeout=5, since=cursor)
    timer.join()
    assert message["text"] == "hi" and message["chat_id"] == 5
    with pytest.raises(TimeoutError, match="got 1"):
        fake.wait_for_messages(5, 2, timeout=0.2)
    assert fake.wait_for_messages(5, 0, since=fake.mark()) == []

    assert httpx.get(f"{url}/getMe").json()["result"]["username"] == "test_returnee_bot"
    assert httpx.get(f"{fake.base_url.removesuffix('/bot')}/nothing").status_code == 404
    assert httpx.post(f"{url}/sendMessage", content=b"{", headers={
        "Content-Type": "application/json"}).status_code == 400

    fake.push_text(5, "queued")
    fake.reset()
    assert fake.pending_updates() == [] and fake.sent_messages() == [] and fake.requests() == []


# ----------------------------------------------------------------------------- through telegram.Bot


async def test_get_me_and_unknown_token(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123 and me.is_bot and me.username == "test_returnee_bot"
    wrong = Bot("999:WRONG", base_url=fake.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()
    finally:
        await wrong.shutdown()
    assert fake.requests("getMe")[-1]["status"] == 401


async def test_send_message_with_inline_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("الأنبار", callback_data='/inform{"governorate":"anbar"}')]]
    )
    first = await bot.send_message(USER_ID, "أهلاً بك، من أي محافظة أنت؟", reply_markup=keyboard)
    second = await bot.send_message(USER_ID, "<b>ثانية</b>", parse_mode="HTML")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == USER_ID and first.chat.type == "private"
    assert first.from_user.id == 123 and first.from_user.is_bot
    assert first.reply_markup == keyboard
    assert second.text == "ثانية"

    sent = fake.sent_messages(USER_ID)
    assert [m["text"] for m in sent] == ["أهلاً بك، من أي محافظة أنت؟", "<b>ثانية</b>"]
    assert sent[0]["buttons"] == [
        {"text": "الأنبار", "callback_data": '/inform{"governorate":"anbar"}'}
    ]
    assert sent[1]["parse_mode"] == "HTML" and sent[1]["reply_markup"] is None
    assert fake.sent_messages(chat_id=1) == []
    assert fake.unimplemented_calls() == []


async def test_send_message_validation(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(USER_ID, "ا" * 4097)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(USER_ID, "hi", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match="parse_mode"):
        await bot.send_message(USER_ID, "hi", parse_mode="BBCode")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER_ID, "a <tag> b", parse_mode="HTML")
    assert fake.sent_messages() == []
    assert [r["status"] for r in fake.requests("sendmessage")] == [400, 400, 400, 400]


async def test_get_updates_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        fake.push_text(USER_ID, "مرحبا")

    pusher = asyncio.create_task(push_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    await pusher
    assert time.monotonic() - started < 3
    assert len(updates) == 1
    message = updates[0].message
    assert message.text == "مرحبا" and message.from_user.language_code == "ar"
    assert message.chat.id == USER_ID and message.from_user.id == USER_ID


async def test_get_updates_offset_limit_and_commands(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.push_command(USER_ID, "/start", payload="ref_abc")
    second = fake.push_text(USER_ID, "شلونك")
    assert second == first + 1

    updates = await bot.get_updates(limit=1)
    assert [u.update_id for u in updates] == [first]
    start = updates[0].message
    assert start.text == "/start ref_abc"
    assert start.parse_entities() and list(start.parse_entities().values()) == ["/start"]

    again = await bot.get_updates()
    assert [u.update_id for u in again] == [first, second]
    confirmed = await bot.get_updates(offset=second)
    assert [u.update_id for u in confirmed] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake.pending_updates() == []


async def test_raw_updates_parse(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_message(USER_ID, voice={"file_id": "v1", "file_unique_id": "u1", "duration": 3})
    fake.push_message(USER_ID, kind="edited_message", message_id=1, text="معدل")
    fake.push_text(77, "hi", chat_id=-100, chat_type="group")
    fake.push_update({"unknown_future_update": {"x": 1}})
    updates = await bot.get_updates()
    assert updates[0].message.voice.file_id == "v1"
    assert updates[1].edited_message.text == "معدل"
    assert updates[2].message.chat.type == "group" and updates[2].message.chat.id == -100
    assert updates[3].effective_message is None


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_and_recovery(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3"):
        await bot.send_message(USER_ID, "hi")
    fake.fail_next("SENDMESSAGE", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(USER_ID, "hi")
    fake.fail_next("sendMessage", status=403, chat_id=99)
    await bot.send_message(USER_ID, "still fine")
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(99, "blocked")
    assert [m["text"] for m in fake.sent_messages()] == ["still fine"]
    assert fake.requests("sendMessage")[0]["response"]["parameters"] == {"retry_after": 3}


async def test_unimplemented_method_is_recorded(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="not implemented in fake"):
        await bot.send_dice(USER_ID)
    assert [r["method"] for r in fake.unimplemented_calls()] == ["sendDice"]


async def test_callbacks_edits_actions_commands(fake: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("نعم", callback_data="/affirm")],
         [InlineKeyboardButton("لا", callback_data="/deny")]]
    )
    await bot.send_message(USER_ID, "هل تريد إحالة؟", reply_markup=keyboard)
    [sent] = fake.sent_messages(USER_ID)
    query_id = fake.press_button(USER_ID, sent, "لا")
    [update] = await bot.get_updates()
    assert update.callback_query.id == query_id and update.callback_query.data == "/deny"
    assert update.callback_query.message.message_id == sent["message_id"]

    assert await update.callback_query.answer("تم")
    assert fake.answered_callbacks() == [query_id]
    with pytest.raises(BadRequest, match="(?i)query id is invalid"):
        await bot.answer_callback_query("nope")

    await bot.edit_message_reply_markup(USER_ID, sent["message_id"], reply_markup=None)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(USER_ID, sent["message_id"], reply_markup=None)
    with pytest.raises(LookupError):
        fake.press_button(USER_ID, sent, "نعم")
    edited = await bot.edit_message_text("تم الإلغاء", USER_ID, sent["message_id"])
    assert edited.text == "تم الإلغاء"
    assert fake.message(USER_ID, sent["message_id"])["text"] == "تم الإلغاء"
    assert len(fake.edits(USER_ID)) == 2
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", USER_ID, 999)

    assert await bot.send_chat_action(USER_ID, "typing")
    assert fake.chat_actions(USER_ID) == ["typing"]

    assert await bot.set_my_commands([("start", "ابدأ"), ("help", "مساعدة")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert fake.my_commands()[1] == {"command": "help", "description": "مساعدة"}
    assert fake.unimplemented_calls() == []


# ----------------------------------------------------------------------------- a real Application


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_chat_action(update.effective_chat.id, "typing")
    await update.message.reply_text(f"echo: {update.message.text}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(
        f"start: {' '.join(context.args)}",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("سكن", callback_data="h")]]),
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(f"chose {update.callback_query.data}")


def build_app(fake: FakeTelegram) -> Application:
    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    return app


async def test_application_polling(fake: FakeTelegram) -> None:
    app = build_app(fake)
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        cursor = fake.mark()
        fake.push_text(USER_ID, "وين أطلع هوية؟")
        [reply] = await fake.wait_for_messages_async(USER_ID, 1, since=cursor, timeout=10)
        assert reply["text"] == "echo: وين أطلع هوية؟"
        assert fake.chat_actions(USER_ID) == ["typing"]

        cursor = fake.mark()
        fake.push_command(USER_ID, "/start", payload="abc")
        [welcome] = await fake.wait_for_messages_async(USER_ID, 1, since=cursor, timeout=10)
        assert welcome["text"] == "start: abc"

        query_id = fake.press_button(USER_ID, welcome, "سكن")
        for _ in range(100):
            if fake.edits(USER_ID):
                break
            await asyncio.sleep(0.05)
        assert fake.answered_callbacks() == [query_id]
        assert fake.message(USER_ID, welcome["message_id"])["text"] == "chose h"
        with pytest.raises(RuntimeError, match="wait_for_messages_async"):
            fake.wait_for_messages(USER_ID, 1)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert fake.pending_updates() == []
    assert fake.unimplemented_calls() == []
    methods = {r["method"] for r in fake.requests()}
    assert {"getMe", "deleteWebhook", "getUpdates", "sendMessage"} <= methods


async def test_application_webhook(fake: FakeTelegram) -> None:
    port = free_port()
    app = build_app(fake)
    await app.initialize()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="tg",
        webhook_url=f"http://127.0.0.1:{port}/tg",
        secret_token="s3cret",
    )
    await app.start()
    try:
        assert fake.webhook_info()["url"] == f"http://127.0.0.1:{port}/tg"
        async with Bot(TOKEN, base_url=fake.base_url) as client:
            with pytest.raises(Conflict):
                await client.get_updates()
        cursor = fake.mark()
        fake.push_text(USER_ID, "salam")
        fake.push_text(USER_ID + 1, "hala")
        replies = await fake.wait_for_messages_async(None, 2, since=cursor, timeout=10)
        assert sorted(m["text"] for m in replies) == ["echo: hala", "echo: salam"]
        await asyncio.to_thread(fake.wait_until_consumed, 5)
        assert [d["error"] for d in fake.webhook_deliveries()] == [None, None]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
