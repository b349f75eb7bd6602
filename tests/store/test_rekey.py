"""Key rotation: old keys still read, `python -m store.rekey` moves everything to the new key."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select, text

from common.settings import get_settings
from store import lifecycle, rekey as rekey_module
from store.audit import DATA_REKEYED
from store.crypto import DecryptionError, Keyring, current_keyring, new_key
from store.models import AuditEntry, ChatLink, Referral, ReferralStatus
from store.rekey import rekey
from tests.support.records import add_referral, add_staff

KEY_A = new_key()
KEY_B = new_key()
DESCRIPTIONS = [f"وصف رقم {number} عن البيت" for number in range(5)]


def use_keys(monkeypatch: pytest.MonkeyPatch, keys: str) -> None:
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", keys)
    get_settings.cache_clear()


def seed(factory) -> list[Referral]:  # type: ignore[no-untyped-def]
    """Five referrals with chat links, one with a caseworker's note."""
    caseworker = add_staff(factory, "amal")
    referrals = [add_referral(factory, description=description, chat_id=5000 + number)
                 for number, description in enumerate(DESCRIPTIONS)]
    with factory.begin() as session:
        lifecycle.add_note(session, session.get(Referral, referrals[0].id), caseworker,
                           "ملاحظة عن العائلة")
    return referrals


