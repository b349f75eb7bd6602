"""Faults with the real processes: a service stops or restarts in the middle of a conversation.

Each test runs its own action server, Rasa server and bot (the session's stack stays untouched),
against the fake Telegram Bot API. Each time the user gets a clear message, the conversation
resumes when the service is back, and no referral is lost or stored twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from content.loader import message
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import NeedCategory, Referral
from tests.e2e.conftest import (
    BOT_TOKEN,
    CODE,
    Stack,
    containing,
    converse,
    has_code,
    start_bot,
    wait_for,
    with_button,
)
from tests.support.fake_telegram import FakeTelegram
from tests.support.postgres import ThrowawayPostgres, postgres_bin
from tests.support.processes import MODEL, VENV_RASA, Service, action_server, rasa_server

pytestmark = pytest.mark.e2e

EMERGENCY_NUMBER = "122"
YES_CONSENT, HOUSING, NINEWA = "✅ نعم، أوافق", "🏠 السكن والبيت", "نينوى"
BY_TELEGRAM, YES_REGISTER = "💬 برسالة هنا بتلگرام", "✅ نعم، سجل الطلب"
RETRY = "🔁 أعد المحاولة"
TURN_FAILED = message("turn_failed", "ar")
APOLOGY = message("apology_unavailable", "ar")
SAVE_FAILED = "ما انسجل شي"  # utter_referral_failed (domain.yml)


@dataclass
class OwnStack:
    """A whole stack of this test's own, whose services the test may stop and start."""

    stack: Stack
    telegram: FakeTelegram
    bot: Service

    @property
    def actions(self) -> Service:
        return self.stack.actions

    @property
    def rasa(self) -> Service:
        return self.stack.rasa

    def referrals(self) -> list[Referral]:
        engine = make_engine(self.stack.database_url)
        try:
            with make_session_factory(engine)() as session:
                return list(session.scalars(select(Referral)))
        finally:
            engine.dispose()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.stack.log_dir.glob("*.log"))


@contextmanager
def own_stack(work: Path, database_url: str) -> Iterator[OwnStack]:
    if not MODEL.exists() or not (VENV_RASA / "rasa").exists():
        pytest.skip("needs the Rasa environment and a trained model: run `make test`")
    upgrade(database_url)
    actions = action_server(work, database_url).start(timeout=60)
    rasa = rasa_server(work, actions.health_url.replace("/health", "/webhook"),  # type: ignore[union-attr]
                       f"sqlite:///{work / 'tracker.db'}")
    try:
        rasa.start(timeout=300)
        stack = Stack(database_url, rasa.health_url.rstrip("/"), work, actions, rasa)  # type: ignore[union-attr]
        with FakeTelegram(token=BOT_TOKEN) as telegram:
            bot = start_bot(stack, telegram)
            try:
                yield OwnStack(stack, telegram, bot)
            finally:
                bot.stop()  # before the fake API: at shutdown it confirms its last updates
    finally:
        rasa.stop()
        actions.stop()


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[OwnStack]:
    with own_stack(tmp_path, f"sqlite:///{tmp_path / 'referrals.db'}") as running:
        yield running


def kill(service: Service) -> None:
    """SIGKILL the whole process group: no graceful shutdown, as in a crash."""
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=20)


def contact_to_summary(telegram: FakeTelegram, user: int, contact: dict, description: str) -> dict:
    """From the contact question: by Telegram, then the description; returns the summary."""
    since = telegram.mark()
    telegram.press_button(user, contact, BY_TELEGRAM)
    wait_for(telegram, user, since, containing("بدون أسماء"))
    return converse(telegram, user, [(("text", description), with_button(YES_REGISTER))])


def to_the_governorate_question(telegram: FakeTelegram, user: int) -> dict:
    return converse(telegram, user, [
        (("text", "اريد موظف حالة يتواصل وياي"), with_button(YES_CONSENT)),
        (("button", YES_CONSENT), with_button(HOUSING)),
        (("button", HOUSING), with_button(NINEWA)),
    ])


def wait_polling(telegram: FakeTelegram, timeout: float = 30.0) -> None:
    """Until the bot's getUpdates long poll is running ("bot ready" is logged before it)."""
    before = len(telegram.requests("getUpdates"))
    deadline = time.monotonic() + timeout
    while len(telegram.requests("getUpdates")) <= before:
        assert time.monotonic() < deadline, "the bot does not poll for updates"
        time.sleep(0.1)


