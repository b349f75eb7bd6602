"""Load benchmark of the whole stack: simulated Telegram users through the fake Bot API.

    python -m evaluation.load [--users 200] [--messages 10] [--think 2.0] [--database-url URL]

It starts the real processes (Rasa with models/current.tar.gz, the action server, the bot in
polling mode) against the fake Telegram Bot API on 127.0.0.1 (tests/support/fake_telegram.py,
in this process), then drives N users, each sending M messages closed-loop: a user sends the
next message only after the bot has answered the previous one (and gone quiet for `--settle`
seconds, so the tail of a multi-message answer is not taken for the next reply), plus a think
time. The messages come from the training data (Iraqi Arabic, MSA, Arabizi, English): topic
questions for half the users, for the other half a referral made with the buttons, a status
question and topic questions. Crisis examples are left out (they are measured elsewhere).

Reported: wall time, throughput (user messages/s, bot messages/s), reply latency p50/p95/p99/max
(from the update being queued in the fake API to the bot's first sendMessage to that chat),
errors (no reply within --reply-timeout, 5xx answers, apology or "try again" replies, error
lines and tracebacks in the processes' logs; the target is 0), flood-control replies, and the
peak resident memory (VmHWM, children included) of each process. Printed as a table and written
to results/load.json; the processes' logs stay in results/load/.

The fake API and the simulated users share this process (one asyncio loop, the fake's HTTP
server threads): its own peak memory is reported as "driver + fake API".
It reuses tests/support (the fake API and the process launchers of the end-to-end tests), so
the stack measured is the stack the tests run. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from content.loader import message
from evaluation import write_result
from evaluation.metrics import percentile
from store.migrate import upgrade
from store.models import utcnow
from tests.support.fake_telegram import FakeTelegram, JsonDict, normalize_chat_id
from tests.support.processes import (
    MODEL,
    ROOT,
    Service,
    action_server,
    bot_process,
    rasa_server,
)

BOT_TOKEN = "424242:LOAD-BENCHMARK"
PSEUDONYM_SECRET = "load-benchmark-pseudonym-secret-0123"
FIRST_USER = 8_000_001
NLU_DIR = ROOT / "nlu" / "data" / "nlu"
RESULTS = ROOT / "results"

TOPIC_INTENTS = (
    "housing_damaged_home", "housing_compensation", "housing_shelter", "housing_property_dispute",
    "doc_civil_id", "doc_civil_registration", "doc_security_clearance",
    "pss_distress", "pss_child", "pss_stigma", "livelihood_support",
    "privacy_question", "ask_capabilities", "bot_challenge",
)
SMALL_TALK_INTENTS = ("greet", "thank")
# An entity annotation in the training data: [text]{"entity": ...} or [text](entity).
CODE = re.compile(r"R-[2-9A-Z]{6}")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


# --------------------------------------------------------------------------- the messages


def training_examples(nlu_dir: Path = NLU_DIR) -> dict[str, list[str]]:
    """Every intent's examples, with entity annotations reduced to their text."""
    examples: dict[str, list[str]] = defaultdict(list)
    for path in sorted(nlu_dir.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(r"\1", line.strip().removeprefix("- ").strip())
                if text:
                    examples[item["intent"]].append(text)
    return dict(examples)


@dataclass(frozen=True)
class Step:
    """One thing a user does: type `text`, or (`form`) answer the form's current question.

    A form step looks at the bot's last message: two buttons (yes/no, Telegram/phone) → the
    first; more (category, governorate) → one at random; a lone "skip" button or none → type
    `text` as the description. Once a reference code was shown, a form step asks the status.
    """

    name: str
    text: str = ""
    form: bool = False


def user_plan(rng: random.Random, examples: dict[str, list[str]], messages: int) -> list[Step]:
    """M steps of one simulated user: an information seeker, or a referral made by buttons."""

    def said(intent: str) -> str:
        return rng.choice(examples[intent])

    def topic() -> Step:
        return Step("topic", said(rng.choice(TOPIC_INTENTS)))

    if rng.random() < 0.5:
        steps = [Step("greet", said("greet"))] + [topic() for _ in range(messages)]
        steps = steps[: max(messages - 1, 1)]
        if messages > 1:
            steps.append(Step("status", said("referral_status")))
        return steps
    description = said(rng.choice(TOPIC_INTENTS[:11]))
    steps = [topic(), Step("referral", said("referral_request"))]
    steps += [Step("form", description, form=True) for _ in range(6)]
    steps.append(Step("status", said("referral_status")))
    while len(steps) < messages:
        steps.append(rng.choice([topic(), Step("thank", said(rng.choice(SMALL_TALK_INTENTS)))]))
    return steps[:messages]


# --------------------------------------------------------------------------- observing the bot


@dataclass
class Sent:
    time: float
    text: str
    message: JsonDict


class ObservedTelegram(FakeTelegram):
    """The fake Bot API, telling the simulated users (an asyncio loop) about every message."""

    def __init__(self, token: str) -> None:
        super().__init__(token=token)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.by_chat: dict[int, list[Sent]] = defaultdict(list)
        self.events: dict[int, asyncio.Event] = {}

    def _send_message(self, params: JsonDict) -> JsonDict:
        sent = super()._send_message(params)
        chat_id = normalize_chat_id(params.get("chat_id"))
        record = Sent(time.time(), sent.get("text") or "", {
            "chat_id": chat_id, "message_id": sent["message_id"],
            "reply_markup": sent.get("reply_markup"),
            "buttons": [b for row in (sent.get("reply_markup") or {}).get("inline_keyboard", [])
                        for b in row],
        })
        if self.loop is not None and isinstance(chat_id, int):
            self.loop.call_soon_threadsafe(self._arrived, chat_id, record)
        return sent

    def _arrived(self, chat_id: int, record: Sent) -> None:
        self.by_chat[chat_id].append(record)
        event = self.events.get(chat_id)
        if event is not None:
            event.set()

    def server_errors(self) -> int:
        return sum(1 for r in self.requests() if (r["status"] or 0) >= 500)


# --------------------------------------------------------------------------- one user


@dataclass
class Turn:
    user: int
    step: str
    latency: float | None  # seconds; None: no reply within the timeout
    replies: int


@dataclass
class UserResult:
    turns: list[Turn] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    referred: bool = False  # a reference code was shown to this user
    codes: set[str] = field(default_factory=set)  # codes shown when the referral was stored


FAILURE_TEXTS = {
    "apology_unavailable": [message("apology_unavailable", lang)[:40] for lang in ("ar", "en")],
    "turn_failed": [message("turn_failed", lang)[:40] for lang in ("ar", "en")],
    "flood": [message("flood", lang)[:40] for lang in ("ar", "en")],
    "button_expired": [message("button_expired", lang)[:40] for lang in ("ar", "en")],
}


def classify(text: str) -> str | None:
    for kind, prefixes in FAILURE_TEXTS.items():
        if any(text.startswith(p) for p in prefixes):
            return kind
    return None


async def run_user(telegram: ObservedTelegram, user: int, steps: list[Step], args: argparse.Namespace,
                   start_delay: float, rng: random.Random) -> UserResult:
    result = UserResult()
    event = telegram.events[user] = asyncio.Event()
    inbox = telegram.by_chat[user]
    await asyncio.sleep(start_delay)
    last_buttons: JsonDict | None = None
    has_code = False
    for step in steps:
        seen = len(inbox)
        event.clear()
        name, press = step.name, None
        if step.form and has_code:
            name, text = "status", "شصار بطلبي"
        elif step.form and last_buttons is not None and len(last_buttons["buttons"]) >= 2:
            count = len(last_buttons["buttons"])
            press = 0 if count == 2 else rng.randrange(count)
            name = "form_yes_no" if count == 2 else "form_choice"
        else:
            text = step.text
            if step.form:
                name = "form_text"
        queued = time.time()
        if press is not None:
            telegram.press_button(user, last_buttons, last_buttons["buttons"][press]["text"])  # type: ignore[index]
        else:
            telegram.push_text(user, text)
        latency = await first_reply(event, inbox, seen, queued, args.reply_timeout)
        if latency is not None:
            await settle(inbox, args.settle)
        replies = inbox[seen:]
        for sent in replies:
            kind = classify(sent.text)
            if kind:
                result.kinds[kind] += 1
            result.codes.update(CODE.findall(sent.text))  # only the user's own are ever shown
            has_code = has_code or bool(CODE.search(sent.text))
        with_buttons = [s.message for s in replies if s.message["buttons"]]
        last_buttons = with_buttons[-1] if with_buttons else None
        result.turns.append(Turn(user, name, latency, len(replies)))
        if args.think > 0:
            await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
    result.referred = has_code
    return result


async def first_reply(event: asyncio.Event, inbox: list[Sent], seen: int, queued: float,
                      timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while len(inbox) <= seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        event.clear()
        try:
            await asyncio.wait_for(event.wait(), remaining)
        except asyncio.TimeoutError:
            return None
    return inbox[seen].time - queued


async def settle(inbox: list[Sent], quiet: float) -> None:
    """Until no message has arrived for `quiet` seconds: the rest of a multi-message answer."""
    while True:
        idle = time.time() - inbox[-1].time
        if idle >= quiet:
            return
        await asyncio.sleep(quiet - idle)


# --------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (its exited children not included)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemoryWatch:
    """Samples each process tree: the peak VmHWM of every process seen, summed per service."""

    def __init__(self, roots: dict[str, int], interval: float = 1.0,
                 without_children: frozenset[str] = frozenset()) -> None:
        self.roots = roots
        # The driver's children are the services, measured on their own.
        self.without_children = without_children
        self.interval = interval
        self.peaks: dict[str, dict[int, int]] = {name: {} for name in roots}
        self.rss_now: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)

    def _sample(self) -> None:
        for name, root in self.roots.items():
            tree, todo = [], [root]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                if name not in self.without_children:
                    todo += _children(pid)
            for pid in tree:
                hwm = _status_kib(pid, "VmHWM")
                if hwm:
                    self.peaks[name][pid] = max(self.peaks[name].get(pid, 0), hwm)
            self.rss_now[name] = sum(_status_kib(pid, "VmRSS") for pid in tree)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> MemoryWatch:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def report(self) -> dict[str, dict[str, float]]:
        return {name: {"peak_mib": round(sum(p.values()) / 1024, 1), "processes": len(p),
                       "rss_end_mib": round(self.rss_now.get(name, 0) / 1024, 1)}
                for name, p in self.peaks.items()}


# --------------------------------------------------------------------------- the stack


def log_problems(path: Path) -> dict[str, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return {"error_lines": len(re.findall(r"^\S+ \S+ +(?:ERROR|CRITICAL)\b", text, re.M)),
            "tracebacks": text.count("Traceback (most recent call last)")}


def start_stack(work: Path, telegram: FakeTelegram, database_url: str, tracker_url: str,
                bot_env: dict[str, str]) -> tuple[Service, Service, Service]:
    upgrade(database_url)
    actions = action_server(work, database_url).start(timeout=120)
    rasa = rasa_server(work, actions.health_url.replace("/health", "/webhook"),  # type: ignore[union-attr]
                       tracker_url)
    try:
        rasa.start(timeout=600)
        bot = bot_process(
            work, TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_BASE_URL=telegram.base_url,
            RASA_URL=rasa.health_url.rstrip("/"), DATABASE_URL=database_url,  # type: ignore[union-attr]
            PSEUDONYM_SECRET=PSEUDONYM_SECRET, TRACKER_DB_URL=tracker_url, LOG_LEVEL="INFO",
            TELEGRAM_MODE="polling",
            **bot_env,
        ).start(timeout=120, ready_line="bot ready")
    except Exception:
        rasa.stop()
        actions.stop()
        raise
    return actions, rasa, bot


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


async def drive(telegram: ObservedTelegram, args: argparse.Namespace,
                plans: dict[int, list[Step]]) -> tuple[list[UserResult], float]:
    telegram.loop = asyncio.get_running_loop()
    started = time.monotonic()
    # Users arrive over --ramp seconds rather than all in the same millisecond.
    results = await asyncio.gather(*(
        run_user(telegram, user, steps, args, args.ramp * index / max(len(plans), 1),
                 random.Random(args.seed * 1_000_003 + user))
        for index, (user, steps) in enumerate(plans.items())
    ))
    return list(results), time.monotonic() - started


def summarise(results: list[UserResult], wall: float, telegram: ObservedTelegram,
              users: list[int]) -> dict[str, Any]:
    turns = [t for r in results for t in r.turns]
    latencies = sorted(t.latency for t in turns if t.latency is not None)
    kinds: dict[str, int] = defaultdict(int)
    for r in results:
        for kind, count in r.kinds.items():
            kinds[kind] += count
    bot_messages = sum(len(telegram.by_chat[u]) for u in users)
    by_step: dict[str, list[float]] = defaultdict(list)
    for t in turns:
        if t.latency is not None:
            by_step[t.step].append(t.latency)
    return {
        "wall_seconds": round(wall, 1),
        "user_messages": len(turns),
        "bot_messages": bot_messages,
        "messages_per_second": round(len(turns) / wall, 2),
        "replies_per_second": round(bot_messages / wall, 2),
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000), "p95": round(percentile(latencies, 95) * 1000),
            "p99": round(percentile(latencies, 99) * 1000), "max": round(latencies[-1] * 1000),
            "mean": round(statistics.fmean(latencies) * 1000),
        } if latencies else {},
        "latency_p50_ms_by_step": {step: round(percentile(sorted(v), 50) * 1000)
                                   for step, v in sorted(by_step.items())},
        "no_reply": sum(1 for t in turns if t.latency is None),
        "failure_replies": dict(kinds),
        "referrals_shown": sum(1 for r in results if r.referred),
        "fake_api_5xx": telegram.server_errors(),
    }


