"""Held-out messages that also appear in the training data (pure; both environments).

A held-out sentence copied into the training data makes the held-out score say nothing about
that sentence. Two texts count as the same when they are equal after `nlu.arabic.normalize` with
punctuation and symbols dropped ("Hello, good afternoon!" = "hello good afternoon").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from nlu.arabic import normalize

__all__ = ["leak_key", "find_leaks"]


def leak_key(text: str) -> str:
    """The form in which two texts are compared: normalised, no punctuation, single spaces."""
    words = [
        word
        for word in normalize(text).split()
        if not all(unicodedata.category(char)[0] in ("P", "S") for char in word)
    ]
    return " ".join(words)


def find_leaks(heldout: Sequence[str], training: Iterable[str]) -> list[int]:
    """Indexes of held-out texts whose `leak_key` equals that of a training text."""
    seen = {leak_key(text) for text in training}
    return [i for i, text in enumerate(heldout) if leak_key(text) in seen]
