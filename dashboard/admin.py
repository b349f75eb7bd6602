"""Accounts, for admins: list, create, deactivate or reactivate, set a new password."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from dashboard import web
from dashboard.security import hash_password, password_problem
from store import audit
from store.lifecycle import can_manage_users
from store.models import StaffRole, StaffUser
from store.staff import KNOWN_GOVERNORATES, StaffError, create_staff_user, list_staff

bp = Blueprint("admin", __name__, url_prefix="/admin")
requires_admin = web.require(can_manage_users)


def _page(error: str | None = None, form: dict | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "admin/users.html",
        nav="users",
        users=list_staff(web.db()),
        roles=[role.value for role in StaffRole],
        governorates=("all", *KNOWN_GOVERNORATES),
        default_organisation=web.settings().default_organisation,
        error=error,
        form=form or {},
    ), status


@bp.get("/users")
@requires_admin
def users():  # type: ignore[no-untyped-def]
    return _page()


@bp.post("/users")
@requires_admin
def create():  # type: ignore[no-untyped-def]
    form = request.form
    password = form.get("password", "")
    problem = password_problem(password)
    values = {key: form.get(key, "") for key in ("username", "role", "organisation", "language")}
    values["governorates"] = form.getlist("governorates")
    if problem:
        return _page(problem, values, 400)
    session = web.db()
    try:
        user = create_staff_user(
            session, username=values["username"], password_hash=hash_password(password),
            role=values["role"], organisation=values["organisation"],
            governorates=values["governorates"], language=values["language"] or "ar",
        )
    except StaffError as error:
        session.rollback()
        return _page(error.reason, values, 400)
    audit.record(session, audit.USER_CREATED, actor=web.current_user(), ip=web.client_ip(),
                 detail=f"{user.username} role={user.role.value} org={user.organisation} "
                        f"governorates={user.governorates}")
    session.commit()
    flash(web.t("user_created_flash", name=user.username), "success")
    return redirect(url_for("admin.users"), code=303)


def _account(session, user_id: int) -> StaffUser:  # type: ignore[no-untyped-def]
    """The account the URL names, or 404."""
    user = session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>/active")
@requires_admin
def set_active(user_id: int):  # type: ignore[no-untyped-def]
    session = web.db()
    user = _account(session, user_id)
    active = request.form.get("active") == "1"
    if user.id == web.current_user().id and not active:
        return _page("cannot_deactivate_self", status=400)
    user.active = active
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record(session, audit.USER_ACTIVATED if active else audit.USER_DEACTIVATED,
                 actor=web.current_user(), ip=web.client_ip(), detail=user.username)
    session.commit()
    flash(web.t("user_updated_flash", name=user.username), "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/password")
@requires_admin
def set_password(user_id: int):  # type: ignore[no-untyped-def]
    session = web.db()
    user = _account(session, user_id)
    password = request.form.get("password", "")
    problem = password_problem(password)
    if problem:
        return _page(problem, status=400)
    user.password_hash = hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1
    audit.record(session, audit.PASSWORD_SET, actor=web.current_user(), ip=web.client_ip(),
                 detail=user.username)
    session.commit()
    flash(web.t("user_updated_flash", name=user.username), "success")
    return redirect(url_for("admin.users"), code=303)
