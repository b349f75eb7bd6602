"""Referral lists for the dashboard: filters, sorting, paging, counts and overview figures.

Every query starts from `lifecycle.visible_referrals(user)`, so a list, a count, an export or a
chart never holds a referral the user may not see.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from content.loader import GOVERNORATES, NEED_CATEGORIES, OTHER_GOVERNORATE
from store.lifecycle import OPEN_STATUSES, visibility_clause
from store.models import Referral, ReferralStatus, StaffUser, as_utc, utcnow

# Iraq keeps UTC+3 all year (no daylight saving since 2008): dates typed in filters and shown
# on pages are Baghdad dates.
BAGHDAD = timezone(timedelta(hours=3), "Baghdad")
PAGE_SIZE = 25
SORT_COLUMNS = ("created", "updated", "status", "category", "governorate")
STATUSES = tuple(status.value for status in ReferralStatus)
_CODE_CHARS = re.compile(r"[^A-Z0-9-]")


def local_date(value: datetime) -> date:
    return as_utc(value).astimezone(BAGHDAD).date()  # type: ignore[union-attr]


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text and text.strip() else None
    except ValueError:
        return None


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    value = (value or "").strip()
    return value if value in allowed else None


@dataclass(frozen=True)
class ReferralFilter:
    """What a referral list shows; built from query-string arguments, invalid values ignored."""

    status: str | None = None
    category: str | None = None
    governorate: str | None = None
    urgency: str | None = None  # "urgent" | "normal"
    date_from: date | None = None
    date_to: date | None = None
    assignee: str | None = None  # "me" | "none" | an account id
    code: str | None = None
    sort: str = "created"
    direction: str = "desc"
    page: int = field(default=1, compare=False)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ReferralFilter:
        assignee = (args.get("assignee") or "").strip()
        if assignee not in ("me", "none") and not assignee.isdigit():
            assignee = ""
        code = _CODE_CHARS.sub("", (args.get("code") or "").strip().upper())[:12]
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        return cls(
            status=_choice(args.get("status"), STATUSES),
            category=_choice(args.get("category"), NEED_CATEGORIES),
            governorate=_choice(args.get("governorate"), (*GOVERNORATES, OTHER_GOVERNORATE)),
            urgency=_choice(args.get("urgency"), ("urgent", "normal")),
            date_from=_parse_date(args.get("date_from")),
            date_to=_parse_date(args.get("date_to")),
            assignee=assignee or None,
            code=code or None,
            sort=_choice(args.get("sort"), SORT_COLUMNS) or "created",
            direction="asc" if args.get("direction") == "asc" else "desc",
            page=page,
        )

    def to_args(self, **changes: object) -> dict[str, str]:
        """The query-string arguments of this filter (for links), without empty values."""
        values = replace(self, **changes) if changes else self
        args: dict[str, str] = {}
        for item in fields(values):
            value = getattr(values, item.name)
            if value in (None, "") or (item.name, value) in (
                ("sort", "created"), ("direction", "desc"), ("page", 1)
            ):
                continue
            args[item.name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    def describe(self) -> str:
        """The filter as one line for the audit log (no paging)."""
        args = self.to_args(page=1)
        return " ".join(f"{key}={value}" for key, value in sorted(args.items())) or "all"


def filtered(user: StaffUser, wanted: ReferralFilter, *, ignore_status: bool = False
             ) -> Select[tuple[Referral]]:
    """Referrals the user may see that match the filter (unordered)."""
    query = select(Referral).where(visibility_clause(user))
    if wanted.status and not ignore_status:
        query = query.where(Referral.status == ReferralStatus(wanted.status))
    if wanted.category:
        query = query.where(Referral.category == wanted.category)
    if wanted.governorate:
        query = query.where(Referral.governorate == wanted.governorate)
    if wanted.urgency:
        query = query.where(Referral.urgent.is_(wanted.urgency == "urgent"))
    if wanted.date_from:
        start = datetime.combine(wanted.date_from, time.min, BAGHDAD).astimezone(timezone.utc)
        query = query.where(Referral.created_at >= start)
    if wanted.date_to:
        end = datetime.combine(wanted.date_to + timedelta(days=1), time.min, BAGHDAD)
        query = query.where(Referral.created_at < end.astimezone(timezone.utc))
    if wanted.assignee == "me":
        query = query.where(Referral.assignee_id == user.id)
    elif wanted.assignee == "none":
        query = query.where(Referral.assignee_id.is_(None))
    elif wanted.assignee:
        query = query.where(Referral.assignee_id == int(wanted.assignee))
    if wanted.code:
        query = query.where(Referral.code.contains(wanted.code.removeprefix("R-"),
                                                   autoescape=True))
    return query


def urgent_open_first():  # type: ignore[no-untyped-def]
    """0 for urgent referrals still open (crisis ones among them), 1 for the rest."""
    return case((and_(Referral.urgent.is_(True), Referral.status.in_(OPEN_STATUSES)), 0), else_=1)


def ordered(query: Select[tuple[Referral]], wanted: ReferralFilter) -> Select[tuple[Referral]]:
    column = {
        "created": Referral.created_at,
        "updated": Referral.updated_at,
        "status": Referral.status,
        "category": Referral.category,
        "governorate": Referral.governorate,
    }[wanted.sort]
    direction = column.asc() if wanted.direction == "asc" else column.desc()
    return query.order_by(urgent_open_first(), direction, Referral.id.desc())


@dataclass(frozen=True)
class Page:
    items: list[Referral]
    total: int
    page: int
    pages: int


def page_of(session: Session, user: StaffUser, wanted: ReferralFilter,
            size: int = PAGE_SIZE) -> Page:
    query = filtered(user, wanted)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // size))
    page = min(wanted.page, pages)
    items = list(session.scalars(ordered(query, wanted).limit(size).offset((page - 1) * size)))
    return Page(items, total, page, pages)


def all_matching(session: Session, user: StaffUser, wanted: ReferralFilter) -> list[Referral]:
    """Every matching referral in list order (the CSV export)."""
    return list(session.scalars(ordered(filtered(user, wanted), wanted)))


def status_counts(session: Session, user: StaffUser, wanted: ReferralFilter) -> dict[str, int]:
    """How many referrals of each status match the other filters."""
    query = filtered(user, wanted, ignore_status=True).subquery()
    rows = session.execute(select(query.c.status, func.count()).group_by(query.c.status))
    counts = {status: 0 for status in STATUSES}
    for status, count in rows:
        counts[ReferralStatus(status).value] = int(count)
    return counts


# --- overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    weeks: list[date]  # first day of each 7-day bucket, oldest first
    per_week_by_category: dict[str, list[int]]
    by_governorate: dict[str, int]
    by_status: dict[str, int]
    median_hours_to_first_action: float | None
    waiting_for_first_action: int
    total: int


def overview(session: Session, user: StaffUser, weeks: int = 12,
             now: datetime | None = None) -> Overview:
    """Figures for the overview page over the last `weeks` weeks (Baghdad dates)."""
    today = local_date(now or utcnow())
    first_day = today - timedelta(days=7 * weeks - 1)
    since = datetime.combine(first_day, time.min, BAGHDAD).astimezone(timezone.utc)
    rows = session.execute(
        select(Referral.created_at, Referral.category, Referral.governorate, Referral.status,
               Referral.first_action_at)
        .where(visibility_clause(user), Referral.created_at >= since)
    ).all()
    starts = [first_day + timedelta(days=7 * index) for index in range(weeks)]
    per_week = {category: [0] * weeks for category in NEED_CATEGORIES}
    governorates: Counter[str] = Counter()
    statuses = {status: 0 for status in STATUSES}
    delays: list[float] = []
    waiting = 0
    for created_at, category, governorate, status, first_action_at in rows:
        index = min(weeks - 1, max(0, (local_date(created_at) - first_day).days // 7))
        per_week[category.value][index] += 1
        governorates[governorate or "unknown"] += 1
        statuses[ReferralStatus(status).value] += 1
        if first_action_at is not None:
            delays.append((as_utc(first_action_at) - as_utc(created_at)).total_seconds() / 3600)
        elif ReferralStatus(status) is ReferralStatus.NEW:
            waiting += 1
    return Overview(
        weeks=starts,
        per_week_by_category=per_week,
        by_governorate=dict(governorates.most_common()),
        by_status=statuses,
        median_hours_to_first_action=statistics.median(delays) if delays else None,
        waiting_for_first_action=waiting,
        total=len(rows),
    )
