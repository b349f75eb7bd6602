"""The retention purge, with a clock the test controls."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from store.audit import RETENTION_PURGE
from store.erasure import ERASED_USER_KEY
from store.models import AuditEntry, Referral, ReferralStatus, ReviewItem, ReviewReason
from store.retention import purge
from store.review import Capture, capture, dedupe_key
from tests.support.records import add_referral
from tests.support.tracker_db import make_tracker_db

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)


def tracker_with_events(path: Path, ages_in_days: list[float]) -> str:
    make_tracker_db(path, [])
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('k', 'user', ?, '{}')",
            [((NOW - timedelta(days=age)).timestamp(),) for age in ages_in_days],
        )
    connection.close()
    return f"sqlite:///{path}"


def event_count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        connection.close()


def set_state(factory, referral: Referral, status: ReferralStatus, days_ago: int) -> None:  # type: ignore[no-untyped-def]
    with factory.begin() as session:
        stored = session.get(Referral, referral.id)
        stored.status = status
        stored.updated_at = NOW - timedelta(days=days_ago)


def test_old_conversations_go_and_recent_ones_stay(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = tracker_with_events(tmp_path / "tracker.db", [45, 31, 29, 1])
    summary = purge(session_factory, url, conversation_days=30, closed_referral_days=180, review_days=90, now=NOW)
    assert summary.conversation_events_deleted == 2
    assert event_count(tmp_path / "tracker.db") == 2


def test_only_finished_referrals_past_the_limit_are_anonymised(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    old_closed = add_referral(session_factory)
    old_declined = add_referral(session_factory)
    recent_closed = add_referral(session_factory)
    old_open = add_referral(session_factory)
    set_state(session_factory, old_closed, ReferralStatus.CLOSED, 200)
    set_state(session_factory, old_declined, ReferralStatus.DECLINED, 181)
    set_state(session_factory, recent_closed, ReferralStatus.CLOSED, 10)
    set_state(session_factory, old_open, ReferralStatus.IN_PROGRESS, 400)

    summary = purge(session_factory, f"sqlite:///{tmp_path / 'missing.db'}",
                    conversation_days=30, closed_referral_days=180, review_days=90, now=NOW)

    assert summary.referrals_anonymised == 2
    with session_factory() as session:
        by_id = {r.id: r for r in session.scalars(select(Referral))}
        for referral in (old_closed, old_declined):
            stored = by_id[referral.id]
            assert stored.user_key == ERASED_USER_KEY and stored.phone is None
            assert stored.description is None and stored.status in (ReferralStatus.CLOSED,
                                                                      ReferralStatus.DECLINED)
        for referral in (recent_closed, old_open):
            assert by_id[referral.id].phone == "+9647701234567"
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == RETENTION_PURGE))
        assert '"referrals_anonymised": 2' in entry.detail and "+964" not in entry.detail

    # Running again finds nothing new.
    again = purge(session_factory, f"sqlite:///{tmp_path / 'missing.db'}",
                  conversation_days=30, closed_referral_days=180, review_days=90, now=NOW)
    assert again.referrals_anonymised == 0


def test_review_items_are_kept_for_the_review_days_and_their_keys_for_a_day(  # type: ignore[no-untyped-def]
        session_factory, tmp_path) -> None:
    for age, turn in ((91, "a"), (90, "b"), (2, "c"), (1, "d"), (0, "e")):
        result = capture(session_factory, text=f"ززز قققق {turn}", predicted_intent="greet",
                         confidence=0.1, reason=ReviewReason.LOW_CONFIDENCE,
                         key=dedupe_key("k", turn), today=(NOW - timedelta(days=age)).date(),
                         retention_days=90)
        assert result is Capture.STORED

    summary = purge(session_factory, f"sqlite:///{tmp_path / 'missing.db'}",
                    conversation_days=30, closed_referral_days=180, review_days=90, now=NOW)

    assert summary.review_items_deleted == 1
    with session_factory() as session:
        left = {(NOW.date() - item.received_on).days: item.dedupe_key
                for item in session.scalars(select(ReviewItem))}
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == RETENTION_PURGE))
    assert sorted(left) == [0, 1, 2, 90]
    # Retries are over after a day: the key, a hash of the sender, goes.
    assert left[90] is None and left[2] is None
    assert left[1] is not None and left[0] is not None
    assert '"review_items_deleted": 1' in entry.detail and "ززز" not in entry.detail
