"""Validation of the referral form: consent first, then only the questions a case needs."""

from __future__ import annotations

import secrets
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import latest_intent
from common.phone import normalize_iraqi_mobile
from nlu.arabic import normalize
from nlu.places import GOVERNORATES, canonical_governorate

FORM_NAME = "referral_form"
DESCRIPTION_MAX_CHARS = 500
# The description slot's value when the user pressed "skip".
DESCRIPTION_SKIPPED = "-"

CATEGORIES = ("housing", "documents", "psychosocial", "protection", "livelihood", "other")
GOVERNORATE_OTHER = "other"

# Which need category a topic intent belongs to (prefills the form after a topic answer).
TOPIC_CATEGORIES = {
    "housing_damaged_home": "housing",
    "housing_compensation": "housing",
    "housing_shelter": "housing",
    "housing_property_dispute": "housing",
    "doc_civil_id": "documents",
    "doc_civil_registration": "documents",
    "doc_security_clearance": "documents",
    "pss_distress": "psychosocial",
    "pss_child": "psychosocial",
    "pss_stigma": "psychosocial",
    "livelihood_support": "livelihood",
}

# Words a user may type instead of pressing a category button (matched after normalisation).
CATEGORY_WORDS = {
    "housing": ("سكن", "بيت", "بيوت", "دار", "ايجار", "تعويض", "ارض", "housing", "house", "home", "shelter", "rent", "bait", "beit"),
    "documents": ("مستمسك", "مستمسكات", "هويه", "بطاقه", "جنسيه", "وثيقه", "وثائق", "تسجيل", "document", "documents", "id", "hawiya", "hawiyya"),
    "psychosocial": ("نفسي", "نفسيه", "دعم", "حزن", "قلق", "psychosocial", "mental", "stress", "nafsi"),
    "protection": ("حمايه", "امان", "عنف", "تهديد", "protection", "safety", "violence", "threat"),
    "livelihood": ("شغل", "عمل", "وظيفه", "فلوس", "مساعده ماليه", "work", "job", "cash", "money", "shoghol", "shughul"),
    "other": ("غير", "ثاني", "اخر", "other", "something else"),
}

CONTACT_WORDS = {
    "telegram": ("تلكرام", "تلگرام", "تليجرام", "تيليجرام", "رساله", "رسايل", "هنا", "telegram", "message", "here", "chat"),
    "phone": ("تلفون", "هاتف", "موبايل", "اتصال", "اتصلو", "اتصلوا", "رقم", "phone", "call", "mobile", "number"),
}

# The user pressed "no" on a multiple-choice question: they want to stop.
CANCEL_INTENTS = {"deny"}


# Attached prefixes tried off a typed word ("بالبيت" → "بيت"), longest first.
_ATTACHED_PREFIXES = ("وال", "بال", "لل", "ال", "و", "ب", "ل")


def _word_forms(text: str) -> set[str]:
    """The normalised words of a typed answer, with and without attached prefixes."""
    forms: set[str] = set()
    for word in normalize(text).split():
        forms.add(word)
        forms.update(word[len(p):] for p in _ATTACHED_PREFIXES
                     if word.startswith(p) and len(word) - len(p) >= 2)
    return forms


