"""Signing in and out, sessions, CSRF, the login rate limit, redirects and the language."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from dashboard import security
from dashboard.security import hash_password, needs_rehash, safe_next, verify_password
from store.models import AuditEntry, StaffUser
from tests.dashboard.conftest import csrf_token, login, make_app, post
from tests.support.records import PASSWORD

# Every route of the dashboard, and an example URL of each: the tests below use them all.
ROUTES = {
    "auth.home": ("GET", "/"),
    "auth.no_access": ("GET", "/welcome"),
    "auth.login": ("GET", "/login"),
    "auth.logout": ("POST", "/logout"),
    "auth.language": ("GET", "/language/en"),
    "referrals.index": ("GET", "/referrals"),
    "referrals.export": ("GET", "/referrals/export.csv"),
    "referrals.detail": ("GET", "/referrals/R-7KQ2MX"),
    "referrals.change_status": ("POST", "/referrals/R-7KQ2MX/status"),
    "referrals.assign": ("POST", "/referrals/R-7KQ2MX/assign"),
    "referrals.add_note": ("POST", "/referrals/R-7KQ2MX/notes"),
    "overview.index": ("GET", "/overview"),
    "audit.index": ("GET", "/audit"),
    "admin.users": ("GET", "/admin/users"),
    "admin.create": ("POST", "/admin/users"),
    "admin.set_active": ("POST", "/admin/users/1/active"),
    "admin.set_password": ("POST", "/admin/users/1/password"),
    "review.index": ("GET", "/review"),
    "review.label": ("POST", "/review/label"),
    "review.discard": ("POST", "/review/discard"),
    "review.export": ("POST", "/review/export"),
    "healthz": ("GET", "/healthz"),
    "static": ("GET", "/static/dashboard.css"),
}
PUBLIC = {"auth.login", "auth.language", "healthz", "static"}
REAL_HASHER = security._hasher  # before the tests swap in a fast one


def test_the_route_list_is_complete(app: Flask) -> None:
    """A new route must be added to ROUTES, and so to the authorisation tests."""
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(ROUTES)


@pytest.mark.parametrize("endpoint", sorted(set(ROUTES) - PUBLIC))
def test_logged_out_requests_are_sent_to_the_login_page(app: Flask, world, endpoint: str) -> None:  # type: ignore[no-untyped-def]
    method, path = ROUTES[endpoint]
    client = app.test_client()
    if method == "GET":
        response = client.get(path)
    else:  # a valid form token from the login page, but no account
        response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("endpoint", sorted(e for e, (m, _) in ROUTES.items() if m == "POST"))
@pytest.mark.parametrize("token", ["forged", "", None])
def test_forms_without_the_right_csrf_token_are_refused(as_user, world, endpoint: str, token) -> None:  # type: ignore[no-untyped-def]
    client = as_user("root" if endpoint.startswith("admin") else "sara")
    path = ROUTES[endpoint][1].replace("R-7KQ2MX", world.referrals["anbar"].code)
    data = {"status": "in_progress", "note": "x", "assignee": "me", "active": "0",
            "password": "a new password", "username": "mallory", "role": "admin",
            "organisation": "org-a"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "انتهت صلاحية النموذج" in response.get_data(as_text=True)
    with world.factory() as session:
        assert session.scalars(select(StaffUser).where(StaffUser.username == "mallory")).first() is None
        assert all(u.active for u in session.scalars(select(StaffUser)))


def test_a_token_from_another_session_is_refused(app: Flask, as_user, world) -> None:  # type: ignore[no-untyped-def]
    stranger = app.test_client()
    foreign_token = csrf_token(stranger)
    client = as_user("sara")
    code = world.referrals["anbar"].code
    response = client.post(f"/referrals/{code}/notes", data={"note": "x", "csrf_token": foreign_token})
    assert response.status_code == 400


def test_the_login_form_needs_its_token(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post("/login", data={"username": "sara", "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/referrals").status_code == 302


@pytest.mark.parametrize(("username", "home"), [
    ("sara", "/referrals"), ("amal", "/referrals"), ("root", "/admin/users"), ("tala", "/review"),
])
def test_each_role_lands_on_its_page(as_user, username: str, home: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    assert client.get("/").headers["Location"] == home
    assert client.get(home).status_code == 200


def test_login_goes_back_to_the_page_asked_for(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.get("/overview?x=1")
    assert first.headers["Location"] == "/login?next=/overview?x%3D1"
    token = csrf_token(client, first.headers["Location"])
    response = client.post(first.headers["Location"], data={
        "username": "sara", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/overview?x=1"


def test_a_successful_login_is_audited_and_the_session_is_fresh(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": " SARA ", "password": PASSWORD,
                                           "csrf_token": token}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The pre-login CSRF token belonged to the old session: it is not carried over.
    assert client.post("/logout", data={"csrf_token": token}).status_code == 400
    with world.factory() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "login")).all()
        assert (entry.actor_username, entry.organisation, entry.ip) == ("sara", "org-a", "10.1.2.3")
        assert session.scalars(select(StaffUser).where(StaffUser.username == "sara")).one().last_login_at


def test_session_cookies_are_secure_unless_told_otherwise(session_factory, world) -> None:  # type: ignore[no-untyped-def]
    app = make_app(session_factory, dashboard_insecure_cookies=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    response = app.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(("username", "password"), [
    ("sara", "wrong password"), ("nobody", PASSWORD), ("", ""),
])
def test_a_failed_login_says_little_and_is_audited(app: Flask, world, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 401
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in response.get_data(as_text=True)
    assert client.get("/referrals").status_code == 302
    with world.factory() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert entry.action == "login_failed" and entry.actor_username == (username or None)


def test_an_inactive_account_cannot_log_in(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    with world.factory.begin() as session:
        session.get(StaffUser, world.staff["amal"].id).active = False
    assert login(app.test_client(), "amal").status_code == 401


def test_failed_logins_per_username_are_limited(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    for attempt in range(3):
        assert login(app.test_client(), "amal", "guess %d" % attempt).status_code == 401
    refused = login(app.test_client(), "amal")  # even the right password now
    assert refused.status_code == 429
    assert "انتظر 15 دقيقة" in refused.get_data(as_text=True)
    assert login(app.test_client(), "sara").status_code == 302  # others are not locked out
    with world.factory() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["login_failed"] * 3 + ["login_refused", "login"]


def test_failed_logins_per_address_are_limited(app: Flask, world) -> None:  # type: ignore[no-untyped-def]
    def attempt(username: str, password: str, ip: str):  # type: ignore[no-untyped-def]
        client = app.test_client()
        token = csrf_token(client)
        return client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token}, environ_base={"REMOTE_ADDR": ip})

    for index in range(8):
        assert attempt(f"guess{index}", "x", "10.9.9.9").status_code == 401
    assert attempt("sara", PASSWORD, "10.9.9.9").status_code == 429
    assert attempt("sara", PASSWORD, "10.9.9.10").status_code == 302


def test_logging_out_ends_the_session_everywhere(app: Flask, as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    other_device = as_user("sara")
    stolen = client.get_cookie("dashboard_session").value
    response = post(client, "/logout", {}, page="/referrals")
    assert response.headers["Location"] == "/login"
    assert client.get("/referrals").status_code == 302
    assert other_device.get("/referrals").status_code == 302
    replay = app.test_client()
    replay.set_cookie("dashboard_session", stolen)
    assert replay.get("/referrals").status_code == 302
    with world.factory() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "logout")).one()


def test_a_deactivated_account_is_signed_out_at_once(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("amal")
    assert client.get("/referrals").status_code == 200
    with world.factory.begin() as session:
        session.get(StaffUser, world.staff["amal"].id).active = False
    assert client.get("/referrals").status_code == 302


def test_arabic_right_to_left_by_default_english_on_request(app: Flask, as_user) -> None:  # type: ignore[no-untyped-def]
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "تسجيل الدخول" in page
    client = app.test_client()
    switched = client.get("/language/en?next=/login")
    assert switched.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "Log in" in page
    assert client.get("/language/fr").status_code == 404
    # An account's own language applies after login until switched.
    omar = as_user("omar")
    assert '<html lang="en" dir="ltr">' in omar.get("/referrals").get_data(as_text=True)
    omar.get("/language/ar")
    assert '<html lang="ar" dir="rtl">' in omar.get("/referrals").get_data(as_text=True)


def test_the_language_link_never_leaves_the_site(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/language/en?next=//evil.example/").headers["Location"] == "/"


@pytest.mark.parametrize(("target", "result"), [
    ("/referrals?status=new", "/referrals?status=new"),
    ("/overview", "/overview"),
    (None, "/home"),
    ("", "/home"),
    ("https://evil.example/x", "/home"),
    ("//evil.example/x", "/home"),
    ("/\\evil.example", "/home"),
    ("javascript:alert(1)", "/home"),
    ("referrals", "/home"),
])
def test_safe_next(target: str | None, result: str) -> None:
    assert safe_next(target, "/home") == result


def test_pages_carry_security_headers(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("sara").get("/referrals")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in response.get_data(as_text=True)


def test_health_and_static_need_no_login(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"
    css = client.get("/static/dashboard.css")
    assert css.status_code == 200 and "inline-start" in css.get_data(as_text=True)


def test_trainers_see_no_referral_page(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    for path in ("/referrals", "/referrals/export.csv", "/overview", "/audit", "/admin/users",
                 f"/referrals/{world.referrals['anbar'].code}"):
        assert client.get(path).status_code == 403, path


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase")
    assert not verify_password(hashed, "a long passphrasE")
    assert not verify_password(None, "a long passphrase")
    assert not verify_password("not a hash", "x")
    assert not needs_rehash(hashed)


def test_the_real_hasher_is_argon2id_with_strong_parameters() -> None:
    from argon2 import Type

    hasher = REAL_HASHER.__wrapped__()  # type: ignore[attr-defined]
    assert hasher.type is Type.ID
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024
