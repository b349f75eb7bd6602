"""The review queue: messages the assistant missed, kept de-identified so trainers can label them.

What is kept, and why (see also docs/trainers.md):

- a message that ended in the NLU fallback ("please rephrase"), always, and a message answered
  with a confidence below REVIEW_CONFIDENCE_THRESHOLD (`reason_to_keep`);
- only its de-identified text (`nlu.deidentify`: phone numbers, numbers, introduced names,
  handles, e-mails and links masked), the predicted intent and its confidence, and the day.
  Nothing links it to the person: no user key, no chat id, no time. A hash of the sender and
  the turn makes a retried message count once; the daily purge clears it after a day;
- never a message the crisis safety net flags (`nlu.safety.detect_crisis`) or the model takes
  for a crisis: those are the most sensitive messages people write, and the crisis rules are
  curated and reviewed in code (nlu/safety.py), not learnt from this queue;
- for REVIEW_RETENTION_DAYS (the daily purge, store/retention.py, deletes older items; 0 keeps
  none). Because nothing links an item to a person, /delete cannot find it, and need not.

Trainers (dashboard/review.py, /review) see pending items grouped by their normalised text
(`nlu.arabic.normalize`, punctuation dropped: `evaluation.leakage.leak_key`, the form in which
the held-out check compares texts too), most frequent first; they label a group with an intent or discard it
(discarded items are deleted). `export_labelled` (the page's button, `make review-export`,
`python -m store.review export`) writes labelled items into the reviewed training file
(REVIEW_EXPORT_PATH, nlu/data/nlu/reviewed.yml): merged with what the file holds, never an
example already in the training data, and never one of the held-out test set
(tests/nlu/heldout): training on test sentences would make our measurements dishonest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from evaluation.leakage import leak_key
from nlu.deidentify import MASKS, deidentify
from nlu.safety import detect_crisis
from store.models import ReviewItem, ReviewReason, ReviewStatus, utcnow

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
CRISIS_INTENTS = ("crisis_self_harm", "crisis_violence")
# Intents a person never types (the /start command): not offered as labels.
UNLABELLABLE_INTENTS = ("start",)
TEXT_MAX_CHARS = 4096  # Telegram's limit for one message


class Capture(str, Enum):
    """What `capture` did with a message."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # this turn was kept already
    CRISIS = "crisis"  # never kept
    EMPTY = "empty"  # nothing left to learn from
    DISABLED = "disabled"  # REVIEW_RETENTION_DAYS=0


def reason_to_keep(intent: str | None, confidence: float | None,
                   threshold: float) -> ReviewReason | None:
    """Why the message with this NLU result is kept for review; None when it is not."""
    if intent == FALLBACK_INTENT:
        return ReviewReason.FALLBACK
    if intent and confidence is not None and confidence < threshold:
        return ReviewReason.LOW_CONFIDENCE
    return None


def best_guess(intent: str | None, confidence: float | None,
               ranking: list[dict[str, Any]] | None) -> tuple[str | None, float]:
    """The intent the model would have chosen: for a fallback, the best intent of the ranking
    that is not the fallback itself, with its confidence."""
    if intent != FALLBACK_INTENT:
        return intent, float(confidence or 0.0)
    for entry in ranking or []:
        name = entry.get("name")
        if name and name != FALLBACK_INTENT:
            return name, float(entry.get("confidence") or 0.0)
    return None, 0.0


def dedupe_key(sender: str, turn: str) -> str:
    """The same sender's same turn gives the same key (a retried message is kept once)."""
    return hashlib.sha256(f"review-item|{sender}|{turn}".encode()).hexdigest()


