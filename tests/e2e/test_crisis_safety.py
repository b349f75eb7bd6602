"""A crisis message always gets the safety answer: mid-form, and with the Rasa server down."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import BOT_TOKEN, containing, start_bot, wait_for, with_button
from tests.support.fake_telegram import FakeTelegram
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

EMERGENCY_NUMBER = "122"  # ambulance, in every safety answer (content/emergency.yml)


def test_a_crisis_message_in_the_middle_of_the_form_gets_the_safety_answer(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 72001
    since = telegram.mark()
    telegram.push_text(user, "اريد اسجل طلب")
    consent = wait_for(telegram, user, since, with_button("✅ نعم، أوافق"))
    since = telegram.mark()
    telegram.press_button(user, consent, "✅ نعم، أوافق")
    wait_for(telegram, user, since, with_button("🏠 السكن والبيت"))

    since = telegram.mark()
    telegram.push_text(user, "والله تعبت وما اريد اعيش بعد")
    safety = wait_for(telegram, user, since, containing(EMERGENCY_NUMBER))
    # No form question and no "I did not understand" in the answer.
    texts = [m["text"] for m in telegram.sent_messages(user, since=since)]
    assert not any("شنو نوع المساعدة" in t or "ما فهمت" in t for t in texts), texts
    assert safety is not None

    # The form was closed: the urgent referral offer starts a short one.
    offer = wait_for(telegram, user, since, lambda m: bool(m.get("buttons")))
    since = telegram.mark()
    telegram.press_button(user, offer, offer["buttons"][0]["text"])
    wait_for(telegram, user, since, with_button("✅ نعم، أوافق"))


@pytest.mark.parametrize(
    "text",
    ["ra7 anta7ir", "I want to kill myself", "زوجي يضربني هسه وهددني بالقتل"],
)
def test_the_safety_net_answers_when_the_rasa_server_is_down(stack, text) -> None:  # type: ignore[no-untyped-def]
    with FakeTelegram(token=BOT_TOKEN) as telegram:
        service = start_bot(stack, telegram, rasa_url=f"http://127.0.0.1:{free_port()}")
        try:
            user = 72101
            since = telegram.mark()
            telegram.push_text(user, text)
            wait_for(telegram, user, since, containing(EMERGENCY_NUMBER), timeout=30)
        finally:
            service.stop()
