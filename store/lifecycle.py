"""The referral lifecycle: who may do what, which status may follow which, and the operations.

Framework-free: the dashboard (and any other tool) calls these functions; they take a `Session`
and never commit, so a status change, its history event, its notification in the outbox and its
audit entry are stored in the caller's one transaction, or not at all.

    new ──> in_progress ──> referred (to a named service) ──> closed
     │          │  ^            │
     │          │  └────────────┘ (the service could not help)
     └──────────┴──> declined                   in_progress ──> closed

Every change needs a short note. `closed` and `declined` are final: a returnee who still needs
help makes a new request (the notification texts say so).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, update
from sqlalchemy.orm import Session

from store import audit
from store.models import (
    EventKind,
    Notification,
    NotificationKind,
    NotificationTarget,
    Referral,
    ReferralEvent,
    ReferralStatus,
    StaffRole,
    StaffUser,
    utcnow,
)

NOTE_MAX_CHARS = 1000
REFERRED_TO_MAX_CHARS = 200
ALL_GOVERNORATES = "all"

OPEN_STATUSES = (ReferralStatus.NEW, ReferralStatus.IN_PROGRESS, ReferralStatus.REFERRED)
TRANSITIONS: dict[ReferralStatus, tuple[ReferralStatus, ...]] = {
    ReferralStatus.NEW: (ReferralStatus.IN_PROGRESS, ReferralStatus.DECLINED),
    ReferralStatus.IN_PROGRESS: (
        ReferralStatus.REFERRED, ReferralStatus.CLOSED, ReferralStatus.DECLINED,
    ),
    ReferralStatus.REFERRED: (ReferralStatus.IN_PROGRESS, ReferralStatus.CLOSED),
    ReferralStatus.CLOSED: (),
    ReferralStatus.DECLINED: (),
}
REFERRAL_ROLES = (StaffRole.CASEWORKER, StaffRole.SUPERVISOR)


class LifecycleError(ValueError):
    """A rule was broken; `reason` is a stable key the dashboard translates."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- rules (pure) -------------------------------------------------------------------------


def allowed_next_statuses(current: ReferralStatus) -> tuple[ReferralStatus, ...]:
    return TRANSITIONS[ReferralStatus(current)]


def check_transition(current: ReferralStatus, target: ReferralStatus) -> None:
    if ReferralStatus(target) not in allowed_next_statuses(current):
        raise LifecycleError("transition_not_allowed")


def clean_note(note: str | None, *, required: bool = True) -> str | None:
    """A note, trimmed, at most NOTE_MAX_CHARS; required for every change but an assignment
    (an optional note left empty is None)."""
    text = (note or "").strip()
    if not text:
        if required:
            raise LifecycleError("note_required")
        return None
    if len(text) > NOTE_MAX_CHARS:
        raise LifecycleError("note_too_long")
    return text


def clean_referred_to(referred_to: str | None) -> str:
    """The named service a referral goes to (status `referred`)."""
    text = " ".join((referred_to or "").split())
    if not text:
        raise LifecycleError("referred_to_required")
    if len(text) > REFERRED_TO_MAX_CHARS:
        raise LifecycleError("referred_to_too_long")
    return text


def sees_referrals(user: StaffUser) -> bool:
    """Caseworkers and supervisors work on referrals; admins and trainers never see one."""
    return bool(user.active) and StaffRole(user.role) in REFERRAL_ROLES


def covers_governorate(user: StaffUser, governorate: str | None) -> bool:
    governorates = user.governorate_list
    return ALL_GOVERNORATES in governorates or (governorate is not None and governorate in governorates)


def can_view(user: StaffUser, referral: Referral) -> bool:
    """Supervisors: their organisation. Caseworkers: its governorates they cover, and their cases."""
    if not sees_referrals(user) or referral.organisation != user.organisation:
        return False
    if StaffRole(user.role) is StaffRole.SUPERVISOR:
        return True
    return referral.assignee_id == user.id or covers_governorate(user, referral.governorate)


def can_act(user: StaffUser, referral: Referral) -> bool:
    """Whoever may see a referral may change its status and write notes."""
    return can_view(user, referral)


def can_assign(user: StaffUser, referral: Referral, assignee: StaffUser | None) -> bool:
    """Supervisors assign to anyone active of their organisation who works on referrals (or
    to nobody); a caseworker may only take a case they can see."""
    if not can_act(user, referral):
        return False
    if StaffRole(user.role) is StaffRole.SUPERVISOR:
        return assignee is None or (
            sees_referrals(assignee) and assignee.organisation == user.organisation
        )
    return assignee is not None and assignee.id == user.id


def can_read_audit(user: StaffUser) -> bool:
    return bool(user.active) and StaffRole(user.role) in (StaffRole.SUPERVISOR, StaffRole.ADMIN)


def can_review_messages(user: StaffUser) -> bool:
    """Only trainers read the messages the assistant missed (de-identified) and label them.

    Not admins, supervisors or caseworkers: they have no need to read what people wrote to the
    assistant, so they may not (an admin who needs to can give themselves a trainer account,
    which the audit log shows).
    """
    return bool(user.active) and StaffRole(user.role) is StaffRole.TRAINER


def can_manage_users(user: StaffUser) -> bool:
    return bool(user.active) and StaffRole(user.role) is StaffRole.ADMIN


# --- queries -------------------------------------------------------------------------------


def visibility_clause(user: StaffUser) -> ColumnElement[bool]:
    """The SQL condition `can_view` stands for, for lists, counts and exports."""
    if not sees_referrals(user):
        return false()
    same_organisation = Referral.organisation == user.organisation
    if StaffRole(user.role) is StaffRole.SUPERVISOR:
        return same_organisation
    governorates = user.governorate_list
    if ALL_GOVERNORATES in governorates:
        return same_organisation
    return and_(
        same_organisation,
        or_(Referral.assignee_id == user.id, Referral.governorate.in_(governorates or [""])),
    )


