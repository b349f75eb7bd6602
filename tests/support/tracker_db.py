"""A small SQLite file shaped like Rasa 3.6's SQL tracker store, for the erasure tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def make_tracker_db(path: Path, rows: list[tuple[str, str]]) -> None:
    """An SQLite file with the table Rasa 3.6's SQLTrackerStore creates (`events`)."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 0, '{}')",
            rows,
        )
    connection.close()


def senders(path: Path) -> list[str]:
    """The sender ids of the events, in insertion order."""
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT sender_id FROM events")]
    finally:
        connection.close()
