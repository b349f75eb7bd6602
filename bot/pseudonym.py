"""Pseudonymous user keys: what Rasa, its tracker store and the referral store know a user by."""

from __future__ import annotations

import hashlib
import hmac


def user_key(secret: str, telegram_user_id: int) -> str:
    """A keyed hash (HMAC-SHA256, hex) of the Telegram user id.

    Without the secret the key cannot be turned back into the id, nor computed from it.
    """
    return hmac.new(
        secret.encode(), f"telegram:{telegram_user_id}".encode(), hashlib.sha256
    ).hexdigest()
