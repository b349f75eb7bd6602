"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright, against
the dashboard served by its own process (`python -m dashboard`) on 127.0.0.1.

A caseworker logs in, filters, opens a referral, changes its status with a note, exports CSV,
switches to English; the layout is checked right-to-left. Screenshots: results/screenshots/.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from common.settings import get_settings
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.models import Notification, NotificationStatus, NeedCategory, Referral, ReferralStatus
from tests.support import TEST_DATA_KEY
from tests.support.processes import ROOT, VENV_APP, Service, base_env, free_port
from tests.support.records import PASSWORD, add_referral, add_staff

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "results" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (.ci/run installs it)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # type: ignore[type-arg]
    """A seeded database and the dashboard process serving it."""
    # Seeded here (before the per-test settings): encrypted with the key the process gets.
    keys = pytest.MonkeyPatch()
    keys.setenv("DATA_ENCRYPTION_KEYS", TEST_DATA_KEY)
    get_settings.cache_clear()
    work = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{work / 'referrals.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    add_staff(factory, "amal", role="caseworker", organisation="default",
              governorates="anbar,ninewa")
    made = {
        "urgent": add_referral(factory, organisation="default", governorate="ninewa", urgent=True,
                               category=NeedCategory.PROTECTION, chat_id=8101,
                               description="تهديد من أحد الأقارب، أحتاج مساعدة عاجلة"),
        "housing": add_referral(factory, organisation="default", governorate="anbar",
                                chat_id=8102, description="بيتنا بالرمادي مهدوم ونحتاج تعويض"),
        "documents": add_referral(factory, organisation="default", governorate="anbar",
                                  category=NeedCategory.DOCUMENTS, chat_id=8103,
                                  description="ضاعت هوية ابني ونريد بدل ضائع", language="en"),
        "elsewhere": add_referral(factory, organisation="other-ngo", governorate="anbar"),
    }
    # A few older ones further along, so the list looks like a working week.
    for category, governorate, status, days in (
        (NeedCategory.LIVELIHOOD, "anbar", ReferralStatus.IN_PROGRESS, 2),
        (NeedCategory.PSYCHOSOCIAL, "ninewa", ReferralStatus.REFERRED, 5),
        (NeedCategory.HOUSING, "anbar", ReferralStatus.CLOSED, 9),
    ):
        older = add_referral(factory, organisation="default", governorate=governorate,
                             category=category)
        with factory.begin() as session:
            row = session.get(Referral, older.id)
            row.status = status
            row.created_at = row.updated_at = row.created_at - timedelta(days=days)
            row.first_action_at = row.created_at + timedelta(hours=days * 3)
            if status is ReferralStatus.REFERRED:
                row.referred_to = "IOM MHPSS team, Mosul"
    port = free_port()
    server = Service(
        name="dashboard",
        argv=[str(VENV_APP / "python"), "-m", "dashboard", "--port", str(port)],
        env=base_env(DATABASE_URL=url, DASHBOARD_SECRET_KEY="browser-test-" + "k" * 40,
                     DASHBOARD_INSECURE_COOKIES="true", LOG_LEVEL="WARNING"),
        log_dir=work,
        health_url=f"http://127.0.0.1:{port}/healthz",
    ).start(timeout=60)
    yield {"base": f"http://127.0.0.1:{port}", "factory": factory, "referrals": made}
    server.stop()
    factory.kw["bind"].dispose()
    keys.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 820}, accept_downloads=True,
                                  locale="ar-IQ")
    outside: list[str] = []
    context.on("request", lambda request: None if request.url.startswith(site["base"])
               else outside.append(request.url))
    tab = context.new_page()
    yield tab
    context.close()
    assert outside == [], "the dashboard must not load anything from elsewhere"


def shoot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(tab, site) -> None:  # type: ignore[no-untyped-def]
    tab.goto(site["base"] + "/referrals")
    assert "/login" in tab.url
    tab.fill("input[name=username]", "amal")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form button[type=submit]")
    tab.wait_for_url("**/referrals")


