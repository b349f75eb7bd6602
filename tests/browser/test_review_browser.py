"""The trainers' review page in a real browser (Debian's Chromium, headless, Playwright) against
the dashboard's own process: a trainer labels a group, discards one, exports.
Screenshots: results/screenshots/review-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import yaml

from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import ReviewReason, utcnow
from store.review import capture
from tests.browser.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS, shoot
from tests.support.processes import VENV_APP, Service, base_env, free_port
from tests.support.records import PASSWORD, add_staff

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (.ci/run installs it)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"),
]

# What people write and the assistant misses, as the action server would have kept it.
MISSED = [
    ("شلون اطلع بطاقة موحدة لابني المولود بالمخيم؟", "doc_civil_registration", 0.31, 4),
    ("aku munaddama tsala7 el byoot b 3ana", "housing_damaged_home", 0.28, 3),
    ("انا اسمي ليلى ورقمي 07701234567 ابي شغل خياطة", "livelihood_support", 0.42, 2),
    ("is there any office that helps with the lost tabu paper", "housing_property_dispute", 0.37, 2),
    ("ههههه شنو هذا", "greet", 0.12, 1),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # type: ignore[type-arg]
    work = tmp_path_factory.mktemp("review-browser")
    url = f"sqlite:///{work / 'referrals.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    add_staff(factory, "noor", role="trainer", organisation="default", governorates="")
    today = utcnow().date()
    for text, intent, confidence, times in MISSED:
        for day in range(times):
            capture(factory, text=text, predicted_intent=intent, confidence=confidence,
                    reason=ReviewReason.LOW_CONFIDENCE, key=None,
                    today=today - timedelta(days=day), retention_days=90)
    export_path = work / "reviewed.yml"
    port = free_port()
    server = Service(
        name="dashboard",
        argv=[str(VENV_APP / "python"), "-m", "dashboard", "--port", str(port)],
        env=base_env(DATABASE_URL=url, DASHBOARD_SECRET_KEY="browser-test-" + "k" * 40,
                     DASHBOARD_INSECURE_COOKIES="true", LOG_LEVEL="WARNING",
                     REVIEW_EXPORT_PATH=str(export_path)),
        log_dir=work,
        health_url=f"http://127.0.0.1:{port}/healthz",
    ).start(timeout=60)
    yield {"base": f"http://127.0.0.1:{port}", "export_path": export_path}
    server.stop()
    factory.kw["bind"].dispose()


@pytest.fixture
def page(site):  # type: ignore[no-untyped-def]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-IQ")
        outside: list[str] = []
        context.on("request", lambda request: None if request.url.startswith(site["base"])
                   else outside.append(request.url))
        yield context.new_page()
        context.close()
        browser.close()
        assert outside == [], "the dashboard must not load anything from elsewhere"


def test_a_trainer_labels_discards_and_exports(page, site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site["base"] + "/login")
    page.fill("input[name=username]", "noor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/review")
    rows = page.locator("tr.review-group")
    assert rows.count() == 5
    assert "بطاقة موحدة" in rows.first.inner_text()  # the most frequent first
    body = page.content()
    assert "ليلى" not in body and "07701234567" not in body and "&lt;name&gt;" in body
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    shoot(page, "review-01-queue")

    first = rows.first
    first.locator("select[name=intent]").select_option("doc_civil_id")
    first.locator("form.review-label button").click()
    page.wait_for_selector(".flash.success")
    assert rows.count() == 4

    last = rows.last
    assert "ههههه" in last.inner_text()
    last.locator("form.review-discard button").click()
    page.wait_for_selector(".flash.success")
    assert rows.count() == 3
    shoot(page, "review-02-labelled")

    page.click("#export button")
    page.wait_for_selector(".flash.success")
    assert "أُضيف 1 مثال" in page.content()
    exported = yaml.safe_load(site["export_path"].read_text(encoding="utf-8"))
    assert exported["nlu"][0]["intent"] == "doc_civil_id"
    assert "بطاقة موحدة" in exported["nlu"][0]["examples"]

    page.click("a.language")
    page.wait_for_selector("html[lang=en]")
    assert "Messages the assistant missed" in page.content()
    shoot(page, "review-03-english")
