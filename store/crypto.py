"""Encryption at rest of personal fields: AES-256-GCM with the key from DATA_ENCRYPTION_KEYS.

What is encrypted: the free text and contact details of a referral (phone number, description,
the service it was referred to), the caseworkers' notes and the bot's user key → chat id link.
Whoever holds only the database (a backup, a dump, a stolen disk) learns none of them.

Why AES-256-GCM (cryptography's `AESGCM`) rather than Fernet:

- it is authenticated encryption: a value altered in the database, or decrypted with the wrong
  key, raises `DecryptionError`; it never comes back as garbage;
- it takes *associated data*: every value is bound to its ``table.column`` (the `context`), so
  a ciphertext copied into another column (a note pasted into the phone column) fails to decrypt;
- a short key id in every value says which key encrypted it, so rotation is an explicit
  list of keys (`Keyring`) and `python -m store.rekey` can skip what is already current without
  trying every key. Fernet's MultiFernet has no associated data and tries each key in turn.

A stored value is ``enc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``: a 96-bit random
nonce per value (NIST SP 800-38D: random nonces stay safe for far more than the 2³² values one
key will ever encrypt here), the 128-bit tag. The plaintext is padded to a multiple of
`PAD_BLOCK` bytes inside the encryption, so the length of a ciphertext tells only roughly how
long a description is, and nothing about a phone number or chat id.

The keys come from DATA_ENCRYPTION_KEYS: comma-separated, each the urlsafe base64 of 32 random
bytes; the first encrypts, all decrypt. They are read and checked at first use, never at
import, and a missing or malformed key raises `ConfigurationError` saying what to do. The key id
is a 32-bit HMAC of the key: it names a key without revealing anything about it.

`EncryptedText` and `EncryptedInteger` are SQLAlchemy column types that do this transparently,
so the models and the code that uses them read and write plain values. Such a column cannot be
searched or compared in SQL (every encryption of a value differs): the comparator refuses
anything but ``IS NULL`` / ``IS NOT NULL``, so a query that would silently match nothing fails
loudly instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

from common.settings import ConfigurationError, Settings, get_settings

PREFIX = "enc1"
KEY_BYTES = 32
NONCE_BYTES = 12
PAD_BLOCK = 32
ASSOCIATED_DATA_PREFIX = b"returnee-assistant/enc1/"
SETTING = "DATA_ENCRYPTION_KEYS"
NEW_KEY_COMMAND = (
    'python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted: altered, misplaced, or its key is not configured.

    The message names the column and the key id, never the value.
    """


def new_key() -> str:
    """A fresh data key in the form DATA_ENCRYPTION_KEYS takes."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    """A short public name of a key: 8 hex digits of an HMAC keyed by the key itself."""
    return hmac.new(key, b"data key id", hashlib.sha256).hexdigest()[:8]


def parse_keys(raw: str) -> list[bytes]:
    """The keys of a DATA_ENCRYPTION_KEYS value, current first; ConfigurationError if malformed."""
    parts = [part.strip() for part in raw.split(",")] if raw.strip() else []
    if not parts:
        raise ConfigurationError(
            f"{SETTING} must be set: personal data in the referral store is encrypted with it "
            f"(`make run` writes one into .env; or generate one with {NEW_KEY_COMMAND})"
        )
    keys: list[bytes] = []
    for position, part in enumerate(parts, start=1):
        try:
            key = base64.b64decode(part + "=" * (-len(part) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"{SETTING}: key {position} is not the urlsafe base64 of {KEY_BYTES} bytes "
                f"(generate one with {NEW_KEY_COMMAND})"
            )
        if key in keys:
            raise ConfigurationError(f"{SETTING}: key {position} appears twice")
        keys.append(key)
    if len({key_id(key) for key in keys}) != len(keys):
        raise ConfigurationError(f"{SETTING}: two keys share a key id; generate a new key")
    return keys


def _pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding: 0x80 then zeros up to a multiple of PAD_BLOCK."""
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def split_token(token: str, context: str) -> tuple[str, bytes]:
    """The key id and the nonce‖ciphertext of a stored value; DecryptionError if not one."""
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) == 3 and parts[0] == PREFIX and len(parts[1]) == 8:
        try:
            blob = _b64decode(parts[2])
        except (binascii.Error, ValueError):
            blob = b""
        if len(blob) >= NONCE_BYTES + 16 + PAD_BLOCK:
            return parts[1], blob
    raise DecryptionError(
        f"{context} holds a value that is not encrypted in the expected form "
        "(was the database migrated with `python -m store.migrate`?)"
    )


