"""The safety answer to a message about suicide, self-harm or violence.

It interrupts anything (rules run it even inside a form, then deactivate the form), sends the calm safety message with
the emergency contacts, and offers an urgent referral with the fewest questions.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import latest_intent, reply_language, send_messages
from actions.referral_submit import reset_form_slots
from content.loader import safety_message

CRISIS_KINDS = {"crisis_self_harm": "self_harm", "crisis_violence": "violence"}


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        kind = CRISIS_KINDS.get(latest_intent(tracker) or "", "self_harm")
        send_messages(dispatcher, safety_message(kind, reply_language(tracker)))
        # A half-filled form is dropped (the rules deactivate it): the urgent referral asks
        # afresh, with the fewest questions.
        return reset_form_slots() + [SlotSet("fallback_count", 0)]
