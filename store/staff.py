"""Dashboard accounts: create, find, list, activate and deactivate.

Passwords arrive here already hashed (dashboard/security.py hashes them with argon2id).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.loader import GOVERNORATES, OTHER_GOVERNORATE
from store.lifecycle import ALL_GOVERNORATES, REFERRAL_ROLES
from store.models import StaffRole, StaffUser

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
ORGANISATION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")
KNOWN_GOVERNORATES = (*GOVERNORATES, OTHER_GOVERNORATE)
UI_LANGUAGES = ("ar", "en")


class StaffError(ValueError):
    """Invalid account data; `reason` is a stable key the dashboard translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def parse_governorates(values: str | Iterable[str]) -> list[str]:
    """'anbar, ninewa' or a list → validated codes, in a stable order; 'all' stands alone."""
    items = values.split(",") if isinstance(values, str) else list(values)
    codes = [item.strip().lower() for item in items if item and item.strip()]
    if ALL_GOVERNORATES in codes:
        return [ALL_GOVERNORATES]
    unknown = [code for code in codes if code not in KNOWN_GOVERNORATES]
    if unknown:
        raise StaffError("unknown_governorate")
    return [code for code in KNOWN_GOVERNORATES if code in codes]


def create_staff_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: StaffRole | str,
    organisation: str,
    governorates: str | Iterable[str] = (),
    language: str = "ar",
) -> StaffUser:
    """Add an account (the caller commits). Raises StaffError for invalid or taken names."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise StaffError("invalid_username")
    try:
        role = StaffRole(role)
    except ValueError as error:
        raise StaffError("invalid_role") from error
    organisation = (organisation or "").strip()
    if not ORGANISATION_PATTERN.fullmatch(organisation):
        raise StaffError("invalid_organisation")
    codes = parse_governorates(governorates)
    if role is StaffRole.CASEWORKER and not codes:
        raise StaffError("governorates_required")
    if language not in UI_LANGUAGES:
        raise StaffError("invalid_language")
    if find_by_username(session, name) is not None:
        raise StaffError("username_taken")
    user = StaffUser(
        username=name,
        password_hash=password_hash,
        role=role,
        organisation=organisation,
        governorates=",".join(codes),
        active=True,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def find_by_username(session: Session, username: str) -> StaffUser | None:
    return session.scalars(
        select(StaffUser).where(StaffUser.username == normalise_username(username))
    ).one_or_none()


def list_staff(session: Session, organisation: str | None = None) -> list[StaffUser]:
    query = select(StaffUser).order_by(StaffUser.organisation, StaffUser.username)
    if organisation is not None:
        query = query.where(StaffUser.organisation == organisation)
    return list(session.scalars(query))


def assignable_staff(session: Session, organisation: str) -> list[StaffUser]:
    """Active caseworkers and supervisors of an organisation, by name."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.organisation == organisation,
                StaffUser.active.is_(True),
                StaffUser.role.in_(REFERRAL_ROLES),
            )
            .order_by(StaffUser.username)
        )
    )


def staff_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StaffUser)) or 0)
