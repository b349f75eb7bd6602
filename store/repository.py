"""The repository: every read and write of referrals and chat links goes through here.

Functions take a `Session` and never commit: the caller owns the unit of work
(`with session_factory.begin() as session: ...`).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.crypto import DecryptionError
from store.lifecycle import record_creation
from store.models import ChatLink, ContactMethod, NeedCategory, Referral, utcnow

# No 0/O, 1/I/L, 8/B: codes are read aloud over the phone and typed on small screens.
CODE_ALPHABET = "2345679ACDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(r"\bR-?([" + CODE_ALPHABET + r"]{" + str(CODE_LENGTH) + r"})\b", re.I)

logger = logging.getLogger(__name__)


def new_reference_code() -> str:
    """A short random reference code such as R-7KQ2MX."""
    return "R-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def find_reference_codes(text: str) -> list[str]:
    """Reference codes written in a message, normalised to R-XXXXXX."""
    return ["R-" + match.upper() for match in CODE_PATTERN.findall(text or "")]


@dataclass(frozen=True)
class ReferralDraft:
    """What the referral form collected, ready to be stored."""

    request_key: str
    user_key: str
    category: NeedCategory
    governorate: str | None
    contact_method: ContactMethod
    phone: str | None
    description: str | None
    language: str
    urgent: bool
    consent_at: datetime
    # Whose caseworkers follow it up (the DEFAULT_ORGANISATION setting).
    organisation: str = "default"


def create_referral(factory: sessionmaker[Session], draft: ReferralDraft) -> Referral:
    """Store a referral in one transaction and return it; idempotent on `request_key`.

    A retried submission (same request key) returns the row stored the first time. A code
    collision, vanishingly rare, is retried with a fresh code. The same transaction writes the
    `created` history event and, for an urgent referral, the caseworkers' alert in the outbox.
    """
    for _attempt in range(5):
        existing = _find_by_request_key(factory, draft.request_key)
        if existing is not None:
            return existing
        referral = Referral(
            code=new_reference_code(),
            request_key=draft.request_key,
            user_key=draft.user_key,
            category=draft.category,
            governorate=draft.governorate,
            contact_method=draft.contact_method,
            phone=draft.phone,
            description=draft.description,
            language=draft.language,
            urgent=draft.urgent,
            consent_at=draft.consent_at,
            organisation=draft.organisation,
            created_at=utcnow(),
        )
        try:
            with factory.begin() as session:
                session.add(referral)
                session.flush()
                record_creation(session, referral)
            return referral
        except IntegrityError:
            continue  # same request key stored concurrently, or a code collision
    raise RuntimeError("could not store the referral after 5 attempts")


def _find_by_request_key(factory: sessionmaker[Session], request_key: str) -> Referral | None:
    with factory() as session:
        return session.scalars(
            select(Referral).where(Referral.request_key == request_key)
        ).one_or_none()


def referrals_for_user(session: Session, user_key: str) -> list[Referral]:
    """A user's referrals, newest first."""
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.user_key == user_key)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
        )
    )


def find_referral_by_code(session: Session, code: str) -> Referral | None:
    return session.scalars(select(Referral).where(Referral.code == code.upper())).one_or_none()


def link_chat(session: Session, user_key: str, chat_id: int) -> ChatLink:
    """Remember which chat reaches this user (created on first contact, updated if it moved).

    The chat id is encrypted, so it is compared here, in Python, never in SQL. A link whose chat
    id cannot be decrypted (its key was lost, or removed before `make rekey` finished, or the row
    was altered) is re-learnt: the user is writing from this chat right now.
    """
    try:
        link = session.get(ChatLink, user_key)
    except DecryptionError as error:
        logger.warning("chat link unreadable, re-learnt from the current chat: %s", error)
        session.execute(
            update(ChatLink)
            .where(ChatLink.user_key == user_key)
            .values(chat_id=chat_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return session.get(ChatLink, user_key, populate_existing=True)  # type: ignore[return-value]
    if link is None:
        link = ChatLink(user_key=user_key, chat_id=chat_id)
        session.add(link)
    elif link.chat_id != chat_id:
        link.chat_id = chat_id
        link.updated_at = utcnow()
    return link


def get_chat_link(session: Session, user_key: str) -> ChatLink | None:
    """The user's chat link; None when there is none or its chat id cannot be decrypted."""
    try:
        return session.get(ChatLink, user_key)
    except DecryptionError as error:
        logger.warning("chat link unreadable: %s", error)
        return None
