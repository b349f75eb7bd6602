"""Encryption at rest: the keyring, the column types, and what the database itself holds."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from common.settings import PROJECT_ROOT, ConfigurationError, get_settings
from store import lifecycle
from store.crypto import (
    DecryptionError,
    EncryptedInteger,
    EncryptedText,
    EncryptedValue,
    Keyring,
    current_keyring,
    key_id,
    new_key,
    parse_keys,
)
from store.models import Base, ChatLink, Referral, ReferralEvent, ReferralStatus
from tests.support import TEST_DATA_KEY
from tests.support.records import add_referral, add_staff

PHONE = "+9647701234567"
DESCRIPTION = "بيتنا بحي الضباط مهدوم ونحتاج تعويض"
NOTE = "اتصلت بأم أحمد على الرقم الثاني"
SERVICE = "مكتب المساعدة القانونية في الرمادي"
CHAT_ID = 987654321


def keyring(*keys: str) -> Keyring:
    return Keyring.from_setting(",".join(keys))


# --- the keyring -------------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["", "x", PHONE, DESCRIPTION, "😀 emoji\nand lines", "a" * 1000])
def test_a_value_comes_back_as_it_went_in(plaintext: str) -> None:
    ring = keyring(new_key())
    token = ring.encrypt(plaintext, "referral.description")
    assert token.startswith(f"enc1:{ring.current_id}:")
    assert ring.decrypt(token, "referral.description") == plaintext


def test_every_encryption_differs_and_short_values_all_look_alike() -> None:
    ring = keyring(new_key())
    first, second = ring.encrypt(PHONE, "referral.phone"), ring.encrypt(PHONE, "referral.phone")
    assert first != second  # a random nonce each time: equal values cannot be spotted
    lengths = {len(ring.encrypt(value, "referral.phone"))
               for value in ("", "7", PHONE, "+96477012345678901")}
    assert len(lengths) == 1  # padded: the length says nothing about a phone number


def test_a_tampered_value_is_refused() -> None:
    ring = keyring(new_key())
    token = ring.encrypt(DESCRIPTION, "referral.description")
    body = token.rsplit(":", 1)[1]
    position = len(body) // 2
    flipped = body[:position] + ("A" if body[position] != "A" else "B") + body[position + 1:]
    with pytest.raises(DecryptionError, match="failed authentication"):
        ring.decrypt(token.rsplit(":", 1)[0] + ":" + flipped, "referral.description")
    with pytest.raises(DecryptionError, match="not encrypted"):
        ring.decrypt(token[: len(token) // 3], "referral.description")


def test_a_value_moved_to_another_column_is_refused() -> None:
    ring = keyring(new_key())
    token = ring.encrypt(NOTE, "referral_event.note")
    with pytest.raises(DecryptionError, match="referral.description.*failed authentication"):
        ring.decrypt(token, "referral.description")


def test_a_value_under_a_key_that_is_not_configured_names_the_key_not_the_value() -> None:
    old, new = new_key(), new_key()
    token = keyring(old).encrypt(DESCRIPTION, "referral.description")
    with pytest.raises(DecryptionError) as raised:
        keyring(new).decrypt(token, "referral.description")
    message = str(raised.value)
    assert key_id(base64.urlsafe_b64decode(old)) in message and "DATA_ENCRYPTION_KEYS" in message
    assert DESCRIPTION not in message and token not in message


def test_a_key_with_the_same_id_but_other_bytes_cannot_exist_silently() -> None:
    """A wrong key never returns garbage: unknown id, or (same id forced) a failed tag."""
    ring_a, ring_b = keyring(new_key()), keyring(new_key())
    token = ring_a.encrypt(PHONE, "referral.phone")
    forged = token.replace(ring_a.current_id, ring_b.current_id)
    with pytest.raises(DecryptionError, match="failed authentication"):
        ring_b.decrypt(forged, "referral.phone")


def test_plaintext_in_an_encrypted_column_is_refused() -> None:
    with pytest.raises(DecryptionError, match="not encrypted.*store.migrate"):
        keyring(new_key()).decrypt(PHONE, "referral.phone")


def test_older_keys_decrypt_and_only_the_first_encrypts() -> None:
    old, new = new_key(), new_key()
    token = keyring(old).encrypt(NOTE, "referral_event.note")
    both = keyring(new, old)
    assert both.decrypt(token, "referral_event.note") == NOTE
    assert not both.is_current(token, "referral_event.note")
    assert both.is_current(both.encrypt(NOTE, "referral_event.note"), "referral_event.note")


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ("", "must be set"),
        ("   ", "must be set"),
        ("not base64 at all!", "key 1 is not the urlsafe base64 of 32 bytes"),
        (base64.urlsafe_b64encode(b"k" * 16).decode(), "key 1 is not"),  # AES-128 is refused
        (f"{TEST_DATA_KEY},{TEST_DATA_KEY[:-8]}", "key 2 is not"),
        (f"{TEST_DATA_KEY},{TEST_DATA_KEY}", "appears twice"),
        (f"{TEST_DATA_KEY},", "key 2 is not"),
    ],
)
def test_malformed_keys_are_refused_clearly(raw: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS") as raised:
        parse_keys(raw)
    assert complaint in str(raised.value)


def test_keys_are_accepted_with_or_without_padding_and_spaces() -> None:
    key = new_key()
    assert parse_keys(f" {key.rstrip('=')} , {TEST_DATA_KEY} ") == [
        base64.urlsafe_b64decode(key), base64.urlsafe_b64decode(TEST_DATA_KEY)]


def test_a_missing_key_fails_at_first_use_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS")
    get_settings.cache_clear()
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    imported = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", "import store.models, store.rekey, store.repository"],
        env=environment, capture_output=True, text=True, check=False)
    assert imported.returncode == 0, imported.stderr
    assert get_settings().data_encryption_keys == ""
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS must be set"):
        current_keyring()


def test_the_settings_never_show_the_keys() -> None:
    assert TEST_DATA_KEY not in repr(get_settings())


# --- the column types ------------------------------------------------------------------------


def test_every_encrypted_column_is_bound_to_its_own_table_and_column() -> None:
    found = {f"{table.name}.{column.name}": column.type.context
             for table in Base.metadata.sorted_tables for column in table.columns
             if isinstance(column.type, EncryptedValue)}
    assert found == {name: name for name in found}
    assert set(found) == {"referral.phone", "referral.description", "referral.referred_to",
                          "referral_event.note", "referral_event.referred_to", "chat_link.chat_id"}
    assert isinstance(ChatLink.__table__.c.chat_id.type, EncryptedInteger)
    assert isinstance(Referral.__table__.c.phone.type, EncryptedText)


def test_an_encrypted_column_cannot_be_compared_in_sql() -> None:
    for wrong in (lambda: Referral.phone == PHONE, lambda: Referral.description.contains("بيت"),
                  lambda: ChatLink.chat_id.in_([CHAT_ID]), lambda: Referral.phone.desc(),
                  lambda: ChatLink.chat_id > 5):
        with pytest.raises(TypeError, match="is encrypted"):
            wrong()
    # NULL checks do work.
    select(Referral).where(Referral.phone.is_(None), Referral.description.is_not(None))
    select(Referral).where(Referral.phone == None)  # noqa: E711


def test_the_column_types_refuse_the_wrong_python_type(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = add_referral(session_factory)
    with pytest.raises(Exception, match="takes a whole number"):
        with session_factory.begin() as session:
            session.add(ChatLink(user_key=referral.user_key, chat_id="123"))


# --- the database holds no plaintext ---------------------------------------------------------


def _seed(factory) -> Referral:  # type: ignore[no-untyped-def]
    caseworker = add_staff(factory, "amal")
    referral = add_referral(factory, phone=PHONE, description=DESCRIPTION, chat_id=CHAT_ID)
    with factory.begin() as session:
        row = session.get(Referral, referral.id)
        lifecycle.change_status(session, row, caseworker, ReferralStatus.IN_PROGRESS, NOTE)
        lifecycle.change_status(session, row, caseworker, ReferralStatus.REFERRED, "أحلته",
                                referred_to=SERVICE)
        lifecycle.add_note(session, row, caseworker, NOTE + " مرة ثانية")
    return referral


SECRETS = (PHONE, "7701234567", DESCRIPTION, "الضباط", NOTE, "أم أحمد", SERVICE, str(CHAT_ID))


def _all_cells(factory) -> list[str]:  # type: ignore[no-untyped-def]
    """Every cell of every table, read with plain SQL (no model, no decryption)."""
    cells = []
    with factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
                cells.extend(str(value) for value in row)
    return cells


def test_the_database_holds_no_personal_plaintext(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = _seed(session_factory)
    cells = _all_cells(session_factory)
    assert any(cell.startswith("enc1:") for cell in cells)
    for secret in SECRETS:
        assert not [cell for cell in cells if secret in cell], secret
    with session_factory() as session:
        stored = session.scalar(text("SELECT chat_id FROM chat_link WHERE user_key = :key"),
                                {"key": referral.user_key})
        assert str(stored).startswith("enc1:")


def test_the_orm_reads_back_what_it_wrote(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = _seed(session_factory)
    with session_factory() as session:
        row = session.get(Referral, referral.id)
        assert (row.phone, row.description, row.referred_to) == (PHONE, DESCRIPTION, SERVICE)
        notes = [event.note for event in lifecycle.history(session, row) if event.note]
        assert notes == [NOTE, "أحلته", NOTE + " مرة ثانية"]
        assert session.get(ChatLink, referral.user_key).chat_id == CHAT_ID
        assert session.scalars(select(ReferralEvent.referred_to).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.referred_to.is_not(None))
        ).all() == [SERVICE]


def test_the_sqlite_file_itself_holds_no_personal_plaintext(sqlite_session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _seed(sqlite_session_factory)
    engine = sqlite_session_factory.kw["bind"]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = b"".join(path.read_bytes() for path in Path(tmp_path).glob("bot.db*"))
    assert b"enc1:" in data
    for secret in SECRETS:
        assert secret.encode("utf-8") not in data, secret


def test_a_ciphertext_copied_into_another_column_is_refused(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = _seed(session_factory)
    with session_factory.begin() as session:
        session.execute(text("UPDATE referral SET phone = description WHERE id = :id"),
                        {"id": referral.id})
    with session_factory() as session, pytest.raises(DecryptionError, match="referral.phone"):
        session.get(Referral, referral.id)


def test_an_altered_value_in_the_database_is_refused(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = _seed(session_factory)
    with session_factory.begin() as session:
        stored = session.scalar(text("SELECT description FROM referral WHERE id = :id"),
                                {"id": referral.id})
        altered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
        session.execute(text("UPDATE referral SET description = :value WHERE id = :id"),
                        {"value": altered, "id": referral.id})
    with session_factory() as session, pytest.raises(DecryptionError, match="failed authentication"):
        session.get(Referral, referral.id)


def test_another_key_reads_nothing(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    referral = _seed(session_factory)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", new_key())
    get_settings.cache_clear()
    with session_factory() as session, pytest.raises(DecryptionError, match="not in DATA_ENCRYPTION_KEYS"):
        session.get(Referral, referral.id)


def test_writing_without_a_key_fails_clearly(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS")
    get_settings.cache_clear()
    with pytest.raises(Exception, match="DATA_ENCRYPTION_KEYS must be set"):
        add_referral(session_factory)


def test_encryption_cost_per_field_is_small() -> None:
    """A guard, not a benchmark: a field costs microseconds, far below a database round trip."""
    import time

    ring = keyring(new_key())
    rounds = 2000
    start = time.perf_counter()
    for _ in range(rounds):
        ring.decrypt(ring.encrypt(DESCRIPTION, "referral.description"), "referral.description")
    per_field = (time.perf_counter() - start) / rounds
    assert per_field < 0.001


# --- a lost or removed key -------------------------------------------------------------------


def test_an_unreadable_chat_link_is_relearnt_from_the_current_chat(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from store.repository import get_chat_link, link_chat

    referral = add_referral(session_factory, chat_id=CHAT_ID)
    with session_factory.begin() as session:
        session.get(ChatLink, referral.user_key).chosen_language = "en"
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", new_key())  # the old key is gone
    get_settings.cache_clear()
    with session_factory.begin() as session:
        assert get_chat_link(session, referral.user_key) is None
        link = link_chat(session, referral.user_key, CHAT_ID + 1)
        assert link.chat_id == CHAT_ID + 1
    with session_factory() as session:
        again = session.get(ChatLink, referral.user_key)
        assert (again.chat_id, again.chosen_language) == (CHAT_ID + 1, "en")


def test_the_outbox_gives_up_on_an_unreadable_chat_link_with_the_reason(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from store import outbox
    from store.models import Notification

    caseworker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory, chat_id=CHAT_ID)
    with session_factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, referral.id), caseworker,
                                ReferralStatus.IN_PROGRESS, NOTE)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", new_key())
    get_settings.cache_clear()
    with session_factory() as session:
        notification = session.scalars(select(Notification)).one()
        item = outbox.load(session, notification.id, None)
    assert item.chat_id is None
    assert "cannot be decrypted" in item.chat_error and str(CHAT_ID) not in item.chat_error


def test_erasure_and_retention_work_even_when_the_key_is_lost(session_factory, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from store.erasure import erase_user
    from store.retention import purge

    erased, acted, closed = _seed(session_factory), add_referral(session_factory, chat_id=1), \
        add_referral(session_factory)
    caseworker = add_staff(session_factory, "sara")
    with session_factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, closed.id), caseworker,
                                ReferralStatus.DECLINED, "رفض")
        lifecycle.change_status(session, session.get(Referral, acted.id), caseworker,
                                ReferralStatus.IN_PROGRESS, NOTE)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", new_key())  # every stored value is unreadable now
    get_settings.cache_clear()

    with session_factory.begin() as session:
        assert erase_user(session, erased.user_key).referrals_anonymised == 1
        assert erase_user(session, acted.user_key).chat_links_deleted == 1
    later = closed.created_at.replace(year=closed.created_at.year + 2)
    summary = purge(session_factory, f"sqlite:///{tmp_path / 'none.db'}", conversation_days=30,
                    closed_referral_days=180, review_days=90, now=later)
    assert summary.referrals_anonymised == 1
    with session_factory() as session:
        for referral_id in (erased.id, acted.id, closed.id):
            assert session.execute(text(
                "SELECT phone, description FROM referral WHERE id = :id"), {"id": referral_id}
            ).one() == (None, None)
        assert session.scalar(text("SELECT count(*) FROM referral_event WHERE note IS NOT NULL"
                                   " AND referral_id IN (:a, :b, :c)"),
                              {"a": erased.id, "b": acted.id, "c": closed.id}) == 0
