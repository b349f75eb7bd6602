"""Submitting the referral form and asking for its status, on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actions.referral_status import ActionReferralStatus
from actions.referral_submit import ActionAskConfirm, ActionSubmitReferral
from store.models import ContactMethod, NeedCategory, Referral
from tests.actions.helpers import SENDER, create_tracker, run_action, slot_events

FILLED = {
    "consent": True,
    "need_category": "housing",
    "governorate": "ninewa",
    "contact_method": "phone",
    "phone": "+9647701234567",
    "description": "بيتنا مهدوم",
    "confirm": True,
}


async def test_a_confirmed_referral_is_stored_and_its_code_shown(session_factory) -> None:  # type: ignore[no-untyped-def]
    messages, events = await run_action(ActionSubmitReferral(), create_tracker(slots=FILLED, intent="affirm"))
    [sent] = messages
    assert sent["response"] == "utter_referral_stored"
    code = sent["code"]
    with session_factory() as session:
        referral = session.scalars(select(Referral).where(Referral.code == code)).one()
    assert referral.user_key == SENDER
    assert referral.category is NeedCategory.HOUSING
    assert referral.contact_method is ContactMethod.PHONE
    assert referral.phone == "+9647701234567"
    assert referral.urgent is False
    # The form's answers are cleared; the governorate is remembered.
    cleared = slot_events(events)
    assert cleared["consent"] is None and cleared["phone"] is None and cleared["urgent"] is False
    assert "governorate" not in cleared


async def test_the_same_confirmation_twice_stores_one_referral(session_factory) -> None:  # type: ignore[no-untyped-def]
    tracker = create_tracker(slots=FILLED, intent="affirm", metadata={"turn_id": "update-77"})
    first, _ = await run_action(ActionSubmitReferral(), tracker)
    second, _ = await run_action(ActionSubmitReferral(), tracker)
    assert first[0]["code"] == second[0]["code"]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1


async def test_a_confirmation_retried_after_a_timeout_finds_the_first_referral(session_factory) -> None:  # type: ignore[no-untyped-def]
    # The first "yes" was stored but its reply was lost; the user says "yes" again in a new
    # Telegram update. One form, one referral, the same code.
    slots = {**FILLED, "referral_key": "f" * 32}
    first, _ = await run_action(ActionSubmitReferral(), create_tracker(
        slots=slots, intent="affirm", metadata={"turn_id": "update-80"}))
    retry, _ = await run_action(ActionSubmitReferral(), create_tracker(
        slots=slots, intent="affirm", metadata={"turn_id": "update-81"}))
    assert first[0]["code"] == retry[0]["code"]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1
    # The next form draws a new key: a second referral is a new one.
    other, _ = await run_action(ActionSubmitReferral(), create_tracker(
        slots={**FILLED, "referral_key": "e" * 32}, intent="affirm"))
    assert other[0]["code"] != first[0]["code"]


async def test_a_database_failure_shows_no_code_and_asks_to_confirm_again(session_factory, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    from store.db import make_session_factory

    unreachable = make_session_factory(create_engine("postgresql+psycopg://x:y@127.0.0.1:1/none"))
    slots = {**FILLED, "referral_key": "d" * 32}
    with monkeypatch.context() as patch:
        patch.setattr("actions.referral_submit.default_session_factory", lambda: unreachable)
        messages, events = await run_action(ActionSubmitReferral(),
                                            create_tracker(slots=slots, intent="affirm"))
    assert [m["response"] for m in messages] == ["utter_referral_failed"]
    assert not any(m.get("code") for m in messages)
    # The answers and the form's key are kept; the form reopens at the confirmation.
    assert slot_events(events) == {"confirm": None}
    assert {"event": "active_loop", "name": "referral_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0

    # The database is back: the retried "yes" stores one referral and shows its code.
    retried, events = await run_action(ActionSubmitReferral(), create_tracker(slots=slots, intent="affirm"))
    assert retried[0]["response"] == "utter_referral_stored"
    assert slot_events(events)["referral_key"] is None
    with session_factory() as session:
        assert session.scalars(select(Referral)).one().code == retried[0]["code"]


async def test_nothing_is_stored_without_consent_or_confirmation(session_factory) -> None:  # type: ignore[no-untyped-def]
    no_consent, _ = await run_action(ActionSubmitReferral(), create_tracker(slots={**FILLED, "consent": False}))
    cancelled, _ = await run_action(ActionSubmitReferral(), create_tracker(slots={**FILLED, "confirm": False}))
    assert no_consent[0]["response"] == "utter_referral_no_consent"
    assert cancelled[0]["response"] == "utter_referral_cancelled"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0


async def test_an_urgent_referral_is_flagged_and_skips_the_description(session_factory) -> None:  # type: ignore[no-untyped-def]
    slots = {"consent": True, "need_category": "protection", "contact_method": "telegram",
             "confirm": True, "urgent": True}
    messages, _ = await run_action(ActionSubmitReferral(), create_tracker(slots=slots))
    assert messages[0]["response"] == "utter_referral_stored_urgent"
    with session_factory() as session:
        referral = session.scalars(select(Referral)).one()
    assert referral.urgent is True and referral.description is None and referral.phone is None


async def test_the_summary_shows_what_will_be_stored() -> None:
    messages, _ = await run_action(ActionAskConfirm(), create_tracker(slots={**FILLED, "language": "en"}))
    [summary] = messages
    assert summary["response"] == "utter_referral_summary"
    assert summary["contact_label"] == "+9647701234567"
    assert summary["description_label"] == "بيتنا مهدوم"
    assert summary["governorate_label"] != "ninewa"  # a readable name, not the code


async def test_status_lists_only_the_senders_referrals(session_factory) -> None:  # type: ignore[no-untyped-def]
    mine, _ = await run_action(ActionSubmitReferral(), create_tracker(slots=FILLED))
    theirs, _ = await run_action(ActionSubmitReferral(), create_tracker(slots=FILLED, sender_id="b" * 64))
    my_code, their_code = mine[0]["code"], theirs[0]["code"]

    messages, _ = await run_action(ActionReferralStatus(), create_tracker(intent="referral_status",
                                                                         text=f"شنو صار {their_code}"))
    codes = [m.get("code") for m in messages if m.get("code")]
    assert codes == [my_code]


async def test_status_without_referrals_says_so(session_factory) -> None:  # type: ignore[no-untyped-def]
    messages, _ = await run_action(ActionReferralStatus(), create_tracker(intent="referral_status"))
    assert [m["response"] for m in messages] == ["utter_no_referrals"]
