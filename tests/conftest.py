"""Fixtures shared by the whole suite: settings from a clean environment, real databases."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from common.settings import get_settings
from tests.support import TEST_DATA_KEY

TEST_SECRET = "test-pseudonym-secret-0123456789"


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each test starts from known settings; caches built from them are cleared after."""
    monkeypatch.setenv("PSEUDONYM_SECRET", TEST_SECRET)
    monkeypatch.setenv("DATA_ENCRYPTION_KEYS", TEST_DATA_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'referrals.db'}")
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    _clear_caches()
    yield
    _clear_caches()


def _clear_caches() -> None:
    get_settings.cache_clear()
    try:
        from store.db import default_session_factory
    except ImportError:  # the Rasa environment (SQLAlchemy 1.4) runs only tests/nlu/test_components.py
        return
    default_session_factory.cache_clear()


def _postgres_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated, empty database: an SQLite file, and PostgreSQL when TEST_POSTGRES_URL is set."""
    from store.migrate import upgrade

    url = empty_database_url(request.param, tmp_path / "store.db")
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    if request.param == "postgres":
        _drop_everything(url)


def empty_database_url(kind: str, sqlite_path) -> str:  # type: ignore[no-untyped-def]
    """An empty database of `kind` ("sqlite": a new file at `sqlite_path`; "postgres": the
    shared test database, emptied), or a skip when PostgreSQL is not available."""
    if kind == "sqlite":
        return f"sqlite:///{sqlite_path}"
    url = _postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    _drop_everything(url)
    return url


def _drop_everything(url: str) -> None:
    """Leave the shared test database empty (tables and Alembic's version table)."""
    from sqlalchemy import text

    from store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def session_factory(database_url: str):  # type: ignore[no-untyped-def]
    from store.db import default_session_factory

    factory = default_session_factory()
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture
def sqlite_session_factory(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A migrated SQLite store, for tests where the database engine does not matter."""
    from store.db import default_session_factory
    from store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    factory = default_session_factory()
    yield factory
    factory.kw["bind"].dispose()
