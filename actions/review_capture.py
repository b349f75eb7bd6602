"""Keep the messages the assistant missed for the trainers' review (no Action subclass here).

Where: `action_validate_slot_mappings` calls `capture_missed_message` for every user message
(Rasa's action_extract_slots runs it after each one, before any answer is chosen). That one
place sees every message with its intent, confidence and intent ranking, whatever answers it:
a fallback ("please rephrase"), a topic answer, but also a greeting or the out-of-scope reply
given with little confidence, which are misses too. The policy (what is kept, de-identified how,
never a crisis message) lives in store/review.py.

Not kept: button presses and commands (their payload is not language), and any message while a
form is active: those are answers to the form's questions (a description of the person's
situation, a phone number), the most personal text there is, and not questions to classify.

A failure to store never touches the conversation: it is logged without the text, and the turn
goes on.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker

from common.settings import get_settings
from store.db import default_session_factory
from store.models import utcnow
from store.review import Capture, best_guess, capture, dedupe_key, reason_to_keep

logger = logging.getLogger(__name__)


def capture_missed_message(tracker: Tracker) -> Capture | None:
    """Keep the latest user message for review when the NLU missed it; None when not missed."""
    try:
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        metadata = latest.get("metadata") or {}
        if not text or text.startswith("/") or metadata.get("button"):
            return None
        if tracker.active_loop.get("name"):
            return None
        intent = latest.get("intent") or {}
        settings = get_settings()
        reason = reason_to_keep(intent.get("name"), intent.get("confidence"),
                                settings.review_confidence_threshold)
        if reason is None:
            return None
        predicted, confidence = best_guess(intent.get("name"), intent.get("confidence"),
                                           latest.get("intent_ranking"))
        turn = str(metadata.get("turn_id") or latest.get("message_id") or "")
        result = capture(
            default_session_factory(), text=text, predicted_intent=predicted,
            confidence=confidence, reason=reason,
            key=dedupe_key(tracker.sender_id, turn) if turn else None,
            today=utcnow().date(), retention_days=settings.review_retention_days,
        )
        logger.info("missed message: %s (%s)", result.value, reason.value)
        return result
    except Exception as error:  # noqa: BLE001 (the conversation must go on)
        # Only the kind of error: a database error's text would carry the stored text.
        logger.error("missed message could not be kept for review: %s", type(error).__name__)
        return None
