"""Put a new model live without stopping the assistant: `make reload` and `make rollback`.

Run in the Rasa environment from the repository root (scripts/reload.sh does it):

    .venv/rasa/bin/python -m evaluation.release                  # train, check, promote, load
    .venv/rasa/bin/python -m evaluation.release --model PATH     # an already trained model
    .venv/rasa/bin/python -m evaluation.release --skip-train     # the newest unreleased candidate
    .venv/rasa/bin/python -m evaluation.release --rollback       # back to the previous model
    .venv/rasa/bin/python -m evaluation.release --evaluate-only  # make evaluate

A release:

1. trains a *candidate* from config.yml, domain.yml and nlu/data into
   `models/candidates/<time>.tar.gz` (never over the live model), unless `make evaluate`
   already trained one from the same data (same fingerprint), which is reused;
2. runs the held-out evaluation (evaluation/heldout.py) on the live model and on the candidate,
   prints the candidate's per-intent table and the intents whose F1 fell compared with the live
   model, and refuses (exit 1, nothing changed) when the candidate's macro-F1 is below
   MACRO_F1_FLOOR;
3. tells the running Rasa server to load it (`PUT /model` with RASA_API_TOKEN) and checks with
   `GET /status` that the server's model id is the candidate's; a model the server cannot load
   changes nothing. When Rasa is not running, the next start loads the promoted model;
4. keeps the live model as `models/previous.tar.gz` and renames the candidate to
   `models/current.tar.gz` (an atomic rename: there is always a current model, whole), with the
   fingerprint of its training data in `models/.fingerprint`, as scripts/train.sh writes it.

Rasa builds the new agent while the old one keeps answering, then swaps it in; the lock store is
handed over and the SQL tracker store (TRACKER_DB_URL) is the same database, so conversations in
progress, a half-filled referral form included, go on with the new model. `PUT /model` reaches
one server process: other Sanic workers or replicas load the new current model when restarted.

`--rollback` swaps current and previous (a second rollback undoes the first) and loads the
result; it does not evaluate again, since the previous model was live before. If the server
cannot load it, the files are swapped back.

Why here, in evaluation/: a release is gated by the held-out evaluation and runs in the Rasa
environment like the other evaluation commands. The file and HTTP parts use the standard library
only, so the application environment's tests import this module without Rasa.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = [
    "ModelSlots",
    "LoadOutcome",
    "model_id_of",
    "promote",
    "swap_with_previous",
    "load_into_server",
    "main",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS_DIR = ROOT / "models"
DEFAULT_RESULTS_DIR = ROOT / "results" / "release"
HELDOUT_DATA = ROOT / "tests" / "nlu" / "heldout"
KEEP_CANDIDATES = 3
LOAD_TIMEOUT_SECONDS = 300.0

# Exit statuses.
OK, REFUSED, ERROR, NOT_LOADED = 0, 1, 2, 3


class ReleaseError(RuntimeError):
    """Something a trainer must be told in plain words; nothing half-done is left behind."""


def say(message: str) -> None:
    """A step of the release, in bold like the make targets' messages.

    On stdout, between the evaluation's own lines, so they stay in order through a pipe.
    """
    print(f"\033[1m==> {message}\033[0m", flush=True)


# --- the model files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSlots:
    """Where the live, previous and candidate models and their fingerprints live.

    `.fingerprint` is scripts/train.sh's: the fingerprint (scripts/fingerprint.sh) of the data
    the current model was trained from. Each other model carries its own next to it.
    """

    directory: Path

    @property
    def current(self) -> Path:
        return self.directory / "current.tar.gz"

    @property
    def previous(self) -> Path:
        return self.directory / "previous.tar.gz"

    @property
    def candidates(self) -> Path:
        return self.directory / "candidates"

    @staticmethod
    def fingerprint_of(model: Path) -> Path:
        """The fingerprint file that belongs to a model file (in any models folder)."""
        if model.name == "current.tar.gz":
            return model.with_name(".fingerprint")
        if model.name == "previous.tar.gz":
            return model.with_name(".previous.fingerprint")
        return model.with_name(model.name.removesuffix(".tar.gz") + ".fingerprint")

    def new_candidate(self) -> Path:
        """A fresh path under candidates/, named by the time."""
        self.candidates.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path, n = self.candidates / f"{stamp}.tar.gz", 1
        while path.exists():
            n += 1
            path = self.candidates / f"{stamp}-{n}.tar.gz"
        return path

    def newest_candidate(self) -> Path | None:
        found = sorted(self.candidates.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        return found[-1] if found else None

    def prune_candidates(self, keep: int = KEEP_CANDIDATES) -> None:
        """Delete all but the newest `keep` unreleased candidates (3 MB each, refused ones)."""
        found = sorted(self.candidates.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        for old in found[:-keep] if keep else found:
            old.unlink()
            self.fingerprint_of(old).unlink(missing_ok=True)


def _copy_atomically(source: Path, target: Path) -> None:
    """Copy then rename: whoever reads `target` sees the old file or the new one, whole."""
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def _write_atomically(target: Path, text: str) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, target)


def _move_fingerprint(slots: ModelSlots, source: Path, target: Path) -> None:
    """The fingerprint of `source` becomes that of `target`; none known, none written.

    Without one, scripts/train.sh retrains at the next `make run`: the honest answer when we
    cannot tell what data a model came from.
    """
    source_file, target_file = slots.fingerprint_of(source), slots.fingerprint_of(target)
    if source_file.exists():
        _write_atomically(target_file, source_file.read_text())
    else:
        target_file.unlink(missing_ok=True)


def promote(slots: ModelSlots, candidate: Path) -> None:
    """The live model becomes previous; the candidate becomes current (renamed, not copied).

    `current.tar.gz` exists throughout: it is replaced by one rename, never deleted first.
    """
    if slots.current.exists():
        _copy_atomically(slots.current, slots.previous)
        _move_fingerprint(slots, slots.current, slots.previous)
    else:
        slots.previous.unlink(missing_ok=True)
        slots.fingerprint_of(slots.previous).unlink(missing_ok=True)
    _move_fingerprint(slots, candidate, slots.current)
    os.replace(candidate, slots.current)
    slots.fingerprint_of(candidate).unlink(missing_ok=True)


def swap_with_previous(slots: ModelSlots) -> None:
    """Exchange current and previous (models and fingerprints); current exists throughout."""
    if not slots.previous.exists():
        raise ReleaseError("there is no previous model (models/previous.tar.gz) to go back to")
    if not slots.current.exists():
        raise ReleaseError("there is no current model (models/current.tar.gz)")
    spare = slots.directory / ".swap.tar.gz"
    spare_fingerprint = slots.directory / ".swap.fingerprint"
    shutil.copyfile(slots.current, spare)
    current_fp = slots.fingerprint_of(slots.current)
    previous_fp = slots.fingerprint_of(slots.previous)
    spare_fingerprint.unlink(missing_ok=True)
    if current_fp.exists():
        shutil.copyfile(current_fp, spare_fingerprint)
    os.replace(slots.previous, slots.current)
    if previous_fp.exists():
        os.replace(previous_fp, current_fp)
    else:
        current_fp.unlink(missing_ok=True)
    os.replace(spare, slots.previous)
    if spare_fingerprint.exists():
        os.replace(spare_fingerprint, previous_fp)


def model_id_of(model: Path) -> str:
    """Rasa's model id (metadata.json in the archive), what `GET /status` reports."""
    try:
        with tarfile.open(model, "r:gz") as archive:
            for member in archive.getmembers():
                if member.name.lstrip("/") == "metadata.json":
                    handle = archive.extractfile(member)
                    if handle is not None:
                        return str(json.load(handle)["model_id"])
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise ReleaseError(f"{model} is not a Rasa model archive ({error})") from error
    raise ReleaseError(f"{model} is not a Rasa model archive (no metadata.json)")