def key_ids_in_use(factory) -> set[str]:  # type: ignore[no-untyped-def]
    """The key ids of every ciphertext in the database (read with plain SQL)."""
    found = set()
    with factory() as session:
        for table, column in (("referral", "phone"), ("referral", "description"),
                              ("referral_event", "note"), ("chat_link", "chat_id")):
            for (value,) in session.execute(
                    text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")):  # noqa: S608
                found.add(value.split(":")[1])
    return found


def read_all(factory) -> tuple[list[str], list[int]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        descriptions = [r.description for r in session.scalars(select(Referral).order_by(Referral.id))]
        chats = sorted(link.chat_id for link in session.scalars(select(ChatLink)))
    return descriptions, chats


def test_rotation_from_key_a_to_key_b(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    seed(session_factory)
    id_a = current_keyring().current_id

    # The new key goes first, the old one stays: everything still reads, new writes use B.
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    id_b = current_keyring().current_id
    assert read_all(session_factory) == (DESCRIPTIONS, [5000, 5001, 5002, 5003, 5004])
    add_referral(session_factory, description="طلب جديد", chat_id=6000)
    assert key_ids_in_use(session_factory) == {id_a, id_b}

    # B alone cannot read what A wrote yet.
    use_keys(monkeypatch, KEY_B)
    with session_factory() as session, pytest.raises(DecryptionError, match=id_a):
        session.scalars(select(Referral)).all()

    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    summary = rekey(session_factory, batch_size=2)
    # 5 phones, 5 descriptions, 1 note, 5 chat ids under A; the new referral is already under B.
    assert summary.reencrypted == 16 and summary.changed_meanwhile == 0
    assert summary.columns["referral.description"].reencrypted == 5
    assert summary.columns["referral.description"].already_current == 1
    assert summary.columns["chat_link.chat_id"].reencrypted == 5
    assert key_ids_in_use(session_factory) == {id_b}

    # The old key can go.
    use_keys(monkeypatch, KEY_B)
    assert read_all(session_factory) == (DESCRIPTIONS + ["طلب جديد"],
                                         [5000, 5001, 5002, 5003, 5004, 6000])
    with session_factory() as session:
        assert lifecycle.history(session, session.get(Referral, 1))[-1].note == "ملاحظة عن العائلة"

    # Running it again changes nothing.
    again = rekey(session_factory)
    assert again.reencrypted == 0 and again.already_current == summary.reencrypted + summary.already_current


def test_the_audit_entry_holds_counts_only(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    seed(session_factory)
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    summary = rekey(session_factory)
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == DATA_REKEYED)).one()
    detail = json.loads(entry.detail)
    assert detail["reencrypted"] == summary.reencrypted == 16
    assert detail["key_id"] == current_keyring().current_id
    assert detail["columns"]["referral.phone"] == {"reencrypted": 5, "already_current": 0,
                                                   "changed_meanwhile": 0}
    for secret in (*DESCRIPTIONS, "+9647701234567", "5000", KEY_A, KEY_B):
        assert secret not in entry.detail
    assert entry.actor_username == "rekey" and entry.referral_code is None


def test_an_interrupted_run_is_finished_by_the_next(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    seed(session_factory)
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    keyring = current_keyring()
    real_encrypt = Keyring.encrypt
    calls = {"n": 0}

    def dies_on_the_fourth(self, plaintext: str, context: str) -> str:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C, or the machine went down
        return real_encrypt(self, plaintext, context)

    monkeypatch.setattr(Keyring, "encrypt", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        rekey(session_factory, keyring, batch_size=2)
    monkeypatch.setattr(Keyring, "encrypt", real_encrypt)

    with session_factory() as session:  # the first batch (2 values) was committed, not the rest
        assert session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'data_rekeyed'")) == 0
    finished = rekey(session_factory, keyring, batch_size=2)
    assert finished.reencrypted == 14 and finished.already_current == 2
    assert key_ids_in_use(session_factory) == {keyring.current_id}
    assert read_all(session_factory)[0] == DESCRIPTIONS


def test_a_value_changed_meanwhile_is_not_overwritten(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    referrals = seed(session_factory)
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    keyring = current_keyring()
    real_decrypt = Keyring.decrypt
    changed = {"done": False}

    def caseworker_edits_meanwhile(self, token: str, context: str) -> str:  # type: ignore[no-untyped-def]
        if context == "referral.description" and not changed["done"]:
            changed["done"] = True
            with session_factory.begin() as session:  # the running application writes
                session.get(Referral, referrals[0].id).description = "تصحيح من الموظف"
        return real_decrypt(self, token, context)

    monkeypatch.setattr(Keyring, "decrypt", caseworker_edits_meanwhile)
    summary = rekey(session_factory, keyring)
    monkeypatch.setattr(Keyring, "decrypt", real_decrypt)

    assert summary.columns["referral.description"].changed_meanwhile == 1
    assert summary.columns["referral.description"].reencrypted == 4
    with session_factory() as session:
        assert session.get(Referral, referrals[0].id).description == "تصحيح من الموظف"


def test_a_value_under_an_unknown_key_stops_the_run_clearly(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    seed(session_factory)
    use_keys(monkeypatch, KEY_B)  # the operator forgot to keep the old key
    with pytest.raises(DecryptionError, match="not in DATA_ENCRYPTION_KEYS"):
        rekey(session_factory)
    with pytest.raises(SystemExit, match="error: .*not in DATA_ENCRYPTION_KEYS"):
        rekey_module.main([])


def test_erasure_and_retention_still_work_after_rotation(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from store.erasure import erase_user

    use_keys(monkeypatch, KEY_A)
    referrals = seed(session_factory)
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    rekey(session_factory)
    use_keys(monkeypatch, KEY_B)
    caseworker = add_staff(session_factory, "sara")
    with session_factory.begin() as session:
        row = session.get(Referral, referrals[0].id)
        lifecycle.change_status(session, row, caseworker, ReferralStatus.IN_PROGRESS, "اتصلت")
        erase_user(session, row.user_key)
    with session_factory() as session:
        kept = session.get(Referral, referrals[0].id)
        assert kept.phone is None and kept.description is None
        assert all(event.note is None for event in lifecycle.history(session, kept))
        assert session.get(ChatLink, referrals[0].user_key) is None


def test_the_command_prints_counts_only(session_factory, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    use_keys(monkeypatch, KEY_A)
    seed(session_factory)
    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    rekey_module.main(["--batch-size", "3"])
    out = capsys.readouterr().out
    assert "referral.description: 5 re-encrypted, 0 already under the current key" in out
    assert "16 re-encrypted" in out
    for secret in (*DESCRIPTIONS, "+9647701234567", "5000", KEY_A, KEY_B):
        assert secret not in out
    with pytest.raises(SystemExit):
        rekey_module.main(["--batch-size", "0"])


def test_the_conversations_in_rasas_tracker_store_move_to_the_new_key(
    session_factory, tmp_path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from tests.support.tracker_db import make_tracker_db

    tracker_file = tmp_path / "tracker.db"
    make_tracker_db(tracker_file, [])
    events = [json.dumps({"event": "user", "text": f"رسالة {n}"}, ensure_ascii=False)
              for n in range(7)]
    old = Keyring.from_setting(KEY_A)
    engine = create_engine(f"sqlite:///{tracker_file}")
    with engine.begin() as connection:
        for number, data in enumerate(events):
            # Two were written before the tracker store was encrypted (an upgraded installation).
            stored = data if number < 2 else old.encrypt(data, "events.data")
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                     "VALUES ('key', 'user', 0, :data)"), {"data": stored})

    use_keys(monkeypatch, f"{KEY_B},{KEY_A}")
    summary = rekey(session_factory, batch_size=3, tracker_db_url=f"sqlite:///{tracker_file}")

    assert summary.columns["events.data"].reencrypted == 7
    new = Keyring.from_setting(KEY_B)
    with engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT data FROM events ORDER BY id"))]
    engine.dispose()
    assert all(new.is_current(value, "events.data") for value in stored)
    assert [new.decrypt(value, "events.data") for value in stored] == events


def test_a_tracker_store_not_created_yet_is_nothing_to_rekey(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    summary = rekey(session_factory, tracker_db_url=f"sqlite:///{tmp_path / 'absent.db'}")
    assert "events.data" not in summary.columns
    assert not (tmp_path / "absent.db").exists()
