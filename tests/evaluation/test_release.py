"""make reload / make rollback (evaluation/release.py).

The file handling is tested directly. The release itself runs as `make reload` runs it, in the
Rasa environment, against a real Rasa server (started as `make run` starts it, nlu.serve with
the API token) and a real action server:

- the live model at the start is a *tiny* one, trained here on two examples per intent (below
  the floor); the repository's models/current.tar.gz is the candidate that passes;
- (a) releasing the good model loads it while the server keeps answering, and a referral form
  half-filled before the reload is completed after it;
- (b) releasing the tiny model is refused and changes nothing;
- (c) rollback puts the previous model back, twice undoes once;
- (d) the model API refuses a missing or wrong token; the bot's channel needs none;
- with no server running, the model is promoted for the next start.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluation.release import (
    ModelSlots,
    ReleaseError,
    data_fingerprint,
    load_into_server,
    model_for_data,
    model_id_of,
    promote,
    release_lock,
    swap_with_previous,
)
from tests.support.processes import (
    MODEL,
    RASA_API_TOKEN,
    ROOT,
    VENV_RASA,
    Service,
    action_server,
    base_env,
    free_port,
    rasa_server,
)

# --- the model files (no Rasa needed) ----------------------------------------------------------


def fake_model(path: Path, model_id: str) -> Path:
    """A gzipped tar with Rasa's metadata.json: enough for the file handling."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, content in (("metadata.json", json.dumps({"model_id": model_id})),
                              ("components/x", model_id * 10)):
            data = content.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_promote_keeps_the_live_model_as_previous_with_its_fingerprint(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    fake_model(slots.current, "live")
    (tmp_path / ".fingerprint").write_text("data-of-live\n")
    candidate = fake_model(slots.candidates / "20261127-101010.tar.gz", "new")
    (slots.candidates / "20261127-101010.fingerprint").write_text("data-of-new\n")

    promote(slots, candidate)

    assert model_id_of(slots.current) == "new" and model_id_of(slots.previous) == "live"
    assert (tmp_path / ".fingerprint").read_text() == "data-of-new\n"
    assert (tmp_path / ".previous.fingerprint").read_text() == "data-of-live\n"
    assert list(slots.candidates.iterdir()) == []  # renamed, fingerprint moved with it


def test_a_model_of_unknown_data_leaves_no_fingerprint(tmp_path: Path) -> None:
    """Without one, scripts/train.sh retrains at the next start instead of trusting it."""
    slots = ModelSlots(tmp_path)
    fake_model(slots.current, "live")
    (tmp_path / ".fingerprint").write_text("data-of-live\n")
    promote(slots, fake_model(slots.candidates / "x.tar.gz", "new"))
    assert not (tmp_path / ".fingerprint").exists()
    assert (tmp_path / ".previous.fingerprint").read_text() == "data-of-live\n"


def test_the_first_release_has_no_previous(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    promote(slots, fake_model(slots.candidates / "x.tar.gz", "new"))
    assert model_id_of(slots.current) == "new" and not slots.previous.exists()


def test_swapping_twice_changes_nothing(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    fake_model(slots.current, "new")
    fake_model(slots.previous, "old")
    (tmp_path / ".fingerprint").write_text("n\n")
    (tmp_path / ".previous.fingerprint").write_text("o\n")

    swap_with_previous(slots)
    assert model_id_of(slots.current) == "old" and model_id_of(slots.previous) == "new"
    assert (tmp_path / ".fingerprint").read_text() == "o\n"
    assert (tmp_path / ".previous.fingerprint").read_text() == "n\n"

    swap_with_previous(slots)
    assert model_id_of(slots.current) == "new" and model_id_of(slots.previous) == "old"
    assert (tmp_path / ".fingerprint").read_text() == "n\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".fingerprint", ".previous.fingerprint", "current.tar.gz", "previous.tar.gz"]


def test_a_swap_without_fingerprints_keeps_none(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    fake_model(slots.current, "new")
    fake_model(slots.previous, "old")
    (tmp_path / ".fingerprint").write_text("n\n")
    swap_with_previous(slots)
    assert not (tmp_path / ".fingerprint").exists()
    assert (tmp_path / ".previous.fingerprint").read_text() == "n\n"


def test_no_rollback_without_a_previous_model(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    fake_model(slots.current, "new")
    with pytest.raises(ReleaseError, match="no previous model"):
        swap_with_previous(slots)
    assert model_id_of(slots.current) == "new"


def test_what_is_not_a_model_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.tar.gz").write_text("not an archive")
    with pytest.raises(ReleaseError, match="not a Rasa model"):
        model_id_of(tmp_path / "notes.tar.gz")


def test_only_the_newest_refused_candidates_are_kept(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    for n in range(5):
        model = fake_model(slots.candidates / f"2026112{n}-000000.tar.gz", str(n))
        slots.fingerprint_of(model).write_text(f"{n}\n")
        os.utime(model, (1_700_000_000 + n, 1_700_000_000 + n))
    slots.prune_candidates(keep=3)
    assert sorted(p.name for p in slots.candidates.iterdir()) == [
        f"2026112{n}-000000.{ext}" for n in (2, 3, 4) for ext in ("fingerprint", "tar.gz")]
    assert slots.newest_candidate() == slots.candidates / "20261124-000000.tar.gz"


def test_one_release_at_a_time(tmp_path: Path) -> None:
    slots = ModelSlots(tmp_path)
    with release_lock(slots):
        with pytest.raises(ReleaseError, match="another"):
            with release_lock(slots):
                pass
    with release_lock(slots):  # free again
        pass


def test_the_fingerprint_is_train_shs() -> None:
    """One definition (scripts/fingerprint.sh): train.sh and the release agree."""
    assert "scripts/fingerprint.sh" in (ROOT / "scripts" / "train.sh").read_text()
    assert re.fullmatch(r"[0-9a-f]{64}", data_fingerprint())


def test_a_model_already_trained_from_the_data_is_found(tmp_path: Path) -> None:
    """make reload reuses what make evaluate trained; nothing new when current is up to date."""
    slots = ModelSlots(tmp_path)
    now = data_fingerprint()
    assert model_for_data(slots) == (None, now)
    fake_model(slots.current, "live")
    (tmp_path / ".fingerprint").write_text("older data\n")
    stale = fake_model(slots.candidates / "20261120-000000.tar.gz", "stale")
    slots.fingerprint_of(stale).write_text("older data\n")
    assert model_for_data(slots) == (None, now)
    fresh = fake_model(slots.candidates / "20261121-000000.tar.gz", "fresh")
    slots.fingerprint_of(fresh).write_text(now + "\n")
    assert model_for_data(slots) == (fresh, now)
    (tmp_path / ".fingerprint").write_text(now + "\n")
    assert model_for_data(slots) == (slots.current, now)


def test_nothing_is_sent_when_no_server_runs(tmp_path: Path) -> None:
    model = fake_model(tmp_path / "m.tar.gz", "m")
    outcome = load_into_server(f"http://127.0.0.1:{free_port()}", RASA_API_TOKEN, model, "m")
    assert outcome.status == "not_running"


# --- against a running Rasa server -------------------------------------------------------------

CODE = re.compile(r"R-[2-9A-Z]{6}")
TINY_FINGERPRINT = "fingerprint-of-the-tiny-data\n"


def tiny_training_data(target: Path, per_intent: int = 2) -> Path:
    """The repository's rules and the first examples of each intent: a model below the floor."""
    (target / "nlu").mkdir(parents=True)
    shutil.copyfile(ROOT / "nlu" / "data" / "rules.yml", target / "rules.yml")
    for source in sorted((ROOT / "nlu" / "data" / "nlu").glob("*.yml")):
        lines = ['version: "3.1"', "nlu:"]
        for block in yaml.safe_load(source.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in block:
                continue
            examples = [line.strip() for line in block["examples"].splitlines() if line.strip()]
            lines += [f"- intent: {block['intent']}", "  examples: |"]
            lines += [f"    {example}" for example in examples[:per_intent]]
        (target / "nlu" / source.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MODEL.exists() or not (VENV_RASA / "rasa").exists():
        pytest.skip("needs the Rasa environment and a trained model: run `make test`")
    work = tmp_path_factory.mktemp("tiny")
    data = tiny_training_data(work / "data")
    completed = subprocess.run(
        [str(VENV_RASA / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", str(data), "--out", str(work), "--fixed-model-name", "tiny", "--quiet"],
        cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return work / "tiny.tar.gz"


@dataclass
class Live:
    """A running Rasa server whose models folder is a temporary one."""

    url: str
    slots: ModelSlots
    results: Path
    database_url: str
    real: Path  # the repository's trained model: passes the floor
    tiny: Path  # two examples per intent: below the floor
    services: list[Service] = field(default_factory=list)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Iterator[Live]:
    from store.migrate import upgrade

    work = tmp_path_factory.mktemp("release")
    slots = ModelSlots(work / "models")
    slots.directory.mkdir()
    shutil.copyfile(tiny_model, slots.current)
    slots.fingerprint_of(slots.current).write_text(TINY_FINGERPRINT)
    database_url = f"sqlite:///{work / 'referrals.db'}"
    upgrade(database_url)
    actions = action_server(work, database_url).start(timeout=60)
    action_url = actions.health_url.replace("/health", "/webhook")  # type: ignore[union-attr]
    rasa = rasa_server(work, action_url, f"sqlite:///{work / 'tracker.db'}", model=slots.current)
    try:
        rasa.start(timeout=300)
    except Exception:
        actions.stop()
        raise
    url = rasa.health_url.rstrip("/")  # type: ignore[union-attr]
    yield Live(url, slots, work / "results", database_url, MODEL, tiny_model, [rasa, actions])
    rasa.stop()
    actions.stop()


def run_release(live: Live, *args: str, token: str = RASA_API_TOKEN,
                url: str | None = None) -> subprocess.CompletedProcess[str]:
    """`make reload ARGS=...` on the temporary models folder, as a trainer runs it."""
    return subprocess.run(
        [str(VENV_RASA / "python"), "-m", "evaluation.release", "--models-dir",
         str(live.slots.directory), "--results", str(live.results), *args],
        cwd=ROOT, env=base_env(RASA_URL=url or live.url, RASA_API_TOKEN=token),
        capture_output=True, text=True, timeout=900,
    )


def http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (loopback)
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def with_token(url: str, token: str = RASA_API_TOKEN) -> str:
    return f"{url}?{urllib.parse.urlencode({'token': token})}"


def server_model(live: Live) -> str:
    status, body = http("GET", with_token(f"{live.url}/status"))
    assert status == 200, body
    return str(body["model_id"])


def turn(live: Live, sender: str, message: str) -> list[dict[str, Any]]:
    """One user message through the REST channel, as the bot sends it (no token)."""
    status, replies = http("POST", f"{live.url}/webhooks/rest/webhook",
                           {"sender": sender, "message": message, "metadata": {"language": "ar"}})
    assert status == 200 and replies, (status, replies)
    return replies


def payload_of(replies: list[dict[str, Any]], title: str) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if button["title"] == title:
                return str(button["payload"])
    raise AssertionError(f"no button {title!r} in {[r.get('text') for r in replies]}")


def make_live(live: Live, model: Path, fingerprint: str | None, previous: Path | None = None,
              previous_fingerprint: str | None = None) -> None:
    """Arrange the models folder and the server's model directly (not by the code under test)."""
    for source, target, text in ((model, live.slots.current, fingerprint),
                                 (previous, live.slots.previous, previous_fingerprint)):
        marker = live.slots.fingerprint_of(target)
        target.unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
        if source is not None:
            shutil.copyfile(source, target)
            if text is not None:
                marker.write_text(text)
    if server_model(live) != model_id_of(model):
        status, body = http("PUT", with_token(f"{live.url}/model"),
                            {"model_file": str(live.slots.current)})
        assert status == 204, body
    assert server_model(live) == model_id_of(model)


def digests(live: Live) -> dict[str, str]:
    """Every file of the models folder (candidates included) and its content."""
    return {str(p.relative_to(live.slots.directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(live.slots.directory.rglob("*")) if p.is_file()}


class Chatter(threading.Thread):
    """Another user talking to the assistant the whole time, one message after another."""

    def __init__(self, live: Live) -> None:
        super().__init__(daemon=True)
        self.live = live
        self.done = threading.Event()
        self.turns: list[tuple[float, bool]] = []  # (seconds, answered with at least one reply)

    def run(self) -> None:
        sender = f"chatter-{uuid.uuid4().hex}"
        while not self.done.is_set():
            started = time.perf_counter()
            try:
                status, replies = http("POST", f"{self.live.url}/webhooks/rest/webhook",
                                       {"sender": sender, "message": "/greet"})
                answered = status == 200 and bool(replies)
            except OSError:
                answered = False
            self.turns.append((time.perf_counter() - started, answered))
            time.sleep(0.05)

    def __enter__(self) -> Chatter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join(timeout=90)


def referral_row(live: Live, code: str) -> tuple[str, str | None]:
    from sqlalchemy import select

    from store.db import make_engine, make_session_factory
    from store.models import Referral

    engine = make_engine(live.database_url)
    try:
        with make_session_factory(engine)() as session:
            referral = session.scalars(select(Referral).where(Referral.code == code)).one()
            return referral.category.value, referral.governorate
    finally:
        engine.dispose()


@pytest.mark.e2e
@pytest.mark.rasa
def test_a_a_passing_model_goes_live_while_conversations_go_on(live: Live) -> None:
    make_live(live, live.tiny, TINY_FINGERPRINT)
    real_id, tiny_id = model_id_of(live.real), model_id_of(live.tiny)
    # A returnee is half-way through the referral form: asked for the governorate.
    user = f"returnee-{uuid.uuid4().hex}"
    replies = turn(live, user, "/referral_request")
    replies = turn(live, user, payload_of(replies, "✅ نعم، أوافق"))
    replies = turn(live, user, payload_of(replies, "🏠 السكن والبيت"))
    anbar = payload_of(replies, "الأنبار")

    with Chatter(live) as chatter:
        done = run_release(live, "--model", str(live.real))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Done: the assistant" in done.stdout and "make rollback" in done.stdout
    assert "F1 fell compared with" in done.stdout or "no intent's F1 fell" in done.stdout

    # The server runs the new model; the files say so; the old one is kept for rollback.
    assert server_model(live) == real_id
    assert model_id_of(live.slots.current) == real_id
    assert model_id_of(live.slots.previous) == tiny_id
    assert live.slots.fingerprint_of(live.slots.previous).read_text() == TINY_FINGERPRINT
    real_fingerprint = MODEL.with_name(".fingerprint")
    if real_fingerprint.exists():
        assert live.slots.fingerprint_of(live.slots.current).read_text() == \
            real_fingerprint.read_text()
    assert not list(live.slots.candidates.glob("*.tar.gz"))  # promoted, not copied

    # The server answered every message during the release.
    seconds = [s for s, _ in chatter.turns]
    assert len(chatter.turns) >= 10 and all(ok for _, ok in chatter.turns), chatter.turns
    print(f"\nduring the release: {len(seconds)} turns answered, "
          f"slowest {max(seconds):.2f} s\n{done.stdout[-600:]}")

    # The returnee's form goes on at the question it was at, and the referral is stored.
    replies = turn(live, user, anbar)
    replies = turn(live, user, payload_of(replies, "💬 برسالة هنا بتلگرام"))
    replies = turn(live, user, "البيت مالتنا مهدوم ونحتاج مساعدة بالترميم")
    replies = turn(live, user, payload_of(replies, "✅ نعم، سجل الطلب"))
    code = CODE.search(" ".join(r.get("text") or "" for r in replies))
    assert code, replies
    assert referral_row(live, code.group()) == ("housing", "anbar")


@pytest.mark.e2e
@pytest.mark.rasa
def test_b_a_model_below_the_floor_is_refused_and_nothing_changes(live: Live) -> None:
    make_live(live, live.real, "real\n", previous=live.tiny, previous_fingerprint=TINY_FINGERPRINT)
    before = digests(live)

    done = run_release(live, "--model", str(live.tiny))

    assert done.returncode == 1, done.stdout + done.stderr
    assert "REFUSED" in done.stdout and "Nothing was changed" in done.stdout
    assert "F1 fell compared with" in done.stdout  # the intents that got worse are named
    assert server_model(live) == model_id_of(live.real)
    after = digests(live)
    kept = [name for name in after if name not in before]
    assert {name: after[name] for name in before} == before  # current, previous untouched
    assert len(kept) == 1 and kept[0].startswith("candidates/")  # refused, kept to look at
    assert after[kept[0]] == hashlib.sha256(live.tiny.read_bytes()).hexdigest()
    assert turn(live, f"after-{uuid.uuid4().hex}", "/greet")


@pytest.mark.e2e
@pytest.mark.rasa
def test_c_rollback_puts_the_previous_model_back(live: Live) -> None:
    make_live(live, live.real, "real\n", previous=live.tiny, previous_fingerprint=TINY_FINGERPRINT)
    real_id, tiny_id = model_id_of(live.real), model_id_of(live.tiny)

    done = run_release(live, "--rollback")

    assert done.returncode == 0, done.stdout + done.stderr
    assert server_model(live) == tiny_id
    assert model_id_of(live.slots.current) == tiny_id
    assert model_id_of(live.slots.previous) == real_id
    assert live.slots.fingerprint_of(live.slots.current).read_text() == TINY_FINGERPRINT
    assert live.slots.fingerprint_of(live.slots.previous).read_text() == "real\n"
    assert turn(live, f"after-{uuid.uuid4().hex}", "/greet")

    again = run_release(live, "--rollback")  # a second rollback undoes the first
    assert again.returncode == 0, again.stdout + again.stderr
    assert server_model(live) == real_id and model_id_of(live.slots.current) == real_id


@pytest.mark.e2e
@pytest.mark.rasa
def test_d_the_model_api_needs_the_token_the_channel_does_not(live: Live) -> None:
    make_live(live, live.real, "real\n", previous=live.tiny, previous_fingerprint=TINY_FINGERPRINT)
    before = digests(live)
    body = {"model_file": str(live.slots.previous)}

    assert http("PUT", f"{live.url}/model", body)[0] == 401
    assert http("PUT", with_token(f"{live.url}/model", "wrong-token-0123456789"), body)[0] == 401
    assert http("GET", f"{live.url}/conversations/someone/tracker")[0] == 401
    assert server_model(live) == model_id_of(live.real)
    assert turn(live, f"bot-{uuid.uuid4().hex}", "/greet")  # what the bot uses needs no token

    for token in ("wrong-token-0123456789", ""):
        done = run_release(live, "--model", str(live.tiny), token=token)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "STOPPED before changing anything" in done.stdout
        assert "RASA_API_TOKEN" in done.stdout
        if token:
            assert token not in done.stdout + done.stderr  # never printed
    assert digests(live) == before  # no candidate made, nothing renamed
    assert server_model(live) == model_id_of(live.real)


@pytest.mark.e2e
@pytest.mark.rasa
def test_without_a_running_server_the_model_waits_for_the_next_start(
    live: Live, tmp_path: Path
) -> None:
    offline = Live(f"http://127.0.0.1:{free_port()}", ModelSlots(tmp_path / "models"),
                   tmp_path / "results", live.database_url, live.real, live.tiny)
    offline.slots.directory.mkdir()
    shutil.copyfile(live.tiny, offline.slots.current)

    done = run_release(offline, "--model", str(live.real))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "is not running" in done.stdout and "next starts" in done.stdout
    assert model_id_of(offline.slots.current) == model_id_of(live.real)
    assert model_id_of(offline.slots.previous) == model_id_of(live.tiny)
