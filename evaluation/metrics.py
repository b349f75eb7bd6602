"""Pure scoring functions (standard library only; both environments import this module).

Conventions, the same as scikit-learn's `classification_report` with `zero_division=0`:
precision, recall or F1 whose denominator is zero count as 0.0. A prediction of `nlu_fallback`
is simply a label that is never a gold label, so it is an error for the message's intent.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Scores",
    "per_label_scores",
    "macro_f1",
    "recall_of",
    "share_predicted_as",
    "false_alarm_rate",
    "percentile",
    "entity_scores",
    "Entity",
    "bootstrap_macro_f1_difference",
]


@dataclass(frozen=True)
class Scores:
    """Precision, recall, F1 and support (number of gold examples) of one label."""

    precision: float
    recall: float
    f1: float
    support: int


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def per_label_scores(
    gold: Sequence[str], predicted: Sequence[str], labels: Iterable[str]
) -> dict[str, Scores]:
    """Scores of each label in `labels` (labels absent from both lists score 0.0)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    true_pos: Counter[str] = Counter(g for g, p in zip(gold, predicted) if g == p)
    gold_count: Counter[str] = Counter(gold)
    pred_count: Counter[str] = Counter(predicted)
    result: dict[str, Scores] = {}
    for label in labels:
        precision = _ratio(true_pos[label], pred_count[label])
        recall = _ratio(true_pos[label], gold_count[label])
        result[label] = Scores(precision, recall, _f1(precision, recall), gold_count[label])
    return result


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Iterable[str]) -> float:
    """Unweighted mean F1 over `labels` (every label counts, whatever its support)."""
    scores = per_label_scores(gold, predicted, labels)
    return _ratio(sum(s.f1 for s in scores.values()), len(scores))


def recall_of(
    gold: Sequence[str], predicted: Sequence[str], label: str, accepted: Iterable[str] = ()
) -> float:
    """Share of `label` examples predicted as `label` (or as any label in `accepted`)."""
    ok = {label, *accepted}
    hits = [p in ok for g, p in zip(gold, predicted) if g == label]
    return _ratio(sum(hits), len(hits))


def share_predicted_as(predicted: Iterable[str], labels: Iterable[str]) -> tuple[int, int]:
    """(how many predictions fall in `labels`, how many predictions in all)."""
    wanted = set(labels)
    items = list(predicted)
    return sum(1 for p in items if p in wanted), len(items)


def false_alarm_rate(
    gold: Sequence[str], predicted: Sequence[str], alarm_labels: Iterable[str]
) -> tuple[int, int]:
    """(messages whose gold label is outside `alarm_labels` but predicted inside, such messages).

    With the crisis intents as `alarm_labels`: everyday messages taken for a crisis.
    """
    alarms = set(alarm_labels)
    negatives = [p for g, p in zip(gold, predicted) if g not in alarms]
    return sum(1 for p in negatives if p in alarms), len(negatives)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, like numpy's default."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within 0..100, got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# An entity for strict scoring: (start, end, entity type, value).
Entity = tuple[int, int, str, str]


def entity_scores(
    gold: Sequence[Iterable[Entity]], predicted: Sequence[Iterable[Entity]], entity_type: str
) -> Scores:
    """Entity-level scores of one type: a hit needs the same span and the same value.

    `gold[i]` and `predicted[i]` are the entities of message i. Stricter than Rasa's token-level
    report, which checks neither the value nor the exact span.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold messages but {len(predicted)} predicted")
    true_pos = gold_count = pred_count = 0
    for gold_entities, pred_entities in zip(gold, predicted):
        gold_set = {e for e in gold_entities if e[2] == entity_type}
        pred_set = {e for e in pred_entities if e[2] == entity_type}
        true_pos += len(gold_set & pred_set)
        gold_count += len(gold_set)
        pred_count += len(pred_set)
    precision = _ratio(true_pos, pred_count)
    recall = _ratio(true_pos, gold_count)
    return Scores(precision, recall, _f1(precision, recall), gold_count)


def bootstrap_macro_f1_difference(
    gold: Sequence[str],
    predicted_a: Sequence[str],
    predicted_b: Sequence[str],
    labels: Sequence[str],
    resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Macro-F1 of A minus that of B, with a 95 % paired bootstrap interval (low, high).

    Messages are resampled with replacement and both systems scored on the same sample; an
    interval that contains 0 means the test set cannot tell the two systems apart.
    """
    if not len(gold) == len(predicted_a) == len(predicted_b):
        raise ValueError("gold and both predictions must have the same length")
    rng = random.Random(seed)
    n = len(gold)
    differences = []
    for _ in range(resamples):
        idx = [rng.randrange(n) for _ in range(n)]
        sample = [gold[i] for i in idx]
        differences.append(
            macro_f1(sample, [predicted_a[i] for i in idx], labels)
            - macro_f1(sample, [predicted_b[i] for i in idx], labels)
        )
    observed = macro_f1(gold, predicted_a, labels) - macro_f1(gold, predicted_b, labels)
    return observed, percentile(differences, 2.5), percentile(differences, 97.5)
