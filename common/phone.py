"""Iraqi mobile numbers: the only phone numbers the referral form accepts."""

from __future__ import annotations

import re

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f\u202a-\u202e]")
_LOCAL = re.compile(r"07\d{9}")
_INTERNATIONAL = re.compile(r"(?:\+|00)9647\d{9}")


def normalize_iraqi_mobile(text: str) -> str | None:
    """Return the number as +9647XXXXXXXXX, or None when it is not an Iraqi mobile number.

    Accepts 07XXXXXXXXX and +9647XXXXXXXXX (or 009647...), with spaces, dashes and
    Arabic-Indic digits, as people type them.
    """
    compact = _SEPARATORS.sub("", (text or "").translate(_DIGITS))
    if _LOCAL.fullmatch(compact):
        return "+964" + compact[1:]
    if _INTERNATIONAL.fullmatch(compact):
        return "+964" + compact[-10:]
    return None
