"""The audit log is append-only, on SQLite and PostgreSQL alike, and feeds the login limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from store import audit
from store.audit import AuditFilter, failures_since, readable_entries
from store.models import AuditEntry, StaffUser, utcnow
from tests.support.records import add_staff


def test_entries_can_be_added_but_never_changed_or_deleted(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory.begin() as session:
        audit.record(session, audit.LOGIN_FAILED, username="amal", ip="10.0.0.1")
    for statement in (
        update(AuditEntry).values(action="login"),
        delete(AuditEntry),
        text("UPDATE audit_log SET actor_username = 'someone else'"),
        text("DELETE FROM audit_log"),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with session_factory.begin() as session:
                session.execute(statement)
    with session_factory() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.actor_username) == ("login_failed", "amal")


def test_the_audit_log_cannot_be_truncated_on_postgres(session_factory) -> None:  # type: ignore[no-untyped-def]
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with session_factory.begin() as session:
        audit.record(session, audit.LOGIN, username="amal")
    with pytest.raises(DatabaseError, match="append-only"):
        with session_factory.begin() as session:
            session.execute(text("TRUNCATE audit_log"))


def test_failures_are_counted_per_username_and_address_within_the_window(session_factory) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with session_factory.begin() as session:
        audit.record(session, audit.LOGIN_FAILED, username="amal", ip="10.0.0.1",
                     now=now - timedelta(minutes=30))
        for _ in range(3):
            audit.record(session, audit.LOGIN_FAILED, username="amal", ip="10.0.0.2", now=now)
        audit.record(session, audit.LOGIN_FAILED, username="omar", ip="10.0.0.2", now=now)
        audit.record(session, audit.LOGIN, username="amal", ip="10.0.0.2", now=now)
    since = now - timedelta(minutes=15)
    with session_factory() as session:
        assert failures_since(session, since, username="amal") == 3
        assert failures_since(session, since, username="omar") == 1
        assert failures_since(session, since, ip="10.0.0.2") == 4
        assert failures_since(session, since, ip="10.0.0.1") == 0
        assert failures_since(session, now - timedelta(hours=1), username="amal") == 4


def test_supervisors_read_their_organisation_and_admins_everything(session_factory) -> None:  # type: ignore[no-untyped-def]
    sara = add_staff(session_factory, "sara", role="supervisor", governorates="")
    zaid = add_staff(session_factory, "zaid", role="supervisor", organisation="org-b",
                     governorates="")
    root = add_staff(session_factory, "root", role="admin", governorates="")
    with session_factory.begin() as session:
        audit.record(session, audit.REFERRAL_VIEWED, actor=session.get(StaffUser, sara.id),
                     referral_code="R-7KQ2MX")
        audit.record(session, audit.LOGIN, actor=session.get(StaffUser, zaid.id))
        audit.record(session, audit.LOGIN_FAILED, username="nobody")
    with session_factory() as session:
        def actions(user_id: int, wanted: AuditFilter = AuditFilter()) -> list[str]:
            reader = session.get(StaffUser, user_id)
            return [e.action for e in session.scalars(readable_entries(reader, wanted))]

        assert actions(sara.id) == ["referral_viewed"]
        assert actions(zaid.id) == ["login"]
        assert sorted(actions(root.id)) == ["login", "login_failed", "referral_viewed"]
        assert actions(root.id, AuditFilter(referral_code="r-7kq2mx")) == ["referral_viewed"]
        assert actions(root.id, AuditFilter(username="NOBODY")) == ["login_failed"]
        assert actions(root.id, AuditFilter(action="login")) == ["login"]
