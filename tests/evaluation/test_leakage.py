"""Tests for evaluation/leakage.py: held-out sentences found in the training data."""

from __future__ import annotations

import pytest

from evaluation.leakage import find_leaks, leak_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hello, good afternoon!", "hello good afternoon"),
        ("هل تتحدث معي آلة أم إنسان؟", "هل تتحدث معي اله ام انسان"),
        ("مرحبــــا", "مرحبا"),
        ("are you an AI", "are you an ai"),
    ],
)
def test_same_key(a: str, b: str) -> None:
    assert leak_key(a) == leak_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ماكو شغل", "اكو شغل"),
        ("hello good afternoon", "hello good morning"),
        ("مرحبا", "مرحبا بكم"),
    ],
)
def test_different_key(a: str, b: str) -> None:
    assert leak_key(a) != leak_key(b)


def test_find_leaks() -> None:
    heldout = ["thanks a million", "شلون اطلع هوية", "yup!"]
    training = ["Thanks a million.", "هويتي ضاعت", "yup"]
    assert find_leaks(heldout, training) == [0, 2]
    assert find_leaks(heldout, []) == []
