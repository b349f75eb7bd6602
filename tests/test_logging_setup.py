"""Phone numbers are masked in every log record, whatever handler writes it."""

from __future__ import annotations

import logging

import pytest

from common.logging_setup import (
    WithholdMessageText,
    install_personal_data_masking,
    mask_personal_data,
    withhold_message_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phone 07701234567 given", "phone <number> given"),
        ("رقمي +964 770 123 4567", "رقمي <number>"),
        ("referral id=42 urgent=True", "referral id=42 urgent=True"),
        ("R-7KQ2MX", "R-7KQ2MX"),
    ],
)
def test_mask_personal_data(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def test_records_are_masked_even_with_a_foreign_handler(caplog: pytest.LogCaptureFixture) -> None:
    original = logging.getLogRecordFactory()
    try:
        install_personal_data_masking()
        install_personal_data_masking()
        with caplog.at_level(logging.INFO):
            logging.getLogger("some.library").info("user said %s", "call me on 07701234567")
        assert "07701234567" not in caplog.text and "<number>" in caplog.text
    finally:
        logging.setLogRecordFactory(original)


def test_rasas_structured_events_keep_the_event_and_lose_the_users_text() -> None:
    record = logging.LogRecord("rasa.core.channels.rest", logging.ERROR, __file__, 1,
                               '{"text": "\\u0628\\u064a\\"ti\\" 07701234567", '
                               '"event": "rest.message.received.timeout", "level": "error"}',
                               None, None)
    assert WithholdMessageText().filter(record)
    assert record.getMessage() == ('{"text": "<withheld>", '
                                   '"event": "rest.message.received.timeout", "level": "error"}')


def test_the_rasa_servers_records_lose_every_user_text_field(caplog: pytest.LogCaptureFixture) -> None:
    """nlu/serve.py installs the factory with withhold_message_text: every logger, structlog's
    JSON lines included (the story reader logs an unparsable "/" message as user_text)."""
    original = logging.getLogRecordFactory()
    try:
        install_personal_data_masking(withhold_message_text)
        with caplog.at_level(logging.WARNING):
            logging.getLogger("rasa.shared.core.training_data.story_reader").warning(
                '{"user_text": "/اسمي احمد 07701234567", "event": "message.parsing.failed"}')
        assert caplog.records[-1].getMessage() == (
            '{"user_text": "<withheld>", "event": "message.parsing.failed"}')
    finally:
        logging.setLogRecordFactory(original)


def test_a_second_rewrite_is_added_on_top_of_the_masking_installed_first(
        caplog: pytest.LogCaptureFixture) -> None:
    original = logging.getLogRecordFactory()
    try:
        install_personal_data_masking()
        install_personal_data_masking(withhold_message_text)
        install_personal_data_masking(withhold_message_text)
        with caplog.at_level(logging.INFO):
            logging.getLogger("x").info('{"text": "hi"} call 07701234567')
        assert caplog.records[-1].getMessage() == '{"text": "<withheld>"} call <number>'
    finally:
        logging.setLogRecordFactory(original)