@contextlib.contextmanager
def release_lock(slots: ModelSlots) -> Iterator[None]:
    """One release or rollback at a time."""
    slots.directory.mkdir(parents=True, exist_ok=True)
    with open(slots.directory / ".release.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise ReleaseError("another `make reload` or `make rollback` is running") from error
        yield


# --- the running server ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadOutcome:
    """What happened when the running Rasa server was asked to load a model."""

    status: str  # loaded | not_running | no_token | token_refused | api_off | failed
    detail: str = ""
    model_id: str = ""
    seconds: float = 0.0


def _request(method: str, url: str, body: dict[str, Any] | None = None,
             timeout: float = 10.0) -> tuple[int, bytes]:
    """(HTTP status, body); a refused or dropped connection raises OSError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (our server)
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _rasa_message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message") or "")
    except (ValueError, AttributeError):
        return ""


def server_is_running(rasa_url: str) -> bool:
    """Rasa's `/` answers without a token when the server is up."""
    try:
        return _request("GET", f"{rasa_url}/", timeout=3)[0] == 200
    except OSError:
        return False


def check_server(rasa_url: str, token: str) -> str:
    """Can the running server be told to load a model?

    One of: ready, not_running, no_token, token_refused (401/403: another token),
    api_off (404: started without --enable-api, i.e. not by nlu.serve).
    """
    if not server_is_running(rasa_url):
        return "not_running"
    if not token:
        return "no_token"
    query = urllib.parse.urlencode({"token": token})
    try:
        status, _ = _request("GET", f"{rasa_url}/status?{query}")
    except OSError:
        return "not_running"
    if status in (401, 403):
        return "token_refused"
    if status in (404, 405):
        return "api_off"
    return "ready"  # 200, or 409 when the server has no model yet: it can still load one


def server_model_id(rasa_url: str, token: str) -> str | None:
    """The model id `GET /status` reports, or None when it cannot be read."""
    query = urllib.parse.urlencode({"token": token})
    try:
        status, body = _request("GET", f"{rasa_url}/status?{query}")
    except OSError:
        return None
    if status != 200:
        return None
    return str(json.loads(body).get("model_id") or "") or None


def load_into_server(rasa_url: str, token: str, model: Path, expected_id: str) -> LoadOutcome:
    """Ask the running server to load `model`, then check that `GET /status` shows it.

    Rasa builds the new agent while the old one keeps answering. The token goes in the query
    string as Rasa's API wants; it is never printed.
    """
    state = check_server(rasa_url, token)
    if state != "ready":
        return LoadOutcome(state)
    query = urllib.parse.urlencode({"token": token})
    started = time.perf_counter()
    try:
        status, body = _request("PUT", f"{rasa_url}/model?{query}",
                                {"model_file": str(model.resolve())}, LOAD_TIMEOUT_SECONDS)
    except OSError as error:
        return LoadOutcome("failed", f"no answer from the server ({type(error).__name__})")
    seconds = time.perf_counter() - started
    if status != 204:
        return LoadOutcome("failed", f"HTTP {status}: {_rasa_message(body)}", seconds=seconds)
    loaded = server_model_id(rasa_url, token)
    if loaded != expected_id:
        return LoadOutcome("failed", f"the server reports model {loaded}, not {expected_id}",
                           loaded or "", seconds)
    return LoadOutcome("loaded", model_id=loaded, seconds=seconds)


SERVER_PROBLEMS = {
    "no_token": "RASA_API_TOKEN is not set (in .env), so the running assistant cannot be told "
                "to load a model. Stop the assistant and start it again with `make run`, which "
                "writes one into .env",
    "token_refused": "the running assistant refused RASA_API_TOKEN: it was started with a "
                     "different token (was .env changed after it started?). Stop the assistant "
                     "and start it again with `make run`",
    "api_off": "the running assistant was started without its model API (an older start "
               "command). Stop it and start it again with `make run`",
}


def refuse_unreachable_server(rasa_url: str, token: str) -> bool:
    """Before anything changes: stop when a running server could not be told. True = stop."""
    state = check_server(rasa_url, token)
    if state in SERVER_PROBLEMS:
        say(f"STOPPED before changing anything: {SERVER_PROBLEMS[state]}; then run this "
            f"command again. (The assistant at {rasa_url} keeps its live model.)")
        return True
    return False


def _explain(outcome: LoadOutcome, rasa_url: str, what: str) -> int:
    """Tell the trainer what the server did; the exit status."""
    if outcome.status == "loaded":
        say(f"Done: the assistant at {rasa_url} now answers with {what} "
            f"(model id {outcome.model_id}, loaded in {outcome.seconds:.1f} s). "
            "Conversations in progress go on.")
        return OK
    if outcome.status == "not_running":
        say(f"The assistant is not running at {rasa_url}: {what} is saved as "
            "models/current.tar.gz and will be used when it next starts (make run).")
        return OK
    problem = SERVER_PROBLEMS.get(outcome.status, f"the server could not load it "
                                                  f"({outcome.detail})")
    say(f"NOT LOADED: {problem}. {what[0].upper()}{what[1:]} is saved as models/current.tar.gz "
        "and will be used when the assistant next starts.")
    return NOT_LOADED


# --- train, evaluate, release ------------------------------------------------------------------


def data_fingerprint() -> str:
    """The fingerprint of config, domain and nlu/, exactly as scripts/train.sh computes it."""
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "fingerprint.sh")],
                               capture_output=True, text=True, check=True)
    return completed.stdout.strip()


