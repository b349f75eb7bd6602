"""Exporting labelled review items into the reviewed training file: valid Rasa YAML, merged
with the file, no example twice, never a held-out test sentence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from common.settings import PROJECT_ROOT
from nlu.checks import Problem, check_training_data, read_examples
from nlu.deidentify import deidentify
from store.audit import REVIEW_EXPORTED
from store.models import AuditEntry, ReviewItem, ReviewReason, ReviewStatus
from store.review import (
    HEADER,
    ExportError,
    capture,
    example_text,
    export_labelled,
    label_group,
    main,
    pending_groups,
    render_reviewed,
)

TODAY = date(2027, 6, 1)
TRAINING = PROJECT_ROOT / "nlu" / "data" / "nlu"
HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout"
HELDOUT_SENTENCE = "هلا بالحبايب"  # tests/nlu/heldout/conversation.yml, greet
TRAINING_SENTENCE = "شلون اطلع بطاقة موحدة"  # nlu/data/nlu/documents.yml, doc_civil_id


def labelled(factory, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    """A pending item of this text, then labelled with `intent` by a trainer."""
    capture(factory, text=text, predicted_intent="out_of_scope", confidence=0.3,
            reason=ReviewReason.LOW_CONFIDENCE, key=None, today=TODAY, retention_days=90)
    with factory.begin() as session:
        groups, _ = pending_groups(session, page_size=1000)
        [group] = [g for g in groups if g.example == deidentify(text).strip()]
        label_group(session, group.group_key, intent, TODAY)


def export(factory, path: Path, heldout: Path = HELDOUT):  # type: ignore[no-untyped-def]
    return export_labelled(factory, export_path=path, training_dir=TRAINING, heldout_dir=heldout,
                           today=TODAY)


def examples_of(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for example in read_examples(path):
        found.setdefault(example.intent, []).append(example.text)
    return found


def statuses(factory) -> list[tuple[str, ReviewStatus]]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [(item.text, item.status) for item in
                session.scalars(select(ReviewItem).order_by(ReviewItem.id))]


def test_the_committed_file_is_valid_and_empty() -> None:
    path = TRAINING / "reviewed.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data == {"version": "3.1", "nlu": []}
    assert path.read_text(encoding="utf-8") == render_reviewed({})


def test_labelled_items_are_exported_once_and_skipped_ones_reported(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "reviewed.yml"
    labelled(session_factory, "وين اكدر اجدد بطاقتي التموينية بالفلوجة", "doc_civil_id")
    labelled(session_factory, "شكو ماكو يا بوت شغلك", "greet")
    labelled(session_factory, "انا اسمي سعد ورقمي 07801234567 اريد شغل", "livelihood_support")
    labelled(session_factory, HELDOUT_SENTENCE + "!", "greet")  # held out: never exported
    labelled(session_factory, TRAINING_SENTENCE, "doc_civil_id")  # already there
    labelled(session_factory, TRAINING_SENTENCE + "؟", "doc_civil_id")  # same, other group

    report = export(session_factory, target)

    assert report.added == {"doc_civil_id": 1, "greet": 1, "livelihood_support": 1}
    assert (report.heldout, report.already_present, report.conflicts) == (1, 2, [])
    text = target.read_text(encoding="utf-8")
    assert text.startswith(HEADER) and yaml.safe_load(text)["version"] == "3.1"
    assert examples_of(target) == {
        "doc_civil_id": ["وين اكدر اجدد بطاقتي التموينية بالفلوجة"],
        "greet": ["شكو ماكو يا بوت شغلك"],
        "livelihood_support": ["انا اسمي <name> ورقمي <phone> اريد شغل"],
    }
    assert HELDOUT_SENTENCE not in text and "07801234567" not in text and "سعد" not in text
    final = dict(statuses(session_factory))
    assert final[HELDOUT_SENTENCE + "!"] is ReviewStatus.SKIPPED
    assert final[TRAINING_SENTENCE] is ReviewStatus.EXPORTED
    assert list(final.values()).count(ReviewStatus.EXPORTED) == 5

    # Nothing new: the file stays as it is and nothing is added twice.
    again = export(session_factory, target)
    assert again.examples_added == 0 and again.skipped == 0
    assert target.read_text(encoding="utf-8") == text


def test_the_export_merges_with_the_file_and_never_duplicates(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "reviewed.yml"
    target.write_text(
        'version: "3.1"\nnlu:\n- intent: housing_shelter\n  examples: |\n'
        '    - اكو مكان ننام بيه [بالرمادي]{"entity": "governorate", "value": "anbar"}\n'
        '    - trainer wrote this one\n'
        '- synonym: anbar\n  examples: |\n    - الانبار\n',
        encoding="utf-8",
    )
    labelled(session_factory, "ماكو مكان ننام بيه بالرمادي هسه", "housing_shelter")
    labelled(session_factory, "Trainer wrote this one!", "housing_shelter")  # in the file already
    labelled(session_factory, "trainer wrote THIS one", "greet")  # in the file, other intent

    report = export(session_factory, target)

    assert report.added == {"housing_shelter": 1} and report.already_present == 1
    [(label, intent, where)] = report.conflicts
    assert (label, intent) == ("greet", "housing_shelter") and where.startswith("reviewed.yml:")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["nlu"][0]["examples"].splitlines() == [
        '- اكو مكان ننام بيه [بالرمادي]{"entity": "governorate", "value": "anbar"}',
        "- trainer wrote this one",
        "- ماكو مكان ننام بيه بالرمادي هسه",
    ]
    assert data["nlu"][1] == {"synonym": "anbar", "examples": "- الانبار\n"}


def test_the_exported_file_passes_the_trainer_checks_with_the_training_data(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "reviewed.yml"
    for text, intent in [("ابي اعرف وين مكتب الجوازات [الجديد](x)", "doc_civil_id"),
                         ("hala b el bot el 7ilu", "greet"),  # exported as "<number>ilu"
                         ("thanks a lot   mate\n", "thank")]:
        labelled(session_factory, text, intent)
    export(session_factory, target)
    problems: list[Problem] = []
    check_training_data(sorted(TRAINING.glob("*.yml")) + [target], problems)
    assert problems == []
    assert "(الجديد)(x)" in target.read_text(encoding="utf-8")  # no entity annotation made


def test_no_held_out_set_means_no_export(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    labelled(session_factory, "شي جديد تماماً", "greet")
    with pytest.raises(ExportError):
        export(session_factory, tmp_path / "reviewed.yml", heldout=tmp_path / "nothing")
    assert statuses(session_factory)[0][1] is ReviewStatus.LABELLED
    assert not (tmp_path / "reviewed.yml").exists()


def test_a_broken_file_is_not_overwritten(session_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "reviewed.yml"
    target.write_text("nlu: [\n", encoding="utf-8")
    labelled(session_factory, "شي جديد تماماً", "greet")
    with pytest.raises(ExportError):
        export(session_factory, target)
    assert target.read_text(encoding="utf-8") == "nlu: [\n"


@pytest.mark.parametrize(("stored", "line"), [
    ("a\nb\tc  d", "a b c d"),
    ("[x](y) and [z]{}", "(x)(y) and (z){}"),
    ("nul\x00 and bell\x07", "nul and bell"),
])
def test_example_text_is_one_safe_line(stored: str, line: str) -> None:
    assert example_text(stored) == line


def test_the_command_line_exports_and_audits(session_factory, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    labelled(session_factory, "وين اكدر اجدد بطاقتي التموينية بالفلوجة", "doc_civil_id")
    labelled(session_factory, HELDOUT_SENTENCE, "greet")
    target = tmp_path / "out" / "reviewed.yml"
    assert main(["export", "--path", str(target)]) == 0
    out = capsys.readouterr().out
    assert "1 example(s) added" in out and "held-out test sentences, never exported: 1" in out
    assert "doc_civil_id: 1" in out
    with session_factory() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == REVIEW_EXPORTED))
    assert '"examples_added": 1' in entry.detail and "بطاقتي" not in entry.detail
