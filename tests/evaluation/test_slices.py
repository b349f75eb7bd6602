"""Tests for evaluation/slices.py: which slice a text belongs to (pure rules)."""

from __future__ import annotations

import pytest

from evaluation.slices import (
    SLICES,
    assign_slice,
    dialect_marker_count,
    msa_marker_count,
)
from nlu.arabic import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latin script, plain English
        ("hello good afternoon", "english"),
        ("my husband is hitting me", "english"),
        ("I need a job in the 2nd district", "english"),  # "2nd" is English, not Arabizi
        ("meet me at 5pm", "english"),
        ("covid-19 test", "english"),  # digits not attached to letters
        # Latin script with Arabizi digits or words
        ("shlon atla3 hawiya", "arabizi"),
        ("ariid anta7ir", "arabizi"),
        ("aku 7ad y3arf", "arabizi"),
        ("la2 shukran", "arabizi"),
        ("hala wallah", "arabizi"),  # known words, no digits
        ("mar7aba", "arabizi"),
        # Arabic script with Iraqi letters or dialect words
        ("شلون اطلع هوية", "dialect"),
        ("ماكو شغل", "dialect"),
        ("اكو احد يساعدني", "dialect"),
        ("هسه وين اروح", "dialect"),
        ("شنو اسوي", "dialect"),
        ("يگولون اسمك مطلوب", "dialect"),  # گ
        ("باچر", "dialect"),  # چ
        ("ولهسه ما وصل", "dialect"),  # و + ل attached to هسه
        ("تعبت من هالعيشه", "dialect"),  # attached demonstrative هال
        # Arabic script, MSA
        ("كيف أحصل على شهادة ميلاد", "msa"),
        ("هل يمكنني تغيير اللغة", "msa"),
        ("لم أعد أحتمل وأريد أن أضع حدا لحياتي", "msa"),  # أريد loses to لم
        ("مرحبا بكم", "msa"),  # no marker at all
        # mixed script: the majority decides
        ("birth certificate ماكو", "english"),
        ("compensation مال بيتي بالرمادي شلون اتابعه", "dialect"),
        # no letters
        ("😂😂", "other"),
        ("123", "other"),
        ("", "other"),
    ],
)
def test_assign_slice(text: str, expected: str) -> None:
    assert assign_slice(text) == expected


def test_slices_are_the_four_reported() -> None:
    assert SLICES == ("dialect", "msa", "arabizi", "english")


@pytest.mark.parametrize(
    ("text", "dialect", "msa"),
    [
        ("شلون اطلع هويه", 1, 0),
        ("وأريد أن", 1, 0),  # أن is not an MSA marker (ان شاء الله)
        ("هل هناك جلسات", 0, 2),
        ("ماكو هسه", 2, 0),
        ("فاريد", 1, 0),  # ف + اريد
        ("بس", 1, 0),  # two letters: never stripped to "س"
    ],
)
def test_marker_counts(text: str, dialect: int, msa: int) -> None:
    words = normalize(text).split()
    assert dialect_marker_count(words) == dialect
    assert msa_marker_count(words) == msa


@pytest.mark.parametrize("text", ["شلون", "SHLON atla3", "  hello  ", "هلا 👋"])
def test_assign_slice_is_deterministic(text: str) -> None:
    assert assign_slice(text) == assign_slice(text)
