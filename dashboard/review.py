"""The trainers' page: messages the assistant missed, de-identified, grouped, to label or discard.

Only trainers open it (store.lifecycle.can_review_messages): caseworkers, supervisors and admins
have no need to read what people wrote to the assistant. Every view, label, discard and export
goes into the audit log, with counts and intents only, never a message. What is kept and how is
explained in store/review.py.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from common.settings import PROJECT_ROOT
from dashboard import web
from store import audit
from store.lifecycle import can_review_messages
from store.models import utcnow
from store.review import (
    ExportError,
    discard_group,
    export_labelled,
    label_group,
    labellable_intents,
    pending_groups,
    predicted_intent_of,
    status_counts,
)

bp = Blueprint("review", __name__)
requires_trainer = web.require(can_review_messages)
PAGE_SIZE = 25
DOMAIN = PROJECT_ROOT / "domain.yml"
TRAINING_DIR = PROJECT_ROOT / "nlu" / "data" / "nlu"
HELDOUT_DIR = PROJECT_ROOT / "tests" / "nlu" / "heldout"
_GROUP_KEY = re.compile(r"[0-9a-f]{64}")


def _page_arg(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _group_key() -> str:
    key = request.form.get("group", "")
    if not _GROUP_KEY.fullmatch(key):
        abort(400)
    return key


def _back(page: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("review.index", page=page), code=303)


@bp.get("/review")
@requires_trainer
def index():  # type: ignore[no-untyped-def]
    session = web.db()
    page = _page_arg(request.args.get("page"))
    groups, total = pending_groups(session, page=page, page_size=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        page = pages
        groups, total = pending_groups(session, page=page, page_size=PAGE_SIZE)
    audit.record(session, audit.REVIEW_VIEWED, actor=web.current_user(), ip=web.client_ip(),
                 detail=f"page={page} groups={len(groups)}")
    session.commit()
    return render_template(
        "review/list.html", nav="review", groups=groups, total=total, page=page, pages=pages,
        counts={status.value: n for status, n in status_counts(session).items()},
        intents=labellable_intents(DOMAIN),
        retention_days=web.settings().review_retention_days,
        threshold=web.settings().review_confidence_threshold,
        export_name=web.settings().review_export_path.name,
    )


@bp.post("/review/label")
@requires_trainer
def label():  # type: ignore[no-untyped-def]
    key = _group_key()
    page = _page_arg(request.form.get("page"))
    intent = request.form.get("intent", "")
    if intent not in labellable_intents(DOMAIN):
        flash(web.t("review_choose_intent"), "error")
        return _back(page)
    session = web.db()
    predicted = predicted_intent_of(session, key)
    count = label_group(session, key, intent, utcnow().date())
    if count:
        audit.record(session, audit.REVIEW_LABELLED, actor=web.current_user(), ip=web.client_ip(),
                     detail=json.dumps({"intent": intent, "items": count, "predicted": predicted}))
    session.commit()
    if count:
        flash(web.t("review_labelled_flash", count=count, intent=intent), "success")
    else:
        flash(web.t("review_gone_flash"), "error")
    return _back(page)


@bp.post("/review/discard")
@requires_trainer
def discard():  # type: ignore[no-untyped-def]
    key = _group_key()
    page = _page_arg(request.form.get("page"))
    session = web.db()
    predicted = predicted_intent_of(session, key)
    count = discard_group(session, key)
    if count:
        audit.record(session, audit.REVIEW_DISCARDED, actor=web.current_user(),
                     ip=web.client_ip(),
                     detail=json.dumps({"items": count, "predicted": predicted}))
    session.commit()
    flash(web.t("review_discarded_flash", count=count) if count else web.t("review_gone_flash"),
          "success" if count else "error")
    return _back(page)


@bp.post("/review/export")
@requires_trainer
def export():  # type: ignore[no-untyped-def]
    settings = web.settings()
    try:
        report = export_labelled(
            web.sessions(), export_path=settings.review_export_path,
            training_dir=TRAINING_DIR, heldout_dir=HELDOUT_DIR, today=utcnow().date(),
        )
    except ExportError:
        flash(web.t("review_export_refused"), "error")
        return _back(1)
    session = web.db()
    audit.record(session, audit.REVIEW_EXPORTED, actor=web.current_user(), ip=web.client_ip(),
                 detail=report.audit_detail())
    session.commit()
    flash(web.t("review_exported_flash", added=report.examples_added,
                file=settings.review_export_path.name, present=report.already_present,
                heldout=report.heldout, conflicts=len(report.conflicts)), "success")
    for label_given, intent, where in report.conflicts:
        flash(web.t("review_conflict_flash", label=label_given, intent=intent, where=where),
              "error")
    return _back(1)

