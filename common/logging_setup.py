"""Logging for every process, with a filter that keeps personal data out of log lines.

Nothing a user typed belongs in a log: the bot and the actions log events ("turn forwarded",
"referral stored") and pseudonymous keys, never message text. The filter is a second line of
defence that masks anything that looks like a phone number should it slip into a message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

# Iraqi mobile numbers in their usual forms, and any run of 7+ digits (ids, other phones).
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s-]{6,}\d")


def mask_personal_data(text: str) -> str:
    """Replace phone-number-like digit runs with a fixed marker."""
    return _PHONE.sub("<number>", text)


# The fields of a structured (JSON) log event that hold what a user wrote: Rasa's REST channel
# logs the user's message as `"text": "..."` when a turn fails or the client stopped waiting (the
# bot's timeout), its story reader as `"user_text": "..."` when a message starting with "/" does
# not parse; the other names are among those Rasa itself lists as personal (rasa.utils.log_utils).
_STRUCTURED_TEXT = re.compile(
    r'("(?:text|user_text|user_message|parse_data_text|response_text|json_message)"\s*:\s*)'
    r'"(?:[^"\\]|\\.)*"'
)
WITHHELD = '"<withheld>"'


def withhold_message_text(text: str) -> str:
    """Blank the "text" fields of a rendered structured event, and mask numbers."""
    return mask_personal_data(_STRUCTURED_TEXT.sub(lambda m: m.group(1) + WITHHELD, text))


class WithholdMessageText(logging.Filter):
    """A filter for the Rasa server's loggers (logging.yml): no user message in its logs.

    Rasa's REST channel logs the message a user wrote, at ERROR level, whenever a turn is
    cancelled (the bot gave up waiting) or fails. This filter keeps the event and drops the
    text. Standard library only: it runs inside the Rasa environment.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _rewrite_message(record, withhold_message_text)
        return True


def _rewrite_message(record: logging.LogRecord, rewrite: Callable[[str], str]) -> None:
    """Replace the record's rendered message by `rewrite(message)` when that changes it."""
    try:
        rendered = record.getMessage()
    except Exception:  # noqa: BLE001 (a malformed record is left for logging to report)
        return
    rewritten = rewrite(rendered)
    if rewritten != rendered:
        record.msg, record.args = rewritten, None


def install_personal_data_masking(rewrite: Callable[[str], str] = mask_personal_data) -> None:
    """Mask phone numbers (or apply `rewrite`) in every log record this process creates,
    whatever its handlers.

    A record factory sees every record, also those of libraries that configure their own
    handlers (rasa-sdk, sanic, python-telegram-bot, Rasa's structlog). Installing twice is
    harmless; a different `rewrite` is added on top of the one installed. The Rasa server
    (nlu/serve.py) passes `withhold_message_text`.
    """
    factory = logging.getLogRecordFactory()
    if rewrite in getattr(factory, "rewrites", ()):
        return

    def masking_factory(*args, **kwargs) -> logging.LogRecord:  # type: ignore[no-untyped-def]
        record = factory(*args, **kwargs)
        _rewrite_message(record, rewrite)
        return record

    masking_factory.rewrites = (*getattr(factory, "rewrites", ()), rewrite)  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


def configure_logging(level: str = "INFO") -> None:
    """Send logs to stderr, with personal-data masking on every record."""
    install_personal_data_masking()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