def visible_referrals(user: StaffUser) -> Select[tuple[Referral]]:
    return select(Referral).where(visibility_clause(user))


def find_visible_referral(session: Session, user: StaffUser, code: str) -> Referral | None:
    """The referral with this code if the user may see it; None otherwise (no difference)."""
    return session.scalars(
        visible_referrals(user).where(Referral.code == code.strip().upper())
    ).one_or_none()


# --- operations (take a session, never commit) --------------------------------------------


def record_creation(session: Session, referral: Referral) -> ReferralEvent:
    """The `created` event of a new referral and, when it is urgent, the caseworkers' alert.

    Called by `store.repository.create_referral` in the transaction that stores the referral.
    """
    event = ReferralEvent(
        referral_id=referral.id, kind=EventKind.CREATED, to_status=ReferralStatus.NEW.value,
        created_at=referral.created_at,
    )
    session.add(event)
    session.flush()
    if referral.urgent:
        session.add(
            Notification(
                dedupe_key=f"urgent:{referral.id}",
                referral_id=referral.id,
                event_id=event.id,
                target=NotificationTarget.CASEWORKERS,
                kind=NotificationKind.URGENT_REFERRAL,
                code=referral.code,
                language="ar",
            )
        )
    return event


def change_status(
    session: Session,
    referral: Referral,
    actor: StaffUser,
    target: ReferralStatus | str,
    note: str | None,
    *,
    referred_to: str | None = None,
    expected: ReferralStatus | str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> ReferralEvent:
    """Move a referral to `target` with a note; the returnee's notification goes in the outbox.

    `expected` is the status the actor saw: if someone changed it meanwhile, nothing happens
    and `changed_meanwhile` is raised.
    """
    if not can_act(actor, referral):
        raise LifecycleError("not_allowed")
    target = ReferralStatus(target)
    current = ReferralStatus(referral.status)
    if expected is not None and ReferralStatus(expected) is not current:
        raise LifecycleError("changed_meanwhile")
    check_transition(current, target)
    text = clean_note(note)
    service = clean_referred_to(referred_to) if target is ReferralStatus.REFERRED else None
    now = now or utcnow()
    values: dict[str, object] = {"status": target, "updated_at": now}
    if service is not None:
        values["referred_to"] = service
    if referral.first_action_at is None:
        values["first_action_at"] = now
    # Conditional on the status read: two caseworkers acting at once cannot both win.
    result = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise LifecycleError("changed_meanwhile")
    for name, value in values.items():
        setattr(referral, name, value)
    event = _event(session, referral, actor, EventKind.STATUS_CHANGED, now, note=text,
                   from_status=current.value, to_status=target.value, referred_to=service)
    session.add(
        Notification(
            dedupe_key=f"event:{event.id}",
            referral_id=referral.id,
            event_id=event.id,
            target=NotificationTarget.RETURNEE,
            user_key=referral.user_key,
            kind=NotificationKind.STATUS_CHANGED,
            code=referral.code,
            referral_status=target.value,
            language=referral.language or "ar",
            created_at=now,
            next_attempt_at=now,
        )
    )
    audit.record(session, audit.STATUS_CHANGED, actor=actor, referral_code=referral.code,
                 detail=f"{current.value} -> {target.value}", ip=ip, now=now)
    return event


def assign(
    session: Session,
    referral: Referral,
    actor: StaffUser,
    assignee: StaffUser | None,
    note: str | None = None,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> ReferralEvent:
    """Give the referral to a caseworker (or to nobody, for supervisors); the note is optional."""
    if not can_assign(actor, referral, assignee):
        raise LifecycleError("not_allowed")
    text = clean_note(note, required=False)
    now = now or utcnow()
    referral.assignee_id = assignee.id if assignee is not None else None
    _mark_acted(referral, now)
    event = _event(session, referral, actor, EventKind.ASSIGNED, now, note=text,
                   assignee_id=referral.assignee_id)
    audit.record(session, audit.ASSIGNED, actor=actor, referral_code=referral.code,
                 detail=f"to {assignee.username if assignee else '-'}", ip=ip, now=now)
    return event


def add_note(
    session: Session,
    referral: Referral,
    actor: StaffUser,
    note: str | None,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> ReferralEvent:
    """A note in the referral's history (not sent to the returnee)."""
    if not can_act(actor, referral):
        raise LifecycleError("not_allowed")
    text = clean_note(note)
    now = now or utcnow()
    _mark_acted(referral, now)
    event = _event(session, referral, actor, EventKind.NOTE, now, note=text)
    audit.record(session, audit.NOTE_ADDED, actor=actor, referral_code=referral.code, ip=ip,
                 now=now)
    return event


def history(session: Session, referral: Referral) -> list[ReferralEvent]:
    """The referral's events, oldest first."""
    return list(
        session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id)
            .order_by(ReferralEvent.created_at, ReferralEvent.id)
        )
    )


def _mark_acted(referral: Referral, now: datetime) -> None:
    """A caseworker acted on the referral now (the first action is kept for the statistics)."""
    referral.updated_at = now
    if referral.first_action_at is None:
        referral.first_action_at = now


def _event(
    session: Session,
    referral: Referral,
    actor: StaffUser,
    kind: EventKind,
    now: datetime,
    **fields: object,
) -> ReferralEvent:
    event = ReferralEvent(referral_id=referral.id, kind=kind, actor_id=actor.id, created_at=now,
                          **fields)
    session.add(event)
    session.flush()
    return event
