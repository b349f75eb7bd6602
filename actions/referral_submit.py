"""The end of the referral form: summary, confirmation, storage and the reference code."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import reply_language
from actions.referral_form import DESCRIPTION_SKIPPED, FORM_NAME
from common.settings import get_settings
from content.loader import category_name, governorate_name
from store.db import default_session_factory
from store.models import ContactMethod, NeedCategory, utcnow
from store.repository import ReferralDraft, create_referral

logger = logging.getLogger(__name__)

FORM_SLOTS = ("consent", "need_category", "contact_method", "phone", "description", "confirm",
              "referral_key")

CONTACT_LABELS = {
    "ar": {"telegram": "رسالة هنا بتلگرام"},
    "en": {"telegram": "a message here on Telegram"},
}
NOT_GIVEN = "—"


def reset_form_slots() -> list[dict[str, Any]]:
    """Clear what the form collected, so the next referral starts from a blank page.

    The governorate is kept: it is remembered for the conversation.
    """
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("urgent", False)]


def summary_values(tracker: Tracker, language: str) -> dict[str, str]:
    """The values shown in the summary the user confirms before anything is stored."""
    governorate = tracker.get_slot("governorate")
    description = tracker.get_slot("description")
    if tracker.get_slot("contact_method") == "phone":
        contact = tracker.get_slot("phone") or NOT_GIVEN
    else:
        contact = CONTACT_LABELS[language]["telegram"]
    return {
        "category_label": category_name(tracker.get_slot("need_category") or "other", language),
        "governorate_label": governorate_name(governorate, language) if governorate else NOT_GIVEN,
        "contact_label": contact,
        "description_label": (
            NOT_GIVEN if description in (None, DESCRIPTION_SKIPPED) else description
        ),
    }


class ActionAskConfirm(Action):
    """Shows the summary and asks the user to confirm it."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        response = "utter_referral_summary_urgent" if tracker.get_slot("urgent") else (
            "utter_referral_summary"
        )
        dispatcher.utter_message(
            response=response, **summary_values(tracker, reply_language(tracker))
        )
        return []


def request_key(tracker: Tracker) -> str:
    """Idempotency key of this submission: one key per referral form, whatever is retried.

    The form draws `referral_key` when consent is given and keeps it until the form ends, so
    a confirmation repeated after a timeout, a database outage or a lost reply, or a
    redelivered Telegram update, finds the referral stored the first time instead of storing
    a second one. A form opened before that slot existed falls back to the confirming
    message: the bot's stable `turn_id` per Telegram update, else Rasa's message id.
    """
    form_key = tracker.get_slot("referral_key")
    if form_key:
        return hashlib.sha256(f"{tracker.sender_id}|form|{form_key}".encode()).hexdigest()
    latest = tracker.latest_message
    turn = (latest.get("metadata") or {}).get("turn_id") or latest.get("message_id") or ""
    return hashlib.sha256(f"{tracker.sender_id}|{turn}".encode()).hexdigest()


def ask_again_events() -> list[dict[str, Any]]:
    """After a failed submission: keep the answers and reopen the form at the confirmation.

    Rasa then runs the form, which shows the summary again with its yes/no buttons; a "yes"
    retries the submission under the same `referral_key`.
    """
    return [SlotSet("confirm", None), ActiveLoop(FORM_NAME)]


def draft_from_tracker(tracker: Tracker) -> ReferralDraft:
    description = tracker.get_slot("description")
    contact_method = ContactMethod(tracker.get_slot("contact_method") or "telegram")
    return ReferralDraft(
        request_key=request_key(tracker),
        user_key=tracker.sender_id,
        category=NeedCategory(tracker.get_slot("need_category") or "other"),
        governorate=tracker.get_slot("governorate"),
        contact_method=contact_method,
        phone=tracker.get_slot("phone") if contact_method is ContactMethod.PHONE else None,
        description=None if description in (None, DESCRIPTION_SKIPPED) else description,
        language=reply_language(tracker),
        urgent=bool(tracker.get_slot("urgent")),
        consent_at=utcnow(),
        organisation=get_settings().default_organisation,
    )


class ActionSubmitReferral(Action):
    """Stores the confirmed referral and tells the user its reference code."""

    def name(self) -> str:
        return "action_submit_referral"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("consent") is not True:
            dispatcher.utter_message(response="utter_referral_no_consent")
            return reset_form_slots()
        if tracker.get_slot("confirm") is not True:
            dispatcher.utter_message(response="utter_referral_cancelled")
            return reset_form_slots()
        try:
            referral = create_referral(default_session_factory(), draft_from_tracker(tracker))
        except SQLAlchemyError as error:
            # No code unless the commit succeeded. The error's type only: its text may hold
            # the statement's parameters (what the user wrote).
            logger.error("referral could not be stored (%s): asking to try again",
                         type(error).__name__)
            dispatcher.utter_message(response="utter_referral_failed")
            return ask_again_events()
        logger.info("referral stored: id=%s urgent=%s", referral.id, referral.urgent)
        response = "utter_referral_stored_urgent" if referral.urgent else "utter_referral_stored"
        dispatcher.utter_message(response=response, code=referral.code)
        return reset_form_slots()