def test_a_caseworker_works_a_referral_from_login_to_export(page, site) -> None:  # type: ignore[no-untyped-def]
    made = site["referrals"]
    page.goto(site["base"] + "/login")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    shoot(page, "01-login")
    log_in(page, site)

    # The list: right to left, urgent first and highlighted, nothing of another organisation.
    rows = page.locator("table.referrals tbody tr")
    assert rows.count() == 6
    assert rows.first.get_attribute("data-code") == made["urgent"].code
    assert "urgent" in rows.first.get_attribute("class")
    assert page.locator(f'[data-code="{made["elsewhere"].code}"]').count() == 0
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    width = page.viewport_size["width"]
    brand = page.locator(".topbar .brand").bounding_box()
    assert brand["x"] > width / 2, "the title sits on the right in Arabic"
    code_header = page.locator("table.referrals th").first.bounding_box()
    updated_header = page.locator("table.referrals th").last.bounding_box()
    assert code_header["x"] > updated_header["x"], "the first column is the rightmost"
    shoot(page, "02-referrals-list")

    # Filter: documents in Anbar only.
    page.select_option("select[name=category]", "documents")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**category=documents**")
    assert rows.count() == 1 and rows.first.get_attribute("data-code") == made["documents"].code
    # Search by reference code.
    page.goto(site["base"] + "/referrals")
    page.fill("input[name=code]", made["housing"].code.lower())
    page.click("form.filters button[type=submit]")
    assert rows.count() == 1 and rows.first.get_attribute("data-code") == made["housing"].code
    shoot(page, "03-filtered")

    # Open it, change its status with a note.
    page.click(f'a:has-text("{made["housing"].code}")')
    page.wait_for_url(f"**/referrals/{made['housing'].code}")
    assert "بيتنا بالرمادي مهدوم" in page.content()
    page.select_option("#status-form select[name=status]", "in_progress")
    page.fill("#status-form textarea[name=note]", "اتصلت بصاحب الطلب، سنزوره يوم الأحد")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert page.locator("#current-status").inner_text() == "قيد المتابعة"
    assert page.locator("ol.history li").count() == 2
    shoot(page, "04-referral-detail")
    with site["factory"]() as session:
        referral = session.get(Referral, made["housing"].id)
        assert referral.status is ReferralStatus.IN_PROGRESS
        [notification] = session.scalars(select(Notification).where(
            Notification.referral_id == referral.id)).all()
        assert notification.status is NotificationStatus.PENDING  # the bot sends it

    # A status change without a note is refused by the browser form itself.
    page.select_option("#status-form select[name=status]", "referred")
    page.click("#status-form button[type=submit]")
    assert page.locator("#current-status").inner_text() == "قيد المتابعة"

    # Export the current list as CSV.
    page.goto(site["base"] + "/referrals?governorate=anbar")
    with page.expect_download() as download_info:
        page.click("#export")
    download = download_info.value
    assert download.suggested_filename.startswith("referrals-")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    header, *lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[0] == "رقم الطلب"
    codes = {line[0] for line in lines}
    assert {made["housing"].code, made["documents"].code} <= codes and len(codes) == 4
    assert made["urgent"].code not in codes and made["elsewhere"].code not in codes
    shutil.copy(download.path(), SHOTS / "export.csv")


def test_overview_and_english(page, site) -> None:  # type: ignore[no-untyped-def]
    log_in(page, site)
    page.click("nav >> text=نظرة عامة")
    page.wait_for_url("**/overview")
    assert page.locator("svg.chart").count() == 3
    shoot(page, "05-overview")
    page.click("a.language")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    brand = page.locator(".topbar .brand").bounding_box()
    assert brand["x"] < page.viewport_size["width"] / 2
    assert "Referrals per week by category" in page.content()
    shoot(page, "06-overview-english")
    page.goto(site["base"] + "/referrals")
    assert page.locator("h1").inner_text() == "Referrals"
