"""Staff accounts and referrals for the store, dashboard and outbox tests."""

from __future__ import annotations

from functools import cache
from itertools import count
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from store.models import ContactMethod, NeedCategory, Referral, StaffUser, utcnow
from store.repository import ReferralDraft, create_referral, link_chat
from store.staff import create_staff_user

PASSWORD = "correct horse battery"
# argon2id with the cheapest parameters: the real ones take a quarter of a second on purpose.
# tests/dashboard/conftest.py makes the dashboard use it too.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_keys = count(1)


@cache
def password_hash() -> str:
    """One argon2 hash for every test account."""
    return FAST_HASHER.hash(PASSWORD)


def add_staff(factory: sessionmaker[Session], username: str, role: str = "caseworker",
              organisation: str = "org-a", governorates: str = "anbar",
              language: str = "ar") -> StaffUser:
    with factory.begin() as session:
        return create_staff_user(session, username=username, password_hash=password_hash(),
                                 role=role, organisation=organisation,
                                 governorates=governorates, language=language)


def add_referral(factory: sessionmaker[Session], *, chat_id: int | None = None,
                 **changes: Any) -> Referral:
    """A referral (and, with `chat_id`, the bot's chat link of its user)."""
    number = next(_keys)
    values: dict[str, Any] = dict(
        request_key=f"request-{number}",
        user_key=f"user-{number:059d}",
        category=NeedCategory.HOUSING,
        governorate="anbar",
        contact_method=ContactMethod.PHONE,
        phone="+9647701234567",
        description="بيتنا مهدوم بالرمادي",
        language="ar",
        urgent=False,
        consent_at=utcnow(),
        organisation="org-a",
    )
    values.update(changes)
    referral = create_referral(factory, ReferralDraft(**values))
    if chat_id is not None:
        with factory.begin() as session:
            link_chat(session, referral.user_key, chat_id)
    return referral
