"""The overview page, the audit log page and account administration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.security import verify_password
from store.models import AuditEntry, StaffRole, StaffUser
from tests.dashboard.conftest import login, post


def test_the_overview_draws_charts_of_what_the_user_may_see(as_user, world) -> None:  # type: ignore[no-untyped-def]
    page = as_user("sara").get("/overview").get_data(as_text=True)
    assert page.count("<svg") == 3 and "<script" not in page
    assert "الطلبات أسبوعياً حسب نوع الحاجة" in page
    assert '<span class="value">2</span>' in page  # two referrals of org-a
    assert "نينوى" in page and "الأنبار" in page
    other = as_user("zaid").get("/overview").get_data(as_text=True)
    assert '<span class="value">1</span>' in other and "نينوى" not in other


def test_the_overview_in_english_is_left_to_right(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("omar").get("/overview").get_data(as_text=True)
    assert "Referrals per week by category" in page and '<html lang="en" dir="ltr">' in page


@pytest.mark.parametrize("username", ["root", "tala"])
def test_the_overview_is_for_referral_workers(as_user, username) -> None:  # type: ignore[no-untyped-def]
    assert as_user(username).get("/overview").status_code == 403


def test_supervisors_read_their_organisations_audit_log(app, as_user, world) -> None:  # type: ignore[no-untyped-def]
    login(app.test_client(), "amal", "wrong")
    amal = as_user("amal")
    code = world.referrals["anbar"].code
    amal.get(f"/referrals/{code}")
    amal.get("/referrals/export.csv?urgency=normal")
    post(amal, f"/referrals/{code}/status", {"status": "in_progress", "note": "x",
                                             "expected": "new"}, page="/referrals")
    as_user("huda").get(f"/referrals/{world.referrals['other_org'].code}")
    page = as_user("sara").get("/audit").get_data(as_text=True)
    for shown in ("فشل تسجيل الدخول", "تسجيل دخول", "اطلاع على طلب", "تصدير",
                  "urgency=normal rows=1", "تغيير حالة", code):
        assert shown in page, shown
    assert "huda" not in page and world.referrals["other_org"].code not in page
    filtered = as_user("sara").get("/audit?action=referrals_exported").get_data(as_text=True)
    assert 'class="action-referrals_exported"' in filtered
    assert 'class="action-login"' not in filtered
    assert as_user("root").get("/audit?username=huda").get_data(as_text=True).count(
        'class="action-referral_viewed"') == 1


@pytest.mark.parametrize("username", ["amal", "tala"])
def test_caseworkers_cannot_read_the_audit_log(as_user, username) -> None:  # type: ignore[no-untyped-def]
    assert as_user(username).get("/audit").status_code == 403


def test_nobody_can_change_the_audit_log_through_the_application(app, as_user, world) -> None:  # type: ignore[no-untyped-def]
    methods = {rule.rule: rule.methods for rule in app.url_map.iter_rules()}
    assert methods["/audit"] == {"GET", "HEAD", "OPTIONS"}
    client = as_user("root")
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/audit").status_code in (400, 405)


# --- accounts ---------------------------------------------------------------------------------


def test_an_admin_creates_an_account_that_can_log_in(app, as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("root")
    response = post(client, "/admin/users", {
        "username": "Noor", "password": "a strong passphrase", "role": "caseworker",
        "organisation": "org-a", "governorates": ["anbar", "diyala"], "language": "en",
    }, page="/admin/users")
    assert response.status_code == 303
    page = client.get("/admin/users").get_data(as_text=True)
    assert "noor" in page and "أُنشئ الحساب noor" in page
    with world.factory() as session:
        noor = session.scalars(select(StaffUser).where(StaffUser.username == "noor")).one()
        assert noor.role is StaffRole.CASEWORKER and noor.governorates == "anbar,diyala"
        assert noor.password_hash.startswith("$argon2id$")
        assert verify_password(noor.password_hash, "a strong passphrase")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "user_created")).one()
        assert entry.actor_username == "root" and "noor" in entry.detail
    assert login(app.test_client(), "noor", "a strong passphrase").status_code == 302


@pytest.mark.parametrize(("changes", "message"), [
    ({"password": "short"}, "كلمة المرور قصيرة"),
    ({"username": "amal"}, "اسم المستخدم مستعمل"),
    ({"username": "no spaces"}, "اسم المستخدم: 3 إلى 64"),
    ({"governorates": []}, "اختر محافظة واحدة على الأقل"),
    ({"governorates": ["narnia"]}, "محافظة غير معروفة"),
    ({"role": "god"}, "دور غير معروف"),
])
def test_invalid_accounts_are_refused(as_user, world, changes, message) -> None:  # type: ignore[no-untyped-def]
    data = {"username": "noor", "password": "a strong passphrase", "role": "caseworker",
            "organisation": "org-a", "governorates": ["anbar"], "language": "ar"}
    data.update(changes)
    response = post(as_user("root"), "/admin/users", data, page="/admin/users")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with world.factory() as session:
        assert session.scalars(select(StaffUser).where(StaffUser.username == "noor")).first() is None


def test_deactivating_ends_the_accounts_sessions(as_user, world) -> None:  # type: ignore[no-untyped-def]
    amal = as_user("amal")
    root = as_user("root")
    amal_id = world.staff["amal"].id
    assert post(root, f"/admin/users/{amal_id}/active", {"active": "0"},
                page="/admin/users").status_code == 303
    assert amal.get("/referrals").status_code == 302
    assert post(root, f"/admin/users/{amal_id}/active", {"active": "1"},
                page="/admin/users").status_code == 303
    with world.factory() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["user_deactivated", "user_activated"]


def test_an_admin_cannot_deactivate_themselves(as_user, world) -> None:  # type: ignore[no-untyped-def]
    root = as_user("root")
    response = post(root, f"/admin/users/{world.staff['root'].id}/active", {"active": "0"},
                    page="/admin/users")
    assert response.status_code == 400
    assert root.get("/admin/users").status_code == 200


def test_an_admin_sets_a_new_password(app, as_user, world) -> None:  # type: ignore[no-untyped-def]
    root = as_user("root")
    amal_id = world.staff["amal"].id
    assert post(root, f"/admin/users/{amal_id}/password", {"password": "short"},
                page="/admin/users").status_code == 400
    assert post(root, f"/admin/users/{amal_id}/password", {"password": "brand new secret"},
                page="/admin/users").status_code == 303
    assert login(app.test_client(), "amal").status_code == 401
    assert login(app.test_client(), "amal", "brand new secret").status_code == 302
    assert post(root, "/admin/users/99999/password", {"password": "brand new secret"},
                page="/admin/users").status_code == 404
    assert post(root, "/admin/users/99999/active", {"active": "0"},
                page="/admin/users").status_code == 404


@pytest.mark.parametrize("username", ["sara", "amal", "tala"])
def test_only_admins_manage_accounts(as_user, world, username) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    assert client.get("/admin/users").status_code == 403
    target = world.staff["omar"].id
    page = "/welcome" if username == "tala" else "/referrals"
    assert post(client, "/admin/users", {"username": "mallory", "password": "a strong one!",
                                         "role": "admin", "organisation": "org-a"},
                page=page).status_code == 403
    assert post(client, f"/admin/users/{target}/active", {"active": "0"}, page=page).status_code == 403
    assert post(client, f"/admin/users/{target}/password", {"password": "taken over!!"},
                page=page).status_code == 403
    with world.factory() as session:
        assert session.get(StaffUser, target).active
        assert session.scalars(select(StaffUser).where(StaffUser.username == "mallory")).first() is None
