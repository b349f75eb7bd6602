"""Logging for every process, with a filter that keeps personal data out of log lines.

Nothing a user typed belongs in a log: the bot and the actions log events ("turn forwarded",
"referral stored") and pseudonymous keys, never message text. The filter is a second line of
defence that masks anything that looks like a phone number should it slip into a message.
"""

from __future__ import annotations

import logging
import re

# Iraqi mobile numbers in their usual forms, and any run of 7+ digits (ids, other phones).
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s-]{6,}\d")


def mask_personal_data(text: str) -> str:
    """Replace phone-number-like digit runs with a fixed marker."""
    return _PHONE.sub("<number>", text)


class PersonalDataFilter(logging.Filter):
    """Masks phone numbers in the rendered message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        rendered = record.getMessage()
        masked = mask_personal_data(rendered)
        if masked != rendered:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str = "INFO") -> None:
    """Send logs to stderr with the personal-data filter on the root handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
