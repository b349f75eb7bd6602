"""A returnee's right to erasure: everything keyed to their pseudonymous key goes.

`erase_user` works on the referral store in the caller's transaction:

- a referral no caseworker has acted on (still `new`, never assigned, no history step but its
  creation) is deleted with its history and notifications;
- a referral a caseworker has acted on stays, anonymised, so the statistics stay true: the
  phone number, the description and the caseworkers' notes are emptied and the user key and
  idempotency key replaced by markers; category, governorate, status and dates stay;
- the user's notifications not yet sent are deleted, sent ones lose the user key;
- the key → chat link is deleted;
- one audit entry records the erasure with counts only (no key, chat id or reference code).

`erase_conversation` deletes the user's events from Rasa's SQL tracker store.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.interfaces import ORMOption

from store.audit import USER_DATA_ERASED, record
from store.db import make_engine
from store.models import (
    ChatLink,
    EventKind,
    Notification,
    NotificationStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

# What an anonymised referral's user key becomes (fits String(64); the column is not unique).
ERASED_USER_KEY = "erased"
# Prefix of an anonymised referral's request key (the column is unique: a random tail follows).
ERASED_REQUEST_KEY_PREFIX = "erased:"
# Rasa 3.6 SQLTrackerStore: table `events`, one row per event, column `sender_id`.
TRACKER_EVENTS_TABLE = "events"
UNSENT = (NotificationStatus.PENDING, NotificationStatus.SENDING)


@dataclass(frozen=True)
class ErasureSummary:
    """How much was erased (counts only: nothing that identifies the person)."""

    referrals_deleted: int = 0
    referrals_anonymised: int = 0
    notifications_deleted: int = 0
    notifications_anonymised: int = 0
    chat_links_deleted: int = 0

    @property
    def anything(self) -> bool:
        return any(asdict(self).values())


def caseworker_acted(session: Session, referral: Referral) -> bool:
    """Whether a caseworker has done anything with the referral (then it is kept, anonymised)."""
    if ReferralStatus(referral.status) is not ReferralStatus.NEW:
        return True
    if referral.first_action_at is not None or referral.assignee_id is not None:
        return True
    staff_steps = session.scalar(
        select(func.count())
        .select_from(ReferralEvent)
        .where(
            ReferralEvent.referral_id == referral.id,
            (ReferralEvent.kind != EventKind.CREATED) | ReferralEvent.actor_id.is_not(None),
        )
    )
    return bool(staff_steps)


def without_personal_fields() -> tuple[ORMOption, ...]:
    """Load options that leave a referral's encrypted fields undecrypted (not even loaded).

    Erasure and retention only overwrite them: they must work even when a value cannot be
    decrypted any more (its key lost or removed), and they have no reason to read it.
    """
    return (defer(Referral.phone), defer(Referral.description), defer(Referral.referred_to))


def erase_user(session: Session, user_key: str) -> ErasureSummary:
    """Erase what the store holds about one user (in the caller's transaction, never commits)."""
    referrals = list(session.scalars(
        select(Referral).where(Referral.user_key == user_key).options(*without_personal_fields())
    ))
    deleted = anonymised = notifications_deleted = 0
    organisations = {referral.organisation for referral in referrals}
    for referral in referrals:
        if caseworker_acted(session, referral):
            anonymise_referral(session, referral)
            anonymised += 1
        else:
            notifications_deleted += _delete_referral(session, referral)
            deleted += 1
    session.flush()

    notifications_deleted += session.execute(
        delete(Notification).where(Notification.user_key == user_key,
                                   Notification.status.in_(UNSENT))
    ).rowcount or 0
    notifications_anonymised = session.execute(
        update(Notification).where(Notification.user_key == user_key).values(user_key=None)
    ).rowcount or 0
    chat_links = session.execute(
        delete(ChatLink).where(ChatLink.user_key == user_key)
    ).rowcount or 0

    summary = ErasureSummary(
        referrals_deleted=deleted,
        referrals_anonymised=anonymised,
        notifications_deleted=notifications_deleted,
        notifications_anonymised=notifications_anonymised,
        chat_links_deleted=chat_links,
    )
    record(
        session,
        USER_DATA_ERASED,
        username="returnee",
        # Supervisors read their organisation's entries; admins read all of them.
        organisation=organisations.pop() if len(organisations) == 1 else None,
        detail=json.dumps(asdict(summary), sort_keys=True),
    )
    return summary


def _delete_referral(session: Session, referral: Referral) -> int:
    """Delete a referral nobody acted on, its notifications and history; return notifications."""
    notifications = session.execute(
        delete(Notification).where(Notification.referral_id == referral.id)
    ).rowcount or 0
    session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id == referral.id))
    session.delete(referral)
    return notifications


def anonymise_referral(session: Session, referral: Referral) -> None:
    """Keep the case for the statistics; drop everything that could identify the person."""
    referral.user_key = ERASED_USER_KEY
    referral.request_key = ERASED_REQUEST_KEY_PREFIX + secrets.token_hex(16)
    referral.phone = None
    referral.description = None
    # Caseworkers' notes may hold personal details; the status steps and dates stay.
    session.execute(
        update(ReferralEvent).where(ReferralEvent.referral_id == referral.id).values(note=None)
    )


def tracker_engine(tracker_db_url: str) -> Engine | None:
    """An engine for Rasa's tracker store, or None when its SQLite file does not exist yet."""
    url = make_url(tracker_db_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:" or not Path(url.database).exists():
            return None
        # A plain engine: Rasa's file keeps its own settings (make_engine would switch on WAL).
        return create_engine(url, connect_args={"timeout": 30})
    return make_engine(tracker_db_url)


def delete_tracker_events(tracker_db_url: str, condition: str, params: dict[str, object]) -> int:
    """Delete the rows of Rasa's tracker `events` table that match an SQL condition.

    A tracker store that does not exist yet (no file, no `events` table) holds nothing to delete.
    """
    engine = tracker_engine(tracker_db_url)
    if engine is None:
        return 0
    try:
        if not inspect(engine).has_table(TRACKER_EVENTS_TABLE):
            return 0
        with engine.begin() as connection:
            result = connection.execute(
                text(f"DELETE FROM {TRACKER_EVENTS_TABLE} WHERE {condition}"), params
            )
            return result.rowcount or 0
    finally:
        engine.dispose()


def erase_conversation(tracker_db_url: str, user_key: str) -> int:
    """Delete the user's events from Rasa's SQL tracker store; return how many rows went."""
    return delete_tracker_events(tracker_db_url, "sender_id = :sender_id", {"sender_id": user_key})
