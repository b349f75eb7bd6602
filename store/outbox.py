"""The notification outbox: what the bot's sender does with a row, one short transaction a step.

A row moves  pending ──claim──> pending (leased) ──start_sending──> sending ──> sent
                                                                         └──> pending (retry later)
                                                                         └──> failed
Every step is a conditional UPDATE (on the status and the claim token), so two bot processes
never send the same row: only one of them wins the claim. Delivery is *at most once*: a row
found in `sending` after its lease ran out (the bot died during the request, or could not record
the result) is marked failed, never sent again, because the first request may have arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from store.crypto import DecryptionError
from store.models import (
    ChatLink,
    Notification,
    NotificationKind,
    NotificationStatus,
    NotificationTarget,
    Referral,
)

INTERRUPTED_ERROR = "interrupted during the request: delivery unknown, not retried (at most once)"
ERROR_MAX_CHARS = 300


@dataclass(frozen=True)
class Outgoing:
    """A claimed notification with what is needed to write and address it."""

    id: int
    target: NotificationTarget
    kind: NotificationKind
    code: str
    referral_status: str | None
    language: str
    chat_id: int | None
    category: str | None
    governorate: str | None
    # Why there is no chat id although a link exists (it cannot be decrypted); None otherwise.
    chat_error: str | None = None


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff after the `attempts`-th failed try: base, 2·base, 4·base, … ≤ cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def due_ids(session: Session, now: datetime, limit: int, user_key: str | None = None
            ) -> list[int]:
    """Pending notifications whose time has come and that nobody holds, oldest first
    (only those to one person when `user_key` is given: the console chat)."""
    query = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if user_key is not None:
        query = query.where(Notification.user_key == user_key)
    return list(session.scalars(query))


def claim(session: Session, notification_id: int, token: str, now: datetime,
          lease_seconds: float) -> bool:
    """Take a lease on a due notification; False when another sender holds or took it."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=lease_seconds), claim_token=token)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def load(session: Session, notification_id: int, caseworker_chat_id: int | None) -> Outgoing:
    """The claimed row with its chat: the returnee's from the chat link, or the caseworkers'."""
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise LookupError(notification_id)
    # Only what the message needs: the referral's personal fields are not even decrypted.
    referral = session.execute(
        select(Referral.category, Referral.governorate)
        .where(Referral.id == notification.referral_id)
    ).one_or_none()
    language = notification.language
    chat_id: int | None
    chat_error: str | None = None
    if notification.target is NotificationTarget.RETURNEE:
        try:
            link = session.get(ChatLink, notification.user_key) if notification.user_key else None
        except DecryptionError as error:
            # Its key is missing or the row was altered: give up on this row, not on the outbox.
            link, chat_error = None, f"the chat link cannot be decrypted: {error}"
        chat_id = link.chat_id if link is not None else None
        if link is not None:
            language = link.chosen_language or link.language or language
    else:
        chat_id = caseworker_chat_id
    return Outgoing(
        id=notification.id,
        target=notification.target,
        kind=notification.kind,
        code=notification.code,
        referral_status=notification.referral_status,
        language=language,
        chat_id=chat_id,
        chat_error=chat_error,
        category=referral.category.value if referral is not None else None,
        governorate=referral.governorate if referral is not None else None,
    )


def start_sending(session: Session, notification_id: int, token: str) -> bool:
    """Mark the row `sending` just before the request; False when the claim was lost."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.claim_token == token,
            Notification.status == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.SENDING, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(session: Session, notification_id: int, token: str, now: datetime,
              language: str) -> bool:
    return _finish(session, notification_id, token, status=NotificationStatus.SENT, sent_at=now,
                   language=language, last_error=None)


def mark_failed(session: Session, notification_id: int, token: str, error: str,
                status: NotificationStatus = NotificationStatus.FAILED) -> bool:
    """Give up on a row (failed, or skipped when there is nowhere to send it)."""
    return _finish(session, notification_id, token, status=status,
                   last_error=error[:ERROR_MAX_CHARS])


def mark_retry(session: Session, notification_id: int, token: str, now: datetime, error: str,
               *, max_attempts: int, base_delay: float, max_delay: float,
               min_delay: float = 0.0) -> NotificationStatus:
    """After a request Telegram did not accept: try again later (not before `min_delay`, e.g.
    Telegram's retry_after), or give up after `max_attempts`."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.claim_token != token:
        return NotificationStatus.PENDING
    if notification.attempts >= max_attempts:
        mark_failed(session, notification_id, token, f"gave up after {notification.attempts} "
                    f"attempts: {error}")
        return NotificationStatus.FAILED
    delay = max(min_delay, backoff_seconds(notification.attempts, base_delay, max_delay))
    _finish(session, notification_id, token, status=NotificationStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=delay), last_error=error[:ERROR_MAX_CHARS])
    return NotificationStatus.PENDING


def fail_interrupted(session: Session, now: datetime) -> int:
    """Rows left in `sending` past their lease: the request may have arrived, so never resend."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.status == NotificationStatus.SENDING,
            Notification.claimed_until < now,
        )
        .values(status=NotificationStatus.FAILED, claimed_until=None, claim_token=None,
                last_error=INTERRUPTED_ERROR)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def for_referral(session: Session, referral_id: int) -> list[Notification]:
    """A referral's notifications, oldest first (shown on the dashboard's detail page)."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.referral_id == referral_id)
            .order_by(Notification.created_at, Notification.id)
        )
    )


def _finish(session: Session, notification_id: int, token: str, **values: object) -> bool:
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.claim_token == token)
        .values(claimed_until=None, claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
