"""Tests for evaluation/metrics.py: scoring functions (pure)."""

from __future__ import annotations

import pytest

from evaluation.metrics import (
    entity_scores,
    false_alarm_rate,
    macro_f1,
    per_label_scores,
    percentile,
    recall_of,
    share_predicted_as,
)

GOLD = ["a", "a", "b", "b", "c"]
PRED = ["a", "b", "b", "b", "nlu_fallback"]


def test_per_label_scores() -> None:
    scores = per_label_scores(GOLD, PRED, ["a", "b", "c"])
    assert scores["a"].precision == 1.0
    assert scores["a"].recall == 0.5
    assert scores["a"].f1 == pytest.approx(2 / 3)
    assert scores["b"].precision == pytest.approx(2 / 3)
    assert scores["b"].recall == 1.0
    assert scores["b"].f1 == pytest.approx(0.8)
    assert scores["c"] == scores["c"].__class__(0.0, 0.0, 0.0, 1)  # fallback is an error
    assert scores["a"].support == 2


def test_macro_f1_counts_every_label_equally() -> None:
    assert macro_f1(GOLD, PRED, ["a", "b", "c"]) == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert macro_f1(GOLD, GOLD, ["a", "b", "c"]) == 1.0
    assert macro_f1(GOLD, PRED, []) == 0.0


def test_label_absent_everywhere_scores_zero() -> None:
    assert per_label_scores(GOLD, PRED, ["z"])["z"].f1 == 0.0


def test_length_mismatch_raises() -> None:
    with pytest.raises(ValueError):
        per_label_scores(["a"], [], ["a"])


@pytest.mark.parametrize(
    ("label", "accepted", "expected"),
    [("a", (), 0.5), ("a", ("b",), 1.0), ("c", (), 0.0), ("missing", (), 0.0)],
)
def test_recall_of(label: str, accepted: tuple[str, ...], expected: float) -> None:
    assert recall_of(GOLD, PRED, label, accepted) == expected


def test_false_alarm_rate_counts_only_negatives() -> None:
    gold = ["crisis", "greet", "greet", "thank", "crisis"]
    pred = ["greet", "crisis", "greet", "thank", "crisis"]
    assert false_alarm_rate(gold, pred, ["crisis"]) == (1, 3)


def test_share_predicted_as() -> None:
    assert share_predicted_as(["x", "y", "x"], {"x"}) == (2, 3)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0], 50, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([10.0, 0.0, 20.0], 50, 10.0),  # unsorted input
        (list(range(1, 101)), 95, 95.05),  # numpy.percentile gives the same
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_rejects_bad_input(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_entity_scores_need_span_and_value() -> None:
    gold = [[(0, 5, "governorate", "anbar")], [(3, 9, "governorate", "ninewa")], []]
    pred = [
        [(0, 5, "governorate", "anbar")],  # hit
        [(3, 9, "governorate", "kirkuk")],  # wrong value: a miss and a false positive
        [(0, 2, "governorate", "erbil"), (0, 2, "other", "x")],  # false positive; type ignored
    ]
    scores = entity_scores(gold, pred, "governorate")
    assert scores.support == 2
    assert scores.precision == pytest.approx(1 / 3)
    assert scores.recall == 0.5
    assert scores.f1 == pytest.approx(0.4)


def test_fallen_intents_names_each_intent_whose_f1_fell() -> None:
    from evaluation.heldout import fallen_intents

    previous = {"greet": {"f1-score": 0.9}, "thank": {"f1-score": 0.8}, "deny": {"f1-score": 1.0}}
    current = {"greet": {"f1-score": 0.85}, "thank": {"f1-score": 0.9}, "deny": {"f1-score": 1.0}}
    assert fallen_intents(previous, current, ["greet", "thank", "deny", "affirm"]) == [
        ("greet", 0.9, 0.85)
    ]


def test_fallen_intents_counts_a_vanished_intent_as_zero() -> None:
    from evaluation.heldout import fallen_intents

    assert fallen_intents({"greet": {"f1-score": 0.5}}, {}, ["greet"]) == [("greet", 0.5, 0.0)]


def test_bootstrap_difference_of_identical_systems_is_zero() -> None:
    from evaluation.metrics import bootstrap_macro_f1_difference

    gold = ["a", "b", "a", "c"] * 5
    assert bootstrap_macro_f1_difference(gold, gold, gold, ["a", "b", "c"], 50) == (0.0, 0.0, 0.0)


def test_bootstrap_difference_brackets_the_observed_gap() -> None:
    from evaluation.metrics import bootstrap_macro_f1_difference

    gold = ["a", "b"] * 50
    better = list(gold)
    worse = ["a"] * 100
    observed, low, high = bootstrap_macro_f1_difference(gold, better, worse, ["a", "b"], 200)
    assert observed == pytest.approx(1.0 - (2 / 3) / 2)
    assert 0 < low <= observed <= high
    with pytest.raises(ValueError):
        bootstrap_macro_f1_difference(gold, better, worse[:3], ["a"])
