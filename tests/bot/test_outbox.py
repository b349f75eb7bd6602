"""The outbox: one status change, one message through the (fake) Telegram Bot API; never two,
also when a bot process stops mid-send or two run at once; none when the change rolled back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from telegram import Bot
from telegram.error import TimedOut

from bot.outbox import OutboxSender, describe_error, notification_text
from bot.render import OutgoingMessage
from bot.telegram_app import send_messages
from content.loader import message
from store import lifecycle
from store import outbox as outbox_store
from store.models import (
    ChatLink,
    Notification,
    NotificationKind,
    NotificationStatus,
    NotificationTarget,
    Referral,
    StaffUser,
    utcnow,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.records import add_referral, add_staff

TOKEN = "424242:OUTBOX-TEST-TOKEN"
CHAT = 7001
GROUP = -100200300


class Clock:
    """A clock the test moves by hand; it starts a minute ahead, so what the test wrote
    just before is due."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def telegram():  # type: ignore[no-untyped-def]
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=telegram.base_url) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sender_for(factory, bot: Bot, clock: Clock, **options) -> OutboxSender:  # type: ignore[no-untyped-def]
    """The sender the bot runs: one sendMessage per notification through send_messages."""

    async def send(chat_id: int, text: str) -> None:
        await send_messages(bot, chat_id, [OutgoingMessage(text)], attempts=1)

    options.setdefault("clock", clock)
    return OutboxSender(factory, send, options.pop("group", None), **options)  # type: ignore[arg-type]


def change_status(factory, referral: Referral, worker: StaffUser, status: str,  # type: ignore[no-untyped-def]
                  note: str = "نتابع طلبك", **extra) -> None:
    with factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, referral.id),
                                session.get(StaffUser, worker.id), status, note, **extra)


def rows(factory) -> list[Notification]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


@pytest.fixture
def case(session_factory):  # type: ignore[no-untyped-def]
    """A caseworker and a referral whose user has a chat with the bot."""
    worker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory, chat_id=CHAT)
    return session_factory, worker, referral


