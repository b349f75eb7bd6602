"""A message the assistant does not understand, sent through the fake Telegram, the bot, Rasa
and the action server, waits on the review queue de-identified, with nothing that links it to
the person."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.pseudonym import user_key
from store.db import make_engine, make_session_factory
from store.models import ChatLink, ReviewItem, ReviewReason, ReviewStatus
from tests.e2e.conftest import PSEUDONYM_SECRET, wait_for

pytestmark = pytest.mark.e2e

USER = 73101  # no other e2e test uses it
# Made-up words the model has no confident intent for (out_of_scope, about 0.3 with today's
# model), and a name. A message with digits would not do: the model reads it as a phone number
# given to the referral form (inform) with confidence. Phone masking is tested on the action
# server (tests/actions/test_review_capture.py) and in tests/nlu/test_deidentify.py.
GIBBERISH = "qwpx zvbn ismi zahraa"


def review_items(stack) -> list[ReviewItem]:  # type: ignore[no-untyped-def]
    factory = make_session_factory(make_engine(stack.database_url))
    with factory() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))


def test_gibberish_waits_for_review_de_identified_and_unlinked(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    before = len(review_items(stack))
    since = telegram.mark()
    telegram.push_text(USER, GIBBERISH)
    reply = wait_for(telegram, USER, since, lambda message: bool(message.get("text")))
    assert "zahraa" not in reply["text"]

    deadline = time.monotonic() + 10
    while len(review_items(stack)) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    item = review_items(stack)[-1]
    assert item.text == "qwpx zvbn ismi <name>"
    assert item.status is ReviewStatus.PENDING
    assert item.reason in (ReviewReason.FALLBACK, ReviewReason.LOW_CONFIDENCE)
    assert item.predicted_intent and item.predicted_intent != "nlu_fallback"

    # Nothing in the row is the person's key, chat id, name or number.
    key = user_key(PSEUDONYM_SECRET, USER)
    factory = make_session_factory(make_engine(stack.database_url))
    with factory() as session:
        assert session.get(ChatLink, key) is not None  # the bot knows the chat; the queue does not
    values = " ".join(str(getattr(item, column)) for column in ReviewItem.__table__.columns.keys())
    for secret in (key, str(USER), "zahraa"):
        assert secret not in values

    # Nor is the message in any process's log.
    for name in ("actions", "bot"):
        log = (stack.log_dir / f"{name}.log").read_text(errors="replace")
        assert "zahraa" not in log and "qwpx" not in log, name
