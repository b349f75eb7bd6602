"""When the assistant did not understand: rephrase once, then offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import reply_language, send_messages
from content.loader import message

TOPIC_BUTTONS = {
    "ar": [
        ("🏠 السكن والبيت", "/housing_damaged_home"),
        ("🪪 المستمسكات", "/doc_civil_id"),
        ("💬 الدعم النفسي", "/pss_distress"),
        ("🧰 العمل والمساعدة", "/livelihood_support"),
    ],
    "en": [
        ("🏠 Housing", "/housing_damaged_home"),
        ("🪪 Civil documents", "/doc_civil_id"),
        ("💬 Psychosocial support", "/pss_distress"),
        ("🧰 Work and assistance", "/livelihood_support"),
    ],
}
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
            text, buttons = message("offer_person", language), PERSON_BUTTONS[language]
        else:
            text, buttons = message("rephrase", language), TOPIC_BUTTONS[language]
        send_messages(dispatcher, [{"text": text, "buttons": _buttons(buttons)}])
        return []
