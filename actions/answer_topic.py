"""Answers to information questions (housing, documents, psychosocial support, livelihoods).

The texts and the service directory are data in content/; this action picks the topic,
the language and the governorate, and adds the referral offer outside a form.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, reply_language, send_messages
from common.settings import get_settings
from content.loader import topic_answer, topics

# Intents that carry no topic of their own: a place given after a topic answer localises it.
FOLLOW_UP_INTENTS = {"inform"}


class ActionAnswerTopic(Action):
    """Answers the topic of the latest message, or the pending topic when a place is given."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = latest_intent(tracker)
        topic = tracker.get_slot("topic") if intent in FOLLOW_UP_INTENTS else intent
        if topic not in topics():
            dispatcher.utter_message(response="utter_greet")
            return []
        governorate = tracker.get_slot("governorate")
        messages = topic_answer(
            topic,
            reply_language(tracker),
            governorate,
            allow_placeholders=get_settings().content_allow_placeholders,
        )
        in_form = tracker.active_loop.get("name") is not None
        if in_form:
            # Mid-form the user is already making a referral: no second offer.
            messages = [m for m in messages if not _is_referral_offer(m)]
        send_messages(dispatcher, messages)
        return [SlotSet("topic", topic)]


def _is_referral_offer(message: dict[str, Any]) -> bool:
    return any(
        str(button.get("payload", "")).startswith("/referral_request")
        or str(button.get("payload", "")).startswith("/inform")
        for button in message.get("buttons") or []
    )
