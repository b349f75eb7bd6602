"""Helpers shared by the actions (no Action subclasses here)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

LANGUAGES = ("ar", "en")


def reply_language(tracker: Tracker) -> str:
    """The language of this conversation's replies (slot `language`, Arabic by default)."""
    value = tracker.get_slot("language")
    return value if value in LANGUAGES else "ar"


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def send_messages(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    """Send content messages ({"text", "buttons"}) through the dispatcher."""
    for message in messages:
        dispatcher.utter_message(text=message.get("text"), buttons=message.get("buttons") or [])
