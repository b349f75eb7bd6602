"""Database models (SQLAlchemy 2 declarative)."""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Boolean, DateTime, Enum, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
    phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
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


class ChatLink(Base):
    """The bot's mapping from a pseudonymous user key to the Telegram chat that reaches them.

    Only the bot reads and writes it; Rasa and its tracker store never see a chat id.
    """

    __tablename__ = "chat_link"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(5), default="ar")
    # The language the user picked with /language or a button; None while it is guessed.
    chosen_language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
