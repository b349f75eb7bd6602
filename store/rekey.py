"""Re-encrypt every encrypted value under the current data key: `python -m store.rekey`.

Key rotation (docs/data-protection.md): put a new key first in DATA_ENCRYPTION_KEYS, keep the old
one after it, restart the processes, run this, then remove the old key.

Each encrypted column is walked in primary-key order, `batch_size` rows a transaction. A value
already under the current key is left alone, so the command is idempotent and, after an
interruption, a second run finishes the work. Each value is rewritten with a compare-and-swap
(``WHERE pk = … AND column = <the ciphertext read>``): a value the running application changed
meanwhile is never overwritten with an older one; it is counted as `changed_meanwhile` and the
next run picks it up if it still needs it. The command prints counts only and records one audit
entry with the same counts and the id of the current key (never a key, never a value).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import Column, Integer, MetaData, Table, Text, inspect, literal, select, \
    type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from store.audit import DATA_REKEYED, record
from common.settings import ConfigurationError
from store.crypto import DecryptionError, EncryptedText, EncryptedValue, Keyring, current_keyring
from store.erasure import TRACKER_EVENTS_TABLE, tracker_engine
from store.models import Base

DEFAULT_BATCH_SIZE = 500

# Rasa's tracker store (another database, TRACKER_DB_URL): the columns the rekey needs of its
# `events` table, whose `data` nlu/tracker_store.py encrypts.
TRACKER_EVENTS = Table(
    TRACKER_EVENTS_TABLE, MetaData(),
    Column("id", Integer, primary_key=True),
    Column("data", EncryptedText("events.data")),
)


@dataclass
class ColumnCount:
    reencrypted: int = 0
    already_current: int = 0
    changed_meanwhile: int = 0


@dataclass
class RekeySummary:
    key_id: str
    columns: dict[str, ColumnCount] = field(default_factory=dict)

    @property
    def reencrypted(self) -> int:
        return sum(count.reencrypted for count in self.columns.values())

    @property
    def already_current(self) -> int:
        return sum(count.already_current for count in self.columns.values())

    @property
    def changed_meanwhile(self) -> int:
        return sum(count.changed_meanwhile for count in self.columns.values())

    def as_dict(self) -> dict[str, object]:
        return {"key_id": self.key_id, "reencrypted": self.reencrypted,
                "already_current": self.already_current,
                "changed_meanwhile": self.changed_meanwhile,
                "columns": {name: asdict(count) for name, count in self.columns.items()}}


def encrypted_columns() -> list[tuple[Table, Column, Column]]:
    """(table, primary key column, encrypted column) of every encrypted column of the models."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedValue):
                (primary_key,) = table.primary_key.columns
                found.append((table, primary_key, column))
    return found


def _raw(column: Column):  # type: ignore[no-untyped-def]
    """The column as the stored ciphertext (no decryption)."""
    return type_coerce(column, Text)


def _batches(factory: sessionmaker[Session], primary_key: Column, column: Column,
             batch_size: int) -> Iterator[list[tuple[object, str]]]:
    last = None
    while True:
        query = select(primary_key, _raw(column)).where(column.is_not(None))
        if last is not None:
            query = query.where(primary_key > last)
        with factory() as session:
            rows = [(row[0], row[1]) for row in
                    session.execute(query.order_by(primary_key).limit(batch_size))]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rekey_column(factory: sessionmaker[Session], keyring: Keyring, table: Table,
                 primary_key: Column, column: Column, batch_size: int, *,
                 plaintext_json: bool = False) -> ColumnCount:
    """Re-encrypt one column's values not under the current key, a transaction per batch.

    `plaintext_json`: a value that is a JSON object is one written before encryption (Rasa's
    tracker events of an older installation); it is encrypted rather than refused.
    """
    context = column.type.context  # type: ignore[attr-defined]
    count = ColumnCount()
    for rows in _batches(factory, primary_key, column, batch_size):
        with factory.begin() as session:
            for key, token in rows:
                if plaintext_json and token.startswith("{"):
                    fresh = keyring.encrypt(token, context)
                elif keyring.is_current(token, context):
                    count.already_current += 1
                    continue
                else:
                    fresh = keyring.encrypt(keyring.decrypt(token, context), context)
                result = session.execute(
                    update(table)
                    .where(primary_key == key, _raw(column) == literal(token, Text))
                    .values({column.name: literal(fresh, Text)})
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    count.reencrypted += 1
                else:
                    count.changed_meanwhile += 1
    return count


def rekey_tracker(tracker_db_url: str, keyring: Keyring, batch_size: int) -> ColumnCount | None:
    """Re-encrypt the events of Rasa's tracker store, and encrypt any stored before encryption
    (an installation upgraded from a plain SQL tracker store); None when it has no events yet."""
    engine = tracker_engine(tracker_db_url)
    if engine is None:
        return None
    try:
        if not inspect(engine).has_table(TRACKER_EVENTS_TABLE):
            return None
        return rekey_column(sessionmaker(engine), keyring, TRACKER_EVENTS,
                            TRACKER_EVENTS.c.id, TRACKER_EVENTS.c.data, batch_size,
                            plaintext_json=True)
    finally:
        engine.dispose()


def rekey(factory: sessionmaker[Session], keyring: Keyring | None = None, *,
          batch_size: int = DEFAULT_BATCH_SIZE, tracker_db_url: str | None = None) -> RekeySummary:
    """Bring every encrypted value under the current key; audit the counts.

    With `tracker_db_url`, the conversations in Rasa's tracker store too (`events.data`).
    """
    keyring = keyring or current_keyring()
    summary = RekeySummary(key_id=keyring.current_id)
    for table, primary_key, column in encrypted_columns():
        summary.columns[f"{table.name}.{column.name}"] = rekey_column(
            factory, keyring, table, primary_key, column, batch_size
        )
    if tracker_db_url is not None:
        tracker = rekey_tracker(tracker_db_url, keyring, batch_size)
        if tracker is not None:
            summary.columns["events.data"] = tracker
    with factory.begin() as session:
        record(session, DATA_REKEYED, username="rekey",
               detail=json.dumps(summary.as_dict(), sort_keys=True))
    return summary


def main(argv: list[str] | None = None) -> None:
    from common.logging_setup import configure_logging
    from common.settings import get_settings
    from store.db import default_session_factory

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=f"rows per transaction (default {DEFAULT_BATCH_SIZE})")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    configure_logging(get_settings().log_level)
    try:
        summary = rekey(default_session_factory(), batch_size=args.batch_size,
                        tracker_db_url=get_settings().tracker_db_url)
    except (ConfigurationError, DecryptionError) as error:
        # A missing key, or a value under a key no longer listed: the batches done stay done.
        raise SystemExit(f"error: {error}") from None
    for name, count in summary.columns.items():
        print(f"{name}: {count.reencrypted} re-encrypted, {count.already_current} already "
              f"under the current key, {count.changed_meanwhile} changed meanwhile")
    print(f"current key {summary.key_id}: {summary.reencrypted} re-encrypted, "
          f"{summary.already_current} already current, "
          f"{summary.changed_meanwhile} changed meanwhile")
    if summary.changed_meanwhile:
        print("some values changed while it ran: run it again")
    else:
        print("every value is under the current key: once every process has been restarted "
              "with it first, the other keys can be removed")


if __name__ == "__main__":
    main()
