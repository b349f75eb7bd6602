"""Request helpers shared by the dashboard's views: the database session, the signed-in
account, the authorisation decorators, the language and the client address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy.orm import Session, sessionmaker

from common.settings import Settings
from dashboard.i18n import LANGUAGES, translate
from store.models import StaffUser, as_utc
from store.queries import BAGHDAD

View = TypeVar("View", bound=Callable[..., Any])


def settings() -> Settings:
    return current_app.extensions["dashboard.settings"]


def sessions() -> sessionmaker[Session]:
    """The session factory, for work that needs its own transactions (the review export)."""
    return current_app.extensions["dashboard.sessions"]


def db() -> Session:
    """One session per request, closed (and rolled back if not committed) at its end."""
    if "db" not in g:
        factory: sessionmaker[Session] = current_app.extensions["dashboard.sessions"]
        g.db = factory()
    return g.db


def close_db(_error: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def load_user() -> None:
    """Before each request: the account of the session cookie, if it is still valid."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None or request.endpoint in ("static", "healthz"):
        return
    user = db().get(StaffUser, user_id)
    if user is None or not user.active or session.get("epoch") != user.session_epoch:
        session.clear()
        return
    g.user = user


def current_user() -> StaffUser:
    user = g.get("user")
    if user is None:  # only called behind login_required
        abort(401)
    return user


def login_required(view: View) -> View:
    """Signed-out requests go to the login page, and come back after it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def require(allowed: Callable[[StaffUser], bool]) -> Callable[[View], View]:
    """login_required, then 403 unless `allowed(user)`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not allowed(current_user()):
                abort(403)
            return view(*args, **kwargs)

        return login_required(checked)  # type: ignore[return-value]

    return decorator


def language() -> str:
    """The interface language: the session's choice, the account's, or Arabic."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    user = g.get("user")
    if user is not None and user.language in LANGUAGES:
        return user.language
    return "ar"


def t(key: str, **values: Any) -> str:
    return translate(key, language(), **values)


def client_ip() -> str | None:
    return request.remote_addr


def format_time(value: datetime | None) -> str:
    """A moment in Baghdad time, as caseworkers read it: 2026-11-27 10:40."""
    if value is None:
        return "—"
    return as_utc(value).astimezone(BAGHDAD).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
