"""'What happened to my request?': the user's own referrals and their status."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import reply_language
from content.loader import category_name, status_name
from store.db import default_session_factory
from store.repository import find_reference_codes, referrals_for_user

logger = logging.getLogger(__name__)

MAX_LISTED = 5


class ActionReferralStatus(Action):
    """Lists the sender's referrals (only theirs: a code of someone else reveals nothing)."""

    def name(self) -> str:
        return "action_referral_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = reply_language(tracker)
        try:
            with default_session_factory()() as session:
                referrals = referrals_for_user(session, tracker.sender_id)
        except SQLAlchemyError:
            logger.exception("referral status lookup failed")
            dispatcher.utter_message(response="utter_referral_failed")
            return []
        asked = set(find_reference_codes(tracker.latest_message.get("text") or ""))
        if asked:
            referrals = [referral for referral in referrals if referral.code in asked] or referrals
        if not referrals:
            dispatcher.utter_message(response="utter_no_referrals")
            return []
        dispatcher.utter_message(response="utter_referral_status_intro")
        for referral in referrals[:MAX_LISTED]:
            dispatcher.utter_message(
                response="utter_referral_status_line",
                code=referral.code,
                category_label=category_name(referral.category.value, language),
                status_label=status_name(referral.status.value, language),
                date=referral.created_at.strftime("%Y-%m-%d"),
            )
        return []
