"""Tests for the pure parts of evaluation/variants.py: fallback relabelling and config changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from evaluation.variants import CLASSIFIER, CRISIS_RULES, VARIANTS, relabel_fallback

BASE: dict[str, Any] = {
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "nlu.components.ArabicNormalizer"},
        {"name": CLASSIFIER, "C": 30},
        {"name": CRISIS_RULES, "min_model_confidence": 0.5},
        {"name": "nlu.components.GovernorateExtractor"},
        {"name": "FallbackClassifier", "threshold": 0.1, "ambiguity_threshold": 0.02},
    ]
}


def _names(config: dict[str, Any]) -> list[str]:
    return [c["name"] for c in config["pipeline"]]


def _result(*ranking: tuple[str, float]) -> dict[str, Any]:
    return {"intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}


@pytest.mark.parametrize(
    ("result", "threshold", "ambiguity", "expected"),
    [
        (_result(("greet", 0.6), ("thank", 0.2)), 0.3, 0.02, "greet"),
        (_result(("greet", 0.6), ("thank", 0.2)), 0.7, 0.02, "nlu_fallback"),  # below threshold
        (_result(("greet", 0.41), ("thank", 0.40)), 0.3, 0.02, "nlu_fallback"),  # ambiguous
        (_result(("greet", 0.41), ("thank", 0.40)), 0.3, 0.0, "greet"),
        # a fallback prediction is undone first: the real ranking decides again
        (_result(("nlu_fallback", 0.3), ("greet", 0.25), ("thank", 0.1)), 0.2, 0.02, "greet"),
        (_result(("greet", 1.0)), 0.3, 0.02, "greet"),  # a single intent
        (_result(), 0.3, 0.02, "nlu_fallback"),
    ],
)
def test_relabel_fallback(
    result: dict[str, Any], threshold: float, ambiguity: float, expected: str
) -> None:
    assert relabel_fallback(result, threshold, ambiguity) == expected


def test_current_variant_changes_nothing() -> None:
    config = copy.deepcopy(BASE)
    VARIANTS["current config.yml"](config)
    assert config == BASE


def test_set_changes_one_option() -> None:
    config = copy.deepcopy(BASE)
    VARIANTS["TF-IDF C=10"](config)
    assert config["pipeline"][2] == {"name": CLASSIFIER, "C": 10.0}
    assert BASE["pipeline"][2]["C"] == 30  # the base is untouched


def test_without_removes_the_component() -> None:
    config = copy.deepcopy(BASE)
    VARIANTS["without CrisisRules"](config)
    assert CRISIS_RULES not in _names(config)


def test_replace_puts_the_components_in_place() -> None:
    config = copy.deepcopy(BASE)
    VARIANTS["previous: count vectors + Rasa LR"](config)
    assert _names(config) == [
        "WhitespaceTokenizer",
        "nlu.components.ArabicNormalizer",
        "CountVectorsFeaturizer",
        "CountVectorsFeaturizer",
        "LogisticRegressionClassifier",
        CRISIS_RULES,
        "nlu.components.GovernorateExtractor",
        "FallbackClassifier",
    ]


def test_a_missing_component_is_an_error() -> None:
    config = {"pipeline": [{"name": "WhitespaceTokenizer"}]}
    with pytest.raises(KeyError):
        VARIANTS["TF-IDF C=30"](config)
