"""Dashboard accounts: names, roles, governorates."""

from __future__ import annotations

import pytest

from store.models import StaffRole
from store.staff import (
    StaffError,
    assignable_staff,
    create_staff_user,
    find_by_username,
    parse_governorates,
    staff_count,
)
from tests.support.records import add_staff


@pytest.mark.parametrize(
    ("given", "codes"),
    [
        ("anbar,ninewa", ["anbar", "ninewa"]),
        ("ninewa, anbar ,", ["anbar", "ninewa"]),
        (["KIRKUK", "diyala"], ["diyala", "kirkuk"]),
        ("all", ["all"]),
        ("anbar,all", ["all"]),
        ("", []),
        ("other", ["other"]),
    ],
)
def test_governorates_are_parsed_and_ordered(given, codes) -> None:  # type: ignore[no-untyped-def]
    assert parse_governorates(given) == codes


def test_unknown_governorates_are_refused() -> None:
    with pytest.raises(StaffError, match="unknown_governorate"):
        parse_governorates("anbar,atlantis")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"username": "a"}, "invalid_username"),
        ({"username": "Amal Ali"}, "invalid_username"),
        ({"username": "أمل"}, "invalid_username"),
        ({"role": "boss"}, "invalid_role"),
        ({"organisation": ""}, "invalid_organisation"),
        ({"organisation": "<script>"}, "invalid_organisation"),
        ({"governorates": ""}, "governorates_required"),
        ({"language": "fr"}, "invalid_language"),
    ],
)
def test_invalid_accounts_are_refused(sqlite_session_factory, changes, reason) -> None:  # type: ignore[no-untyped-def]
    values = dict(username="amal", password_hash="x", role="caseworker", organisation="org-a",
                  governorates="anbar", language="ar")
    values.update(changes)
    with sqlite_session_factory.begin() as session:
        with pytest.raises(StaffError) as error:
            create_staff_user(session, **values)
    assert error.value.reason == reason


def test_usernames_are_unique_and_case_insensitive(session_factory) -> None:  # type: ignore[no-untyped-def]
    add_staff(session_factory, "Amal")
    with session_factory.begin() as session:
        with pytest.raises(StaffError, match="username_taken"):
            create_staff_user(session, username="AMAL", password_hash="x", role="supervisor",
                              organisation="org-a")
    with session_factory() as session:
        user = find_by_username(session, " amal ")
        assert user is not None and user.username == "amal" and user.role is StaffRole.CASEWORKER
        assert staff_count(session) == 1


def test_assignable_staff_are_active_referral_workers_of_the_organisation(session_factory) -> None:  # type: ignore[no-untyped-def]
    add_staff(session_factory, "amal")
    add_staff(session_factory, "sara", role="supervisor", governorates="")
    add_staff(session_factory, "root", role="admin", governorates="")
    add_staff(session_factory, "zaid", organisation="org-b")
    gone = add_staff(session_factory, "omar")
    with session_factory.begin() as session:
        from store.models import StaffUser

        session.get(StaffUser, gone.id).active = False
    with session_factory() as session:
        assert [u.username for u in assignable_staff(session, "org-a")] == ["amal", "sara"]
