"""Pipeline experiments, nothing applied: `python -m evaluation.variants`.

Run from the repository root in the Rasa environment (`source scripts/env.sh` first):

    .venv/rasa/bin/python -m evaluation.variants [--only NAME ...] [--with-diet]

Each variant is config.yml with one change (evaluation/variants.py `VARIANTS`; they name the
components of the current config.yml, nlu.components.TfidfIntentClassifier and CrisisRules),
written to a temporary config. For each one:
`rasa train nlu` on nlu/data/nlu (wall clock), then held-out macro-F1 over the contract intents
(fallback kept as an error), crisis recall, false-crisis rate on held-out messages, MentalQA
routing (share to pss_*/crisis_*, share of crisis questions to crisis_self_harm) and the share of
Iraqi tweets taken for a crisis (when ../shared/eval-data exists; counts only), plus the median
parse time. FallbackClassifier thresholds and ambiguity thresholds are swept on the trained
models without retraining (the classifier only relabels the top intent). Writes
results/variants.json.

Choosing a pipeline on the held-out set over and over slowly fits it: confirm a winner with
`make cross-validate` before applying it.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from evaluation import CONTRACT_INTENTS, CRISIS_INTENTS, FALLBACK_INTENT, PSS_INTENTS, write_result
from evaluation.metrics import false_alarm_rate, macro_f1, percentile, recall_of

__all__ = ["VARIANTS", "main", "relabel_fallback"]

Config = dict[str, Any]

TRAIN_DATA = "nlu/data/nlu"
TEST_DATA = "tests/nlu/heldout"
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4)
AMBIGUITIES = (0.0, 0.01)  # tried at the configured threshold


def _index(config: Config, name: str) -> int:
    for i, component in enumerate(config["pipeline"]):
        if component["name"] == name:
            return i
    raise KeyError(f"no {name} in the pipeline")


def _set(name: str, **options: Any) -> Callable[[Config], None]:
    """Set options of the pipeline component `name`."""

    def change(config: Config) -> None:
        config["pipeline"][_index(config, name)].update(options)

    return change


def _without(name: str) -> Callable[[Config], None]:
    """Remove the pipeline component `name`."""

    def change(config: Config) -> None:
        del config["pipeline"][_index(config, name)]

    return change


def _replace(name: str, components: list[Config]) -> Callable[[Config], None]:
    """Put `components` where the pipeline component `name` was."""

    def change(config: Config) -> None:
        index = _index(config, name)
        config["pipeline"][index : index + 1] = copy.deepcopy(components)

    return change


CLASSIFIER = "nlu.components.TfidfIntentClassifier"
CRISIS_RULES = "nlu.components.CrisisRules"


def _count_vectors(low: int, high: int) -> list[Config]:
    return [
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": low,
         "max_ngram": high},
        {"name": "CountVectorsFeaturizer", "analyzer": "word"},
    ]  # fmt: skip


# The classifier of config.yml until 2026-11-27: Rasa's count vectors and logistic regression.
PREVIOUS_CLASSIFIER = _count_vectors(1, 4) + [
    {"name": "LogisticRegressionClassifier", "max_iter": 1000, "solver": "lbfgs", "tol": 0.0001,
     "random_state": 42},
]  # fmt: skip
# Its best variant in the first round (docs/benchmarks.md): char 2-5 and C=100 (Rasa fixes C=1).
PREVIOUS_TUNED = _count_vectors(2, 5) + [
    {"name": "evaluation.experimental.TunableLogisticRegressionClassifier", "max_iter": 1000,
     "solver": "lbfgs", "tol": 0.0001, "random_state": 42, "C": 100.0},
]  # fmt: skip
DIET = _count_vectors(2, 5) + [
    {"name": "DIETClassifier", "epochs": 20, "entity_recognition": False,
     "constrain_similarities": True, "random_seed": 42},
]  # fmt: skip

VARIANTS: dict[str, Callable[[Config], None]] = {
    "current config.yml": lambda config: None,
    "TF-IDF C=10": _set(CLASSIFIER, C=10.0),
    "TF-IDF C=30": _set(CLASSIFIER, C=30.0),
    "TF-IDF C=300": _set(CLASSIFIER, C=300.0),
    "TF-IDF char 2-5": _set(CLASSIFIER, char_ngram_range=[2, 5]),
    "TF-IDF char 1-5": _set(CLASSIFIER, char_ngram_range=[1, 5]),
    "TF-IDF + word 1-2": _set(CLASSIFIER, word_ngram_range=[1, 2]),
    "TF-IDF char 2-5 + word 1-2, C=30": _set(
        CLASSIFIER, char_ngram_range=[2, 5], word_ngram_range=[1, 2], C=30.0
    ),
    "without CrisisRules": _without(CRISIS_RULES),
    "CrisisRules min 0.3": _set(CRISIS_RULES, min_model_confidence=0.3),
    "CrisisRules min 0.7": _set(CRISIS_RULES, min_model_confidence=0.7),
    "previous: count vectors + Rasa LR": _replace(CLASSIFIER, PREVIOUS_CLASSIFIER),
    "count vectors 2-5 + LR C=100": _replace(CLASSIFIER, PREVIOUS_TUNED),
}

DIET_VARIANT = ("DIET 20 epochs (count vectors 2-5)", _replace(CLASSIFIER, DIET))


def relabel_fallback(result: dict[str, Any], threshold: float, ambiguity: float) -> str:
    """The intent Rasa's FallbackClassifier would give with another threshold.

    Fallback when the best real intent's confidence is below `threshold`, or when the best two
    are closer than `ambiguity`.
    """
    ranking = [r for r in result.get("intent_ranking", []) if r["name"] != FALLBACK_INTENT]
    if not ranking:
        return FALLBACK_INTENT
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top < threshold or top - second < ambiguity:
        return FALLBACK_INTENT
    return str(ranking[0]["name"])


def _figures(
    gold: list[str],
    heldout: list[str],
    mentalqa: list[str] | None,
    crisis_flags: list[bool] | None,
    tweets: list[str] | None,
) -> dict[str, Any]:
    alarms, negatives = false_alarm_rate(gold, heldout, CRISIS_INTENTS)
    result: dict[str, Any] = {
        "macro_f1": macro_f1(gold, heldout, CONTRACT_INTENTS),
        "recall_self_harm": recall_of(gold, heldout, "crisis_self_harm"),
        "recall_violence": recall_of(gold, heldout, "crisis_violence"),
        "false_crisis_heldout": alarms / negatives,
    }
    if mentalqa is not None and crisis_flags is not None:
        crisis = [i for i, flag in enumerate(crisis_flags) if flag]
        support = set(PSS_INTENTS) | set(CRISIS_INTENTS)
        result["mentalqa_pss_or_crisis"] = sum(x in support for x in mentalqa) / len(mentalqa)
        result["mentalqa_crisis_to_self_harm"] = (
            sum(mentalqa[i] == "crisis_self_harm" for i in crisis) / len(crisis)
        )
    if tweets is not None:
        result["tweets_taken_for_crisis"] = sum(x in CRISIS_INTENTS for x in tweets) / len(tweets)
    return result


def _load_eval_data() -> tuple[list[str] | None, list[bool] | None, list[str] | None]:
    from evaluation.eval_data import MENTALQA_FILE, TWEETS_FILE, find_eval_data
    from evaluation.rasa_model import ROOT

    folder = find_eval_data(ROOT)
    if folder is None:
        return None, None, None
    questions = yaml.safe_load((folder / MENTALQA_FILE).read_text(encoding="utf-8"))["questions"]
    tweets = yaml.safe_load((folder / TWEETS_FILE).read_text(encoding="utf-8"))["texts"]
    return (
        [str(q["text"]) for q in questions],
        [bool(q.get("crisis")) for q in questions],
        [str(t) for t in tweets],
    )


async def _parse_all(model: Path, groups: list[list[str]]) -> list[list[Any]]:
    from evaluation.rasa_model import load_agent, parse_texts

    agent = load_agent(model)
    return [await parse_texts(agent, texts) for texts in groups]


def _run_variant(
    train_data: str,
    change: Callable[[Config], None],
    base: Config,
    examples: list[Any],
    eval_texts: tuple[list[str] | None, list[bool] | None, list[str] | None],
    settings: list[tuple[float, float]],
) -> dict[str, Any]:
    from evaluation.rasa_model import train_nlu

    config = copy.deepcopy(base)
    change(config)
    mentalqa_texts, crisis_flags, tweet_texts = eval_texts
    with tempfile.TemporaryDirectory(prefix="variant-") as tmp:
        config_path = Path(tmp) / "config.yml"
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        model, seconds = train_nlu(config_path, train_data, Path(tmp) / "model")
        groups = [[e.text for e in examples], mentalqa_texts or [], tweet_texts or []]
        heldout, mentalqa, tweets = asyncio.run(_parse_all(model, groups))
    gold = [e.intent for e in examples]
    sweep = {}
    for threshold, ambiguity in settings:

        def relabel(parses: list[Any]) -> list[str]:
            return [relabel_fallback(p.result, threshold, ambiguity) for p in parses]

        sweep[f"threshold {threshold}, ambiguity {ambiguity}"] = _figures(
            gold,
            relabel(heldout),
            relabel(mentalqa) if mentalqa_texts else None,
            crisis_flags,
            relabel(tweets) if tweet_texts else None,
        )
    return {
        "pipeline": config["pipeline"],
        "training_seconds": seconds,
        "parse_p50_ms": percentile([p.seconds * 1000 for p in heldout], 50),
        "as_trained": _figures(
            gold,
            [p.intent for p in heldout],
            [p.intent for p in mentalqa] if mentalqa_texts else None,
            crisis_flags,
            [p.intent for p in tweets] if tweet_texts else None,
        ),
        "fallback_threshold_sweep": sweep,
    }


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def _print_row(name: str, figures: dict[str, Any], seconds: float, p50: float) -> None:
    print(
        f"{name:34} {_fmt(figures['macro_f1']):>8} {_fmt(figures['recall_self_harm']):>9} "
        f"{_fmt(figures['recall_violence']):>8} {_fmt(figures['false_crisis_heldout'], True):>8} "
        f"{_fmt(figures.get('mentalqa_pss_or_crisis'), True):>8} "
        f"{_fmt(figures.get('mentalqa_crisis_to_self_harm'), True):>8} "
        f"{_fmt(figures.get('tweets_taken_for_crisis'), True):>8} {seconds:>7.0f} {p50:>6.1f}",
        flush=True,
    )


HEADER = (
    f"{'variant':34} {'macro-F1':>8} {'self-harm':>9} {'violence':>8} {'false-cr':>8} "
    f"{'MQA→pss':>8} {'MQA cr→':>8} {'tweets cr':>8} {'train s':>7} {'p50 ms':>6}"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="run only these variants (names as listed)")
    parser.add_argument("--with-diet", action="store_true", help="also DIET at 20 epochs (slow)")
    parser.add_argument("--train-data", default=TRAIN_DATA,
                        help=f"NLU training data ({TRAIN_DATA})")
    parser.add_argument("--out", default="results/variants.json")
    args = parser.parse_args(argv)

    from evaluation.rasa_model import load_examples, quiet_rasa

    quiet_rasa()
    base: Config = yaml.safe_load(Path("config.yml").read_text(encoding="utf-8"))
    fallback = base["pipeline"][_index(base, "FallbackClassifier")]
    threshold = float(fallback.get("threshold", 0.3))
    ambiguity = float(fallback.get("ambiguity_threshold", 0.1))
    settings = [(t, ambiguity) for t in THRESHOLDS] + [(threshold, a) for a in AMBIGUITIES]
    variants = dict(VARIANTS)
    if args.with_diet:
        variants[DIET_VARIANT[0]] = DIET_VARIANT[1]
    if args.only:
        unknown = set(args.only) - set(variants)
        if unknown:
            print(f"unknown variants: {sorted(unknown)}; known: {list(variants)}", file=sys.stderr)
            return 2
        variants = {k: v for k, v in variants.items() if k in args.only}

    examples = load_examples(TEST_DATA)
    eval_texts = _load_eval_data()
    print(f"training data: {args.train_data}")
    print("MQA→pss: MentalQA routed to pss_*/crisis_*; MQA cr→: crisis questions to "
          "crisis_self_harm; tweets cr: tweets taken for a crisis (model only)")
    print(HEADER)
    results: dict[str, Any] = {}
    for name, change in variants.items():
        try:
            result = _run_variant(args.train_data, change, base, examples, eval_texts, settings)
        except (RuntimeError, KeyError) as error:
            print(f"{name:34} failed: {str(error).splitlines()[-1][:60]}", flush=True)
            results[name] = {"error": str(error)[-2000:]}
            continue
        results[name] = result
        _print_row(name, result["as_trained"], result["training_seconds"], result["parse_p50_ms"])

    print(f"\nFallbackClassifier sweep on the same models (config.yml: threshold {threshold}, "
          f"ambiguity_threshold {ambiguity}); t = threshold, a = ambiguity_threshold:")
    print(HEADER)
    for name, result in results.items():
        for setting, figures in result.get("fallback_threshold_sweep", {}).items():
            short = setting.replace("threshold ", "t").replace(", ambiguity ", " a")
            _print_row(f"{name[:22]} {short}", figures, result["training_seconds"],
                       result["parse_p50_ms"])
    print(f"written: {write_result(args.out, results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