def texts_since(telegram: FakeTelegram, user: int, since: int) -> list[str]:
    return [m["text"] for m in telegram.sent_messages(user, since=since)]


def test_the_action_server_stops_mid_form_and_the_form_resumes(faulty: OwnStack) -> None:
    telegram, user = faulty.telegram, 74001
    question = to_the_governorate_question(telegram, user)

    faulty.actions.stop()
    since = telegram.mark()
    telegram.press_button(user, question, NINEWA)
    failed = wait_for(telegram, user, since, containing(TURN_FAILED[:30]))
    # A clear "answers kept, try again" message, not the emergency apology; nothing else.
    assert texts_since(telegram, user, since) == [failed["text"]]
    assert EMERGENCY_NUMBER not in failed["text"]

    # Typed during the outage: Rasa fills the slot from the raw text, the validation never runs.
    since = telegram.mark()
    telegram.push_text(user, "ها")
    wait_for(telegram, user, since, containing(TURN_FAILED[:30]))

    faulty.actions.start(timeout=60)
    # A question first: answered, and the form asks for the governorate again (the raw "ها"
    # was never validated, so it is not kept as the governorate).
    since = telegram.mark()
    telegram.push_text(user, "شلون اطلع هوية احوال")
    wait_for(telegram, user, since, with_button(NINEWA))
    # "Try again" repeats the governorate button; the form goes on from where it was.
    since = telegram.mark()
    telegram.press_button(user, failed, RETRY)
    contact = wait_for(telegram, user, since, with_button(BY_TELEGRAM))
    stored = contact_to_summary(telegram, user, contact, "سقف البيت واگع")
    # The summary still has the answers given before the outage (kept in the tracker store).
    assert "السكن" in stored["text"] and NINEWA in stored["text"]
    since = telegram.mark()
    telegram.press_button(user, stored, YES_REGISTER)
    code = CODE.search(wait_for(telegram, user, since, has_code)["text"]).group()

    [referral] = faulty.referrals()
    assert referral.code == code
    assert referral.category is NeedCategory.HOUSING and referral.governorate == "ninewa"