class Keyring:
    """The configured data keys: the first encrypts, every one decrypts."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ConfigurationError(f"{SETTING} holds no key")
        self._ciphers = {key_id(key): AESGCM(key) for key in keys}
        self.current_id = key_id(keys[0])
        self.key_ids = tuple(self._ciphers)

    @classmethod
    def from_setting(cls, raw: str) -> Keyring:
        return cls(parse_keys(raw))

    def encrypt(self, plaintext: str, context: str) -> str:
        """Encrypt a text under the current key, bound to `context` (``table.column``)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current_id].encrypt(
            nonce, _pad(plaintext.encode("utf-8")), ASSOCIATED_DATA_PREFIX + context.encode()
        )
        encoded = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{PREFIX}:{self.current_id}:{encoded}"

    def decrypt(self, token: str, context: str) -> str:
        """The text of a stored value; DecryptionError when it cannot be trusted."""
        kid, blob = split_token(token, context)
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise DecryptionError(
                f"{context}: the value was encrypted with key {kid}, which is not in {SETTING} "
                f"(configured: {', '.join(self.key_ids)}); add that key after the current one"
            )
        try:
            padded = cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                    ASSOCIATED_DATA_PREFIX + context.encode())
            return _unpad(padded).decode("utf-8")
        except (InvalidTag, ValueError) as error:
            raise DecryptionError(
                f"{context}: an encrypted value failed authentication with key {kid}: it was "
                "altered or copied from another column or database"
            ) from error

    def is_current(self, token: str, context: str) -> bool:
        """Whether a stored value is already under the current key (`store.rekey` skips it)."""
        return split_token(token, context)[0] == self.current_id


@lru_cache(maxsize=4)
def _keyring_for(raw: str) -> Keyring:
    return Keyring.from_setting(raw)


def current_keyring(settings: Settings | None = None) -> Keyring:
    """The keyring of the settings (parsed once per distinct setting, checked at first use).

    Processes call it at start-up too, so a missing key stops them at once rather than at the
    first referral.
    """
    return _keyring_for((settings or get_settings()).data_encryption_keys)


_ORDERING = (operators.asc_op, operators.desc_op)


class EncryptedValue(TypeDecorator[Any]):
    """A column stored encrypted (TEXT in the database), bound to ``table.column``."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):  # type: ignore[type-arg]  # noqa: N801
        """Comparing ciphertext with a value would silently never match (every encryption of a
        value differs), so it is refused; NULL checks work, and so do comparisons with other
        SQL expressions, which SQLAlchemy itself makes when it matches columns."""

        def operate(self, op, *other, **kwargs):  # type: ignore[no-untyped-def]
            if op in _ORDERING or any(
                value is not None and not isinstance(value, ClauseElement) for value in other
            ):
                raise TypeError(
                    f"{self.expr} is encrypted: it cannot be compared, searched or sorted in SQL; "
                    "select the rows by another column and compare in Python"
                )
            return super().operate(op, *other, **kwargs)

    def __init__(self, context: str) -> None:
        super().__init__()
        if context.count(".") != 1:
            raise ValueError("context must be 'table.column'")
        self.context = context

    def to_text(self, value: Any) -> str:
        raise NotImplementedError

    def from_text(self, text: str) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return current_keyring().encrypt(self.to_text(value), self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.from_text(current_keyring().decrypt(value, self.context))

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        raise TypeError(f"{self.context} is encrypted: it cannot be rendered as an SQL literal")


class EncryptedText(EncryptedValue):
    """A text column stored encrypted."""

    cache_ok = True

    @property
    def python_type(self) -> type:
        return str

    def to_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.context} takes text, not {type(value).__name__}")
        return value

    def from_text(self, text: str) -> str:
        return text


class EncryptedInteger(EncryptedValue):
    """A whole-number column (a Telegram chat id) stored encrypted."""

    cache_ok = True

    @property
    def python_type(self) -> type:
        return int

    def to_text(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{self.context} takes a whole number, not {type(value).__name__}")
        return str(value)

    def from_text(self, text: str) -> int:
        return int(text)
