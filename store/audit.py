"""The append-only audit log: who looked at, exported or changed what, and every login.

The application only inserts (`record`); database triggers refuse UPDATE and DELETE, so nobody
can edit the log through the application or by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from store.models import AuditEntry, StaffRole, StaffUser, utcnow

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_REFUSED = "login_refused"  # refused by the rate limit, password not even checked
LOGOUT = "logout"
REFERRAL_VIEWED = "referral_viewed"
REFERRALS_EXPORTED = "referrals_exported"
STATUS_CHANGED = "status_changed"
ASSIGNED = "assigned"
NOTE_ADDED = "note_added"
USER_CREATED = "user_created"
USER_DEACTIVATED = "user_deactivated"
USER_ACTIVATED = "user_activated"
PASSWORD_SET = "password_set"
# A returnee erased their data (/delete); the detail holds counts only.
USER_DATA_ERASED = "user_data_erased"
# The retention purge ran (store/retention.py); the detail holds counts only.
RETENTION_PURGE = "retention_purge"
# Encrypted values were re-encrypted under the current data key (store/rekey.py); counts only.
DATA_REKEYED = "data_rekeyed"
# The trainers' review of missed messages (store/review.py); the detail never holds a message.
REVIEW_VIEWED = "review_viewed"
REVIEW_LABELLED = "review_labelled"
REVIEW_DISCARDED = "review_discarded"
REVIEW_EXPORTED = "review_exported"

ACTIONS = (
    LOGIN, LOGIN_FAILED, LOGIN_REFUSED, LOGOUT, REFERRAL_VIEWED, REFERRALS_EXPORTED,
    STATUS_CHANGED, ASSIGNED, NOTE_ADDED, USER_CREATED, USER_DEACTIVATED, USER_ACTIVATED,
    PASSWORD_SET, USER_DATA_ERASED, RETENTION_PURGE, DATA_REKEYED, REVIEW_VIEWED,
    REVIEW_LABELLED, REVIEW_DISCARDED, REVIEW_EXPORTED,
)
DETAIL_MAX_CHARS = 2000


def record(
    session: Session,
    action: str,
    *,
    actor: StaffUser | None = None,
    username: str | None = None,
    organisation: str | None = None,
    referral_code: str | None = None,
    detail: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction).

    `username` and `organisation` describe the actor when there is no account (a failed login).
    """
    entry = AuditEntry(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_username=(actor.username if actor is not None else (username or "")[:64]) or None,
        organisation=actor.organisation if actor is not None else organisation,
        action=action,
        referral_code=referral_code,
        detail=(detail or None) and detail[:DETAIL_MAX_CHARS],
        ip=(ip or None) and ip[:45],
    )
    session.add(entry)
    return entry


def failures_since(session: Session, since: datetime, *, username: str | None = None,
                   ip: str | None = None) -> int:
    """Failed logins since a moment, for one username or one address (the rate limit)."""
    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == LOGIN_FAILED, AuditEntry.created_at >= since
    )
    if username is not None:
        query = query.where(AuditEntry.actor_username == username[:64])
    if ip is not None:
        query = query.where(AuditEntry.ip == ip[:45])
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    username: str | None = None
    referral_code: str | None = None


def readable_entries(reader: StaffUser, wanted: AuditFilter) -> Select[tuple[AuditEntry]]:
    """Entries a reader may see, newest first: admins all, supervisors their organisation's."""
    query = select(AuditEntry)
    if StaffRole(reader.role) is not StaffRole.ADMIN:
        query = query.where(AuditEntry.organisation == reader.organisation)
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.username:
        query = query.where(AuditEntry.actor_username == wanted.username.strip().lower())
    if wanted.referral_code:
        query = query.where(AuditEntry.referral_code == wanted.referral_code.strip().upper())
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
