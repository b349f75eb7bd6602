"""The encrypted SQL tracker store (nlu/tracker_store.py), in the Rasa environment.

Run with: .venv/rasa/bin/python -m pytest tests/nlu/test_tracker_store.py
The application environment has no Rasa and skips this module. The same store inside a real Rasa
server: tests/e2e/test_referral_conversation.py (no phone number or description in any file).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from common.settings import get_settings  # noqa: E402
from nlu.tracker_store import EncryptedSQLTrackerStore  # noqa: E402
from store.crypto import DecryptionError, new_key  # noqa: E402

PHONE = "07701234567"
TEXT = f"ساعدوني رقمي {PHONE} وبيتي مهدوم"
DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  phone:\n    type: text\n    mappings: []\n")


def _store(path: Path) -> EncryptedSQLTrackerStore:
    return EncryptedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def _tracker() -> DialogueStateTracker:
    tracker = DialogueStateTracker("sender-key-1", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(TEXT, {"name": "referral_request", "confidence": 0.9}))
    tracker.update(SlotSet("phone", PHONE))
    return tracker


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> str:
    key = new_key()
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", key)
    get_settings.cache_clear()
    yield key
    get_settings.cache_clear()


def test_a_saved_conversation_comes_back_whole(tmp_path: Path, keys: str) -> None:
    path = tmp_path / "tracker.db"
    asyncio.run(_store(path).save(_tracker()))

    restored = asyncio.run(_store(path).retrieve("sender-key-1"))

    assert restored is not None
    assert restored.latest_message.text == TEXT
    assert restored.get_slot("phone") == PHONE
    assert [event.as_dict()["event"] for event in restored.events] == [
        "action", "user", "slot"]


def test_the_database_file_holds_no_message_text_or_slot_value(tmp_path: Path, keys: str) -> None:
    path = tmp_path / "tracker.db"
    asyncio.run(_store(path).save(_tracker()))

    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT sender_id, type_name, intent_name, data FROM events ORDER BY id").fetchall()
    connection.close()
    assert [(sender, kind, intent) for sender, kind, intent, _ in rows] == [
        ("sender-key-1", "action", None),
        ("sender-key-1", "user", "referral_request"),
        ("sender-key-1", "slot", None),
    ]
    assert all(data.startswith("enc1:") for *_, data in rows)
    raw = path.read_bytes()
    for secret in (PHONE, "مهدوم", "ساعدوني"):
        assert secret.encode() not in raw


def test_events_under_an_unknown_key_are_refused_not_misread(
    tmp_path: Path, keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tracker.db"
    asyncio.run(_store(path).save(_tracker()))
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", new_key())
    get_settings.cache_clear()

    with pytest.raises(DecryptionError, match="events.data"):
        asyncio.run(_store(path).retrieve("sender-key-1"))


def test_a_missing_key_stops_the_store_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from common.settings import ConfigurationError

    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS"):
        _store(tmp_path / "tracker.db")
    get_settings.cache_clear()
