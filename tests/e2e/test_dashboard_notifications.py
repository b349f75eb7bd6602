"""The caseworker's side of a referral, end to end: a returnee asks for help on Telegram (fake Bot
API → bot → Rasa → actions), the referral appears in the dashboard, a caseworker changes its
status there, and the bot tells the returnee."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from common.settings import get_settings
from dashboard import create_app
from store.db import make_engine, make_session_factory
from tests.dashboard.conftest import login, post
from tests.e2e.conftest import containing, make_referral, wait_for
from tests.support.records import add_staff

pytestmark = pytest.mark.e2e



def test_a_status_change_in_the_dashboard_reaches_the_returnee(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 70101
    code = make_referral(telegram, user, "اريد موظف يساعدني بالوثائق", "الأنبار", "بيتنا بالفلوجة محروگ")

    factory = make_session_factory(make_engine(stack.database_url))
    add_staff(factory, "amal-e2e", organisation="default", governorates="anbar")
    settings = replace(get_settings(), database_url=stack.database_url,
                       dashboard_secret_key="e2e-dashboard-secret-" + "x" * 32,
                       dashboard_insecure_cookies=True)
    app = create_app(settings, factory)
    client = app.test_client()
    assert login(client, "amal-e2e").status_code == 302
    assert code in client.get("/referrals").get_data(as_text=True)
    assert "محروگ" in client.get(f"/referrals/{code}").get_data(as_text=True)

    since = telegram.mark()
    response = post(client, f"/referrals/{code}/status",
                    {"status": "in_progress", "note": "سأتصل به اليوم", "expected": "new"},
                    page=f"/referrals/{code}")
    assert response.status_code == 303
    told = wait_for(telegram, user, since, containing(code), timeout=30)
    assert "قيد المتابعة" in told["text"] and "سأتصل" not in told["text"]
    time.sleep(3)  # a few more passes of the bot's outbox loop: nothing else may come
    assert len([m for m in telegram.sent_messages(user, since=since) if code in m["text"]]) == 1
    factory.kw["bind"].dispose()