def _match_keywords(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    forms = _word_forms(text)
    padded = f" {normalize(text)} "
    for value, keywords in table.items():
        for keyword in keywords:
            key = normalize(keyword)
            if key in forms or (" " in key and f" {key} " in padded):
                return value
    return None


def category_from_text(text: str) -> str | None:
    """Map a typed answer to a need category, or None."""
    return _match_keywords(text, CATEGORY_WORDS)


def contact_method_from_text(text: str) -> str | None:
    """Map a typed answer to a contact method, or None."""
    if normalize_iraqi_mobile(text):
        return "phone"
    return _match_keywords(text, CONTACT_WORDS)


def is_validated_value(slot: str, value: Any) -> bool:
    """Whether a filled form slot holds a value its validator could have returned.

    Rasa fills slots from the user's message before it calls this action; when the action
    server is down that turn fails after the filling, so a raw answer ("ها", a typed place)
    can stay in the tracker unvalidated and, without this check, be stored as it is.
    """
    if slot in ("consent", "confirm"):
        return isinstance(value, bool)
    if slot == "need_category":
        return value in CATEGORIES
    if slot == "governorate":
        return value in GOVERNORATES or value == GOVERNORATE_OTHER
    if slot == "contact_method":
        return value in ("telegram", "phone")
    if slot == "phone":
        return isinstance(value, str) and normalize_iraqi_mobile(value) == value
    if slot == "description":
        return isinstance(value, str) and 0 < len(value) <= DESCRIPTION_MAX_CHARS
    return True


class ValidateReferralForm(FormValidationAction):
    """Validates each answer of `referral_form` and decides which questions remain."""

    def name(self) -> str:
        return f"validate_{FORM_NAME}"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("consent") is False:
            return []  # no consent, or cancelled: the form ends and nothing is stored
        slots = list(domain_slots)
        if tracker.get_slot("contact_method") != "phone":
            slots.remove("phone")
        if tracker.get_slot("urgent"):
            # Urgent (crisis) referrals ask the fewest questions.
            for slot in ("governorate", "description"):
                slots.remove(slot)
        return slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate this turn's answers, and clear any earlier answer left unvalidated.

        A cleared answer is simply asked again (see `is_validated_value`).
        """
        events = await super().get_validation_events(dispatcher, tracker, domain)
        validated = {e["name"] for e in events if e.get("event") == "slot"}
        for slot in self.domain_slots(domain):
            value = tracker.get_slot(slot)
            if slot not in validated and value is not None and not is_validated_value(slot, value):
                events.append(SlotSet(slot, None))
        return events

    async def extract_need_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """After a topic answer, the category of that topic is already known."""
        if tracker.get_slot("need_category") is None:
            category = TOPIC_CATEGORIES.get(tracker.get_slot("topic") or "")
            if category:
                return {"need_category": category}
        return {}

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True:
            # The form's idempotency key: drawn once, kept through retries of the submission.
            key = tracker.get_slot("referral_key") or secrets.token_hex(16)
            return {"consent": True, "referral_key": key}
        if isinstance(value, bool):
            return {"consent": value}
        dispatcher.utter_message(response="utter_invalid_choice")
        return {"consent": None}

    def validate_need_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in CATEGORIES:
            return {"need_category": value}
        if latest_intent(tracker) in CANCEL_INTENTS:
            return {"need_category": None, "consent": False}
        category = category_from_text(str(value))
        if category is None:
            dispatcher.utter_message(response="utter_invalid_choice")
        return {"need_category": category}

    def validate_governorate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == GOVERNORATE_OTHER:
            return {"governorate": GOVERNORATE_OTHER}
        if latest_intent(tracker) in CANCEL_INTENTS:
            return {"governorate": None, "consent": False}
        governorate = canonical_governorate(str(value))
        if governorate is None:
            dispatcher.utter_message(response="utter_invalid_choice")
        return {"governorate": governorate}

    def validate_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in ("telegram", "phone"):
            return {"contact_method": value}
        if latest_intent(tracker) in CANCEL_INTENTS:
            return {"contact_method": None, "consent": False}
        method = contact_method_from_text(str(value))
        phone = normalize_iraqi_mobile(str(value))
        if method is None:
            dispatcher.utter_message(response="utter_invalid_choice")
        # Someone who answers with their number has told us both things at once.
        return {"contact_method": method, **({"phone": phone} if phone else {})}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalize_iraqi_mobile(str(value))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"phone": phone}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if latest_intent(tracker) == "deny":
            return {"description": DESCRIPTION_SKIPPED}
        text = " ".join(str(value).split())
        if not text:
            return {"description": DESCRIPTION_SKIPPED}
        if len(text) > DESCRIPTION_MAX_CHARS:
            dispatcher.utter_message(response="utter_description_too_long")
            return {"description": None}
        return {"description": text}

    def validate_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared to ask again after a failed submission: nothing to say
            return {"confirm": None}
        if isinstance(value, bool):
            return {"confirm": value}
        dispatcher.utter_message(response="utter_invalid_choice")
        return {"confirm": None}
