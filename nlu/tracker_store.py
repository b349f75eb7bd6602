"""Rasa's SQL tracker store with every event's content encrypted at rest.

Rasa keeps a conversation as rows of its `events` table; the `data` column is the whole event
as JSON: the user's message text, the slots (a phone number, a description), the parse result.
`EncryptedSQLTrackerStore` is Rasa's own `SQLTrackerStore` whose `events.data` column has the
same AES-256-GCM column type as the referral store (`store.crypto.EncryptedText`, key from
DATA_ENCRYPTION_KEYS, bound to ``events.data``). Nothing else changes: the table, its columns
and Rasa's queries are Rasa's; the sender id is already a keyed pseudonym (bot/pseudonym.py),
and `type_name`, `intent_name`, `action_name` and `timestamp` stay readable so that erasure
(by sender) and the retention purge (by timestamp) work without any key.

endpoints.yml names this class as the tracker store's `type`. Rasa falls back *silently* to an
in-memory store when a custom class cannot be imported, which would lose every conversation on
a restart: `tests/nlu/test_tracker_store.py` checks, through a real Rasa server, that the
events land in the database and are encrypted there.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.orm import declarative_base

from store.crypto import EncryptedText, current_keyring

EVENTS_DATA_CONTEXT = "events.data"

_Base: Any = declarative_base()


class _EncryptedEvent(_Base):
    """Rasa's `events` table, column for column, with `data` encrypted."""

    __tablename__ = "events"

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    type_name = sa.Column(sa.String(255), nullable=False)
    timestamp = sa.Column(sa.Float)
    intent_name = sa.Column(sa.String(255))
    action_name = sa.Column(sa.String(255))
    data = sa.Column(EncryptedText(EVENTS_DATA_CONTEXT))


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose events are stored encrypted (see the module docstring)."""

    Base = _Base
    SQLEvent = _EncryptedEvent

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A missing or malformed key stops the server at start-up, not at the first message.
        current_keyring()
        super().__init__(*args, **kwargs)
