"""The real stack for end-to-end tests: action server, Rasa server with the trained model,
the bot process, and a fake Telegram Bot API on 127.0.0.1 (Telegram itself is the only fake).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import TEST_DATA_KEY
from tests.support.fake_telegram import FakeTelegram
from tests.support.processes import MODEL, VENV_RASA, Service, action_server, bot_process, rasa_server

BOT_TOKEN = "123456:E2E-TEST-TOKEN"
PSEUDONYM_SECRET = "e2e-pseudonym-secret-0123456789"

pytestmark = pytest.mark.e2e


@dataclass
class Stack:
    database_url: str
    rasa_url: str
    log_dir: Path
    actions: Service
    rasa: Service


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists() or not (VENV_RASA / "rasa").exists():
        pytest.skip("needs the Rasa environment and a trained model: run `make test`")
    from store.migrate import upgrade

    work = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{work / 'referrals.db'}"
    upgrade(database_url)
    # base_env gives every process TEST_DATA_KEY, the key the tests read the database with.
    actions = action_server(work, database_url).start(timeout=60)
    action_url = actions.health_url.replace("/health", "/webhook")  # type: ignore[union-attr]
    rasa = rasa_server(work, action_url, f"sqlite:///{work / 'tracker.db'}")
    try:
        rasa.start(timeout=300)
    except Exception:
        actions.stop()
        raise
    yield Stack(database_url, rasa.health_url.rstrip("/"), work, actions, rasa)  # type: ignore[union-attr]
    rasa.stop()
    actions.stop()


def tracker_db_url(stack: Stack) -> str:
    """Rasa's SQL tracker store of the stack (the bot erases conversations from it)."""
    return f"sqlite:///{stack.log_dir / 'tracker.db'}"


@pytest.fixture(scope="session")
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=BOT_TOKEN) as fake:
        yield fake


def start_bot(stack: Stack, telegram: FakeTelegram, rasa_url: str | None = None,
              **env: str) -> Service:
    return bot_process(
        stack.log_dir,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        RASA_URL=rasa_url or stack.rasa_url,
        DATABASE_URL=stack.database_url,
        PSEUDONYM_SECRET=PSEUDONYM_SECRET,
        DATA_ENCRYPTION_KEYS=TEST_DATA_KEY,
        TRACKER_DB_URL=tracker_db_url(stack),
        LOG_LEVEL="INFO",
        **env,
    ).start(timeout=60, ready_line="bot ready")


@pytest.fixture(scope="session")
def bot(stack: Stack, telegram: FakeTelegram) -> Iterator[Service]:
    service = start_bot(stack, telegram)
    yield service
    service.stop()


Message = dict


def wait_for(
    telegram: FakeTelegram,
    chat_id: int,
    since: int,
    predicate: Callable[[Message], bool],
    timeout: float = 60.0,
) -> Message:
    """The first message to `chat_id` after `since` that satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in telegram.sent_messages(chat_id, since=since):
            if predicate(message):
                return message
        time.sleep(0.1)
    got = [(m["text"], [b.get("text") for b in m.get("buttons") or []])
           for m in telegram.sent_messages(chat_id, since=since)]
    raise AssertionError(f"no matching message within {timeout}s; got (text, buttons): {got}")


def with_button(title: str) -> Callable[[Message], bool]:
    return lambda message: any(b.get("text") == title for b in message.get("buttons") or [])


def containing(fragment: str) -> Callable[[Message], bool]:
    return lambda message: fragment in (message.get("text") or "")


CODE = re.compile(r"R-[2-9A-Z]{6}")


def has_code(message: Message) -> bool:
    return bool(CODE.search(message.get("text") or ""))


Step = tuple[tuple[str, str], Callable[[Message], bool]]


def converse(telegram: FakeTelegram, user: int, steps: list[Step]) -> Message:
    """Play the steps ((("text" | "button", value), what the awaited reply has)); return the
    last awaited reply. A button is pressed on the previous awaited reply."""
    last: Message = {}
    for (kind, value), expected in steps:
        since = telegram.mark()
        if kind == "text":
            telegram.push_text(user, value)
        else:
            telegram.press_button(user, last, value)
        last = wait_for(telegram, user, since, expected)
    return last


def make_referral(telegram: FakeTelegram, user: int, request: str, governorate: str,
                  description: str) -> str:
    """A housing referral by the buttons, contact by Telegram; returns its reference code."""
    stored = converse(telegram, user, [
        (("text", request), with_button("✅ نعم، أوافق")),
        (("button", "✅ نعم، أوافق"), with_button("🏠 السكن والبيت")),
        (("button", "🏠 السكن والبيت"), with_button(governorate)),
        (("button", governorate), with_button("💬 برسالة هنا بتلگرام")),
        (("button", "💬 برسالة هنا بتلگرام"), containing("بدون أسماء")),
        (("text", description), with_button("✅ نعم، سجل الطلب")),
        (("button", "✅ نعم، سجل الطلب"), has_code),
    ])
    return CODE.search(stored["text"]).group()
