"""Slots filled on every user message, outside any form."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.common import LANGUAGES, latest_intent
from actions.review_capture import capture_missed_message


class ActionValidateSlotMappings(ValidationAction):
    """Runs after every user message (Rasa's action_extract_slots calls it).

    So it is also where a message the assistant missed is kept, de-identified, for the
    trainers' review (actions/review_capture.py).
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # A database write: in a thread, so other conversations' actions do not wait for it.
        await asyncio.to_thread(capture_missed_message, tracker)
        return await super().run(dispatcher, tracker, domain)

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The bot decides the reply language per message and sends it as metadata."""
        metadata = tracker.latest_message.get("metadata") or {}
        language = metadata.get("language")
        if language in LANGUAGES and language != tracker.get_slot("language"):
            return {"language": language}
        return {}

    async def extract_fallback_count(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Count consecutive messages the assistant did not understand."""
        count = tracker.get_slot("fallback_count") or 0
        if latest_intent(tracker) == "nlu_fallback":
            return {"fallback_count": count + 1}
        return {"fallback_count": 0} if count else {}
