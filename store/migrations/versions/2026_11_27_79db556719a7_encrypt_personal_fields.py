"""encrypt personal fields at rest: referral phone, description, referred_to; notes; chat ids

Revision ID: 79db556719a7
Revises: 440d53fc150e
Create Date: 2026-11-27 09:45:00.000000

The columns become TEXT (a ciphertext is longer than a phone number, and a chat id is no longer a
number in the database), then every existing plaintext value is encrypted in place with the
current key of DATA_ENCRYPTION_KEYS (store/crypto.py). An empty database needs no key; a database
with personal values and no key stops the migration with a clear message before anything
changes. A value that already decrypts under its column is left alone, so a migration interrupted
on SQLite (whose schema changes are not all transactional) can simply be run again.
Downgrade decrypts every value back to plaintext and restores the old column types.
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from store.crypto import DecryptionError, Keyring, current_keyring


revision = '79db556719a7'
down_revision = '440d53fc150e'
branch_labels = None
depends_on = None

BATCH = 500

# (table, primary key, column, type before, whether it holds a whole number)
COLUMNS = (
    ("referral", "id", "phone", sa.String(length=20), False),
    ("referral", "id", "description", sa.Text(), False),
    ("referral", "id", "referred_to", sa.String(length=200), False),
    ("referral_event", "id", "referred_to", sa.String(length=200), False),
    ("referral_event", "id", "note", sa.Text(), False),
    ("chat_link", "user_key", "chat_id", sa.BigInteger(), True),
)


def _keyring_if_needed(connection: sa.Connection) -> Keyring | None:
    """The keyring, or None when there is nothing to convert; refuses to go on without a key."""
    values = 0
    for table, _pk, column, _old, _number in COLUMNS:
        values += connection.scalar(
            sa.text(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        ) or 0
    if not values:
        return None
    # Raises ConfigurationError naming DATA_ENCRYPTION_KEYS when it is missing or malformed.
    return current_keyring()


def _rows(connection: sa.Connection, table: str, pk: str, column: str):  # type: ignore[no-untyped-def]
    """(primary key, value) of every non-NULL value, in batches by primary key."""
    rows = sa.table(table, sa.column(pk), sa.column(column, sa.Text()))
    last = None
    while True:
        query = sa.select(rows.c[pk], rows.c[column]).where(rows.c[column].is_not(None))
        if last is not None:
            query = query.where(rows.c[pk] > last)
        batch = connection.execute(query.order_by(rows.c[pk]).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def _rewrite(connection: sa.Connection, table: str, pk: str, column: str, change) -> None:  # type: ignore[no-untyped-def]
    rows = sa.table(table, sa.column(pk), sa.column(column, sa.Text()))
    for key, value in _rows(connection, table, pk, column):
        new = change(str(value))
        if new is not None and new != value:
            connection.execute(
                sa.update(rows).where(rows.c[pk] == key).values({column: new})
            )


def _already_encrypted(keyring: Keyring, value: str, context: str) -> bool:
    try:
        keyring.decrypt(value, context)
    except DecryptionError:
        return False
    return True


def upgrade() -> None:
    connection = op.get_bind()
    keyring = _keyring_if_needed(connection)
    postgres = connection.dialect.name == "postgresql"
    for table in ("referral", "referral_event", "chat_link"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _pk, column, old, _number in COLUMNS:
                if name == table and not isinstance(old, sa.Text):
                    batch_op.alter_column(
                        column, existing_type=old, type_=sa.Text(),
                        postgresql_using=f"{column}::text" if postgres else None,
                    )
    if keyring is None:
        return
    for table, pk, column, _old, number in COLUMNS:
        context = f"{table}.{column}"

        def encrypt(value: str, context: str = context, number: bool = number) -> str | None:
            if _already_encrypted(keyring, value, context):
                return None
            return keyring.encrypt(str(int(value)) if number else value, context)

        _rewrite(connection, table, pk, column, encrypt)


def downgrade() -> None:
    connection = op.get_bind()
    keyring = _keyring_if_needed(connection)
    if keyring is not None:
        for table, pk, column, _old, _number in COLUMNS:
            context = f"{table}.{column}"
            _rewrite(connection, table, pk, column,
                     lambda value, context=context: keyring.decrypt(value, context))
    postgres = connection.dialect.name == "postgresql"
    for table in ("referral", "referral_event", "chat_link"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _pk, column, old, number in COLUMNS:
                if name == table and not isinstance(old, sa.Text):
                    # Text → varchar(n) needs no USING, and without one PostgreSQL refuses a
                    # value that would not fit rather than truncating it.
                    batch_op.alter_column(
                        column, existing_type=sa.Text(), type_=old,
                        postgresql_using=f"{column}::bigint" if postgres and number else None,
                    )
