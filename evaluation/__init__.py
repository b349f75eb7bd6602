"""Honest measurement of the assistant's Arabic NLU (see docs/benchmarks.md).

Modules:

- `metrics`: pure scoring functions (per-intent F1, macro-F1, crisis recall, false-crisis rate,
  entity-level F1, percentiles); standard library only.
- `slices`: assigns each text to a slice (dialect, msa, arabizi, english) with transparent rules.
- `baselines`: a keyword-matching router (pure) and TF-IDF char n-grams + logistic regression
  (scikit-learn, imported lazily).
- `rasa_model`: helpers around Rasa (load data, train an NLU model, parse texts); Rasa env only.
- `heldout`: `python -m evaluation.heldout`, the held-out evaluation of models/current.tar.gz.
- `benchmark`: `python -m evaluation.benchmark`, baselines against our pipeline on one split.
- `eval_data`: `python -m evaluation.eval_data`, MentalQA and Iraqi tweets (counts only).
- `variants`: `python -m evaluation.variants`, pipeline experiments (nothing is applied).

The pure modules (`metrics`, `slices`, the keyword baseline) run in both environments; the rest
needs the Rasa environment (`.venv/rasa`), which has scikit-learn, numpy and matplotlib.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlu.intents import CONTRACT_INTENTS, CRISIS_INTENTS, PSS_INTENTS

__all__ = [
    "CONTRACT_INTENTS",
    "CRISIS_INTENTS",
    "PSS_INTENTS",
    "FALLBACK_INTENT",
    "evaluated_intents",
    "write_result",
]

# CONTRACT_INTENTS: macro-F1 is averaged over them, plus any intent a trainer added to
# domain.yml that has held-out messages (`evaluated_intents`). One definition: nlu/intents.py.

# What Rasa's FallbackClassifier predicts below its threshold; always counted as an error here.
FALLBACK_INTENT = "nlu_fallback"


def evaluated_intents(gold: Iterable[str]) -> tuple[str, ...]:
    """The contract's intents, then every other intent the held-out messages are labelled with
    (a trainer's new intent counts in macro-F1 once it has held-out messages)."""
    extra = sorted(set(gold) - set(CONTRACT_INTENTS) - {FALLBACK_INTENT})
    return CONTRACT_INTENTS + tuple(extra)


def write_result(path: str | Path, result: Any) -> Path:
    """Write a command's figures as UTF-8 JSON (Arabic kept readable), folders created."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
