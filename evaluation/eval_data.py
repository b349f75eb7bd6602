"""Real text nobody on the project wrote: `python -m evaluation.eval_data` (counts only).

Run from the repository root in the Rasa environment (`source scripts/env.sh` first):

    .venv/rasa/bin/python -m evaluation.eval_data [--model models/current.tar.gz]

Reads the evaluation-only sets of `../shared/eval-data` (or /work/shared/eval-data); skips with a
message when they are absent. Their texts are never written to the repository or printed: only
counts and shares go to the console and to results/eval_data.json.

- MentalQA questions (`questions`: `text`, `crisis`): share routed to pss_* or crisis_* by the
  model; of the `crisis: true` ones, share routed to crisis_self_harm and to any crisis intent;
  the bot's deterministic safety net (`nlu.safety.detect_crisis`, pure Python) on the same
  questions, and the combined recall "model OR safety net" (what a user gets: the bot runs the
  safety net before Rasa).
- Iraqi tweets (`texts`): everyday text; share taken for a crisis by the model, by the safety
  net, and by either.

The model's intent is the final one: below the FallbackClassifier threshold it is `nlu_fallback`,
which routes nowhere (the figure with the fallback undone is given beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation import CRISIS_INTENTS, PSS_INTENTS, write_result

__all__ = ["find_eval_data", "main", "share"]

DEFAULT_MODEL = "models/current.tar.gz"
DEFAULT_OUT = "results/eval_data.json"
MENTALQA_FILE = "mentalqa_questions.yml"
TWEETS_FILE = "iraqi_tweets.yml"


def find_eval_data(root: Path) -> Path | None:
    """The eval-data folder: ../shared/eval-data next to the repository, or /work/shared/..."""
    for candidate in (root.parent / "shared" / "eval-data", Path("/work/shared/eval-data")):
        if (candidate / MENTALQA_FILE).exists() or (candidate / TWEETS_FILE).exists():
            return candidate
    return None


def share(hits: int, total: int) -> dict[str, Any]:
    """{'count', 'of', 'share'} with share 0.0 when total is 0."""
    return {"count": hits, "of": total, "share": hits / total if total else 0.0}


def _is_crisis(intent: str) -> bool:
    return intent in CRISIS_INTENTS


def _routed_to_support(intent: str) -> bool:
    return intent in PSS_INTENTS or intent in CRISIS_INTENTS


def mentalqa_figures(
    crisis_flags: Sequence[bool],
    intents: Sequence[str],
    raw_intents: Sequence[str],
    safety_hits: Sequence[bool],
) -> dict[str, Any]:
    """Counts for the MentalQA questions (no text)."""
    n = len(intents)
    crisis_idx = [i for i in range(n) if crisis_flags[i]]
    other_idx = [i for i in range(n) if not crisis_flags[i]]
    return {
        "questions": n,
        "crisis_questions": len(crisis_idx),
        "routed_pss_or_crisis": share(sum(_routed_to_support(x) for x in intents), n),
        "routed_pss_or_crisis_fallback_undone": share(
            sum(_routed_to_support(x) for x in raw_intents), n
        ),
        "fallback": share(sum(x == "nlu_fallback" for x in intents), n),
        "crisis_to_crisis_self_harm": share(
            sum(intents[i] == "crisis_self_harm" for i in crisis_idx), len(crisis_idx)
        ),
        "crisis_to_any_crisis_intent": share(
            sum(_is_crisis(intents[i]) for i in crisis_idx), len(crisis_idx)
        ),
        "crisis_caught_by_safety_net": share(
            sum(safety_hits[i] for i in crisis_idx), len(crisis_idx)
        ),
        "crisis_caught_by_model_or_safety_net": share(
            sum(_is_crisis(intents[i]) or safety_hits[i] for i in crisis_idx), len(crisis_idx)
        ),
        "non_crisis_taken_for_crisis_by_model": share(
            sum(_is_crisis(intents[i]) for i in other_idx), len(other_idx)
        ),
        "non_crisis_taken_for_crisis_by_safety_net": share(
            sum(safety_hits[i] for i in other_idx), len(other_idx)
        ),
        "predicted_intents": dict(Counter(intents).most_common()),
    }


def tweet_figures(intents: Sequence[str], safety_hits: Sequence[bool]) -> dict[str, Any]:
    """Counts for the everyday tweets (no text)."""
    n = len(intents)
    return {
        "tweets": n,
        "crisis_by_model": share(sum(_is_crisis(x) for x in intents), n),
        "crisis_by_safety_net": share(sum(safety_hits), n),
        "crisis_by_model_or_safety_net": share(
            sum(_is_crisis(x) or hit for x, hit in zip(intents, safety_hits)), n
        ),
        "predicted_intents": dict(Counter(intents).most_common()),
    }


def _pct(item: dict[str, Any]) -> str:
    return f"{item['count']}/{item['of']} = {item['share']:.1%}"


async def _parse(agent: Any, texts: list[str]) -> tuple[list[str], list[str]]:
    from evaluation.rasa_model import parse_texts

    parses = await parse_texts(agent, texts)
    return [p.intent for p in parses], [p.raw_intent for p in parses]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model ({DEFAULT_MODEL})")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"JSON results ({DEFAULT_OUT})")
    args = parser.parse_args(argv)

    import yaml

    from nlu.safety import detect_crisis
    from evaluation.rasa_model import ROOT, load_agent, quiet_rasa

    folder = find_eval_data(ROOT)
    if folder is None:
        print("no eval-data folder (../shared/eval-data or /work/shared/eval-data): skipped")
        return 0
    if not Path(args.model).exists():
        print(f"error: no model at {args.model}; run `make train` first", file=sys.stderr)
        return 2
    quiet_rasa()
    agent = load_agent(args.model)
    result: dict[str, Any] = {"model": args.model}

    mentalqa_path = folder / MENTALQA_FILE
    if mentalqa_path.exists():
        questions = yaml.safe_load(mentalqa_path.read_text(encoding="utf-8"))["questions"]
        texts = [str(q["text"]) for q in questions]
        intents, raw = asyncio.run(_parse(agent, texts))
        safety = [detect_crisis(t) is not None for t in texts]
        figures = mentalqa_figures([bool(q.get("crisis")) for q in questions], intents, raw, safety)
        result["mentalqa"] = figures
        print(f"MentalQA: {figures['questions']} questions, {figures['crisis_questions']} crisis")
        print(f"  routed to pss_* or crisis_*: {_pct(figures['routed_pss_or_crisis'])} "
              f"(fallback undone: {_pct(figures['routed_pss_or_crisis_fallback_undone'])}; "
              f"nlu_fallback {_pct(figures['fallback'])})")
        print(f"  crisis → crisis_self_harm: {_pct(figures['crisis_to_crisis_self_harm'])}; "
              f"→ any crisis intent: {_pct(figures['crisis_to_any_crisis_intent'])}")
        print(f"  crisis caught by the safety net: {_pct(figures['crisis_caught_by_safety_net'])}; "
              f"model OR safety net: {_pct(figures['crisis_caught_by_model_or_safety_net'])}")
        print("  non-crisis questions taken for a crisis: model "
              f"{_pct(figures['non_crisis_taken_for_crisis_by_model'])}, safety net "
              f"{_pct(figures['non_crisis_taken_for_crisis_by_safety_net'])}")
        top = ", ".join(f"{k} {v}" for k, v in list(figures["predicted_intents"].items())[:8])
        print(f"  predicted intents: {top}")

    tweets_path = folder / TWEETS_FILE
    if tweets_path.exists():
        texts = [str(t) for t in yaml.safe_load(tweets_path.read_text(encoding="utf-8"))["texts"]]
        intents, _ = asyncio.run(_parse(agent, texts))
        safety = [detect_crisis(t) is not None for t in texts]
        figures = tweet_figures(intents, safety)
        result["iraqi_tweets"] = figures
        print(f"Iraqi tweets: {figures['tweets']}")
        print(f"  taken for a crisis: model {_pct(figures['crisis_by_model'])}, safety net "
              f"{_pct(figures['crisis_by_safety_net'])}, either "
              f"{_pct(figures['crisis_by_model_or_safety_net'])}")

    print(f"written: {write_result(args.out, result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
