"""The referral lifecycle: transitions, notes, who may do what, and what a change writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from store import lifecycle
from store.lifecycle import (
    LifecycleError,
    allowed_next_statuses,
    can_assign,
    can_manage_users,
    can_read_audit,
    can_view,
    check_transition,
    clean_note,
    clean_referred_to,
)
from store.models import (
    AuditEntry,
    EventKind,
    Notification,
    NotificationKind,
    NotificationStatus,
    NotificationTarget,
    Referral,
    ReferralEvent,
    ReferralStatus,
    StaffRole,
    StaffUser,
    as_utc,
    utcnow,
)
from tests.support.records import add_referral, add_staff

S = ReferralStatus


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.NEW, S.IN_PROGRESS, True),
        (S.NEW, S.DECLINED, True),
        (S.NEW, S.REFERRED, False),
        (S.NEW, S.CLOSED, False),
        (S.NEW, S.NEW, False),
        (S.IN_PROGRESS, S.REFERRED, True),
        (S.IN_PROGRESS, S.CLOSED, True),
        (S.IN_PROGRESS, S.DECLINED, True),
        (S.IN_PROGRESS, S.NEW, False),
        (S.REFERRED, S.CLOSED, True),
        (S.REFERRED, S.IN_PROGRESS, True),
        (S.REFERRED, S.DECLINED, False),
        (S.CLOSED, S.IN_PROGRESS, False),
        (S.CLOSED, S.NEW, False),
        (S.DECLINED, S.IN_PROGRESS, False),
    ],
)
def test_transitions(current: ReferralStatus, target: ReferralStatus, allowed: bool) -> None:
    assert (target in allowed_next_statuses(current)) is allowed
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(LifecycleError) as error:
            check_transition(current, target)
        assert error.value.reason == "transition_not_allowed"


@pytest.mark.parametrize("status", [S.CLOSED, S.DECLINED])
def test_closed_and_declined_are_final(status: ReferralStatus) -> None:
    assert allowed_next_statuses(status) == ()


@pytest.mark.parametrize(
    ("note", "result"),
    [
        ("  اتصلنا به  ", "اتصلنا به"),
        ("called, will visit Sunday", "called, will visit Sunday"),
        ("", "note_required"),
        ("   \n ", "note_required"),
        (None, "note_required"),
        ("x" * 1000, "x" * 1000),
        ("x" * 1001, "note_too_long"),
    ],
)
def test_a_note_is_required_and_short(note: str | None, result: str) -> None:
    if result in ("note_required", "note_too_long"):
        with pytest.raises(LifecycleError) as error:
            clean_note(note)
        assert error.value.reason == result
    else:
        assert clean_note(note) == result


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("  Legal aid   office  Ramadi ", "Legal aid office Ramadi"),
        ("مكتب المساعدة القانونية", "مكتب المساعدة القانونية"),
        ("", "referred_to_required"),
        (None, "referred_to_required"),
        ("y" * 201, "referred_to_too_long"),
    ],
)
def test_a_referral_names_its_service(value: str | None, result: str) -> None:
    if result.startswith("referred_to_"):
        with pytest.raises(LifecycleError) as error:
            clean_referred_to(value)
        assert error.value.reason == result
    else:
        assert clean_referred_to(value) == result


def staff(role: str, organisation: str = "org-a", governorates: str = "anbar", user_id: int = 1,
          active: bool = True) -> StaffUser:
    return StaffUser(id=user_id, username=f"u{user_id}", role=StaffRole(role),
                     organisation=organisation, governorates=governorates, active=active)


def referral(organisation: str = "org-a", governorate: str | None = "anbar",
             assignee_id: int | None = None) -> Referral:
    return Referral(organisation=organisation, governorate=governorate, assignee_id=assignee_id)


@pytest.mark.parametrize(
    ("user", "item", "visible"),
    [
        (staff("caseworker"), referral(), True),
        (staff("caseworker"), referral(governorate="ninewa"), False),
        (staff("caseworker"), referral(governorate=None), False),
        (staff("caseworker"), referral(organisation="org-b"), False),
        (staff("caseworker", governorates="anbar,ninewa"), referral(governorate="ninewa"), True),
        (staff("caseworker", governorates="all"), referral(governorate=None), True),
        (staff("caseworker", governorates="all"), referral(organisation="org-b"), False),
        # a case assigned to a caseworker outside their governorates is still theirs
        (staff("caseworker", user_id=7), referral(governorate="kirkuk", assignee_id=7), True),
        (staff("caseworker", user_id=7), referral(organisation="org-b", assignee_id=7), False),
        (staff("supervisor", governorates=""), referral(governorate="basra"), True),
        (staff("supervisor", governorates=""), referral(governorate=None), True),
        (staff("supervisor"), referral(organisation="org-b"), False),
        (staff("admin"), referral(), False),
        (staff("trainer"), referral(), False),
        (staff("caseworker", active=False), referral(), False),
        (staff("supervisor", active=False), referral(), False),
    ],
)
def test_who_sees_a_referral(user: StaffUser, item: Referral, visible: bool) -> None:
    assert can_view(user, item) is visible


def test_assignment_rights() -> None:
    supervisor = staff("supervisor", user_id=1)
    caseworker = staff("caseworker", user_id=2)
    colleague = staff("caseworker", user_id=3)
    stranger = staff("caseworker", organisation="org-b", user_id=4)
    admin = staff("admin", user_id=5)
    item = referral()
    assert can_assign(supervisor, item, caseworker)
    assert can_assign(supervisor, item, None)
    assert can_assign(supervisor, item, supervisor)
    assert not can_assign(supervisor, item, stranger)
    assert not can_assign(supervisor, item, admin)
    assert not can_assign(supervisor, item, staff("caseworker", user_id=6, active=False))
    assert can_assign(caseworker, item, caseworker)
    assert not can_assign(caseworker, item, colleague)
    assert not can_assign(caseworker, item, None)
    assert not can_assign(stranger, item, stranger)
    assert not can_assign(caseworker, referral(governorate="ninewa"), caseworker)


@pytest.mark.parametrize(
    ("role", "audit", "users"),
    [("caseworker", False, False), ("supervisor", True, False), ("admin", True, True),
     ("trainer", False, False)],
)
def test_audit_and_account_rights(role: str, audit: bool, users: bool) -> None:
    assert can_read_audit(staff(role)) is audit
    assert can_manage_users(staff(role)) is users
    assert not can_read_audit(staff(role, active=False))


# --- on a real database ---------------------------------------------------------------------


def test_a_new_referral_has_a_created_event_and_no_notification(session_factory) -> None:  # type: ignore[no-untyped-def]
    stored = add_referral(session_factory, organisation="org-a")
    with session_factory() as session:
        events = session.scalars(select(ReferralEvent)).all()
        assert [(e.kind, e.actor_id, e.to_status) for e in events] == [(EventKind.CREATED, None, "new")]
        assert session.scalars(select(Notification)).all() == []
        assert session.get(Referral, stored.id).organisation == "org-a"


def test_an_urgent_referral_alerts_the_caseworkers_in_the_same_transaction(session_factory) -> None:  # type: ignore[no-untyped-def]
    stored = add_referral(session_factory, urgent=True)
    with session_factory() as session:
        [alert] = session.scalars(select(Notification)).all()
    assert alert.target is NotificationTarget.CASEWORKERS
    assert alert.kind is NotificationKind.URGENT_REFERRAL
    assert alert.code == stored.code and alert.user_key is None
    assert alert.status is NotificationStatus.PENDING


def test_the_default_organisation_is_default(session_factory) -> None:  # type: ignore[no-untyped-def]
    from store.repository import ReferralDraft, create_referral
    from store.models import ContactMethod, NeedCategory

    stored = create_referral(session_factory, ReferralDraft(
        "k-default", "d" * 64, NeedCategory.OTHER, None, ContactMethod.TELEGRAM, None, None,
        "en", False, utcnow()))
    assert stored.organisation == "default"


def test_a_status_change_writes_history_notification_and_audit(session_factory) -> None:  # type: ignore[no-untyped-def]
    worker = add_staff(session_factory, "amal")
    stored = add_referral(session_factory)
    with session_factory.begin() as session:
        item = session.get(Referral, stored.id)
        actor = session.get(StaffUser, worker.id)
        lifecycle.change_status(session, item, actor, "in_progress", " called her ",
                                expected="new", ip="127.0.0.1")
    with session_factory() as session:
        item = session.get(Referral, stored.id)
        assert item.status is ReferralStatus.IN_PROGRESS
        assert item.first_action_at is not None
        event = session.scalars(select(ReferralEvent).where(
            ReferralEvent.kind == EventKind.STATUS_CHANGED)).one()
        assert (event.from_status, event.to_status, event.note, event.actor_id) == (
            "new", "in_progress", "called her", worker.id)
        [notification] = session.scalars(select(Notification)).all()
        assert notification.target is NotificationTarget.RETURNEE
        assert notification.user_key == stored.user_key
        assert notification.referral_status == "in_progress"
        assert notification.dedupe_key == f"event:{event.id}"
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.actor_username, entry.referral_code, entry.ip) == (
            "status_changed", "amal", stored.code, "127.0.0.1")


def test_referred_needs_the_service_and_keeps_it(session_factory) -> None:  # type: ignore[no-untyped-def]
    worker = add_staff(session_factory, "amal")
    stored = add_referral(session_factory)
    with session_factory.begin() as session:
        item, actor = session.get(Referral, stored.id), session.get(StaffUser, worker.id)
        lifecycle.change_status(session, item, actor, "in_progress", "called")
        with pytest.raises(LifecycleError, match="referred_to_required"):
            lifecycle.change_status(session, item, actor, "referred", "sent on")
        lifecycle.change_status(session, item, actor, "referred", "sent on",
                                referred_to="NRC legal aid, Ramadi")
    with session_factory() as session:
        assert session.get(Referral, stored.id).referred_to == "NRC legal aid, Ramadi"
        assert len(session.scalars(select(Notification)).all()) == 2


def test_the_first_action_time_is_kept(session_factory) -> None:  # type: ignore[no-untyped-def]
    worker = add_staff(session_factory, "amal")
    stored = add_referral(session_factory)
    first = utcnow() + timedelta(hours=2)
    with session_factory.begin() as session:
        item, actor = session.get(Referral, stored.id), session.get(StaffUser, worker.id)
        lifecycle.add_note(session, item, actor, "tried to call", now=first)
        lifecycle.change_status(session, item, actor, "in_progress", "reached",
                                now=first + timedelta(hours=1))
    with session_factory() as session:
        assert abs(as_utc(session.get(Referral, stored.id).first_action_at) - first) < timedelta(seconds=1)


def test_a_stale_form_cannot_change_the_status(session_factory) -> None:  # type: ignore[no-untyped-def]
    worker = add_staff(session_factory, "amal")
    stored = add_referral(session_factory)
    with session_factory.begin() as session:
        item, actor = session.get(Referral, stored.id), session.get(StaffUser, worker.id)
        with pytest.raises(LifecycleError, match="changed_meanwhile"):
            lifecycle.change_status(session, item, actor, "declined", "dup", expected="in_progress")


def test_two_caseworkers_at_once_cannot_both_change_it(session_factory) -> None:  # type: ignore[no-untyped-def]
    first_worker = add_staff(session_factory, "amal")
    second_worker = add_staff(session_factory, "omar")
    stored = add_referral(session_factory)
    first, second = session_factory(), session_factory()
    try:
        item_one = first.get(Referral, stored.id)
        item_two = second.get(Referral, stored.id)  # both saw "new"
        lifecycle.change_status(first, item_one, first.get(StaffUser, first_worker.id),
                                "in_progress", "mine")
        first.commit()
        with pytest.raises(LifecycleError, match="changed_meanwhile"):
            lifecycle.change_status(second, item_two, second.get(StaffUser, second_worker.id),
                                    "declined", "no, mine")
        second.rollback()
    finally:
        first.close()
        second.close()
    with session_factory() as session:
        assert session.get(Referral, stored.id).status is ReferralStatus.IN_PROGRESS
        assert len(session.scalars(select(Notification)).all()) == 1


def test_nobody_outside_the_scope_can_act(session_factory) -> None:  # type: ignore[no-untyped-def]
    outsider = add_staff(session_factory, "zaid", organisation="org-b", governorates="all")
    admin = add_staff(session_factory, "root", role="admin", governorates="")
    stored = add_referral(session_factory)
    with session_factory.begin() as session:
        item = session.get(Referral, stored.id)
        for user_id in (outsider.id, admin.id):
            actor = session.get(StaffUser, user_id)
            for act in (
                lambda: lifecycle.change_status(session, item, actor, "in_progress", "x"),
                lambda: lifecycle.add_note(session, item, actor, "x"),
                lambda: lifecycle.assign(session, item, actor, actor),
            ):
                with pytest.raises(LifecycleError, match="not_allowed"):
                    act()


def test_assignment_and_notes_are_history_not_notifications(session_factory) -> None:  # type: ignore[no-untyped-def]
    boss = add_staff(session_factory, "sara", role="supervisor", governorates="")
    worker = add_staff(session_factory, "amal", governorates="ninewa")
    stored = add_referral(session_factory, governorate="kirkuk")
    with session_factory.begin() as session:
        item = session.get(Referral, stored.id)
        assert not lifecycle.can_view(session.get(StaffUser, worker.id), item)
        lifecycle.assign(session, item, session.get(StaffUser, boss.id),
                         session.get(StaffUser, worker.id), "Kirkuk team is away")
        lifecycle.add_note(session, item, session.get(StaffUser, worker.id), "will call")
    with session_factory() as session:
        item = session.get(Referral, stored.id)
        assert item.assignee_id == worker.id
        assert lifecycle.can_view(session.get(StaffUser, worker.id), item)
        kinds = [e.kind for e in lifecycle.history(session, item)]
        assert kinds == [EventKind.CREATED, EventKind.ASSIGNED, EventKind.NOTE]
        assert session.scalars(select(Notification)).all() == []
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == ["assigned", "note_added"]


def test_the_visibility_query_matches_the_rule(session_factory) -> None:  # type: ignore[no-untyped-def]
    users = [
        add_staff(session_factory, "cw-anbar", governorates="anbar"),
        add_staff(session_factory, "cw-two", governorates="ninewa,kirkuk"),
        add_staff(session_factory, "cw-all", governorates="all"),
        add_staff(session_factory, "sup-a", role="supervisor", governorates=""),
        add_staff(session_factory, "sup-b", role="supervisor", organisation="org-b",
                  governorates=""),
        add_staff(session_factory, "admin", role="admin", governorates=""),
    ]
    for organisation in ("org-a", "org-b"):
        for governorate in ("anbar", "ninewa", "kirkuk", None):
            add_referral(session_factory, organisation=organisation, governorate=governorate)
    stored = add_referral(session_factory, governorate="basra")
    with session_factory.begin() as session:
        session.get(Referral, stored.id).assignee_id = users[0].id
    with session_factory() as session:
        everything = session.scalars(select(Referral)).all()
        for user in users:
            account = session.get(StaffUser, user.id)
            expected = {r.id for r in everything if can_view(account, r)}
            found = {r.id for r in session.scalars(lifecycle.visible_referrals(account))}
            assert found == expected, account.username
        assert lifecycle.find_visible_referral(session, session.get(StaffUser, users[0].id),
                                               stored.code.lower()) is not None
