"""Helpers around Rasa for the evaluation scripts (Rasa environment only).

Rasa is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation import FALLBACK_INTENT
from evaluation.metrics import Entity

__all__ = [
    "ROOT",
    "Example",
    "Parse",
    "quiet_rasa",
    "load_examples",
    "train_nlu",
    "load_agent",
    "parse_texts",
]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Example:
    """A labelled message: text, gold intent and gold entities (start, end, type, value)."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass
class Parse:
    """What the model made of one text.

    `intent` is the final prediction (`nlu_fallback` below the FallbackClassifier threshold);
    `raw_intent` is the best real intent, as if there were no FallbackClassifier.
    """

    text: str
    intent: str
    confidence: float
    raw_intent: str
    entities: tuple[Entity, ...]
    seconds: float
    result: dict[str, Any] = field(repr=False, default_factory=dict)


def quiet_rasa() -> None:
    """Keep Rasa, TensorFlow and library warnings off the console."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.ERROR)  # Rasa's structlog prints every parse at debug level
    # Libraries reset warning filters while importing (matplotlib's pyparsing deprecations):
    # silence the printing itself.
    warnings.filterwarnings("ignore")
    warnings.showwarning = lambda *args, **kwargs: None
    for name in ("rasa", "tensorflow", "absl", "matplotlib", "sanic", "apscheduler"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _entities(raw: list[dict[str, Any]]) -> tuple[Entity, ...]:
    return tuple(
        (int(e["start"]), int(e["end"]), str(e["entity"]), str(e.get("value", "")))
        for e in raw
        if "start" in e and "end" in e
    )


def load_examples(path: str | Path) -> list[Example]:
    """Labelled examples of a Rasa NLU file or folder (rule and story files are skipped)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from rasa.shared.nlu.training_data.loading import load_data

    path = Path(path)
    files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
    examples: list[Example] = []
    for file in files:
        if not RasaYAMLReader.is_yaml_nlu_file(file):
            continue
        examples.extend(
            Example(str(m.get("text")), str(m.get("intent")), _entities(m.get("entities") or []))
            for m in load_data(str(file)).intent_examples
        )
    return examples


def rasa_executable() -> str:
    """The `rasa` command of the running environment."""
    candidate = Path(sys.executable).with_name("rasa")
    return str(candidate) if candidate.exists() else "rasa"


def train_nlu(config: str | Path, nlu: str | Path, out_dir: str | Path) -> tuple[Path, float]:
    """Train an NLU-only model with `rasa train nlu`; return its path and the wall-clock seconds.

    The time includes starting the `rasa` process (imports), and Rasa's training cache
    (.rasa/cache) is off, so every model trains from scratch as in a fresh CI checkout.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        rasa_executable(), "train", "nlu", "--config", str(config), "--nlu", str(nlu),
        "--out", str(out_dir), "--fixed-model-name", "nlu", "--quiet",
    ]  # fmt: skip
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=python_path, RASA_MAX_CACHE_SIZE="0")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"rasa train nlu failed:\n{completed.stderr[-3000:]}")
    return out_dir / "nlu.tar.gz", seconds


def load_agent(model_path: str | Path) -> Any:
    """Load a trained model as a Rasa Agent."""
    from rasa.core.agent import Agent

    return Agent.load(str(model_path))


async def parse_texts(agent: Any, texts: list[str]) -> list[Parse]:
    """Parse every text with the agent's processor, timing each `parse_message` call.

    Nothing is undone: a prediction below the FallbackClassifier threshold stays `nlu_fallback`.
    """
    from rasa.core.channels.channel import UserMessage
    from rasa.nlu.classifiers.fallback_classifier import undo_fallback_prediction

    results: list[Parse] = []
    for text in texts:
        started = time.perf_counter()
        result = await agent.processor.parse_message(
            UserMessage(text), tracker=None, only_output_properties=False
        )
        seconds = time.perf_counter() - started
        intent = result.get("intent") or {}
        name = str(intent.get("name"))
        raw = undo_fallback_prediction(result) if name == FALLBACK_INTENT else result
        results.append(
            Parse(
                text=text,
                intent=name,
                confidence=float(intent.get("confidence") or 0.0),
                raw_intent=str((raw.get("intent") or {}).get("name")),
                entities=_entities(result.get("entities") or []),
                seconds=seconds,
                result=result,
            )
        )
    return results