async def test_a_status_change_sends_exactly_one_message(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    sender = sender_for(factory, bot, clock)
    assert await sender.run_once() == 1
    assert await sender.run_once() == 0
    clock.advance(3600)
    assert await sender.run_once() == 0
    [sent] = telegram.sent_messages(CHAT)
    assert sent["text"] == message("notification_status_in_progress", "ar", code=referral.code)
    [row] = rows(factory)
    assert row.status is NotificationStatus.SENT and row.attempts == 1 and row.sent_at
    assert row.claim_token is None and row.claimed_until is None


async def test_the_message_is_in_the_language_of_the_chat(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    with factory.begin() as session:
        session.get(ChatLink, referral.user_key).chosen_language = "en"
    change_status(factory, referral, worker, "in_progress")
    change_status(factory, referral, worker, "referred", referred_to="Legal aid, Ramadi")
    await sender_for(factory, bot, clock).run_once()
    texts = [m["text"] for m in telegram.sent_messages(CHAT)]
    assert texts == [
        f"Your request {referral.code} is now being handled by a caseworker.",
        message("notification_status_referred", "en", code=referral.code),
    ]
    assert [r.language for r in rows(factory)] == ["en", "en"]


async def test_no_message_when_the_change_rolls_back(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    with factory() as session:
        lifecycle.change_status(session, session.get(Referral, referral.id),
                                session.get(StaffUser, worker.id), "in_progress", "oops")
        assert session.scalars(select(Notification)).all()  # written in the transaction...
        session.rollback()  # ...and gone with it
    assert await sender_for(factory, bot, clock).run_once() == 0
    assert rows(factory) == []
    assert telegram.sent_messages(CHAT) == []


async def test_two_bot_processes_at_once_send_it_once(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    other = add_referral(factory, chat_id=CHAT + 1)
    for item in (referral, other):
        change_status(factory, item, worker, "in_progress")
        change_status(factory, item, worker, "declined")
    first, second = sender_for(factory, bot, clock), sender_for(factory, bot, clock)
    results = await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    assert sum(results) == 4
    assert len(telegram.sent_messages(CHAT)) == 2 and len(telegram.sent_messages(CHAT + 1)) == 2
    assert {r.status for r in rows(factory)} == {NotificationStatus.SENT}


async def test_a_bot_that_stops_after_claiming_leaves_it_to_the_next(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    [row] = rows(factory)
    # The first bot process claimed the row and died before sending.
    with factory.begin() as session:
        assert outbox_store.claim(session, row.id, "dead-bot", clock(), 120)
    restarted = sender_for(factory, bot, clock, lease_seconds=120)
    assert await restarted.run_once() == 0  # the lease still holds
    clock.advance(121)
    assert await restarted.run_once() == 1
    assert await restarted.run_once() == 0
    assert len(telegram.sent_messages(CHAT)) == 1
    assert rows(factory)[0].status is NotificationStatus.SENT


async def test_a_bot_that_stops_mid_send_never_sends_twice(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")

    async def send_then_die(chat_id: int, text: str) -> None:
        await send_messages(bot, chat_id, [OutgoingMessage(text)], attempts=1)
        raise asyncio.CancelledError  # the process is stopped before it records the send

    dying = OutboxSender(factory, send_then_die, clock=clock, lease_seconds=120)
    with pytest.raises(asyncio.CancelledError):
        await dying.run_once()
    assert len(telegram.sent_messages(CHAT)) == 1
    assert rows(factory)[0].status is NotificationStatus.SENDING

    restarted = sender_for(factory, bot, clock, lease_seconds=120)
    assert await restarted.run_once() == 0  # still leased: nobody touches it
    clock.advance(121)
    assert await restarted.run_once() == 0  # delivery unknown: failed, not resent
    clock.advance(3600)
    assert await restarted.run_once() == 0
    assert len(telegram.sent_messages(CHAT)) == 1
    [row] = rows(factory)
    assert row.status is NotificationStatus.FAILED and row.last_error == outbox_store.INTERRUPTED_ERROR


async def test_a_restarted_bot_sends_what_waited(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")  # while no bot runs
    change_status(factory, referral, worker, "closed")
    assert await sender_for(factory, bot, clock).run_once() == 2
    texts = [m["text"] for m in telegram.sent_messages(CHAT)]
    assert texts == [message(f"notification_status_{s}", "ar", code=referral.code)
                     for s in ("in_progress", "closed")]


async def test_telegram_errors_are_retried_with_backoff(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    telegram.fail_next("sendMessage", status=500, times=2)
    sender = sender_for(factory, bot, clock, base_delay=10, max_delay=60)
    assert await sender.run_once() == 0
    [row] = rows(factory)
    assert row.status is NotificationStatus.PENDING and row.attempts == 1 and row.last_error
    clock.advance(9)
    assert await sender.run_once() == 0  # not before 10 s
    clock.advance(2)
    assert await sender.run_once() == 0  # second failure: now 20 s
    clock.advance(15)
    assert await sender.run_once() == 0
    clock.advance(6)
    assert await sender.run_once() == 1
    assert len(telegram.sent_messages(CHAT)) == 1
    [row] = rows(factory)
    assert row.status is NotificationStatus.SENT and row.attempts == 3 and row.last_error is None


async def test_the_flood_limit_is_respected(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    telegram.fail_next("sendMessage", status=429, retry_after=30)
    sender = sender_for(factory, bot, clock, base_delay=1)
    assert await sender.run_once() == 0
    clock.advance(29)
    assert await sender.run_once() == 0
    clock.advance(2)
    assert await sender.run_once() == 1
    assert len(telegram.sent_messages(CHAT)) == 1


async def test_it_gives_up_after_the_last_attempt(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    telegram.fail_next("sendMessage", status=502, times=10)
    sender = sender_for(factory, bot, clock, max_attempts=3, base_delay=1, max_delay=1)
    for _ in range(5):
        await sender.run_once()
        clock.advance(2)
    [row] = rows(factory)
    assert row.status is NotificationStatus.FAILED and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error
    assert telegram.sent_messages(CHAT) == []
    assert len(telegram.requests("sendMessage")) == 3


async def test_a_user_who_blocked_the_bot_is_not_retried(case, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    telegram.fail_next("sendMessage", status=403, chat_id=CHAT)
    sender = sender_for(factory, bot, clock)
    await sender.run_once()
    clock.advance(7200)
    await sender.run_once()
    [row] = rows(factory)
    assert row.status is NotificationStatus.FAILED and "Forbidden" in row.last_error
    assert len(telegram.requests("sendMessage")) == 1


async def test_a_timeout_is_not_retried_because_it_may_have_arrived(case, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    calls = []

    async def slow(chat_id: int, text: str) -> None:
        calls.append(chat_id)
        raise TimedOut()

    sender = OutboxSender(factory, slow, clock=clock)
    await sender.run_once()
    clock.advance(7200)
    await sender.run_once()
    assert calls == [CHAT]
    [row] = rows(factory)
    assert row.status is NotificationStatus.FAILED and "delivery unknown" in row.last_error


async def test_without_a_chat_link_nothing_is_sent(session_factory, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    worker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory)  # made through Rasa directly: no chat link
    change_status(session_factory, referral, worker, "in_progress")
    await sender_for(session_factory, bot, clock).run_once()
    [row] = rows(session_factory)
    assert row.status is NotificationStatus.FAILED and row.last_error == "no chat is known for this person"
    assert telegram.sent_messages() == []


async def test_an_urgent_referral_alerts_the_caseworkers_group(session_factory, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    referral = add_referral(session_factory, urgent=True, governorate="ninewa", chat_id=CHAT)
    assert await sender_for(session_factory, bot, clock, group=GROUP).run_once() == 1
    [alert] = telegram.sent_messages(GROUP)
    assert referral.code in alert["text"]
    assert "نينوى" in alert["text"] and "Ninewa" in alert["text"]
    assert "بيتنا" not in alert["text"] and "770" not in alert["text"]  # no personal data
    assert telegram.sent_messages(CHAT) == []


async def test_without_a_group_the_alert_is_skipped(session_factory, bot, telegram, clock) -> None:  # type: ignore[no-untyped-def]
    add_referral(session_factory, urgent=True)
    await sender_for(session_factory, bot, clock, group=None).run_once()
    [row] = rows(session_factory)
    assert row.status is NotificationStatus.SKIPPED and "CASEWORKER_ALERT_CHAT_ID" in row.last_error
    assert telegram.sent_messages() == []


async def test_the_console_sender_only_takes_its_own_user(case, clock) -> None:  # type: ignore[no-untyped-def]
    factory, worker, referral = case
    other = add_referral(factory, chat_id=CHAT + 5)
    change_status(factory, referral, worker, "in_progress")
    change_status(factory, other, worker, "in_progress")
    printed: list[str] = []

    async def show(_chat_id: int, text: str) -> None:
        printed.append(text)

    sender = OutboxSender(factory, show, clock=clock, only_user_key=referral.user_key)
    assert await sender.run_once() == 1
    assert printed == [message("notification_status_in_progress", "ar", code=referral.code)]
    assert [r.status for r in rows(factory)] == [NotificationStatus.SENT, NotificationStatus.PENDING]


async def test_the_loop_survives_errors_and_stops_when_cancelled(case, bot, telegram,  # type: ignore[no-untyped-def]
                                                               monkeypatch) -> None:
    factory, worker, referral = case
    change_status(factory, referral, worker, "in_progress")
    real = outbox_store.fail_interrupted
    failures = iter([True, True])

    def flaky(session, now):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return real(session, now)

    monkeypatch.setattr(outbox_store, "fail_interrupted", flaky)
    sender = sender_for(factory, bot, utcnow)  # real time for the real loop
    task = asyncio.create_task(sender.run_forever(0.05))
    await telegram.wait_for_messages_async(CHAT, 1, timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_error_texts_never_hold_the_bot_token() -> None:
    error = RuntimeError("POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage")
    assert "AAHdq" not in describe_error(error)
    assert describe_error(error).startswith("RuntimeError: ")


@pytest.mark.parametrize("status", ["in_progress", "referred", "closed", "declined"])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_status_has_a_notification_text(status: str, language: str) -> None:
    item = outbox_store.Outgoing(1, NotificationTarget.RETURNEE, NotificationKind.STATUS_CHANGED,
                                 "R-7KQ2MX", status, language, 1, "housing", "anbar")
    assert "R-7KQ2MX" in notification_text(item)
