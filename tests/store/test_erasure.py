"""The right to erasure: what goes, what stays anonymised, and the audit entry (both databases)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from store import lifecycle
from store.erasure import ERASED_USER_KEY, ErasureSummary, erase_conversation, erase_user
from store.models import (
    AuditEntry,
    ChatLink,
    Notification,
    NotificationStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from tests.support.records import add_referral, add_staff
from tests.support.tracker_db import make_tracker_db, senders

CHAT_ID = 7770001


def _erase(factory, user_key: str) -> ErasureSummary:  # type: ignore[no-untyped-def]
    with factory.begin() as session:
        return erase_user(session, user_key)


def _count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model).where(*where)))


def test_a_referral_nobody_acted_on_is_deleted_with_everything_keyed_to_the_user(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = add_referral(session_factory, chat_id=CHAT_ID, urgent=True)
    key = referral.user_key
    other = add_referral(session_factory, chat_id=CHAT_ID + 1)

    summary = _erase(session_factory, key)

    assert summary == ErasureSummary(referrals_deleted=1, notifications_deleted=1,
                                     chat_links_deleted=1)
    with session_factory() as session:
        assert session.get(Referral, referral.id) is None
        assert _count(session, ReferralEvent, ReferralEvent.referral_id == referral.id) == 0
        # The caseworkers' urgent alert belonged to the deleted referral.
        assert _count(session, Notification, Notification.referral_id == referral.id) == 0
        assert session.get(ChatLink, key) is None
        # Somebody else's data is untouched.
        assert session.get(Referral, other.id) is not None
        assert session.get(ChatLink, other.user_key) is not None


def test_a_referral_a_caseworker_acted_on_stays_anonymised(session_factory) -> None:  # type: ignore[no-untyped-def]
    caseworker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory, chat_id=CHAT_ID)
    key = referral.user_key
    with session_factory.begin() as session:
        row = session.get(Referral, referral.id)
        lifecycle.change_status(session, row, caseworker, ReferralStatus.IN_PROGRESS,
                                "اتصلت بيه على 07701234567")
        lifecycle.add_note(session, row, caseworker, "العائلة بحي الأندلس")
    with session_factory() as session:
        created_at = session.get(Referral, referral.id).created_at

    summary = _erase(session_factory, key)

    assert summary.referrals_anonymised == 1 and summary.referrals_deleted == 0
    assert summary.notifications_deleted == 1  # the pending status notification
    with session_factory() as session:
        kept = session.get(Referral, referral.id)
        assert kept is not None
        assert kept.user_key == ERASED_USER_KEY
        assert kept.phone is None and kept.description is None
        assert kept.request_key != referral.request_key
        # What the statistics need stays true.
        assert kept.status is ReferralStatus.IN_PROGRESS
        assert kept.category == referral.category and kept.governorate == "anbar"
        assert kept.created_at == created_at and kept.first_action_at is not None
        assert kept.code == referral.code
        events = session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
        ).all()
        assert len(events) == 3 and all(event.note is None for event in events)
        assert _count(session, Notification, Notification.user_key == key) == 0
        assert session.get(ChatLink, key) is None


def test_an_assignment_alone_counts_as_acting(session_factory) -> None:  # type: ignore[no-untyped-def]
    supervisor = add_staff(session_factory, "sara", role="supervisor")
    caseworker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory)
    with session_factory.begin() as session:
        lifecycle.assign(session, session.get(Referral, referral.id), supervisor, caseworker)

    summary = _erase(session_factory, referral.user_key)

    assert summary.referrals_anonymised == 1
    with session_factory() as session:
        assert session.get(Referral, referral.id).status is ReferralStatus.NEW


def test_sent_notifications_stay_without_the_user_key(session_factory) -> None:  # type: ignore[no-untyped-def]
    caseworker = add_staff(session_factory, "amal")
    referral = add_referral(session_factory, chat_id=CHAT_ID)
    with session_factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, referral.id), caseworker,
                                ReferralStatus.IN_PROGRESS, "بدأنا")
        notification = session.scalars(
            select(Notification).where(Notification.referral_id == referral.id)
        ).one()
        notification.status = NotificationStatus.SENT

    summary = _erase(session_factory, referral.user_key)

    assert summary.notifications_anonymised == 1 and summary.notifications_deleted == 0
    with session_factory() as session:
        kept = session.scalars(
            select(Notification).where(Notification.referral_id == referral.id)
        ).one()
        assert kept.user_key is None and kept.status is NotificationStatus.SENT


def test_the_audit_entry_holds_counts_only(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = add_referral(session_factory, chat_id=CHAT_ID)

    _erase(session_factory, referral.user_key)

    with session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user_data_erased")
        ).one()
    assert entry.actor_id is None and entry.actor_username == "returnee"
    assert entry.organisation == "org-a" and entry.referral_code is None
    assert json.loads(entry.detail)["referrals_deleted"] == 1
    everything = " ".join(str(value) for value in vars(entry).values())
    for secret in (referral.user_key, referral.code, str(CHAT_ID), referral.phone):
        assert secret not in everything


def test_erasing_an_unknown_user_erases_nothing_and_still_records_it(session_factory) -> None:  # type: ignore[no-untyped-def]
    add_referral(session_factory, chat_id=CHAT_ID)

    summary = _erase(session_factory, "f" * 64)

    assert summary == ErasureSummary() and not summary.anything
    with session_factory() as session:
        assert _count(session, Referral) == 1 and _count(session, ChatLink) == 1
        assert _count(session, AuditEntry, AuditEntry.action == "user_data_erased") == 1


# ------------------------------------------------------------ Rasa's tracker store


def test_erase_conversation_deletes_only_that_users_events(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tracker.db"
    make_tracker_db(path, [("a" * 64, "user"), ("a" * 64, "bot"), ("b" * 64, "user")])

    assert erase_conversation(f"sqlite:///{path}", "a" * 64) == 2

    assert senders(path) == ["b" * 64]


@pytest.mark.parametrize("kind", ["no file", "no table"])
def test_erase_conversation_without_a_tracker_store_erases_nothing(tmp_path, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tracker.db"
    if kind == "no table":
        sqlite3.connect(path).close()
    assert erase_conversation(f"sqlite:///{path}", "a" * 64) == 0
    assert path.exists() == (kind == "no table")  # a missing file is not created
