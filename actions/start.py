"""/start: the welcome with the privacy notice."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import reply_language, send_messages
from content.loader import message


class ActionStart(Action):
    def name(self) -> str:
        return "action_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send_messages(dispatcher, [{"text": message("start", reply_language(tracker))}])
        dispatcher.utter_message(response="utter_greet")
        return []
