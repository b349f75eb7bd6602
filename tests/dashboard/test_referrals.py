"""The referral list, detail page, status changes, assignment, notes and the CSV export,
with what each role may and may not see or do."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from store.models import (
    AuditEntry,
    ChatLink,
    Notification,
    NotificationTarget,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from tests.dashboard.conftest import post
from tests.support.records import add_referral


def status_of(world, name: str) -> ReferralStatus:  # type: ignore[no-untyped-def]
    with world.factory() as session:
        return session.get(Referral, world.referrals[name].id).status


def audit_actions(world) -> list[str]:  # type: ignore[no-untyped-def]
    with world.factory() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def returnee_notifications(world) -> list[Notification]:  # type: ignore[no-untyped-def]
    with world.factory() as session:
        return list(session.scalars(select(Notification).where(
            Notification.target == NotificationTarget.RETURNEE)))


# --- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "visible"), [
    ("sara", {"anbar", "ninewa_urgent"}),
    ("amal", {"anbar"}),
    ("omar", {"ninewa_urgent"}),
    ("zaid", {"other_org"}),
    ("huda", {"other_org"}),
])
def test_each_caseworker_lists_only_what_they_may_see(as_user, world, username, visible) -> None:  # type: ignore[no-untyped-def]
    page = as_user(username).get("/referrals").get_data(as_text=True)
    shown = {name for name, r in world.referrals.items() if r.code in page}
    assert shown == visible


def test_urgent_referrals_are_first_and_highlighted_with_counts(as_user, world) -> None:  # type: ignore[no-untyped-def]
    page = as_user("sara").get("/referrals").get_data(as_text=True)
    urgent, normal = world.referrals["ninewa_urgent"].code, world.referrals["anbar"].code
    assert page.index(urgent) < page.index(normal)
    assert f'<tr class="urgent" data-code="{urgent}">' in page
    assert f'<tr class="" data-code="{normal}">' in page
    assert 'data-status="new" href="/referrals?status=new">جديد <b>2</b>' in page


def test_the_list_filters_and_searches(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    urgent, normal = world.referrals["ninewa_urgent"].code, world.referrals["anbar"].code
    page = client.get("/referrals?urgency=urgent").get_data(as_text=True)
    assert urgent in page and normal not in page
    page = client.get(f"/referrals?code={normal[2:6].lower()}").get_data(as_text=True)
    assert normal in page and urgent not in page
    page = client.get("/referrals?governorate=anbar&status=in_progress").get_data(as_text=True)
    assert normal not in page and "لا توجد طلبات" in page
    page = client.get("/referrals?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    assert "لا توجد طلبات" in page
    assert client.get("/referrals?page=99&sort=nonsense&status=<script>").status_code == 200


def test_the_list_pages(as_user, world) -> None:  # type: ignore[no-untyped-def]
    for _ in range(26):
        add_referral(world.factory, governorate="anbar")
    client = as_user("amal")
    first = client.get("/referrals").get_data(as_text=True)
    assert "صفحة 1 من 2" in first and 'rel="next" href="/referrals?page=2"' in first
    second = client.get("/referrals?page=2").get_data(as_text=True)
    assert "صفحة 2 من 2" in second and second.count('data-code="R-') == 2


# --- the detail page -------------------------------------------------------------------------


def test_the_detail_page_shows_what_the_returnee_gave_and_is_audited(as_user, world) -> None:  # type: ignore[no-untyped-def]
    referral = world.referrals["anbar"]
    page = as_user("amal").get(f"/referrals/{referral.code}").get_data(as_text=True)
    assert "بيتنا مهدوم" in page and "+9647701234567" in page and "الأنبار" in page
    assert "قدّم الطلب" in page  # history: created by the returnee
    # Never shown: the pseudonymous key, the chat id.
    assert referral.user_key not in page
    with world.factory() as session:
        chat_id = session.get(ChatLink, referral.user_key).chat_id
    assert str(chat_id) not in page
    with world.factory() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "referral_viewed")).one()
        assert (entry.actor_username, entry.referral_code) == ("amal", referral.code)


@pytest.mark.parametrize(("username", "name"), [
    ("amal", "ninewa_urgent"),  # another governorate
    ("amal", "other_org"),  # another organisation
    ("huda", "anbar"),  # another organisation, same governorate
    ("zaid", "anbar"),  # a supervisor of another organisation
    ("sara", "other_org"),
])
def test_referrals_out_of_scope_do_not_exist(as_user, world, username, name) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    code = world.referrals[name].code
    assert client.get(f"/referrals/{code}").status_code == 404
    assert client.get("/referrals/R-ZZZZZZ").status_code == 404
    assert "referral_viewed" not in audit_actions(world)


@pytest.mark.parametrize(("username", "name"), [
    ("amal", "other_org"), ("huda", "anbar"), ("zaid", "ninewa_urgent"), ("omar", "anbar"),
])
def test_nobody_changes_a_referral_out_of_scope(as_user, world, username, name) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    code = world.referrals[name].code
    for action, data in (
        ("status", {"status": "in_progress", "note": "mine now", "expected": "new"}),
        ("assign", {"assignee": "me"}),
        ("notes", {"note": "peeking"}),
    ):
        response = post(client, f"/referrals/{code}/{action}", data, page="/referrals")
        assert response.status_code == 404, action
    assert status_of(world, name) is ReferralStatus.NEW
    with world.factory() as session:
        assert session.get(Referral, world.referrals[name].id).assignee_id is None
        assert session.scalars(select(ReferralEvent).where(
            ReferralEvent.kind != "created")).all() == []
    assert returnee_notifications(world) == []


@pytest.mark.parametrize("username", ["root", "tala"])
def test_admins_and_trainers_cannot_touch_referrals(as_user, world, username) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    code = world.referrals["anbar"].code
    page = "/admin/users" if username == "root" else "/welcome"
    for action in ("status", "assign", "notes"):
        response = post(client, f"/referrals/{code}/{action}",
                        {"status": "closed", "note": "x", "assignee": "me"}, page=page)
        assert response.status_code == 403
    assert status_of(world, "anbar") is ReferralStatus.NEW


# --- status changes --------------------------------------------------------------------------


def test_a_status_change_with_a_note_tells_the_returnee(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("amal")
    code = world.referrals["anbar"].code
    response = post(client, f"/referrals/{code}/status",
                    {"status": "in_progress", "note": "اتصلت بها", "expected": "new"},
                    page=f"/referrals/{code}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "تم حفظ الحالة: قيد المتابعة" in page and "اتصلت بها" in page
    assert 'id="current-status">قيد المتابعة' in page
    assert status_of(world, "anbar") is ReferralStatus.IN_PROGRESS
    [notification] = returnee_notifications(world)
    assert notification.referral_status == "in_progress"
    assert audit_actions(world).count("status_changed") == 1


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"status": "in_progress", "note": "", "expected": "new"}, 400, "اكتب ملاحظة قصيرة"),
    ({"status": "in_progress", "note": "   ", "expected": "new"}, 400, "اكتب ملاحظة قصيرة"),
    ({"status": "closed", "note": "skip", "expected": "new"}, 400, "لا يمكن الانتقال"),
    ({"status": "teleported", "note": "x", "expected": "new"}, 400, "لا يمكن الانتقال"),
    ({"status": "in_progress", "note": "x", "expected": "referred"}, 409, "غيّر شخص آخر"),
    ({"status": "in_progress", "note": "x" * 1001, "expected": "new"}, 400, "طويلة جداً"),
])
def test_invalid_status_changes_change_nothing(as_user, world, data, status, message) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    code = world.referrals["anbar"].code
    response = post(client, f"/referrals/{code}/status", data, page="/referrals")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert status_of(world, "anbar") is ReferralStatus.NEW
    assert returnee_notifications(world) == []
    assert "status_changed" not in audit_actions(world)


def test_referring_needs_a_named_service(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    code = world.referrals["anbar"].code
    post(client, f"/referrals/{code}/status", {"status": "in_progress", "note": "ok",
                                               "expected": "new"}, page="/referrals")
    missing = post(client, f"/referrals/{code}/status",
                   {"status": "referred", "note": "sent", "expected": "in_progress"},
                   page="/referrals")
    assert missing.status_code == 400 and "اكتب اسم الجهة" in missing.get_data(as_text=True)
    done = post(client, f"/referrals/{code}/status",
                {"status": "referred", "note": "sent", "referred_to": "NRC ICLA Ramadi",
                 "expected": "in_progress"}, page="/referrals")
    assert done.status_code == 303
    page = client.get(f"/referrals/{code}").get_data(as_text=True)
    assert "NRC ICLA Ramadi" in page
    assert len(returnee_notifications(world)) == 2


def test_closed_referrals_offer_no_status_form(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    code = world.referrals["anbar"].code
    post(client, f"/referrals/{code}/status", {"status": "declined", "note": "duplicate",
                                               "expected": "new"}, page="/referrals")
    page = client.get(f"/referrals/{code}").get_data(as_text=True)
    assert 'id="status-form"' not in page and "هذا الطلب مغلق" in page


# --- assignment and notes ---------------------------------------------------------------------


def test_a_supervisor_assigns_and_the_caseworker_then_sees_it(as_user, world) -> None:  # type: ignore[no-untyped-def]
    code = world.referrals["ninewa_urgent"].code
    amal = as_user("amal")
    assert amal.get(f"/referrals/{code}").status_code == 404
    response = post(as_user("sara"), f"/referrals/{code}/assign",
                    {"assignee": str(world.staff["amal"].id), "note": "cover for omar"},
                    page="/referrals")
    assert response.status_code == 303
    assert amal.get(f"/referrals/{code}").status_code == 200
    assert code in amal.get("/referrals?assignee=me").get_data(as_text=True)
    assert "assigned" in audit_actions(world)


@pytest.mark.parametrize(("username", "assignee", "status"), [
    ("amal", "sara", 403),  # a caseworker assigns only themselves
    ("sara", "huda", 403),  # nobody of another organisation
    ("sara", "root", 403),  # nor an admin
    ("sara", "99999", 400),  # nor a stranger
    ("sara", "evil", 400),
])
def test_assignment_limits(as_user, world, username, assignee, status) -> None:  # type: ignore[no-untyped-def]
    code = world.referrals["anbar"].code
    value = str(world.staff[assignee].id) if assignee in world.staff else assignee
    response = post(as_user(username), f"/referrals/{code}/assign", {"assignee": value},
                    page="/referrals")
    assert response.status_code == status
    with world.factory() as session:
        assert session.get(Referral, world.referrals["anbar"].id).assignee_id is None


def test_a_caseworker_takes_a_case(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("amal")
    code = world.referrals["anbar"].code
    assert "استلام هذه الحالة" in client.get(f"/referrals/{code}").get_data(as_text=True)
    assert post(client, f"/referrals/{code}/assign", {"assignee": "me"},
                page="/referrals").status_code == 303
    page = client.get(f"/referrals/{code}").get_data(as_text=True)
    assert "هذه الحالة مسندة إليك" in page and "أسند الطلب إلى amal" in page


def test_notes_go_into_the_history_only(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("amal")
    code = world.referrals["anbar"].code
    assert post(client, f"/referrals/{code}/notes", {"note": "لم ترد على الهاتف"},
                page="/referrals").status_code == 303
    empty = post(client, f"/referrals/{code}/notes", {"note": " "}, page="/referrals")
    assert empty.status_code == 400
    page = client.get(f"/referrals/{code}").get_data(as_text=True)
    assert "لم ترد على الهاتف" in page and "أضاف ملاحظة" in page
    assert returnee_notifications(world) == []
    assert audit_actions(world).count("note_added") == 1


# --- the CSV export ---------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_is_utf8_with_bom_and_readable_arabic(as_user, world) -> None:  # type: ignore[no-untyped-def]
    response = as_user("amal").get("/referrals/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="referrals-')
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = read_csv(response)
    assert header[:3] == ["رقم الطلب", "تاريخ الاستلام", "الحالة"]
    [row] = rows
    assert row[0] == world.referrals["anbar"].code
    assert "جديد" in row and "الأنبار" in row and "0770 123 4567" in row
    # A description that starts like a formula is defused for spreadsheets.
    assert "'=HYPERLINK(\"http://evil\") بيتنا مهدوم" in row


@pytest.mark.parametrize(("username", "query", "visible"), [
    ("sara", "", {"anbar", "ninewa_urgent"}),
    ("sara", "?urgency=urgent", {"ninewa_urgent"}),
    ("amal", "", {"anbar"}),
    ("amal", "?governorate=ninewa", set()),
    ("zaid", "", {"other_org"}),
    ("huda", "?code=" , {"other_org"}),
])
def test_the_export_holds_only_what_the_user_may_see(as_user, world, username, query, visible) -> None:  # type: ignore[no-untyped-def]
    _header, *rows = read_csv(as_user(username).get("/referrals/export.csv" + query))
    names = {name for name, r in world.referrals.items() if any(row[0] == r.code for row in rows)}
    assert names == visible
    with world.factory() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "referrals_exported")).one()
    assert entry.actor_username == username and entry.detail.endswith(f"rows={len(visible)}")


def test_the_export_link_keeps_the_filter(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("sara").get("/referrals?urgency=urgent&category=protection").get_data(as_text=True)
    assert 'href="/referrals/export.csv?category=protection&amp;urgency=urgent"' in page


def test_english_export_headers(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("omar")  # an English-speaking account
    header, *_rows = read_csv(client.get("/referrals/export.csv"))
    assert header[:3] == ["Code", "Received", "Status"]
