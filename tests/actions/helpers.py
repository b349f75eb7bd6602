"""Build trackers and run actions the way the action server does, without HTTP."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SENDER = "a" * 64


def create_tracker(
    slots: dict[str, Any] | None = None,
    intent: str | None = None,
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = SENDER,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
        "text": text,
        "message_id": "m1",
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id=sender_id,
        slots={"language": "ar", **(slots or {})},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=None,
    )


async def run_action(action, tracker: Tracker, domain: dict | None = None):  # type: ignore[no-untyped-def]
    """Run an action; return (messages sent, events returned)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or {})
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
