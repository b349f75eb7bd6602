"""Signing in and out, the language switch, and the home page that sends each role on."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from dashboard import web
from dashboard.i18n import LANGUAGES
from dashboard.security import LoginLimit, hash_password, needs_rehash, safe_next, verify_password
from store import audit
from store.lifecycle import can_manage_users, can_review_messages, sees_referrals
from store.models import utcnow
from store.staff import find_by_username, normalise_username

bp = Blueprint("auth", __name__)


def _home_of(user) -> str:  # type: ignore[no-untyped-def]
    if sees_referrals(user):
        return url_for("referrals.index")
    if can_manage_users(user):
        return url_for("admin.users")
    if can_review_messages(user):
        return url_for("review.index")
    return url_for("auth.no_access")


@bp.get("/")
@web.login_required
def home():  # type: ignore[no-untyped-def]
    return redirect(_home_of(web.current_user()))


@bp.get("/welcome")
@web.login_required
def no_access():  # type: ignore[no-untyped-def]
    """Accounts without dashboard pages land here."""
    return render_template("no_access.html")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if g.get("user") is not None and request.method == "GET":
        return redirect(_home_of(g.user))
    if request.method == "GET":
        return render_template("login.html", username="", error=None)

    username = normalise_username(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")
    ip = web.client_ip()
    now = utcnow()
    settings = web.settings()
    limit = LoginLimit(settings.login_max_failures, settings.login_max_failures_per_ip,
                       timedelta(minutes=settings.login_window_minutes))
    session_db = web.db()
    if limit.refused(session_db, username, ip, now):
        audit.record(session_db, audit.LOGIN_REFUSED, username=username, ip=ip, now=now)
        session_db.commit()
        error = web.t("login_rate_limited", minutes=settings.login_window_minutes)
        return render_template("login.html", username=username, error=error), 429

    user = find_by_username(session_db, username) if username else None
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        audit.record(session_db, audit.LOGIN_FAILED, username=username, ip=ip, now=now,
                     organisation=user.organisation if user else None)
        session_db.commit()
        return render_template("login.html", username=username,
                               error=web.t("login_failed")), 401

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit.record(session_db, audit.LOGIN, actor=user, ip=ip, now=now)
    session_db.commit()
    # A fresh session: nothing from before the login (session fixation) survives.
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch
    session["lang"] = user.language
    return redirect(safe_next(request.args.get("next"), _home_of(user)))


@bp.post("/logout")
@web.login_required
def logout():  # type: ignore[no-untyped-def]
    user = web.current_user()
    # Raising the epoch ends this account's sessions everywhere, not only this cookie.
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record(web.db(), audit.LOGOUT, actor=user, ip=web.client_ip())
    web.db().commit()
    lang = web.language()
    session.clear()
    session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
def language(code: str):  # type: ignore[no-untyped-def]
    """The language link: the choice is kept in the session."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("auth.home")))
