"""Database models (SQLAlchemy 2 declarative)."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.crypto import EncryptedInteger, EncryptedText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ReferralStatus(str, enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    REFERRED = "referred"
    CLOSED = "closed"
    DECLINED = "declined"


class NeedCategory(str, enum.Enum):
    HOUSING = "housing"
    DOCUMENTS = "documents"
    PSYCHOSOCIAL = "psychosocial"
    PROTECTION = "protection"
    LIVELIHOOD = "livelihood"
    OTHER = "other"


class ContactMethod(str, enum.Enum):
    TELEGRAM = "telegram"
    PHONE = "phone"


class StaffRole(str, enum.Enum):
    """What a dashboard account may do (see store/lifecycle.py)."""

    CASEWORKER = "caseworker"  # referrals of their organisation and governorates
    SUPERVISOR = "supervisor"  # every referral of their organisation; assigns; reads the audit log
    ADMIN = "admin"  # accounts; reads the audit log; sees no referral
    TRAINER = "trainer"  # NLU review work; sees no referral


class EventKind(str, enum.Enum):
    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    NOTE = "note"


class NotificationTarget(str, enum.Enum):
    RETURNEE = "returnee"  # the person who made the referral, through their chat link
    CASEWORKERS = "caseworkers"  # the caseworkers' Telegram group (CASEWORKER_ALERT_CHAT_ID)


class NotificationKind(str, enum.Enum):
    STATUS_CHANGED = "status_changed"
    URGENT_REFERRAL = "urgent_referral"


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"  # waiting to be sent (again, after `next_attempt_at`)
    SENDING = "sending"  # the request to Telegram is under way
    SENT = "sent"
    FAILED = "failed"  # given up; `last_error` says why
    SKIPPED = "skipped"  # nowhere to send it (no caseworkers' chat configured)


class ReviewReason(str, enum.Enum):
    """Why a message was kept for review."""

    FALLBACK = "fallback"  # below the NLU fallback threshold: the assistant asked to rephrase
    LOW_CONFIDENCE = "low_confidence"  # answered, but with a confidence below the review threshold


class ReviewStatus(str, enum.Enum):
    PENDING = "pending"  # waiting for a trainer
    LABELLED = "labelled"  # a trainer gave it an intent; not yet in the training data
    EXPORTED = "exported"  # written to the reviewed training file
    SKIPPED = "skipped"  # labelled, but not exported: held-out, already there, or a conflict


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Store enums as their values in a VARCHAR with a CHECK, portable to SQLite."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Referral(Base):
    """A request from a returnee to be contacted by a caseworker."""

    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # Idempotency key of the submission: a retried submission finds the first row.
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash of the Telegram user id: never the id itself.
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[NeedCategory] = mapped_column(_enum(NeedCategory, "need_category"))
    governorate: Mapped[str | None] = mapped_column(String(32))
    contact_method: Mapped[ContactMethod] = mapped_column(_enum(ContactMethod, "contact_method"))
    # Personal: encrypted at rest (store/crypto.py), bound to their table and column.
    phone: Mapped[str | None] = mapped_column(EncryptedText("referral.phone"))
    description: Mapped[str | None] = mapped_column(EncryptedText("referral.description"))
    language: Mapped[str] = mapped_column(String(5), default="ar")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ReferralStatus] = mapped_column(
        _enum(ReferralStatus, "referral_status"), default=ReferralStatus.NEW
    )
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # The organisation whose caseworkers follow the referral up (DEFAULT_ORGANISATION).
    organisation: Mapped[str] = mapped_column(
        String(64), default="default", server_default="default", index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    # The service the referral was passed on to (status `referred`): free text typed by a
    # caseworker, so encrypted like the rest (it may name a person or a place).
    referred_to: Mapped[str | None] = mapped_column(EncryptedText("referral.referred_to"))
    # The first status change, assignment or note by a caseworker.
    first_action_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffUser(Base):
    """A dashboard account: caseworker, supervisor, admin or trainer."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # argon2id hash (argon2-cffi's encoded form, parameters included).
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    organisation: Mapped[str] = mapped_column(String(64))
    # Comma-separated governorate codes a caseworker covers ("all" for every one).
    governorates: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(5), default="ar")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session cookie: logging out or a new password raises it, which ends all of
    # the account's sessions (signed-cookie sessions cannot be revoked one by one).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def governorate_list(self) -> list[str]:
        return [g for g in (self.governorates or "").split(",") if g]


class ReferralEvent(Base):
    """One step of a referral's history: created, status changed, assigned, note."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    # Who did it; None for the returnee (created) or the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    # Caseworkers' free text about the person and the service: encrypted at rest.
    referred_to: Mapped[str | None] = mapped_column(EncryptedText("referral_event.referred_to"))
    note: Mapped[str | None] = mapped_column(EncryptedText("referral_event.note"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Notification(Base):
    """The outbox: a message to send, written in the transaction that caused it.

    The bot process sends pending rows (bot/outbox.py). `dedupe_key` is unique, so one status
    change (one event) can never make two notifications.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral_event.id", ondelete="CASCADE")
    )
    target: Mapped[NotificationTarget] = mapped_column(_enum(NotificationTarget, "notification_target"))
    # The returnee's pseudonymous key (target returnee); the chat id is looked up at send time.
    user_key: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind, "notification_kind"))
    code: Mapped[str] = mapped_column(String(12))
    # The referral status the message announces (status_changed).
    referral_status: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="ar")
    status: Mapped[NotificationStatus] = mapped_column(
        _enum(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A sender's lease: while it is in the future, no other sender touches the row.
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))


class AuditEntry(Base):
    """The append-only audit log: the application only inserts (a trigger refuses the rest).

    No foreign keys on purpose: nothing deleted elsewhere may touch an audit row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_created_at", "action", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    # The username as typed for failed logins, the account's otherwise.
    actor_username: Mapped[str | None] = mapped_column(String(64), index=True)
    # The actor's organisation: supervisors read their organisation's entries.
    organisation: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    referral_code: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45), index=True)


class ChatLink(Base):
    """The bot's mapping from a pseudonymous user key to the Telegram chat that reaches them.

    Only the bot reads and writes it; Rasa and its tracker store never see a chat id. The chat id
    is encrypted at rest: the database alone cannot link a pseudonym to a Telegram account.
    """

    __tablename__ = "chat_link"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(EncryptedInteger("chat_link.chat_id"))
    language: Mapped[str] = mapped_column(String(5), default="ar")
    # The language the user picked with /language or a button; None while it is guessed.
    chosen_language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ReviewItem(Base):
    """A message the assistant missed, de-identified before it was stored (store/review.py).

    Nothing links it to the person: no user key, no chat id, only the day it came. The
    idempotency key (a hash of the sender and the turn, so a retried message is kept once) is
    cleared by the daily purge once retries are over. Discarded items are deleted.
    """

    __tablename__ = "review_item"
    __table_args__ = (Index("ix_review_item_status_group_key", "status", "group_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The message with phone numbers, numbers, introduced names, handles, e-mails, links masked.
    text: Mapped[str] = mapped_column(Text)
    # Messages that are the same after Arabic normalisation form one group on the review page.
    normalised: Mapped[str] = mapped_column(Text)
    group_key: Mapped[str] = mapped_column(String(64))
    predicted_intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[ReviewReason] = mapped_column(_enum(ReviewReason, "review_reason"))
    received_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ReviewStatus] = mapped_column(
        _enum(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    label: Mapped[str | None] = mapped_column(String(64))
    labelled_on: Mapped[date | None] = mapped_column(Date)
    exported_on: Mapped[date | None] = mapped_column(Date)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
