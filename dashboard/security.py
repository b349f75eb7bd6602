"""Passwords (argon2id), the login rate limit and safe redirects: no Flask in here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from store.audit import failures_since

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


@cache
def _hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)."""
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a real password: evens out the time of unknown usernames")


def password_problem(password: str) -> str | None:
    """Why a new password is refused, as a message key; None when it is fine."""
    if len(password) < MIN_PASSWORD_CHARS:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_CHARS:
        return "password_too_long"
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user costs the same time as a wrong password."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password[:MAX_PASSWORD_CHARS]) \
            and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@dataclass(frozen=True)
class LoginLimit:
    """At most `max_failures` failed logins per username, and `max_failures_per_ip` per
    address, within `window`; counted from the audit log, so every process shares them."""

    max_failures: int
    max_failures_per_ip: int
    window: timedelta

    def refused(self, session: Session, username: str, ip: str | None, now: datetime) -> bool:
        since = now - self.window
        if failures_since(session, since, username=username) >= self.max_failures:
            return True
        return ip is not None and failures_since(session, since, ip=ip) >= self.max_failures_per_ip


def safe_next(target: str | None, default: str) -> str:
    """A redirect target after login: a path on this site only, never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target
