"""Baselines against our pipeline on one split: `python -m evaluation.benchmark`.

Run from the repository root in the Rasa environment (`source scripts/env.sh` first):

    .venv/rasa/bin/python -m evaluation.benchmark [--config config.yml] [--no-http]

Every system trains on `nlu/data/nlu` and is tested on `tests/nlu/heldout`:

(a) keyword router (evaluation/baselines.py: hand-written lists, no training);
(b) TF-IDF char_wb 1-4 n-grams + logistic regression (scikit-learn, C chosen by CV on train);
(c) our Rasa pipeline: `rasa train nlu` with config.yml into a temporary folder (wall clock,
    process start included), predictions with the FallbackClassifier kept (`nlu_fallback` is an
    error; the figure with the fallback undone is reported beside it).

Reports macro-F1 over the contract intents, overall and per slice (evaluation/slices.py),
crisis recall, false-crisis rate and training time of each; for (c) minus each baseline, a 95 %
paired bootstrap interval of the macro-F1 difference (1,000 resamples of the messages); for (c),
the parse latency of `await agent.parse_message(text)` in process and of POST /model/parse
through the Rasa server as `make run` starts it (`nlu.serve`, 127.0.0.1).
Writes results/benchmark.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evaluation import CONTRACT_INTENTS, CRISIS_INTENTS, write_result
from evaluation.baselines import KeywordRouter, TfidfLogReg
from evaluation.metrics import (
    bootstrap_macro_f1_difference,
    false_alarm_rate,
    macro_f1,
    percentile,
    recall_of,
)
from evaluation.slices import SLICES, assign_slice

__all__ = ["score_system", "main"]

TRAIN_DATA = "nlu/data/nlu"
TEST_DATA = "tests/nlu/heldout"
DEFAULT_OUT = "results/benchmark.json"
WARM_UP_MESSAGES = 5
SERVER_START_TIMEOUT = 300


def score_system(
    texts: Sequence[str], gold: Sequence[str], predicted: Sequence[str]
) -> dict[str, Any]:
    """Macro-F1 (contract intents) overall and per slice, crisis recall, false-crisis rate."""
    slices: dict[str, Any] = {}
    slice_of = [assign_slice(text) for text in texts]
    for name in SLICES:
        idx = [i for i, s in enumerate(slice_of) if s == name]
        labels = sorted({gold[i] for i in idx} & set(CONTRACT_INTENTS))
        slices[name] = {
            "messages": len(idx),
            "macro_f1": macro_f1([gold[i] for i in idx], [predicted[i] for i in idx], labels),
        }
    alarms, negatives = false_alarm_rate(gold, predicted, CRISIS_INTENTS)
    return {
        "macro_f1": macro_f1(gold, predicted, CONTRACT_INTENTS),
        "accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(gold),
        "slices": slices,
        "crisis_recall": {i: recall_of(gold, predicted, i) for i in CRISIS_INTENTS},
        "false_crisis_rate": alarms / negatives if negatives else 0.0,
    }


def _latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "messages": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": sum(ms) / len(ms),
    }


async def _in_process(model: Path, texts: list[str]) -> tuple[list[Any], dict[str, float]]:
    """Predictions (fallback kept) and the latency of `await agent.parse_message(text)`."""
    from evaluation.rasa_model import load_agent, parse_texts

    agent = load_agent(model)
    parses = await parse_texts(agent, texts)
    for text in texts[:WARM_UP_MESSAGES]:
        await agent.parse_message(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        timings.append(time.perf_counter() - started)
    return parses, _latency_summary(timings)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http_latency(model: Path, texts: list[str], log_path: Path) -> dict[str, Any]:
    """Start the Rasa server as `make run` does (nlu.serve: API behind a token, 127.0.0.1),
    time POST /model/parse, stop the server. The token is a fresh one for this server only."""
    from evaluation.rasa_model import ROOT

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    token = secrets.token_urlsafe(24)
    command = [
        sys.executable, "-m", "nlu.serve", "--model", str(model),
        "--port", str(port), "--interface", "127.0.0.1",
    ]  # fmt: skip
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=python_path, RASA_API_TOKEN=token)
    started = time.perf_counter()
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            if server.poll() is not None:
                return {"error": f"rasa run exited with {server.returncode}; see {log_path}"}
            if time.perf_counter() - started > SERVER_START_TIMEOUT:
                return {"error": f"rasa run not ready after {SERVER_START_TIMEOUT}s"}
            try:
                with urllib.request.urlopen(f"{base}/status?token={token}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(1)
        ready = time.perf_counter() - started

        def parse(text: str) -> float:
            body = json.dumps({"text": text}).encode()
            request = urllib.request.Request(
                f"{base}/model/parse?token={token}", data=body,
                headers={"Content-Type": "application/json"},
            )
            begin = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
            return time.perf_counter() - begin

        for text in texts[:WARM_UP_MESSAGES]:
            parse(text)
        summary: dict[str, Any] = _latency_summary([parse(text) for text in texts])
        summary["server_ready_seconds"] = ready
        return summary
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _print_table(systems: dict[str, Any]) -> None:
    header = f"{'system':34} {'macro-F1':>8} " + " ".join(f"{s:>8}" for s in SLICES)
    header += f" {'self-harm':>9} {'violence':>8} {'false-crisis':>12} {'train s':>8}"
    print("\n" + header)
    for name, result in systems.items():
        scores = result["scores"]
        row = f"{name:34} {scores['macro_f1']:>8.3f} "
        row += " ".join(f"{scores['slices'][s]['macro_f1']:>8.3f}" for s in SLICES)
        recall = scores["crisis_recall"]
        row += (f" {recall['crisis_self_harm']:>9.3f} {recall['crisis_violence']:>8.3f}"
                f" {scores['false_crisis_rate']:>12.2%} {result['training_seconds']:>8.1f}")
        print(row)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="config.yml", help="Rasa config to train (c) with")
    parser.add_argument("--train-data", default=TRAIN_DATA,
                        help=f"NLU training data ({TRAIN_DATA})")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"JSON results ({DEFAULT_OUT})")
    parser.add_argument("--no-http", action="store_true", help="skip the rasa run measurement")
    args = parser.parse_args(argv)

    from evaluation.rasa_model import load_examples, quiet_rasa, train_nlu

    quiet_rasa()
    train = load_examples(args.train_data)
    test = load_examples(TEST_DATA)
    texts, gold = [e.text for e in test], [e.intent for e in test]
    train_texts, train_gold = [e.text for e in train], [e.intent for e in train]
    print(f"train: {len(train)} examples ({args.train_data}); test: {len(test)} ({TEST_DATA})")
    slice_counts = {s: sum(assign_slice(t) == s for t in texts) for s in SLICES}
    print("test slices: " + ", ".join(f"{s} {n}" for s, n in slice_counts.items()))
    systems: dict[str, Any] = {}

    started = time.perf_counter()
    router = KeywordRouter()
    keyword_pred = router.predict(texts)
    predictions: dict[str, list[str]] = {"(a) keyword router": keyword_pred}
    systems["(a) keyword router"] = {
        "training_seconds": 0.0,
        "predict_seconds": time.perf_counter() - started,
        "scores": score_system(texts, gold, keyword_pred),
    }
    print("(a) keyword router: done")

    tfidf = TfidfLogReg().fit(train_texts, train_gold)
    predictions["(b) TF-IDF char 1-4 + LogReg"] = tfidf.predict(texts)
    systems["(b) TF-IDF char 1-4 + LogReg"] = {
        "training_seconds": tfidf.training_seconds,
        "final_fit_seconds": tfidf.final_fit_seconds,
        "chosen_c": tfidf.chosen_c,
        "scores": score_system(texts, gold, predictions["(b) TF-IDF char 1-4 + LogReg"]),
    }
    print(f"(b) TF-IDF + LogReg: trained in {tfidf.training_seconds:.1f}s: C={tfidf.chosen_c:g} "
          f"chosen by 3-fold CV on the training data, then the final fit "
          f"({tfidf.final_fit_seconds:.1f}s)")

    with tempfile.TemporaryDirectory(prefix="benchmark-") as tmp:
        model, seconds = train_nlu(args.config, args.train_data, tmp)
        print(f"(c) Rasa pipeline: `rasa train nlu` took {seconds:.1f}s")
        parses, latency = asyncio.run(_in_process(model, texts))
        rasa_pred = [p.intent for p in parses]
        raw_pred = [p.raw_intent for p in parses]
        print(f"    in-process parse: p50 {latency['p50_ms']:.1f} ms, "
              f"p95 {latency['p95_ms']:.1f} ms")
        http: dict[str, Any] = {"skipped": True}
        if not args.no_http:
            print("    starting the Rasa server (nlu.serve: API behind a token, 127.0.0.1) "
                  "for the HTTP measurement ...")
            http = _http_latency(model, texts, Path(tmp) / "rasa-run.log")
            if "error" in http:
                print(f"    HTTP measurement failed: {http['error']}")
            else:
                print(f"    POST /model/parse: p50 {http['p50_ms']:.1f} ms, "
                      f"p95 {http['p95_ms']:.1f} ms (server ready after "
                      f"{http['server_ready_seconds']:.0f}s)")
    systems[f"(c) Rasa pipeline ({args.config})"] = {
        "training_seconds": seconds,
        "scores": score_system(texts, gold, rasa_pred),
        "scores_fallback_undone": score_system(texts, gold, raw_pred),
        "fallback_predictions": sum(p.intent == "nlu_fallback" for p in parses),
        "latency_in_process": latency,
        "latency_http": http,
    }

    _print_table(systems)
    ours = f"(c) Rasa pipeline ({args.config})"
    undone = systems[ours]["scores_fallback_undone"]["macro_f1"]
    print(f"(c) with the fallback undone (as `rasa test nlu` scores it): macro-F1 {undone:.3f}")
    for name, predicted in predictions.items():
        observed, low, high = bootstrap_macro_f1_difference(
            gold, rasa_pred, predicted, CONTRACT_INTENTS
        )
        systems[ours][f"macro_f1_minus {name}"] = {"observed": observed, "ci95": [low, high]}
        verdict = "ahead" if low > 0 else "behind" if high < 0 else "not distinguishable"
        print(f"(c) minus {name}: {observed:+.3f} macro-F1, 95% paired bootstrap interval "
              f"[{low:+.3f}, {high:+.3f}]: {verdict} on this test set")
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "train_data": args.train_data,
        "train_examples": len(train),
        "test_examples": len(test),
        "test_slices": slice_counts,
        "systems": systems,
    }
    print(f"written: {write_result(args.out, result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