def model_for_data(slots: ModelSlots) -> tuple[Path | None, str]:
    """A model already trained from the data as it is now (current, or the newest such
    candidate, e.g. from `make evaluate`), or None; and the data's fingerprint."""
    fingerprint = data_fingerprint()

    def trained_from_data(model: Path) -> bool:
        marker = slots.fingerprint_of(model)
        return model.exists() and marker.exists() and marker.read_text().strip() == fingerprint

    if trained_from_data(slots.current):
        return slots.current, fingerprint
    candidates = sorted(slots.candidates.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for candidate in reversed(candidates):
        if trained_from_data(candidate):
            return candidate, fingerprint
    return None, fingerprint


def train_candidate(slots: ModelSlots, fingerprint: str) -> Path:
    """Train from the repository's data into a new candidate path, with its fingerprint
    (taken before training: what the model is trained from)."""
    candidate = slots.new_candidate()
    rasa = Path(sys.executable).with_name("rasa")
    command = [
        str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml",
        "--data", "nlu/data", "--out", str(candidate.parent),
        "--fixed-model-name", candidate.name.removesuffix(".tar.gz"), "--quiet",
    ]  # fmt: skip
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    completed = subprocess.run(command, cwd=ROOT, env=dict(os.environ, PYTHONPATH=python_path))
    if completed.returncode != 0 or not candidate.exists():
        raise ReleaseError("training failed (Rasa's message is above); run `make validate` "
                           "to find the problem in the data")
    slots.fingerprint_of(candidate).write_text(fingerprint + "\n")
    return candidate


def _adopt(slots: ModelSlots, model: Path) -> Path:
    """A copy of an already trained model as a candidate (the original is never moved)."""
    if not model.exists():
        raise ReleaseError(f"there is no model at {model}")
    model_id_of(model)  # refuse what is not a Rasa model before copying it
    if model.resolve().parent == slots.candidates.resolve():
        return model.resolve()
    candidate = slots.new_candidate()
    shutil.copyfile(model, candidate)
    fingerprint = slots.fingerprint_of(model)
    if fingerprint.exists():
        shutil.copyfile(fingerprint, slots.fingerprint_of(candidate))
    return candidate


def _heldout(argv: list[str], log: Path | None = None) -> tuple[int, dict[str, Any]]:
    """Run evaluation/heldout.py in this process; (exit status, its summary.json)."""
    from evaluation import heldout

    out = Path(argv[argv.index("--out") + 1])
    if log is None:
        status = heldout.main(argv)
    else:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as handle, contextlib.redirect_stdout(handle), \
                contextlib.redirect_stderr(handle):
            status = heldout.main(argv)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return status, summary


def evaluate(slots: ModelSlots, candidate: Path, results: Path) -> tuple[bool, float, float | None]:
    """Held-out evaluation of the live model (quietly) and of the candidate (printed).

    Both on today's held-out data, so the comparison is fair even when it changed.
    Returns (passes the floor, candidate macro-F1, live macro-F1 or None).
    """
    from evaluation.heldout import MACRO_F1_FLOOR, REPORT_NAME, lowest_macro_f1

    data = ["--data", str(HELDOUT_DATA), "--floor", str(MACRO_F1_FLOOR)]
    live_f1: float | None = None
    compare: list[str] = []
    if slots.current.exists():
        live_out = results / "live"
        _, live = _heldout(["--model", str(slots.current), "--out", str(live_out), *data],
                           log=live_out / "output.txt")
        if live:
            live_f1 = lowest_macro_f1(live)
            compare = ["--compare-with", str(live_out / REPORT_NAME)]
    status, summary = _heldout(
        ["--model", str(candidate), "--out", str(results / "candidate"), *data, *compare]
    )
    if not summary or status == 2:
        raise ReleaseError(f"the evaluation of {candidate} failed")
    return status == 0, lowest_macro_f1(summary), live_f1


def _settings() -> tuple[str, str]:
    from common.settings import get_settings

    settings = get_settings()
    return settings.rasa_url, settings.rasa_api_token


def release(slots: ModelSlots, results_root: Path, model: Path | None, skip_train: bool) -> int:
    """Train (or take) a candidate, evaluate it, promote it, load it. The exit status."""
    from evaluation.heldout import MACRO_F1_FLOOR

    rasa_url, token = _settings()
    if refuse_unreachable_server(rasa_url, token):
        return NOT_LOADED
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if model is not None:
        say(f"Step 1 of 4: taking the already trained model {model}")
        candidate = _adopt(slots, model)
    elif skip_train:
        newest = slots.newest_candidate()
        if newest is None:
            raise ReleaseError("--skip-train: there is no trained candidate in "
                               f"{slots.candidates}; run without --skip-train")
        say(f"Step 1 of 4: taking the newest trained candidate {newest.name}")
        candidate = newest
    else:
        existing, fingerprint = model_for_data(slots)
        if existing == slots.current:
            say("Nothing new to release: the live model (models/current.tar.gz) was trained from "
                "config.yml, domain.yml and nlu/ as they are now. Change the data first.")
            running = server_model_id(rasa_url, token) if token else None
            if running and running != model_id_of(slots.current):
                say("Note: the running assistant answers with another model: models/current.tar.gz "
                    "was replaced since it started (by make train, make run or make test). "
                    'make reload ARGS="--model models/current.tar.gz" checks that one and loads '
                    "it.")
            return OK
        if existing is not None:
            say(f"Step 1 of 4: taking {existing.name}, already trained from the data as it is "
                "now (by make evaluate or an earlier make reload)")
            candidate = existing
        else:
            say("Step 1 of 4: training a new model from config.yml, domain.yml and nlu/data "
                "(about a minute; the assistant keeps answering)")
            candidate = train_candidate(slots, fingerprint)
            timings["training"] = time.perf_counter() - started
    candidate_id = model_id_of(candidate)

    say("Step 2 of 4: checking the new model on the held-out test messages (tests/nlu/heldout), "
        "next to the live model")
    results = results_root / candidate.name.removesuffix(".tar.gz")
    began = time.perf_counter()
    passes, candidate_f1, live_f1 = evaluate(slots, candidate, results)
    timings["evaluation"] = time.perf_counter() - began
    live_text = f"the live model {live_f1:.3f}; " if live_f1 is not None else ""
    if not passes:
        say(f"REFUSED: the new model scores {candidate_f1:.3f} on the held-out test messages "
            f"({live_text}the minimum is {MACRO_F1_FLOOR:.2f}). Nothing was changed: the "
            "assistant keeps its live model. The intents that got worse are named above; the "
            f"reports are in {results}/candidate/. The refused model stays in {candidate} "
            "for a closer look.")
        slots.prune_candidates()
        return REFUSED
    say(f"The new model scores {candidate_f1:.3f} ({live_text}the minimum is "
        f"{MACRO_F1_FLOOR:.2f}).")

    # Load first, then rename: a model the server cannot load changes nothing.
    say(f"Step 3 of 4: loading it into the assistant at {rasa_url}, if it is running; "
        "conversations go on while it loads")
    outcome = load_into_server(rasa_url, token, candidate, candidate_id)
    timings["loading"] = outcome.seconds
    if outcome.status == "failed":
        say(f"NOT LOADED: the server could not load the new model ({outcome.detail}). Nothing "
            f"was changed: the assistant keeps its live model. The model stays in {candidate}.")
        return NOT_LOADED

    say("Step 4 of 4: keeping the live model as models/previous.tar.gz and making the new one "
        "models/current.tar.gz")
    promote(slots, candidate)
    slots.prune_candidates()
    status = _explain(outcome, rasa_url, "the new model")
    if status == OK:
        say("To go back to the model that was live before: make rollback")
    say("Time taken: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        + f"; in all {time.perf_counter() - started:.1f} s")
    return status


def evaluate_only(slots: ModelSlots) -> int:
    """`make evaluate`: the held-out report of a model trained from the data as it is now.

    The model is trained aside (models/candidates/), never over the live one, so the model
    the assistant runs and the one `make rollback` restores stay what they were; `make reload`
    then reuses it. The reports go to results/heldout/, compared with the previous run.
    """
    existing, fingerprint = model_for_data(slots)
    if existing is None:
        say("Training a model from config.yml, domain.yml and nlu/data into models/candidates/ "
            "(about a minute; the live model is not touched)")
        existing = train_candidate(slots, fingerprint)
        slots.prune_candidates()
    say(f"Checking {existing.relative_to(slots.directory.parent)} (trained from the data as it "
        "is now) on the held-out test messages (tests/nlu/heldout)")
    from evaluation import heldout

    status = heldout.main(["--model", str(existing), "--data", str(HELDOUT_DATA)])
    if existing != slots.current and status == 0:
        say("This model is not live. `make reload` compares it with the live model and puts it "
            "live, without training again.")
    return status


def rollback(slots: ModelSlots) -> int:
    """Swap current and previous and load the result."""
    rasa_url, token = _settings()
    if refuse_unreachable_server(rasa_url, token):
        return NOT_LOADED
    say("Putting the previous model back (models/previous.tar.gz becomes models/current.tar.gz; "
        "the model live until now becomes previous, so `make rollback` again undoes this)")
    swap_with_previous(slots)
    outcome = load_into_server(rasa_url, token, slots.current, model_id_of(slots.current))
    if outcome.status == "failed":
        swap_with_previous(slots)
        say(f"NOT LOADED: the server could not load the previous model ({outcome.detail}). "
            "The model files were put back as they were.")
        return NOT_LOADED
    return _explain(outcome, rasa_url, "the previous model")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--model", type=Path, help="release this already trained model file")
    choice.add_argument("--skip-train", action="store_true",
                        help="release the newest model in models/candidates/ without training")
    choice.add_argument("--rollback", action="store_true",
                        help="put models/previous.tar.gz back and load it")
    choice.add_argument("--evaluate-only", action="store_true",
                        help="make evaluate: train aside if needed, held-out report, no release")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR,
                        help="where current, previous and candidate models live (models/)")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS_DIR,
                        help="where the evaluation reports go (results/release/)")
    args = parser.parse_args(argv)
    model = args.model.resolve() if args.model else None
    slots = ModelSlots(args.models_dir.resolve())
    results = args.results.resolve()
    os.chdir(ROOT)  # Rasa and the held-out evaluation read config and data relative to it
    try:
        with release_lock(slots):
            if args.rollback:
                return rollback(slots)
            if args.evaluate_only:
                return evaluate_only(slots)
            return release(slots, results, model, args.skip_train)
    except ReleaseError as error:
        say(f"STOPPED: {error}")
        return ERROR


if __name__ == "__main__":
    sys.exit(main())
