"""The referral list, its CSV export, a referral's page and what caseworkers do on it.

A referral the user may not see answers 404, whether it exists or not.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from content.loader import status_name
from dashboard import web
from dashboard.export import referrals_csv
from store import audit, lifecycle
from store import outbox as outbox_store
from store.lifecycle import LifecycleError, allowed_next_statuses, sees_referrals
from store.models import Referral, ReferralStatus, StaffRole, StaffUser, utcnow
from store.queries import BAGHDAD, STATUSES, ReferralFilter, all_matching, page_of, status_counts
from store.staff import KNOWN_GOVERNORATES, assignable_staff

bp = Blueprint("referrals", __name__)
requires_referrals = web.require(sees_referrals)


def _staff_names(organisation: str) -> dict[int, str]:
    return {user.id: user.username for user in assignable_staff(web.db(), organisation)}


def _visible_or_404(code: str) -> Referral:
    referral = lifecycle.find_visible_referral(web.db(), web.current_user(), code)
    if referral is None:
        abort(404)
    return referral


@bp.get("/referrals")
@requires_referrals
def index():  # type: ignore[no-untyped-def]
    user = web.current_user()
    wanted = ReferralFilter.from_args(request.args)
    session = web.db()
    return render_template(
        "referrals/list.html",
        nav="referrals",
        filter=wanted,
        page=page_of(session, user, wanted),
        counts=status_counts(session, user, wanted),
        statuses=STATUSES,
        staff=_staff_names(user.organisation),
        governorates=_governorate_choices(user),
    )


@bp.get("/referrals/export.csv")
@requires_referrals
def export():  # type: ignore[no-untyped-def]
    user = web.current_user()
    wanted = ReferralFilter.from_args(request.args)
    session = web.db()
    rows = all_matching(session, user, wanted)
    audit.record(session, audit.REFERRALS_EXPORTED, actor=user, ip=web.client_ip(),
                 detail=f"{wanted.describe()} rows={len(rows)}")
    session.commit()
    body = referrals_csv(rows, _staff_names(user.organisation), web.language(), web.format_time)
    stamp = utcnow().astimezone(BAGHDAD).strftime("%Y%m%d-%H%M")
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="referrals-{stamp}.csv"',
        },
    )


@bp.get("/referrals/<code>")
@requires_referrals
def detail(code: str):  # type: ignore[no-untyped-def]
    referral = _visible_or_404(code)
    session = web.db()
    audit.record(session, audit.REFERRAL_VIEWED, actor=web.current_user(),
                 referral_code=referral.code, ip=web.client_ip())
    session.commit()
    return _detail_page(referral)


@bp.post("/referrals/<code>/status")
@requires_referrals
def change_status(code: str):  # type: ignore[no-untyped-def]
    referral = _visible_or_404(code)
    form = request.form
    try:
        target = ReferralStatus(form.get("status", ""))
    except ValueError:
        return _detail_page(referral, error="transition_not_allowed", form=form, status=400)
    try:
        lifecycle.change_status(
            web.db(), referral, web.current_user(), target, form.get("note"),
            referred_to=form.get("referred_to"), expected=form.get("expected") or None,
            ip=web.client_ip(),
        )
    except LifecycleError as error:
        web.db().rollback()
        status = 409 if error.reason == "changed_meanwhile" else 400
        return _detail_page(_visible_or_404(code), error=error.reason, form=form, status=status)
    web.db().commit()
    flash(web.t("status_changed_flash", status=_status_label(target)), "success")
    return redirect(url_for("referrals.detail", code=referral.code), code=303)


@bp.post("/referrals/<code>/assign")
@requires_referrals
def assign(code: str):  # type: ignore[no-untyped-def]
    referral = _visible_or_404(code)
    user = web.current_user()
    choice = request.form.get("assignee", "")
    assignee: StaffUser | None
    if choice == "me":
        assignee = user
    elif choice in ("", "none"):
        assignee = None
    elif choice.isdigit():
        assignee = web.db().get(StaffUser, int(choice))
        if assignee is None:
            return _detail_page(referral, error="not_allowed", status=400)
    else:
        return _detail_page(referral, error="not_allowed", status=400)
    try:
        lifecycle.assign(web.db(), referral, user, assignee, request.form.get("note"),
                         ip=web.client_ip())
    except LifecycleError as error:
        web.db().rollback()
        status = 403 if error.reason == "not_allowed" else 400
        return _detail_page(_visible_or_404(code), error=error.reason, status=status)
    web.db().commit()
    flash(web.t("assigned_flash", name=assignee.username if assignee else web.t("nobody")),
          "success")
    return redirect(url_for("referrals.detail", code=referral.code), code=303)


@bp.post("/referrals/<code>/notes")
@requires_referrals
def add_note(code: str):  # type: ignore[no-untyped-def]
    referral = _visible_or_404(code)
    try:
        lifecycle.add_note(web.db(), referral, web.current_user(), request.form.get("note"),
                           ip=web.client_ip())
    except LifecycleError as error:
        web.db().rollback()
        return _detail_page(_visible_or_404(code), error=error.reason, form=request.form,
                            status=400)
    web.db().commit()
    flash(web.t("note_added_flash"), "success")
    return redirect(url_for("referrals.detail", code=referral.code), code=303)


def _status_label(status: ReferralStatus) -> str:
    return status_name(status.value, web.language())


def _governorate_choices(user: StaffUser) -> list[str]:
    if StaffRole(user.role) is StaffRole.CASEWORKER and "all" not in user.governorate_list:
        return user.governorate_list
    return list(KNOWN_GOVERNORATES)


def _detail_page(referral: Referral, *, error: str | None = None, form: Any = None,
                 status: int = 200):  # type: ignore[no-untyped-def]
    user = web.current_user()
    session = web.db()
    staff = assignable_staff(session, user.organisation)
    names = {member.id: member.username for member in staff}
    events = lifecycle.history(session, referral)
    mentioned = {referral.assignee_id} | {e.actor_id for e in events} | {
        e.assignee_id for e in events}
    for staff_id in mentioned - set(names) - {None}:
        other = session.get(StaffUser, staff_id)
        names[staff_id] = other.username if other else "?"
    page = render_template(
        "referrals/detail.html",
        nav="referrals",
        referral=referral,
        events=events,
        notifications=outbox_store.for_referral(session, referral.id),
        next_statuses=allowed_next_statuses(referral.status),
        staff=staff,
        names=names,
        is_supervisor=StaffRole(user.role) is StaffRole.SUPERVISOR,
        error=error,
        form=form or {},
    )
    return page, status
