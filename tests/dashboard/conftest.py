"""A dashboard on a real (migrated) database, accounts of two organisations, and helpers that
log in and post forms the way a browser does (with the CSRF token of the page)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.settings import get_settings
from dashboard import create_app
from store.models import Referral, StaffUser
from dashboard import security
from tests.support.records import FAST_HASHER, PASSWORD, add_referral, add_staff

SECRET = "dashboard-test-secret-key-0123456789abcdef"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", lambda: FAST_HASHER)
    monkeypatch.setattr(security, "_dummy_hash", lambda: FAST_HASHER.hash("dummy"))


def make_app(session_factory, **changes) -> Flask:  # type: ignore[no-untyped-def]
    values = dict(dashboard_secret_key=SECRET, dashboard_insecure_cookies=True,
                  login_max_failures=3, login_max_failures_per_ip=8)
    values.update(changes)
    settings = replace(get_settings(), **values)
    app = create_app(settings, session_factory)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(session_factory) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(session_factory)


@dataclass
class World:
    """org-a: sara (supervisor), amal (caseworker, Anbar), omar (caseworker, Ninewa), root
    (admin), tala (trainer); org-b: zaid (supervisor), huda (caseworker, Anbar)."""

    factory: object
    staff: dict[str, StaffUser]
    referrals: dict[str, Referral]


@pytest.fixture
def world(session_factory) -> World:  # type: ignore[no-untyped-def]
    staff = {
        "sara": add_staff(session_factory, "sara", role="supervisor", governorates=""),
        "amal": add_staff(session_factory, "amal", governorates="anbar"),
        "omar": add_staff(session_factory, "omar", governorates="ninewa", language="en"),
        "root": add_staff(session_factory, "root", role="admin", governorates=""),
        "tala": add_staff(session_factory, "tala", role="trainer", governorates=""),
        "zaid": add_staff(session_factory, "zaid", role="supervisor", organisation="org-b",
                          governorates=""),
        "huda": add_staff(session_factory, "huda", organisation="org-b", governorates="anbar"),
    }
    referrals = {
        "anbar": add_referral(session_factory, governorate="anbar", chat_id=9001,
                              description="=HYPERLINK(\"http://evil\") بيتنا مهدوم"),
        "ninewa_urgent": add_referral(session_factory, governorate="ninewa", urgent=True,
                                      chat_id=9002),
        "other_org": add_referral(session_factory, governorate="anbar", organisation="org-b",
                                  chat_id=9003, description="طلب منظمة أخرى"),
    }
    return World(session_factory, staff, referrals)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True)
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def post(client: FlaskClient, path: str, data: dict, page: str = "/"):  # type: ignore[no-untyped-def, type-arg]
    """POST a form with the CSRF token a page of this session carries."""
    token = csrf_token(client, page)
    return client.post(path, data={**data, "csrf_token": token})


@pytest.fixture
def as_user(app: Flask, world: World):  # type: ignore[no-untyped-def]
    """as_user("amal") → a client logged in as amal."""

    def make(username: str) -> FlaskClient:
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
