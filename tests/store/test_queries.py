"""Referral lists: filters, urgent first, paging, counts and the overview figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from store.models import NeedCategory, Referral, ReferralStatus, StaffUser
from store.queries import (
    BAGHDAD,
    ReferralFilter,
    all_matching,
    overview,
    page_of,
    status_counts,
)
from tests.support.records import add_referral, add_staff


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, ReferralFilter()),
        ({"status": "referred", "category": "documents", "governorate": "ninewa"},
         ReferralFilter(status="referred", category="documents", governorate="ninewa")),
        ({"status": "bogus", "category": "x", "governorate": "mars", "urgency": "very"},
         ReferralFilter()),
        ({"urgency": "urgent", "assignee": "me"}, ReferralFilter(urgency="urgent", assignee="me")),
        ({"assignee": "12"}, ReferralFilter(assignee="12")),
        ({"assignee": "drop table"}, ReferralFilter()),
        ({"date_from": "2026-11-01", "date_to": "not a date"},
         ReferralFilter(date_from=date(2026, 11, 1))),
        ({"code": " r-7kq2mx' or 1=1 "}, ReferralFilter(code="R-7KQ2MXOR11")),
        ({"sort": "governorate", "direction": "asc"},
         ReferralFilter(sort="governorate", direction="asc")),
        ({"sort": "phone", "direction": "sideways"}, ReferralFilter()),
    ],
)
def test_filters_come_from_query_arguments(args, expected) -> None:  # type: ignore[no-untyped-def]
    assert ReferralFilter.from_args(args) == expected


@pytest.mark.parametrize("page", ["0", "-3", "x", ""])
def test_bad_page_numbers_mean_the_first_page(page: str) -> None:
    assert ReferralFilter.from_args({"page": page}).page == 1


def test_filter_arguments_round_trip() -> None:
    wanted = ReferralFilter(status="new", urgency="urgent", date_from=date(2026, 1, 2),
                            assignee="none", code="7KQ", sort="status", direction="asc", page=3)
    assert ReferralFilter.from_args(wanted.to_args()) == wanted
    assert ReferralFilter.from_args(wanted.to_args()).page == 3
    assert wanted.to_args(page=1).get("page") is None
    assert ReferralFilter().to_args() == {}
    assert ReferralFilter().describe() == "all"
    assert wanted.describe() == ("assignee=none code=7KQ date_from=2026-01-02 direction=asc "
                                 "sort=status status=new urgency=urgent")


@pytest.fixture
def world(session_factory):  # type: ignore[no-untyped-def]
    """A supervisor, two caseworkers and a handful of referrals of two organisations."""
    sara = add_staff(session_factory, "sara", role="supervisor", governorates="")
    amal = add_staff(session_factory, "amal", governorates="anbar")
    omar = add_staff(session_factory, "omar", governorates="ninewa")
    made = {
        "old_anbar": add_referral(session_factory, governorate="anbar"),
        "urgent_ninewa": add_referral(session_factory, governorate="ninewa", urgent=True,
                                      category=NeedCategory.PROTECTION),
        "docs_anbar": add_referral(session_factory, governorate="anbar",
                                   category=NeedCategory.DOCUMENTS),
        "no_governorate": add_referral(session_factory, governorate=None),
        "other_org": add_referral(session_factory, governorate="anbar", organisation="org-b"),
        "closed_urgent": add_referral(session_factory, governorate="anbar", urgent=True),
    }
    base = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    with session_factory.begin() as session:
        for index, name in enumerate(made):
            item = session.get(Referral, made[name].id)
            item.created_at = base + timedelta(hours=index)
            item.updated_at = base + timedelta(hours=index)
        session.get(Referral, made["closed_urgent"].id).status = ReferralStatus.CLOSED
        session.get(Referral, made["docs_anbar"].id).assignee_id = amal.id
    return session_factory, {"sara": sara, "amal": amal, "omar": omar}, made


def codes(session_factory, user, wanted: ReferralFilter, made) -> list[str]:  # type: ignore[no-untyped-def]
    names = {r.code: name for name, r in made.items()}
    with session_factory() as session:
        account = session.get(StaffUser, user.id)
        return [names[r.code] for r in page_of(session, account, wanted).items]


def test_open_urgent_referrals_come_first_then_newest(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    assert codes(factory, users["sara"], ReferralFilter(), made) == [
        "urgent_ninewa", "closed_urgent", "no_governorate", "docs_anbar", "old_anbar"]
    assert codes(factory, users["sara"], ReferralFilter(direction="asc"), made) == [
        "urgent_ninewa", "old_anbar", "docs_anbar", "no_governorate", "closed_urgent"]


def test_caseworkers_see_their_governorates_only(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    assert codes(factory, users["amal"], ReferralFilter(), made) == [
        "closed_urgent", "docs_anbar", "old_anbar"]
    assert codes(factory, users["omar"], ReferralFilter(), made) == ["urgent_ninewa"]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (ReferralFilter(status="closed"), ["closed_urgent"]),
        (ReferralFilter(category="documents"), ["docs_anbar"]),
        (ReferralFilter(governorate="ninewa"), ["urgent_ninewa"]),
        (ReferralFilter(urgency="urgent"), ["urgent_ninewa", "closed_urgent"]),
        (ReferralFilter(urgency="normal"), ["no_governorate", "docs_anbar", "old_anbar"]),
        (ReferralFilter(assignee="none"),
         ["urgent_ninewa", "closed_urgent", "no_governorate", "old_anbar"]),
        (ReferralFilter(sort="category", direction="asc"),
         ["urgent_ninewa", "docs_anbar", "closed_urgent", "no_governorate", "old_anbar"]),
    ],
)
def test_filters_narrow_the_list(world, wanted, expected) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    assert codes(factory, users["sara"], wanted, made) == expected


def test_the_assignee_filter_and_code_search(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    assert codes(factory, users["amal"], ReferralFilter(assignee="me"), made) == ["docs_anbar"]
    assert codes(factory, users["sara"], ReferralFilter(assignee=str(users["amal"].id)),
                 made) == ["docs_anbar"]
    code = made["old_anbar"].code
    for search in (code, code[2:], code[3:7]):
        found = codes(factory, users["sara"], ReferralFilter.from_args({"code": search}), made)
        assert "old_anbar" in found
    assert codes(factory, users["sara"], ReferralFilter(code=made["other_org"].code), made) == []


def test_dates_are_baghdad_days(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    # 2026-11-20 09:00 UTC + 3 hours is the Baghdad day 2026-11-20; all six were made that day.
    assert len(codes(factory, users["sara"], ReferralFilter(date_from=date(2026, 11, 20),
                                                             date_to=date(2026, 11, 20)), made)) == 5
    assert codes(factory, users["sara"], ReferralFilter(date_to=date(2026, 11, 19)), made) == []
    assert codes(factory, users["sara"], ReferralFilter(date_from=date(2026, 11, 21)), made) == []
    with factory.begin() as session:
        # 22:30 UTC on the 20th is already the 21st in Baghdad.
        session.get(Referral, made["old_anbar"].id).created_at = datetime(
            2026, 11, 20, 22, 30, tzinfo=timezone.utc)
    assert codes(factory, users["sara"], ReferralFilter(date_from=date(2026, 11, 21)),
                 made) == ["old_anbar"]


def test_paging(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, _made = world
    with factory() as session:
        sara = session.get(StaffUser, users["sara"].id)
        first = page_of(session, sara, ReferralFilter(), size=2)
        last = page_of(session, sara, ReferralFilter(page=9), size=2)
        assert (first.total, first.pages, first.page, len(first.items)) == (5, 3, 1, 2)
        assert (last.page, len(last.items)) == (3, 1)
        assert len(all_matching(session, sara, ReferralFilter())) == 5


def test_status_counts_ignore_the_status_filter(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, _made = world
    with factory() as session:
        sara = session.get(StaffUser, users["sara"].id)
        counts = status_counts(session, sara, ReferralFilter(status="closed"))
        assert counts == {"new": 4, "in_progress": 0, "referred": 0, "closed": 1, "declined": 0}
        amal = session.get(StaffUser, users["amal"].id)
        assert sum(status_counts(session, amal, ReferralFilter()).values()) == 3


def test_overview_figures(world) -> None:  # type: ignore[no-untyped-def]
    factory, users, made = world
    with factory.begin() as session:
        item = session.get(Referral, made["docs_anbar"].id)
        item.first_action_at = item.created_at + timedelta(hours=4)
        item = session.get(Referral, made["old_anbar"].id)
        item.first_action_at = item.created_at + timedelta(hours=10)
        session.get(Referral, made["closed_urgent"].id).created_at = datetime(
            2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    now = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    with factory() as session:
        figures = overview(session, session.get(StaffUser, users["sara"].id), weeks=4, now=now)
    assert figures.total == 5
    assert figures.weeks[-1] == date(2026, 11, 21) and len(figures.weeks) == 4
    assert figures.per_week_by_category["housing"] == [0, 0, 2, 1]
    assert figures.per_week_by_category["protection"] == [0, 0, 1, 0]
    assert figures.by_governorate == {"anbar": 3, "ninewa": 1, "unknown": 1}
    assert figures.by_status["new"] == 4 and figures.by_status["closed"] == 1
    assert figures.median_hours_to_first_action == pytest.approx(7.0)
    assert figures.waiting_for_first_action == 2
    assert BAGHDAD.utcoffset(None) == timedelta(hours=3)