@pytest.fixture
def own_postgres() -> Iterator[ThrowawayPostgres]:
    if postgres_bin() is None:
        pytest.skip("needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    server = ThrowawayPostgres().create()
    yield server
    server.destroy()


def test_the_database_stops_during_submission_and_the_retry_stores_one_referral(
        tmp_path: Path, own_postgres: ThrowawayPostgres) -> None:
    with own_stack(tmp_path, own_postgres.url) as running:
        telegram, user = running.telegram, 74101
        question = to_the_governorate_question(telegram, user)
        since = telegram.mark()
        telegram.press_button(user, question, NINEWA)
        contact = wait_for(telegram, user, since, with_button(BY_TELEGRAM))
        summary = contact_to_summary(telegram, user, contact, "نحتاج ترميم الشباك")

        own_postgres.stop()
        since = telegram.mark()
        telegram.press_button(user, summary, YES_REGISTER)
        # "Could not save, nothing was registered", then the summary again to confirm later.
        wait_for(telegram, user, since, containing(SAVE_FAILED))
        again = wait_for(telegram, user, since, with_button(YES_REGISTER))
        assert not any(CODE.search(t) for t in texts_since(telegram, user, since))
        assert "الشباك" in again["text"]

        own_postgres.start()
        since = telegram.mark()
        confirm_update = telegram.push_text(user, "نعم")  # typed this time: a new update
        code = CODE.search(wait_for(telegram, user, since, has_code)["text"]).group()
        [referral] = running.referrals()
        assert referral.code == code and referral.description == "نحتاج ترميم الشباك"

        # Telegram delivers the confirming update again (a bot that died before confirming
        # it): the same update id never stores a second referral. (A "yes" repeated while the
        # form still waits is covered by the form's key: tests/actions/test_referral_submit.py.)
        running.bot.stop()
        since = telegram.mark()
        telegram.push_update({"update_id": confirm_update, "message": {
            "message_id": 9_999, "date": int(time.time()), "text": "نعم",
            "chat": telegram.make_chat(user), "from": telegram.make_user(user)}})
        running.bot.start(timeout=60, ready_line="bot ready")
        wait_for(telegram, user, since, lambda m: True)
        assert [r.code for r in running.referrals()] == [code]
        assert not any((r["status"] or 0) >= 500 for r in telegram.requests())


def test_the_rasa_server_restarts_mid_form_and_the_form_goes_on(faulty: OwnStack) -> None:
    telegram, user = faulty.telegram, 74201
    question = to_the_governorate_question(telegram, user)

    kill(faulty.rasa)
    since = telegram.mark()
    telegram.press_button(user, question, NINEWA)
    # Rasa is down: the apology with the emergency numbers, and the button offered again.
    apology = wait_for(telegram, user, since, containing(APOLOGY[:30]))
    assert EMERGENCY_NUMBER in apology["text"]
    assert [b["text"] for b in apology["buttons"]] == [RETRY]

    faulty.rasa.start(timeout=300)  # same port, same SQL tracker store
    since = telegram.mark()
    telegram.press_button(user, apology, RETRY)
    contact = wait_for(telegram, user, since, with_button(BY_TELEGRAM))
    stored = contact_to_summary(telegram, user, contact, "نحتاج مساعدة بالايجار")
    assert "السكن" in stored["text"] and NINEWA in stored["text"]
    since = telegram.mark()
    telegram.press_button(user, stored, YES_REGISTER)
    code = CODE.search(wait_for(telegram, user, since, has_code)["text"]).group()
    assert [r.code for r in faulty.referrals()] == [code]


def test_updates_queued_while_the_bot_is_down_are_each_answered_once(faulty: OwnStack) -> None:
    telegram = faulty.telegram
    wait_polling(telegram)
    faulty.bot.stop()
    log_start = faulty.bot.log_path.stat().st_size
    users = range(74301, 74309)
    since = telegram.mark()
    for user in users:
        telegram.push_text(user, "مرحبا")
        telegram.push_command(user, "/help")
    assert len(telegram.pending_updates()) == 2 * len(users)

    faulty.bot.start(timeout=60, ready_line="bot ready")
    for user in users:
        # The greeting (from Rasa) and the help text (from the bot itself).
        replies = telegram.wait_for_messages(user, 2, timeout=60, since=since)
        assert sum("/language" in r["text"] for r in replies) == 1, [r["text"] for r in replies]
    telegram.wait_until_consumed(timeout=30)
    time.sleep(3)  # time for any duplicate answer to show
    counts = {user: len(telegram.sent_messages(user, since=since)) for user in users}
    assert counts == {user: 2 for user in users}

    # A second restart must not answer the same updates again: their offset was confirmed.
    faulty.bot.stop()
    faulty.bot.start(timeout=60, ready_line="bot ready")
    wait_polling(telegram)
    time.sleep(3)
    assert {user: len(telegram.sent_messages(user, since=since)) for user in users} == counts
    log = faulty.bot.log_path.read_bytes()[log_start:].decode(errors="replace")
    assert "Traceback" not in log and " ERROR " not in log


def test_a_turn_the_bot_gave_up_on_leaves_no_message_text_in_rasas_log(faulty: OwnStack) -> None:
    # A bot that waits 30 ms for Rasa gives up in the middle of the turn; Rasa's REST channel
    # then logs the cancelled turn, with the user's message unless logging.yml withholds it.
    secret = "بيتي بحي النصر رقم الدار ١٢"
    with FakeTelegram(token=BOT_TOKEN) as impatient_telegram:
        impatient = start_bot(faulty.stack, impatient_telegram, RASA_TIMEOUT_SECONDS="0.03")
        try:
            for attempt in range(6):
                since = impatient_telegram.mark()
                impatient_telegram.push_text(74401 + attempt, f"{secret} {attempt}")
                wait_for(impatient_telegram, 74401 + attempt, since, lambda m: True)
        finally:
            impatient.stop()
    time.sleep(1)
    rasa_log = faulty.rasa.log_path.read_text(errors="replace")
    assert "rest.message.received.timeout" in rasa_log, "no turn was cut short: inconclusive"
    assert "<withheld>" in rasa_log
    assert secret not in rasa_log and "\\u0628\\u064a\\u062a\\u064a" not in rasa_log