def group_key(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def capture(factory: sessionmaker[Session], *, text: str, predicted_intent: str | None,
            confidence: float, reason: ReviewReason, key: str | None, today: date,
            retention_days: int) -> Capture:
    """De-identify a missed message and keep it for review (its own transaction).

    The raw text never leaves this function: only the de-identified text is stored.
    """
    if retention_days <= 0:
        return Capture.DISABLED
    if predicted_intent in CRISIS_INTENTS or detect_crisis(text) is not None:
        return Capture.CRISIS
    masked = deidentify(text[:TEXT_MAX_CHARS]).strip()
    words = masked
    for mask in MASKS:
        words = words.replace(mask, " ")
    if not any(char.isalpha() for char in words):
        return Capture.EMPTY  # nothing but numbers, links or punctuation: nothing to learn
    normalised = leak_key(masked)
    item = ReviewItem(
        text=masked, normalised=normalised, group_key=group_key(normalised),
        predicted_intent=predicted_intent, confidence=round(float(confidence), 4), reason=reason,
        received_on=today, status=ReviewStatus.PENDING, dedupe_key=key,
    )
    try:
        with factory.begin() as session:
            if key is not None and session.scalar(
                    select(ReviewItem.id).where(ReviewItem.dedupe_key == key)) is not None:
                return Capture.DUPLICATE
            session.add(item)
    except IntegrityError:  # the same turn, stored meanwhile by a concurrent call
        return Capture.DUPLICATE
    return Capture.STORED


# --- the trainers' page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewGroup:
    """Pending items with the same normalised text."""

    group_key: str
    normalised: str
    example: str  # the latest item's de-identified text
    count: int
    predicted_intent: str | None  # the most frequent prediction in the group
    mean_confidence: float
    last_received: date


def pending_groups(session: Session, *, page: int = 1,
                   page_size: int = 25) -> tuple[list[ReviewGroup], int]:
    """One page of pending groups, most frequent first (then the most recent); and how many
    groups there are."""
    latest_id = func.max(ReviewItem.id).label("latest_id")
    count = func.count().label("n")
    grouped = (
        select(ReviewItem.group_key, count, func.avg(ReviewItem.confidence).label("mean"),
               latest_id, func.max(ReviewItem.received_on).label("last"))
        .where(ReviewItem.status == ReviewStatus.PENDING)
        .group_by(ReviewItem.group_key)
    )
    total = int(session.scalar(select(func.count()).select_from(grouped.subquery())) or 0)
    rows = session.execute(
        grouped.order_by(count.desc(), latest_id.desc())
        .limit(page_size).offset((max(page, 1) - 1) * page_size)
    ).all()
    if not rows:
        return [], total
    latest = {item.id: item for item in session.scalars(
        select(ReviewItem).where(ReviewItem.id.in_([row.latest_id for row in rows])))}
    predictions: dict[str, Counter[str | None]] = defaultdict(Counter)
    for key, intent, n in session.execute(
        select(ReviewItem.group_key, ReviewItem.predicted_intent, func.count())
        .where(ReviewItem.status == ReviewStatus.PENDING,
               ReviewItem.group_key.in_([row.group_key for row in rows]))
        .group_by(ReviewItem.group_key, ReviewItem.predicted_intent)
    ):
        predictions[key][intent] = n
    groups = []
    for row in rows:
        example = latest[row.latest_id]
        counted = predictions[row.group_key]
        # Most frequent prediction; ties go to the alphabetically first intent.
        predicted = min(counted, key=lambda intent: (-counted[intent], intent or "~"))
        groups.append(ReviewGroup(
            group_key=row.group_key, normalised=example.normalised, example=example.text,
            count=int(row.n), predicted_intent=predicted, mean_confidence=float(row.mean or 0),
            last_received=row.last,
        ))
    return groups, total


def status_counts(session: Session) -> dict[ReviewStatus, int]:
    counts = dict(session.execute(
        select(ReviewItem.status, func.count()).group_by(ReviewItem.status)).tuples().all())
    return {status: int(counts.get(status, 0)) for status in ReviewStatus}


def predicted_intent_of(session: Session, key: str) -> str | None:
    """The most frequent prediction of a pending group (for the audit entry)."""
    row = session.execute(
        select(ReviewItem.predicted_intent, func.count().label("n"))
        .where(ReviewItem.group_key == key, ReviewItem.status == ReviewStatus.PENDING)
        .group_by(ReviewItem.predicted_intent).order_by(func.count().desc()).limit(1)
    ).first()
    return row[0] if row else None


def label_group(session: Session, key: str, intent: str, today: date) -> int:
    """Give every pending item of a group an intent; returns how many."""
    result = session.execute(
        update(ReviewItem)
        .where(ReviewItem.group_key == key, ReviewItem.status == ReviewStatus.PENDING)
        .values(status=ReviewStatus.LABELLED, label=intent, labelled_on=today)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def discard_group(session: Session, key: str) -> int:
    """Delete every pending item of a group (nothing worth keeping); returns how many."""
    result = session.execute(
        delete(ReviewItem)
        .where(ReviewItem.group_key == key, ReviewItem.status == ReviewStatus.PENDING)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_review_items(session: Session, *, received_before: date,
                       forget_keys_before: date) -> int:
    """Retention: delete items received before a day; clear the idempotency keys of items
    received before another (retries are long over, and the key hashes the sender)."""
    deleted = session.execute(delete(ReviewItem).where(ReviewItem.received_on < received_before))
    session.execute(
        update(ReviewItem)
        .where(ReviewItem.received_on < forget_keys_before, ReviewItem.dedupe_key.is_not(None))
        .values(dedupe_key=None)
    )
    return int(deleted.rowcount or 0)  # type: ignore[attr-defined]


def labellable_intents(domain_path: Path) -> list[str]:
    """The intents of domain.yml a trainer may choose (read when asked, not at import)."""
    import yaml

    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    intents = []
    for entry in domain.get("intents") or []:
        name = entry if isinstance(entry, str) else next(iter(entry), None)
        if name and name not in UNLABELLABLE_INTENTS:
            intents.append(str(name))
    return intents


# --- export into the training data -------------------------------------------------------------

HEADER = """\
# Generated from the trainers' review page of the dashboard (/review, "Export") and by
# `make review-export`: messages the assistant missed, de-identified before they were stored
# (<name>, <phone>, <number>, <handle>, <email>, <url> stand for what was taken out), and
# labelled by a trainer. You may edit this file: correct or delete an example, or move it to
# the topic's own file. The next export keeps every example that is here and adds the new ones
# (comments other than this header are not kept). Examples of the held-out test set
# (tests/nlu/heldout) and examples already in the training data are never added.
"""


class ExportError(RuntimeError):
    """The export cannot run safely (no held-out set to check against, a broken file)."""


@dataclass
class ExportReport:
    """What an export did. Counts only, apart from the conflicts' locations."""

    added: dict[str, int] = field(default_factory=dict)  # intent → new examples
    items_exported: int = 0
    already_present: int = 0  # the same example is in the training data (or in this export)
    heldout: int = 0  # would have leaked a held-out test sentence: never exported
    # (trainer's intent, intent in the training data, file:line) of an example that is in
    # the training data under another intent: not exported; worth a second look.
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    empty: int = 0
    path: str = ""

    @property
    def examples_added(self) -> int:
        return sum(self.added.values())

    @property
    def skipped(self) -> int:
        return self.already_present + self.heldout + len(self.conflicts) + self.empty

    def audit_detail(self) -> str:
        """For the audit log: counts and intents, never a message."""
        return json.dumps({
            "examples_added": self.examples_added, "added": self.added,
            "items_exported": self.items_exported, "already_present": self.already_present,
            "heldout_skipped": self.heldout, "conflicts": len(self.conflicts),
            "empty": self.empty,
        }, sort_keys=True)


def example_text(text: str) -> str:
    """A stored text as one line of a Rasa example: one line, no characters YAML refuses, and
    no square brackets (Rasa would read "[x](y)" as an entity annotation)."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\r\n\u2028\u2029" or category == "Zs":
            kept.append(" ")
        elif category in ("Cc", "Cs", "Co") or char in "\ufffe\uffff\ufeff":
            continue
        else:
            kept.append({"[": "(", "]": ")"}.get(char, char))
    return " ".join("".join(kept).split())


def _read_examples(paths: list[Path]) -> list[Any]:
    from nlu.checks import read_examples

    examples = []
    for path in paths:
        examples.extend(read_examples(path))
    return examples


def _read_reviewed(path: Path) -> tuple[dict[str, list[str]], list[Any]]:
    """The examples (raw lines, annotations kept) per intent of the reviewed file, and its
    other entries (synonyms, regexes, lookups) as they are."""
    import yaml

    if not path.exists():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ExportError(f"{path} is not valid YAML; fix it first ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("nlu") or [], list):
        raise ExportError(f"{path} is not a Rasa NLU file (version + nlu list)")
    examples: dict[str, list[str]] = {}
    others: list[Any] = []
    for entry in data.get("nlu") or []:
        if isinstance(entry, dict) and "intent" in entry:
            lines = str(entry.get("examples") or "").splitlines()
            examples.setdefault(str(entry["intent"]), []).extend(
                line.strip()[2:].strip() for line in lines if line.strip().startswith("- "))
        else:
            others.append(entry)
    return examples, others


def render_reviewed(examples: dict[str, list[str]], others: list[Any] | None = None) -> str:
    """The reviewed training file: header, version, then one block per intent."""
    import yaml

    out = [HEADER, 'version: "3.1"\n']
    if not examples and not others:
        out.append("nlu: []\n")
        return "".join(out)
    out.append("nlu:\n")
    for intent, lines in examples.items():
        if not lines:
            continue
        out.append(f"- intent: {intent}\n  examples: |\n")
        out.extend(f"    - {line}\n" for line in lines)
    if others:
        out.append(yaml.safe_dump(others, allow_unicode=True, sort_keys=False))
    return "".join(out)


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".reviewed-", suffix=".yml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_labelled(factory: sessionmaker[Session], *, export_path: Path, training_dir: Path,
                    heldout_dir: Path, today: date) -> ExportReport:
    """Write labelled, not yet exported items into the reviewed training file.

    Each item is exported once: as a new example, or skipped because the example is already in
    the training data (under its intent: nothing to do; under another: a conflict, reported),
    would leak a held-out test sentence, or is empty. Exported and skipped items are marked so
    the next export does not look at them again. The file is written before the marks are
    committed: a failure in between leaves items that the next export finds already present.
    """
    import yaml

    from nlu.checks import comparable

    heldout_files = sorted(heldout_dir.glob("*.yml"))
    if not heldout_files:
        raise ExportError(f"no held-out test set in {heldout_dir}: cannot check for leakage")
    export_path = export_path.resolve()
    training_files = sorted(path.resolve() for path in training_dir.glob("*.yml"))
    if export_path.exists() and export_path not in training_files:
        training_files.append(export_path)
    heldout = _read_examples(heldout_files)
    heldout_keys = {leak_key(example.text) for example in heldout}
    heldout_comparable = {comparable(example.text) for example in heldout}
    in_training: dict[str, tuple[str, str]] = {}
    for example in _read_examples(training_files):
        in_training.setdefault(comparable(example.text),
                               (example.intent, f"{example.path.name}:{example.line}"))

    existing, others = _read_reviewed(export_path)
    report = ExportReport(path=str(export_path))
    new: dict[str, list[str]] = defaultdict(list)
    with factory.begin() as session:
        items = session.scalars(
            select(ReviewItem).where(ReviewItem.status == ReviewStatus.LABELLED)
            .order_by(ReviewItem.id).with_for_update()
        ).all()
        for item in items:
            text = example_text(item.text)
            key = comparable(text)
            exported = False
            if not key:
                report.empty += 1
            elif key in heldout_comparable or leak_key(text) in heldout_keys:
                report.heldout += 1
            elif key in in_training:
                intent, where = in_training[key]
                if intent == item.label:
                    report.already_present += 1
                    exported = True  # its example is in the training data
                else:
                    report.conflicts.append((str(item.label), intent, where))
            else:
                new[str(item.label)].append(text)
                in_training[key] = (str(item.label), export_path.name)
                report.added[str(item.label)] = report.added.get(str(item.label), 0) + 1
                exported = True
            item.status = ReviewStatus.EXPORTED if exported else ReviewStatus.SKIPPED
            item.exported_on = today if exported else None
            report.items_exported += int(exported)
        if new or not export_path.exists():
            merged = {intent: list(lines) for intent, lines in existing.items()}
            for intent in sorted(new):
                merged.setdefault(intent, []).extend(new[intent])
            content = render_reviewed(merged, others)
            yaml.safe_load(content)  # never write a file Rasa cannot read
            _write_atomically(export_path, content)
    logger.info("review export: %d examples added, %d skipped", report.examples_added,
                report.skipped)
    return report


def main(argv: list[str] | None = None) -> int:
    from common.logging_setup import configure_logging
    from common.settings import PROJECT_ROOT, get_settings
    from store.audit import REVIEW_EXPORTED, record
    from store.db import default_session_factory

    parser = argparse.ArgumentParser(prog="python -m store.review", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write labelled messages to the training data")
    export.add_argument("--path", type=Path, help="instead of REVIEW_EXPORT_PATH")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level)
    factory = default_session_factory()
    try:
        report = export_labelled(
            factory, export_path=args.path or settings.review_export_path,
            training_dir=PROJECT_ROOT / "nlu" / "data" / "nlu",
            heldout_dir=PROJECT_ROOT / "tests" / "nlu" / "heldout", today=utcnow().date(),
        )
    except ExportError as error:
        print(f"export refused: {error}", file=sys.stderr)
        return 1
    with factory.begin() as session:
        record(session, REVIEW_EXPORTED, username="command-line", detail=report.audit_detail())
    print(f"{report.examples_added} example(s) added to {report.path}")
    for intent, count in sorted(report.added.items()):
        print(f"  {intent}: {count}")
    print(f"already in the training data: {report.already_present}")
    print(f"held-out test sentences, never exported: {report.heldout}")
    if report.empty:
        print(f"empty after cleaning: {report.empty}")
    if report.conflicts:
        print(f"in the training data under another intent ({len(report.conflicts)}), not added:")
        for label, intent, where in report.conflicts:
            print(f"  labelled {label}, but {intent} at {where}")
    if report.examples_added:
        print("Next: `make validate`, then `make train` (and `make evaluate`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
