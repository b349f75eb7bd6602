"""The overview page: referrals per week by category, by governorate, by status, and how long
referrals wait for a first action. Every figure counts only referrals the user may see."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from content.loader import category_name, governorate_name, status_name
from dashboard import web
from dashboard.charts import PALETTE, Series, horizontal_bars, stacked_columns
from store.lifecycle import sees_referrals, visibility_clause
from store.models import Notification, NotificationStatus, Referral
from store.queries import overview as overview_figures

bp = Blueprint("overview", __name__)
WEEKS = 12
STATUS_COLOURS = {"new": "#0072B2", "in_progress": "#E69F00", "referred": "#009E73",
                  "closed": "#999999", "declined": "#CC79A7"}


def duration_label(hours: float | None) -> str:
    """'3.5 h' under two days, '4.2 d' beyond, in the interface language."""
    if hours is None:
        return "—"
    if hours < 48:
        return web.t("hours_short", value=f"{hours:.1f}")
    return web.t("days_short", value=f"{hours / 24:.1f}")


@bp.get("/overview")
@web.require(sees_referrals)
def index():  # type: ignore[no-untyped-def]
    user = web.current_user()
    lang = web.language()
    rtl = lang == "ar"
    figures = overview_figures(web.db(), user, weeks=WEEKS)
    week_labels = [day.strftime("%d/%m") for day in figures.weeks]
    series = [
        Series(category_name(category, lang), values, PALETTE[index % len(PALETTE)])
        for index, (category, values) in enumerate(figures.per_week_by_category.items())
    ]
    failed = web.db().scalar(
        select(func.count()).select_from(Notification).join(
            Referral, Referral.id == Notification.referral_id
        ).where(visibility_clause(user), Notification.status == NotificationStatus.FAILED)
    )
    return render_template(
        "overview.html",
        nav="overview",
        figures=figures,
        weeks=WEEKS,
        median=duration_label(figures.median_hours_to_first_action),
        failed_notifications=int(failed or 0),
        weekly_chart=stacked_columns(week_labels, series, web.t("chart_weekly"), rtl=rtl),
        governorate_chart=horizontal_bars(
            [(governorate_name(g, lang) if g != "unknown" else web.t("not_given"), n)
             for g, n in figures.by_governorate.items()],
            web.t("chart_governorate"), rtl=rtl, colour=PALETTE[2],
        ),
        status_chart=horizontal_bars(
            [(status_name(s, lang), n) for s, n in figures.by_status.items()],
            web.t("chart_status"), rtl=rtl, colour=PALETTE[0],
        ),
    )
