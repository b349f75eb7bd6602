"""The caseworkers' dashboard: a Flask application with server-rendered pages.

Arabic right-to-left by default, English on request. No JavaScript, no CDN: everything it
shows comes from this package (charts are inline SVG drawn on the server).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from common.settings import Settings, get_settings
from content.loader import category_name, governorate_name, status_name
from dashboard import web
from dashboard.i18n import other_language, role_label, text_direction
from store.crypto import current_keyring
from store.db import make_engine, make_session_factory
from store.lifecycle import can_manage_users, can_read_audit, can_review_messages, sees_referrals

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def create_app(settings: Settings | None = None,
               session_factory: sessionmaker[Session] | None = None) -> Flask:
    """The dashboard for these settings (default: the environment's) and database."""
    settings = settings or get_settings()
    app = Flask(__name__)
    current_keyring(settings)  # referrals are stored encrypted: no key, no dashboard
    app.config.update(
        SECRET_KEY=settings.require_dashboard_secret_key(),
        SESSION_COOKIE_NAME="dashboard_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.dashboard_insecure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.dashboard_session_hours),
        # A CSRF token lives as long as the session that holds it.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.extensions["dashboard.settings"] = settings
    app.extensions["dashboard.sessions"] = session_factory or make_session_factory(
        make_engine(settings.database_url)
    )
    CSRFProtect(app)
    if settings.dashboard_trusted_proxies:
        hops = settings.dashboard_trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from dashboard import admin, auditlog, auth, overview, referrals, review

    for blueprint in (auth.bp, referrals.bp, overview.bp, auditlog.bp, admin.bp, review.bp):
        app.register_blueprint(blueprint)

    app.before_request(web.load_user)
    app.teardown_appcontext(web.close_db)
    app.after_request(_security_headers)
    app.context_processor(_template_context)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.add_url_rule("/healthz", "healthz", _healthz)
    return app


def _healthz() -> tuple[str, int, dict[str, str]]:
    """For the run command and load balancers: the app answers and the database too."""
    web.db().execute(text("SELECT 1"))
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _security_headers(response):  # type: ignore[no-untyped-def]
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        # Pages hold personal data: never keep them in a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
    return render_template("error.html", status=400, title_key="error_csrf_title",
                           message_key="error_csrf"), 400


def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    status = error.code or 500
    known = {400, 401, 403, 404, 405, 413}
    key = f"error_{status}" if status in known else "error_other"
    return render_template("error.html", status=status, title_key=key + "_title",
                           message_key=key), status


def _template_context() -> dict[str, Any]:
    lang = web.language()
    user = g.get("user")
    return {
        "t": web.t,
        "lang": lang,
        "text_dir": text_direction(lang),
        "other_lang": other_language(lang),
        "user": user,
        "role_name": (lambda role: role_label(role, lang)),
        "status_name": (lambda value: status_name(str(getattr(value, "value", value)), lang)),
        "category_name": (lambda value: category_name(str(getattr(value, "value", value)), lang)),
        "governorate_name": (lambda value: governorate_name(value, lang) if value else "—"),
        "format_time": web.format_time,
        "can": {
            "referrals": user is not None and sees_referrals(user),
            "audit": user is not None and can_read_audit(user),
            "users": user is not None and can_manage_users(user),
            "review": user is not None and can_review_messages(user),
        },
    }
