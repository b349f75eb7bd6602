"""The migration that encrypts personal fields, on a database with plaintext rows (both engines)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import text

from common.settings import ConfigurationError, get_settings
from store.crypto import current_keyring
from store.db import make_engine, make_session_factory
from store.migrate import alembic_config, upgrade
from store.models import ChatLink, Referral, ReferralEvent
from tests.conftest import _drop_everything, empty_database_url

BEFORE = "440d53fc150e"
ENCRYPTION = "79db556719a7"
PHONE = "+9647701234567"
DESCRIPTION = "بيتنا بالرمادي مهدوم"
NOTE = "اتصلت بيه وقال يحتاج محامي"
SERVICE = "المجلس النرويجي للاجئين، الرمادي"
CHAT_ID = -1001234567890  # a group id: negative and beyond 32 bits


@pytest.fixture(params=["sqlite", "postgres"])
def old_database(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database migrated to the revision before encryption, holding plaintext personal data."""
    url = empty_database_url(request.param, tmp_path / "old.db")
    upgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO staff_user (id, username, password_hash, role, organisation, governorates,"
            " active, language, created_at, session_epoch) VALUES (1, 'amal', 'x', 'caseworker',"
            " 'default', 'anbar', true, 'ar', CURRENT_TIMESTAMP, 0)"))
        for number, (phone, description, service) in enumerate(
                [(PHONE, DESCRIPTION, SERVICE), (None, None, None), (PHONE, "", None)], start=1):
            connection.execute(text(
                "INSERT INTO referral (id, code, request_key, user_key, category, governorate,"
                " contact_method, phone, description, language, urgent, status, consent_at,"
                " created_at, updated_at, organisation, referred_to) VALUES (:id, :code, :request,"
                " :user, 'housing', 'anbar', 'phone', :phone, :description, 'ar', false,"
                " 'referred', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'default',"
                " :service)"),
                {"id": number, "code": f"R-AAAAA{number}", "request": f"request-{number}",
                 "user": f"user-{number}", "phone": phone, "description": description,
                 "service": service})
        connection.execute(text(
            "INSERT INTO referral_event (id, referral_id, kind, actor_id, note, referred_to,"
            " created_at) VALUES (1, 1, 'status_changed', 1, :note, :service, CURRENT_TIMESTAMP),"
            " (2, 1, 'note', 1, NULL, NULL, CURRENT_TIMESTAMP)"),
            {"note": NOTE, "service": SERVICE})
        connection.execute(text(
            "INSERT INTO chat_link (user_key, chat_id, language, created_at, updated_at) VALUES"
            " ('user-1', :chat, 'ar', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            " ('user-2', 42, 'en', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"chat": CHAT_ID})
    engine.dispose()
    yield url
    if request.param == "postgres":
        _drop_everything(url)


def raw(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def revision(url: str) -> str:
    return raw(url, "SELECT version_num FROM alembic_version")[0][0]


PLAINTEXT_QUERIES = {
    "SELECT phone, description, referred_to FROM referral ORDER BY id":
        [(PHONE, DESCRIPTION, SERVICE), (None, None, None), (PHONE, "", None)],
    "SELECT note, referred_to FROM referral_event ORDER BY id": [(NOTE, SERVICE), (None, None)],
    "SELECT chat_id FROM chat_link ORDER BY user_key": [(CHAT_ID,), (42,)],
}


def test_upgrade_encrypts_existing_rows_and_downgrade_decrypts_them(old_database: str) -> None:
    for sql, expected in PLAINTEXT_QUERIES.items():
        assert raw(old_database, sql) == expected

    upgrade(old_database)

    stored = [value for sql in PLAINTEXT_QUERIES for row in raw(old_database, sql) for value in row]
    assert [value for value in stored if value is not None and not value.startswith("enc1:")] == []
    assert stored.count(None) == 6  # NULL stays NULL; the empty description is encrypted
    factory = make_session_factory(make_engine(old_database))
    with factory() as session:
        first, empty, third = (session.get(Referral, number) for number in (1, 2, 3))
        assert (first.phone, first.description, first.referred_to) == (PHONE, DESCRIPTION, SERVICE)
        assert (empty.phone, empty.description) == (None, None)
        assert third.description == ""
        assert session.get(ReferralEvent, 1).note == NOTE
        assert session.get(ChatLink, "user-1").chat_id == CHAT_ID
        assert session.get(ChatLink, "user-2").chat_id == 42
    factory.kw["bind"].dispose()
    command.check(alembic_config(old_database))  # the models match the migrated schema

    command.downgrade(alembic_config(old_database), BEFORE)
    for sql, expected in PLAINTEXT_QUERIES.items():
        assert raw(old_database, sql) == expected
    upgrade(old_database)  # and up again
    assert revision(old_database) != BEFORE


def test_rows_without_a_key_stop_the_migration_before_anything_changes(
        old_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS must be set"):
        upgrade(old_database)
    assert revision(old_database) == BEFORE
    for sql, expected in PLAINTEXT_QUERIES.items():
        assert raw(old_database, sql) == expected


def test_an_empty_database_needs_no_key(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS")
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")


def test_a_value_already_encrypted_is_not_encrypted_twice(old_database: str) -> None:
    """A rerun after an interrupted migration (SQLite) finds some values already encrypted."""
    token = current_keyring().encrypt("وصف مشفر سابقاً", "referral.description")
    engine = make_engine(old_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE referral SET description = :token WHERE id = 3"),
                           {"token": token})
    engine.dispose()
    upgrade(old_database, ENCRYPTION)
    assert raw(old_database, "SELECT description FROM referral WHERE id = 3") == [(token,)]
    factory = make_session_factory(make_engine(old_database))
    with factory() as session:
        assert session.get(Referral, 3).description == "وصف مشفر سابقاً"
        assert session.get(Referral, 1).description == DESCRIPTION
    factory.kw["bind"].dispose()
