"""Missed messages are kept for review by the action server, the way Rasa calls it: the
rasa-sdk executor with every action of the package registered, a tracker as Rasa sends it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import select

from common.settings import PROJECT_ROOT, get_settings
from store.models import ReviewItem, ReviewReason, ReviewStatus

SENDER = "b" * 64


@pytest.fixture(scope="module")
def executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load(Path(PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def call(text: str, intent: str, confidence: float, *, ranking: list[tuple[str, float]] = (),  # type: ignore[assignment]
         active_loop: str | None = None, metadata: dict[str, Any] | None = None,
         message_id: str = "m-1") -> dict[str, Any]:
    """An action call for action_validate_slot_mappings after one user message."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
        "message_id": message_id,
        "metadata": {"language": "ar", "turn_id": "update-" + message_id, **(metadata or {})},
    }
    return {
        "next_action": "action_validate_slot_mappings",
        "sender_id": SENDER,
        "tracker": {
            "sender_id": SENDER,
            "slots": {"language": "ar", "fallback_count": 0},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        },
        "domain": None,
    }


async def run(executor: ActionExecutor, domain: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    action_call = call(**kwargs)
    action_call["domain"] = domain
    response = await executor.run(action_call)
    assert response is not None
    return response


def stored(factory) -> list[ReviewItem]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))


async def test_a_fallback_is_kept_de_identified_with_the_best_real_intent(  # type: ignore[no-untyped-def]
        executor, domain, session_factory, caplog) -> None:
    caplog.set_level(logging.INFO)
    text = "اسمي سعد ورقمي 07801234567 بلبلب ققق"
    response = await run(executor, domain, text=text, intent="nlu_fallback", confidence=0.8,
                         ranking=[("nlu_fallback", 0.8), ("livelihood_support", 0.16),
                                  ("greet", 0.1)])
    # The conversation goes on as before: the fallback counter is still counted.
    assert {"event": "slot", "timestamp": None, "name": "fallback_count", "value": 1} in \
        response["events"]
    [item] = stored(session_factory)
    assert item.text == "اسمي <name> ورقمي <phone> بلبلب ققق"
    assert (item.reason, item.status) == (ReviewReason.FALLBACK, ReviewStatus.PENDING)
    assert (item.predicted_intent, item.confidence) == ("livelihood_support", 0.16)
    assert SENDER not in (item.dedupe_key or "")
    logged = caplog.text
    assert "سعد" not in logged and "07801234567" not in logged and "بلبلب" not in logged

    # Rasa calling again for the same turn keeps nothing more.
    await run(executor, domain, text=text, intent="nlu_fallback", confidence=0.8)
    assert len(stored(session_factory)) == 1


async def test_a_low_confidence_answer_is_kept_and_a_confident_one_is_not(  # type: ignore[no-untyped-def]
        executor, domain, session_factory, monkeypatch) -> None:
    await run(executor, domain, text="وين الدائرة اللي تنطي سلف", intent="livelihood_support",
              confidence=0.34, message_id="m-2")
    await run(executor, domain, text="شلون اطلع هوية", intent="doc_civil_id", confidence=0.93,
              message_id="m-3")
    monkeypatch.setenv("REVIEW_CONFIDENCE_THRESHOLD", "0.95")
    get_settings.cache_clear()
    await run(executor, domain, text="هلو", intent="greet", confidence=0.9, message_id="m-4")
    assert [(i.text, i.reason) for i in stored(session_factory)] == [
        ("وين الدائرة اللي تنطي سلف", ReviewReason.LOW_CONFIDENCE),
        ("هلو", ReviewReason.LOW_CONFIDENCE),
    ]


@pytest.mark.parametrize("kwargs", [
    # the safety net's words, whatever the model said
    dict(text="والله اريد انتحر وخلص", intent="nlu_fallback", confidence=0.9,
         ranking=[("nlu_fallback", 0.9), ("pss_distress", 0.1)]),
    # the model's crisis guess
    dict(text="ما اعرف شسوي بحالي", intent="crisis_self_harm", confidence=0.3),
    # an answer to the form's questions: the most personal text there is
    dict(text="بيتنا مهدوم وزوجي مريض", intent="nlu_fallback", confidence=0.9,
         active_loop="referral_form"),
    # a button press and a command
    dict(text='/inform{"governorate":"anbar"}', intent="inform", confidence=0.2,
         metadata={"button": True}),
    dict(text="/start", intent="start", confidence=0.1),
])
async def test_what_is_never_kept(executor, domain, session_factory, kwargs) -> None:  # type: ignore[no-untyped-def]
    await run(executor, domain, **kwargs)
    assert stored(session_factory) == []


async def test_a_store_failure_does_not_break_the_turn(  # type: ignore[no-untyped-def]
        executor, domain, tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-migrated.db'}")
    get_settings.cache_clear()
    from store.db import default_session_factory

    default_session_factory.cache_clear()
    caplog.set_level(logging.INFO)
    response = await run(executor, domain, text="زززز 0770 قققق", intent="nlu_fallback",
                         confidence=0.9)
    assert any(e.get("name") == "fallback_count" for e in response["events"])
    assert "could not be kept for review: OperationalError" in caplog.text
    assert "زززز" not in caplog.text and "0770" not in caplog.text
