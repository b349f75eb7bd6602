"""The review queue: what is kept (de-identified, unlinkable, never a crisis), grouping,
labelling and discarding, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from store.models import ReviewItem, ReviewReason, ReviewStatus
from store.review import (
    Capture,
    best_guess,
    capture,
    dedupe_key,
    discard_group,
    label_group,
    labellable_intents,
    pending_groups,
    reason_to_keep,
    status_counts,
)
from common.settings import PROJECT_ROOT

TODAY = date(2027, 6, 1)


def keep(factory, text: str, intent: str | None = "housing_compensation",  # type: ignore[no-untyped-def]
         confidence: float = 0.3, key: str | None = None,
         reason: ReviewReason = ReviewReason.LOW_CONFIDENCE, today: date = TODAY) -> Capture:
    return capture(factory, text=text, predicted_intent=intent, confidence=confidence,
                   reason=reason, key=key, today=today, retention_days=90)


def all_items(factory) -> list[ReviewItem]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))


# --- what is kept ------------------------------------------------------------------------------


@pytest.mark.parametrize(("intent", "confidence", "threshold", "expected"), [
    ("nlu_fallback", 0.9, 0.5, ReviewReason.FALLBACK),
    ("housing_shelter", 0.49, 0.5, ReviewReason.LOW_CONFIDENCE),
    ("housing_shelter", 0.5, 0.5, None),
    ("greet", 0.99, 0.5, None),
    ("greet", 0.3, 0.0, None),  # a threshold of 0 keeps fallbacks only
    (None, 0.1, 0.5, None),
])
def test_reason_to_keep(intent, confidence, threshold, expected) -> None:  # type: ignore[no-untyped-def]
    assert reason_to_keep(intent, confidence, threshold) is expected


def test_best_guess_of_a_fallback_is_the_best_real_intent() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.8}, {"name": "doc_civil_id", "confidence": 0.17},
               {"name": "greet", "confidence": 0.05}]
    assert best_guess("nlu_fallback", 0.8, ranking) == ("doc_civil_id", 0.17)
    assert best_guess("nlu_fallback", 0.8, []) == (None, 0.0)
    assert best_guess("greet", 0.3, ranking) == ("greet", 0.3)


def test_a_missed_message_is_stored_de_identified_and_unlinkable(session_factory) -> None:  # type: ignore[no-untyped-def]
    raw = "انا اسمي خالد الجبوري ورقمي 0770 123 4567، وين احصل تعويض؟"
    assert keep(session_factory, raw, key=dedupe_key("sender-key", "update-1")) is Capture.STORED
    [item] = all_items(session_factory)
    assert item.text == "انا اسمي <name> ورقمي <phone>، وين احصل تعويض؟"
    assert "خالد" not in item.normalised and "0770" not in item.normalised
    assert item.predicted_intent == "housing_compensation" and item.confidence == 0.3
    assert item.status is ReviewStatus.PENDING and item.received_on == TODAY
    assert item.dedupe_key is not None and "sender-key" not in item.dedupe_key
    # No column could link the item to a person or to a moment finer than the day.
    columns = set(ReviewItem.__table__.columns.keys())
    assert columns == {"id", "text", "normalised", "group_key", "predicted_intent", "confidence",
                       "reason", "received_on", "status", "label", "labelled_on", "exported_on",
                       "dedupe_key"}


def test_the_same_turn_is_kept_once(session_factory) -> None:  # type: ignore[no-untyped-def]
    key = dedupe_key("sender-key", "update-7")
    assert keep(session_factory, "ززز قققق", key=key) is Capture.STORED
    assert keep(session_factory, "ززز قققق", key=key) is Capture.DUPLICATE
    assert keep(session_factory, "ززز قققق", key=dedupe_key("sender-key", "update-8")) is Capture.STORED
    assert keep(session_factory, "ززز قققق", key=dedupe_key("other-key", "update-7")) is Capture.STORED
    assert len(all_items(session_factory)) == 3


@pytest.mark.parametrize("text", [
    "والله اريد انتحر",
    "i want to kill myself",
    "زوجي يضربني كل يوم",
])
def test_a_crisis_message_is_never_kept(session_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    assert keep(session_factory, text, intent="pss_distress") is Capture.CRISIS
    assert all_items(session_factory) == []


def test_a_message_the_model_takes_for_a_crisis_is_never_kept(session_factory) -> None:  # type: ignore[no-untyped-def]
    for intent in ("crisis_self_harm", "crisis_violence"):
        assert keep(session_factory, "ما اعرف شسوي", intent=intent) is Capture.CRISIS
    assert all_items(session_factory) == []


def test_nothing_but_numbers_is_not_kept(session_factory) -> None:  # type: ignore[no-untyped-def]
    assert keep(session_factory, "07701234567") is Capture.EMPTY
    assert keep(session_factory, "https://x.com/a  ١٢٣ !!") is Capture.EMPTY
    assert all_items(session_factory) == []


def test_a_retention_of_zero_days_keeps_nothing(session_factory) -> None:  # type: ignore[no-untyped-def]
    result = capture(session_factory, text="ززز", predicted_intent="greet", confidence=0.1,
                     reason=ReviewReason.LOW_CONFIDENCE, key=None, today=TODAY, retention_days=0)
    assert result is Capture.DISABLED and all_items(session_factory) == []


# --- the trainers' page ------------------------------------------------------------------------


def test_groups_after_normalisation_most_frequent_first(session_factory) -> None:  # type: ignore[no-untyped-def]
    for text, intent, confidence in [
        ("شلون أطلع هويه؟", "doc_civil_id", 0.4),
        ("شلون اطلع هوية", "doc_civil_id", 0.2),
        ("شلووووون اطلع هويــة!", "doc_civil_registration", 0.3),
        ("اكو شغل بالموصل", "livelihood_support", 0.45),
        ("اكو شغل بالموصل", "livelihood_support", 0.35),
        ("قققق", None, 0.0),
    ]:
        assert keep(session_factory, text, intent=intent, confidence=confidence) is Capture.STORED

    with session_factory() as session:
        groups, total = pending_groups(session, page=1, page_size=2)
        assert total == 3
        first, second = groups
        assert (first.count, first.predicted_intent) == (3, "doc_civil_id")
        assert first.mean_confidence == pytest.approx(0.3)
        assert first.example == "شلووووون اطلع هويــة!"  # the latest
        assert (second.count, second.predicted_intent) == (2, "livelihood_support")
        last_page, _ = pending_groups(session, page=2, page_size=2)
        assert [(g.count, g.predicted_intent) for g in last_page] == [(1, None)]


def test_label_and_discard_a_group(session_factory) -> None:  # type: ignore[no-untyped-def]
    for text in ("شلون اطلع هوية", "شلون أطلع هوية", "قققق"):
        keep(session_factory, text)
    with session_factory() as session:
        groups, _ = pending_groups(session)
        by_count = {g.count: g for g in groups}
    with session_factory.begin() as session:
        assert label_group(session, by_count[2].group_key, "doc_civil_id", TODAY) == 2
        assert discard_group(session, by_count[1].group_key) == 1
        # A group labelled already is not pending any more.
        assert label_group(session, by_count[2].group_key, "greet", TODAY) == 0
    items = all_items(session_factory)
    assert [(i.status, i.label) for i in items] == [(ReviewStatus.LABELLED, "doc_civil_id")] * 2
    with session_factory() as session:
        assert pending_groups(session) == ([], 0)
        counts = status_counts(session)
        assert counts[ReviewStatus.LABELLED] == 2 and counts[ReviewStatus.PENDING] == 0
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == 2


def test_the_intents_a_trainer_may_choose_come_from_the_domain() -> None:
    intents = labellable_intents(PROJECT_ROOT / "domain.yml")
    assert "housing_damaged_home" in intents and "out_of_scope" in intents
    assert "crisis_self_harm" in intents  # trainers may say a missed message was a crisis
    assert "start" not in intents and "nlu_fallback" not in intents
