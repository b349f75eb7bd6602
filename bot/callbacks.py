"""Short callback ids for inline buttons, mapped to their Rasa payloads on the server.

Telegram limits callback_data to 64 bytes, and an Arabic payload or title soon passes that;
the bot sends a random short id instead and keeps the payload here.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass

# Callback data the bot handles itself, without Rasa: "lang:ar", "lang:en", "del:yes", "del:no".
LANGUAGE_PREFIX = "lang:"
DELETE_PREFIX = "del:"
DELETE_YES = DELETE_PREFIX + "yes"
DELETE_NO = DELETE_PREFIX + "no"
BUTTON_PREFIX = "b:"


@dataclass(frozen=True)
class StoredButton:
    payload: str
    title: str


class CallbackStore:
    """A bounded in-memory map from callback id to button (oldest forgotten first).

    A button pressed after the id was forgotten (or after a restart of the bot) gets a kind
    "please type your answer" reply, never an error.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._buttons: OrderedDict[str, StoredButton] = OrderedDict()

    def register(self, payload: str, title: str) -> str:
        callback_id = BUTTON_PREFIX + secrets.token_urlsafe(9)
        self._buttons[callback_id] = StoredButton(payload=payload, title=title)
        while len(self._buttons) > self._capacity:
            self._buttons.popitem(last=False)
        return callback_id

    def resolve(self, callback_id: str) -> StoredButton | None:
        return self._buttons.get(callback_id)
