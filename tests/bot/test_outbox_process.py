"""The real bot process (`python -m bot`) sends the outbox, and picks up after a restart.

No Rasa is needed: the outbox only talks to the database and the (fake) Telegram Bot API.
"""

from __future__ import annotations

import time

import pytest

from store import lifecycle
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import Notification, NotificationStatus, Referral, StaffUser
from tests.support.fake_telegram import FakeTelegram
from tests.support.processes import bot_process, free_port
from tests.support.records import add_referral, add_staff

TOKEN = "515151:OUTBOX-PROCESS-TOKEN"
CHAT = 6060


@pytest.fixture
def world(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'referrals.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    worker = add_staff(factory, "amal", organisation="default")
    referral = add_referral(factory, organisation="default", chat_id=CHAT)
    yield url, factory, worker, referral
    factory.kw["bind"].dispose()


def change(factory, referral, worker, status: str, **extra) -> None:  # type: ignore[no-untyped-def]
    with factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, referral.id),
                                session.get(StaffUser, worker.id), status, "note", **extra)


def start_bot(tmp_path, telegram: FakeTelegram, url: str):  # type: ignore[no-untyped-def]
    return bot_process(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        RASA_URL=f"http://127.0.0.1:{free_port()}",  # nobody there: not needed here
        DATABASE_URL=url,
        PSEUDONYM_SECRET="outbox-process-secret-0123456789",
        OUTBOX_POLL_SECONDS="0.2",
        LOG_LEVEL="INFO",
    ).start(timeout=60, ready_line="bot ready")


def test_the_bot_process_sends_status_changes_once_across_a_restart(tmp_path, world) -> None:  # type: ignore[no-untyped-def]
    url, factory, worker, referral = world
    with FakeTelegram(token=TOKEN) as telegram:
        bot = start_bot(tmp_path, telegram, url)
        try:
            change(factory, referral, worker, "in_progress")
            [first] = telegram.wait_for_messages(CHAT, 1, timeout=30)
            assert referral.code in first["text"] and "قيد المتابعة" in first["text"]
        finally:
            bot.stop()

        # While the bot is down, two more changes wait in the outbox.
        change(factory, referral, worker, "referred", referred_to="Legal aid office, Ramadi")
        change(factory, referral, worker, "closed")
        time.sleep(0.5)
        assert len(telegram.sent_messages(CHAT)) == 1

        bot = start_bot(tmp_path, telegram, url)
        try:
            messages = telegram.wait_for_messages(CHAT, 3, timeout=30)
            time.sleep(1.0)  # a few more passes of the loop: nothing else may come
            assert len(telegram.sent_messages(CHAT)) == 3
        finally:
            bot.stop()
    assert "أُحيل طلبك" in messages[1]["text"] and "أُغلق طلبك" in messages[2]["text"]
    with factory() as session:
        statuses = [n.status for n in session.query(Notification).order_by(Notification.id)]
    assert statuses == [NotificationStatus.SENT] * 3
    log = (tmp_path / "bot.log").read_text()
    assert "outbox sender started" in log and TOKEN not in log
