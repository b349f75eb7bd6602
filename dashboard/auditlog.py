"""The audit log page: read-only, for supervisors (their organisation) and admins (all)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from dashboard import web
from store.audit import ACTIONS, AuditFilter, readable_entries
from store.lifecycle import can_read_audit

bp = Blueprint("audit", __name__)
PAGE_SIZE = 50


@bp.get("/audit")
@web.require(can_read_audit)
def index():  # type: ignore[no-untyped-def]
    action = request.args.get("action", "")
    wanted = AuditFilter(
        action=action if action in ACTIONS else None,
        username=request.args.get("username", "").strip()[:64] or None,
        referral_code=request.args.get("code", "").strip()[:12] or None,
    )
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    query = readable_entries(web.current_user(), wanted)
    session = web.db()
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    entries = list(session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    args = {key: value for key, value in (("action", wanted.action or ""),
                                          ("username", wanted.username or ""),
                                          ("code", wanted.referral_code or "")) if value}
    return render_template("audit.html", nav="audit", entries=entries, actions=ACTIONS,
                           wanted=wanted, page=page, pages=pages, total=total, args=args)
