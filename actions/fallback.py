"""When the assistant did not understand: rephrase once, then offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import reply_language, send_messages
from content.loader import message, topic_buttons

PERSON_BUTTONS = {
    "ar": [("👤 نعم، أريد موظف حالة", "/referral_request"), ("لا، شكراً", "/deny")],
    "en": [("👤 Yes, a caseworker please", "/referral_request"), ("No, thanks", "/deny")],
}


def _buttons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]


class ActionFallback(Action):
    """First miss: ask to rephrase with topic buttons. Second miss in a row: offer a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = reply_language(tracker)
        if (tracker.get_slot("fallback_count") or 0) >= 2:
            reply = {"text": message("offer_person", language),
                     "buttons": _buttons(PERSON_BUTTONS[language])}
        else:
            reply = {"text": message("rephrase", language), "buttons": topic_buttons(language)}
        send_messages(dispatcher, [reply])
        return []