def stored_codes(database_url: str, since: datetime) -> list[str]:
    """Codes of the referrals stored since the run began (a given database may hold others)."""
    from sqlalchemy import select

    from store.db import make_engine, make_session_factory
    from store.models import Referral

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(Referral.code).where(Referral.created_at >= since)))
    finally:
        engine.dispose()


def print_table(report: dict[str, Any]) -> None:
    s, lat = report["summary"], report["summary"]["latency_ms"]
    rows = [
        ("users × messages", f"{report['config']['users']} × {report['config']['messages']}"),
        ("wall time", f"{s['wall_seconds']} s"),
        ("throughput", f"{s['messages_per_second']} user msg/s, {s['replies_per_second']} bot msg/s"),
        ("reply latency p50/p95/p99/max", "/".join(str(lat.get(k, "-")) for k in
                                                   ("p50", "p95", "p99", "max")) + " ms"),
        ("errors (total)", str(report["errors"]["total"])),
        ("  no reply within timeout", str(s["no_reply"])),
        ("  apology / try-again replies", str(s["failure_replies"].get("apology_unavailable", 0)
                                              + s["failure_replies"].get("turn_failed", 0))),
        ("  5xx (fake API)", str(s["fake_api_5xx"])),
        ("  log errors / tracebacks", str(report["errors"]["log_lines"])),
        ("flood-control replies", str(s["failure_replies"].get("flood", 0))),
        ("referrals: codes shown / rows stored", f"{s['referrals_shown']} / {s['referrals_stored']}"
                                                 f" (shown, not stored: {s['referrals_shown_not_stored']})"),
    ]
    for name, mem in report["memory"].items():
        rows.append((f"peak RSS {name}", f"{mem['peak_mib']} MiB ({mem['processes']} process(es))"))
    for name, seconds in report["cpu_seconds_while_driving"].items():
        share = seconds / max(report["summary"]["wall_seconds"], 1e-9)
        rows.append((f"CPU {name}", f"{seconds} s ({share:.0%} of one core)"))
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10, help="messages per user")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean think time between a reply and the next message, seconds "
                             "(uniform from half to one and a half times; keeps each user under "
                             "the bot's flood limit of 8 messages in 10 s)")
    parser.add_argument("--settle", type=float, default=0.5,
                        help="quiet time that ends a (multi-message) answer, seconds")
    parser.add_argument("--ramp", type=float, default=10.0, help="users arrive over this many seconds")
    parser.add_argument("--reply-timeout", type=float, default=60.0)
    parser.add_argument("--database-url", help="referral store (default: a fresh SQLite file)")
    parser.add_argument("--tracker-url", help="Rasa's tracker store (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit("no trained model: run `make train` first")

    work = RESULTS / "load"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database_url = args.database_url or f"sqlite:///{work / 'referrals.db'}"
    tracker_url = args.tracker_url or f"sqlite:///{work / 'tracker.db'}"
    rng = random.Random(args.seed)
    examples = training_examples()
    users = [FIRST_USER + i for i in range(args.users)]
    plans = {user: user_plan(rng, examples, args.messages) for user in users}
    config = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    config["database"] = database_url.split(":", 1)[0]
    config["tracker_store"] = tracker_url.split(":", 1)[0]
    host = machine()

    began = utcnow()
    with ObservedTelegram(BOT_TOKEN) as telegram:
        actions, rasa, bot = start_stack(work, telegram, database_url, tracker_url, {})
        try:
            roots = {"rasa": rasa.process.pid, "actions": actions.process.pid,  # type: ignore[union-attr]
                     "bot": bot.process.pid, "driver + fake API": os.getpid()}  # type: ignore[union-attr]
            with MemoryWatch(roots, without_children=frozenset({"driver + fake API"})) as memory:
                # Warm-up (not measured): the first turns load lazily built parts.
                warm = {FIRST_USER - 1 - i: user_plan(random.Random(i), examples, 3) for i in range(3)}
                asyncio.run(drive(telegram, argparse.Namespace(**{**vars(args), "think": 0, "ramp": 0}), warm))
                telegram.loop = None
                print(f"stack up; driving {args.users} users × {args.messages} messages…", flush=True)
                cpu_before = {name: cpu_seconds(pid) for name, pid in roots.items()}
                results, wall = asyncio.run(drive(telegram, args, plans))
                cpu = {name: round(cpu_seconds(pid) - cpu_before[name], 1)
                       for name, pid in roots.items()}
        finally:
            bot.stop()
            rasa.stop()
            actions.stop()
        summary = summarise(results, wall, telegram, users)
    shown = set().union(*(r.codes for r in results))
    stored = stored_codes(database_url, began)
    summary["referrals_stored"] = len(stored)
    summary["referrals_shown_not_stored"] = len(shown - set(stored))
    summary["referrals_stored_twice_for_a_user"] = sum(max(len(r.codes) - 1, 0) for r in results)

    logs = {name: log_problems(work / f"{name}.log") for name in ("rasa", "actions", "bot")}
    log_lines = sum(v["error_lines"] + v["tracebacks"] for v in logs.values())
    failures = summary["failure_replies"]
    errors = {
        "no_reply": summary["no_reply"],
        "apology_or_try_again": failures.get("apology_unavailable", 0) + failures.get("turn_failed", 0),
        "fake_api_5xx": summary["fake_api_5xx"],
        "log_lines": log_lines,
        "logs": logs,
    }
    errors["total"] = (errors["no_reply"] + errors["apology_or_try_again"] + errors["fake_api_5xx"]
                       + log_lines)
    report = {"config": config, "machine": host, "summary": summary, "errors": errors,
              "memory": memory.report(), "cpu_seconds_while_driving": cpu,
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
              "logs_dir": str(work.relative_to(ROOT))}
    write_result(args.out, report)
    print_table(report)
    print(f"written: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
