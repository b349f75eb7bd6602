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

__all__ = [
    "CONTRACT_INTENTS",
    "CRISIS_INTENTS",
    "PSS_INTENTS",
    "FALLBACK_INTENT",
]

# The intent contract (docs/helper-brief.md): macro-F1 is averaged over exactly these.
CONTRACT_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "ask_capabilities",
    "out_of_scope",
    "housing_damaged_home",
    "housing_compensation",
    "housing_shelter",
    "housing_property_dispute",
    "doc_civil_id",
    "doc_civil_registration",
    "doc_security_clearance",
    "pss_distress",
    "pss_child",
    "pss_stigma",
    "crisis_self_harm",
    "crisis_violence",
    "referral_request",
    "referral_status",
    "data_delete",
    "privacy_question",
    "livelihood_support",
    "inform",
)

CRISIS_INTENTS: tuple[str, ...] = ("crisis_self_harm", "crisis_violence")
PSS_INTENTS: tuple[str, ...] = ("pss_distress", "pss_child", "pss_stigma")

# What Rasa's FallbackClassifier predicts below its threshold; always counted as an error here.
FALLBACK_INTENT = "nlu_fallback"
