"""Sign-ups: signing up and the waitlist, cancelling and cancellation requests, swaps, and the
coordinators' assign, remove and attendance; and what erasure does to a person's sign-ups.

Capacity is kept by conditional UPDATEs on the shift row: a volunteer is confirmed only when
``confirmed_count < capacity_max`` held at the moment of the UPDATE, and a CHECK constraint
backs it. Every change to one shift's people first locks the shift row (PostgreSQL
``SELECT … FOR UPDATE``; SQLite writers already hold the database lock from ``BEGIN
IMMEDIATE``), so waitlist positions are handed out and renumbered one writer at a time.

Services flush and never commit; each refusal is a DomainError with a translated reason.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import attributes

from logistics import queue
from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import Conflict, DomainError, NotFound, PermissionDenied
from logistics.i18n import format_datetime
from logistics.people.models import User
from logistics.shifts import rules
from logistics.shifts.models import (
    ACTIVE_STATUSES,
    CoverRequest,
    EventKind,
    Shift,
    ShiftEvent,
    ShiftStatus,
    Signup,
    SignupStatus,
)
from logistics.shifts.rules import (
    AccountNotActive,
    AlreadySignedUp,
    CutoffPassed,
    OverCapacity,
    ShiftCancelled,
    ShiftPast,
)

# --- the shift row: lock, places, waitlist ------------------------------------------------------------

def lock_shift(session, shift_id: int) -> Shift:
    """Lock the shift row for the rest of the transaction and return it freshly loaded."""
    session.execute(sa.select(Shift.id).where(Shift.id == shift_id).with_for_update())
    shift = session.get(Shift, shift_id, populate_existing=True)
    if shift is None:
        raise NotFound(str(_l("There is no such shift.")))
    return shift


def record_event(session, kind: EventKind, shift: Shift | None, *, signup: Signup | None = None,
                 user_id: int | None = None, cover_request: CoverRequest | None = None,
                 data: dict | None = None) -> None:
    """Leave an event for the notification area to send."""
    session.add(ShiftEvent(
        kind=kind, shift_id=shift.id if shift else None, signup_id=signup.id if signup else None,
        user_id=user_id if user_id is not None else (signup.user_id if signup else None),
        cover_request_id=cover_request.id if cover_request else None,
        shift_version=shift.version if shift else None, data=data or {},
    ))
    # The notification area's sweep, once this commits (the minute sweep would find it too).
    queue.enqueue(session, "logistics.notifications.jobs.sweep", job_id="notifications-sweep-soon")


def _is_self(signup: Signup, by: User) -> bool:
    return by.id == signup.user_id


def _reload(session, signup: Signup) -> Signup:
    return session.get(Signup, signup.id, populate_existing=True)


def _row_of(session, shift: Shift, user: User) -> Signup | None:
    """The person's sign-up row on the shift (at most one, whatever its status), freshly loaded."""
    return session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
                          .execution_options(populate_existing=True))


def _set(obj, **values) -> None:
    for key, value in values.items():
        attributes.set_committed_value(obj, key, value)


def _take_place(session, shift: Shift, *, allow_over: bool = False) -> bool:
    """Confirm one more person if a place is free (or over capacity, when allowed)."""
    if allow_over:
        stmt = sa.update(Shift).where(Shift.id == shift.id).values(
            confirmed_count=Shift.confirmed_count + 1,
            over_capacity=sa.case((Shift.confirmed_count + 1 > Shift.capacity_max,
                                   Shift.confirmed_count + 1 - Shift.capacity_max), else_=0))
    else:
        stmt = sa.update(Shift).where(Shift.id == shift.id, Shift.confirmed_count < Shift.capacity_max).values(
            confirmed_count=Shift.confirmed_count + 1)
    row = session.execute(stmt.returning(Shift.confirmed_count, Shift.over_capacity),
                          execution_options={"synchronize_session": False}).first()
    if row is None:
        return False
    _set(shift, confirmed_count=row[0], over_capacity=row[1])
    return True


def _release_place(session, shift: Shift) -> None:
    row = session.execute(
        sa.update(Shift).where(Shift.id == shift.id, Shift.confirmed_count >= 1).values(
            confirmed_count=Shift.confirmed_count - 1,
            over_capacity=sa.case((Shift.confirmed_count - 1 > Shift.capacity_max,
                                   Shift.confirmed_count - 1 - Shift.capacity_max), else_=0),
        ).returning(Shift.confirmed_count, Shift.over_capacity),
        execution_options={"synchronize_session": False}).first()
    if row is not None:
        _set(shift, confirmed_count=row[0], over_capacity=row[1])


def _join_waitlist(session, shift: Shift) -> int:
    position = session.execute(
        sa.update(Shift).where(Shift.id == shift.id).values(waitlist_count=Shift.waitlist_count + 1)
        .returning(Shift.waitlist_count), execution_options={"synchronize_session": False}).scalar_one()
    _set(shift, waitlist_count=position)
    return position


def _leave_waitlist(session, shift: Shift, position: int) -> None:
    """Close the gap behind ``position``: everyone after it moves up one."""
    session.execute(
        sa.update(Signup).where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED,
                                Signup.position > position).values(position=Signup.position - 1),
        execution_options={"synchronize_session": "fetch"})
    count = session.execute(
        sa.update(Shift).where(Shift.id == shift.id, Shift.waitlist_count >= 1)
        .values(waitlist_count=Shift.waitlist_count - 1).returning(Shift.waitlist_count),
        execution_options={"synchronize_session": False}).scalar_one_or_none()
    if count is not None:
        _set(shift, waitlist_count=count)


def _fresh_place(signup: Signup) -> None:
    """Forget what belonged to an earlier place: cancellation, request, swap offer, attendance."""
    signup.cancelled_at = None
    signup.cancel_requested_at = None
    signup.cancel_request_reason = None
    signup.swap_offered_at = None
    signup.attended = None
    signup.hours = None


def _confirm(session, shift: Shift, signup: Signup, now: dt.datetime, *,
             event: EventKind = EventKind.SIGNUP_CONFIRMED) -> None:
    """Make ``signup`` a confirmed place on the locked shift; the caller has the place already.

    The one way every path (sign-up, promotion, swap, assign) confirms someone: a person
    leaving the waitlist closes the gap behind them, and the event tells them.
    """
    position = signup.position if signup.status == SignupStatus.WAITLISTED else None
    _fresh_place(signup)
    signup.status, signup.position, signup.confirmed_at = SignupStatus.CONFIRMED, None, now
    session.flush()
    if position is not None:
        _leave_waitlist(session, shift, position)
    record_event(session, event, shift, signup=signup)


def _drop(session, shift: Shift, signup: Signup, now: dt.datetime) -> None:
    """Take ``signup`` off the shift (confirmed or waitlisted) and promote from the waitlist."""
    was = signup.status
    position = signup.position
    signup.status = SignupStatus.CANCELLED
    signup.position = None
    signup.cancelled_at = now
    signup.swap_offered_at = None
    signup.cancel_requested_at = None
    session.flush()
    if was == SignupStatus.CONFIRMED:
        _release_place(session, shift)
        promote(session, shift, now=now)
    elif was == SignupStatus.WAITLISTED and position is not None:
        _leave_waitlist(session, shift, position)


# --- volunteers ------------------------------------------------------------------------------------

def sign_up(session, shift: Shift, user: User, *, by: User) -> Signup:
    """Sign ``user`` up: confirmed while places are free, else on the waitlist."""
    now = utcnow()
    shift = lock_shift(session, shift.id)
    signup = _row_of(session, shift, user)
    if signup is not None and signup.status in ACTIVE_STATUSES:
        raise AlreadySignedUp(waitlisted=signup.status == SignupStatus.WAITLISTED)
    rules.check_eligibility(session, shift, user, now=now)
    if signup is None:
        signup = Signup(shift=shift, user_id=user.id, status=SignupStatus.WAITLISTED)
        session.add(signup)
    if _take_place(session, shift):
        _confirm(session, shift, signup, now)
    else:
        _fresh_place(signup)
        signup.status, signup.position = SignupStatus.WAITLISTED, _join_waitlist(session, shift)
        session.flush()
    if not _is_self(signup, by):
        audit.record(session, by=by, action="signup.created", entity="signup", entity_id=signup.id,
                     changes={"shift": shift.id, "user": user.id, "status": signup.status.value})
    session.flush()
    return signup


def promote(session, shift: Shift, *, now: dt.datetime | None = None) -> list[Signup]:
    """Fill free places from the waitlist, first in line first (the shift row is locked).

    Someone who has since taken an overlapping confirmed shift is passed over and keeps
    their place in line.
    """
    now = now or utcnow()
    promoted = []
    if shift.status != ShiftStatus.SCHEDULED or shift.starts_at <= now:
        return promoted
    waiting = list(session.scalars(
        sa.select(Signup).where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
        .order_by(Signup.position)))
    for candidate in waiting:
        if shift.confirmed_count >= shift.capacity_max:
            break
        if rules.confirmed_shifts_near(session, candidate.user_id, shift.starts_at, shift.ends_at,
                                       exclude_shift_id=shift.id):
            continue
        if not _take_place(session, shift):
            break
        _confirm(session, shift, candidate, now, event=EventKind.PROMOTED)
        audit.record(session, by=None, action="signup.promoted", entity="signup", entity_id=candidate.id,
                     changes={"shift": shift.id, "status": ["waitlisted", "confirmed"]})
        promoted.append(candidate)
    session.flush()
    return promoted


def capacity_changed(session, shift: Shift, *, now: dt.datetime) -> None:
    """After a new maximum: count the places held above it, and fill freed ones from the waitlist."""
    over = max(0, shift.confirmed_count - shift.capacity_max)
    session.flush()
    session.execute(sa.update(Shift).where(Shift.id == shift.id).values(over_capacity=over),
                    execution_options={"synchronize_session": False})
    _set(shift, over_capacity=over)
    promote(session, shift, now=now)


def cancel(session, signup: Signup, *, by: User) -> None:
    """Cancel your own sign-up (until the activity's cut-off)."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only cancel your own sign-up.")))
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(str(_l("This sign-up is already cancelled.")))
    if shift.status == ShiftStatus.SCHEDULED and shift.starts_at <= now:
        raise ShiftPast()
    if signup.status == SignupStatus.CONFIRMED and shift.status == ShiftStatus.SCHEDULED \
            and now > rules.cancel_cutoff_at(shift):
        raise CutoffPassed(shift.activity.cancel_cutoff_hours)
    _drop(session, shift, signup, now)
    session.flush()


def request_cancellation(session, signup: Signup, *, reason: str, by: User) -> None:
    """After the cut-off: ask a coordinator to let you off (they see it on the fill page)."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only cancel your own sign-up.")))
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(str(_l("You are not confirmed on this shift.")))
    rules.check_shift_open(shift, now)
    if signup.cancel_requested_at is not None:
        raise Conflict(str(_l("You have already asked to cancel; a coordinator will answer.")))
    signup.cancel_requested_at = now
    signup.cancel_request_reason = (reason or "").strip()[:500] or None
    session.flush()


def decide_cancellation(session, signup: Signup, *, approve: bool, by: User) -> None:
    """Let the volunteer off (the place is freed) or keep them on."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if signup.cancel_requested_at is None or signup.status != SignupStatus.CONFIRMED:
        raise Conflict(str(_l("There is no open cancellation request for this sign-up.")))
    if approve:
        _drop(session, shift, signup, now)
    else:
        signup.cancel_requested_at = None
    audit.record(session, by=by, action="signup.cancel_approved" if approve else "signup.cancel_declined",
                 entity="signup", entity_id=signup.id, changes={"shift": shift.id, "user": signup.user_id})
    session.flush()


# --- swaps ----------------------------------------------------------------------------------------

def lapse_begun_requests(session, *, now: dt.datetime | None = None) -> int:
    """The sweep: on a shift that has begun, a request to be let off that nobody answered
    lapses (the person stays on it, as when a coordinator keeps them on; an audit entry each),
    and so does an offer to swap the place that nobody took. Nobody can act on either any
    more, and the pages that list the open ones go from each one to its shift, a cost that
    would otherwise grow with every one ever left. Returns how many lapsed."""
    now = now or utcnow()
    begun = sa.exists().where(Shift.id == Signup.shift_id, Shift.starts_at <= now)
    lapsed = session.execute(
        sa.update(Signup).where(Signup.cancel_requested_at.is_not(None), begun)
        .values(cancel_requested_at=None, cancel_request_reason=None)
        .returning(Signup.id, Signup.shift_id, Signup.user_id)
        # Signups this session holds see the change too.
        .execution_options(synchronize_session="fetch")).all()
    for signup_id, shift_id, user_id in lapsed:
        audit.record(session, by=None, action="signup.cancel_lapsed", entity="signup", entity_id=signup_id,
                     changes={"shift": shift_id, "user": user_id})
    offers = session.execute(
        sa.update(Signup).where(Signup.swap_offered_at.is_not(None), begun).values(swap_offered_at=None)
        .execution_options(synchronize_session="fetch")).rowcount
    session.flush()
    return len(lapsed) + offers


def offer_swap(session, signup: Signup, *, by: User) -> None:
    """Offer your confirmed place to any eligible volunteer who is free."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only offer your own shift for swap.")))
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(str(_l("You are not confirmed on this shift.")))
    rules.check_shift_open(shift, now)
    signup.swap_offered_at = signup.swap_offered_at or now
    session.flush()


def withdraw_swap(session, signup: Signup, *, by: User) -> None:
    """Take back your swap offer: the place stays yours."""
    lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only offer your own shift for swap.")))
    signup.swap_offered_at = None
    session.flush()


def take_swap(session, signup: Signup, user: User, *, by: User) -> Signup:
    """``user`` takes over the place offered in ``signup``: the sign-up moves in one step."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    offered = _reload(session, signup)
    if offered.status != SignupStatus.CONFIRMED or offered.swap_offered_at is None:
        raise Conflict(str(_l("This shift is no longer offered for swap.")))
    if offered.user_id == user.id:
        raise Conflict(str(_l("You cannot take over your own shift.")))
    mine = _row_of(session, shift, user)
    if mine is not None and mine.status == SignupStatus.CONFIRMED:
        raise AlreadySignedUp()
    rules.check_eligibility(session, shift, user, now=now)
    # The place moves from one person to the other: the confirmed count stays as it is.
    offered.status = SignupStatus.CANCELLED
    offered.cancelled_at = now
    offered.swap_offered_at = None
    offered.cancel_requested_at = None
    if mine is None:
        mine = Signup(shift=shift, user_id=user.id, status=SignupStatus.CONFIRMED)
        session.add(mine)
    _confirm(session, shift, mine, now)
    audit.record(session, by=by, action="signup.swapped", entity="signup", entity_id=offered.id,
                 changes={"shift": shift.id, "from_user": offered.user_id, "to_user": user.id})
    session.flush()
    return mine


# --- coordinators: people on a shift ------------------------------------------------------------------

def assign(session, shift: Shift, user: User, *, by: User, over_capacity: bool = False) -> Signup:
    """Put anyone on a shift; over capacity only with the explicit confirmation."""
    now = utcnow()
    shift = lock_shift(session, shift.id)
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelled()
    if not user.is_active or user.erased_at is not None:
        raise AccountNotActive()
    signup = _row_of(session, shift, user)
    if signup is not None and signup.status == SignupStatus.CONFIRMED:
        raise Conflict(str(_l("%(name)s is already on this shift.", name=user.full_name)), field="user_id")
    clash = rules.confirmed_shifts_near(session, user.id, shift.starts_at, shift.ends_at, exclude_shift_id=shift.id)
    if clash:
        raise Conflict(str(_l("%(name)s is on another shift at that time (%(when)s).", name=user.full_name,
                              when=format_datetime(clash[0].starts_at))), field="user_id")
    if not _take_place(session, shift, allow_over=over_capacity):
        raise OverCapacity(shift)
    before = signup.status.value if signup is not None else None
    if signup is None:
        signup = Signup(shift=shift, user_id=user.id, status=SignupStatus.CONFIRMED)
        session.add(signup)
    _confirm(session, shift, signup, now)
    audit.record(session, by=by, action="signup.assigned", entity="signup", entity_id=signup.id,
                 changes={"shift": shift.id, "user": user.id, "status": [before, "confirmed"],
                          **({"over_capacity": True} if shift.confirmed_count > shift.capacity_max else {})})
    session.flush()
    return signup


def remove(session, signup: Signup, *, by: User) -> None:
    """Take someone off a shift (confirmed or waitlisted); the waitlist moves up."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict(str(_l("This sign-up is already cancelled.")))
    before = signup.status.value
    _drop(session, shift, signup, now)
    record_event(session, EventKind.REMOVED, shift, signup=signup)
    audit.record(session, by=by, action="signup.removed", entity="signup", entity_id=signup.id,
                 changes={"shift": shift.id, "user": signup.user_id, "status": [before, "cancelled"]})
    session.flush()


def record_attendance(session, shift: Shift, rows: dict[int, tuple[bool, Decimal | None]], *, by: User) -> int:
    """Mark who came and their hours (default: the shift's length). Returns rows changed.

    :param rows: ``{signup id: (attended, hours or None)}``; ids not confirmed on the shift are ignored.
    """
    bad = [signup_id for signup_id, (_attended, hours) in rows.items()
           if hours is not None and not (0 <= hours <= 24)]
    if bad:
        raise rules.InvalidHours(bad)
    if shift.starts_at > utcnow():
        raise DomainError(str(_l("Attendance can be recorded once the shift has started.")))
    changed = 0
    confirmed = {s.id: s for s in session.scalars(sa.select(Signup).where(
        Signup.shift_id == shift.id, Signup.status == SignupStatus.CONFIRMED))}
    for signup_id, (attended, hours) in rows.items():
        signup = confirmed.get(signup_id)
        if signup is None:
            continue
        hours = (hours if hours is not None else shift.duration_hours) if attended else Decimal("0")
        if signup.attended != attended or signup.hours != hours:
            audit.record(session, by=by, action="signup.attendance", entity="signup", entity_id=signup.id,
                         changes={"attended": [signup.attended, attended],
                                  "hours": [str(signup.hours) if signup.hours is not None else None, str(hours)]})
            signup.attended, signup.hours = attended, hours
            changed += 1
    session.flush()
    return changed


# --- erasure -----------------------------------------------------------------------------------------------

def on_erasure(session, user: User) -> None:
    """Take an erased person off their future shifts (places freed, the waitlist moves up).

    Past sign-ups stay as anonymous hours; their free-text request reasons go.
    """
    now = utcnow()
    future = list(session.scalars(sa.select(Signup).join(Shift).where(
        Signup.user_id == user.id, Signup.status.in_(ACTIVE_STATUSES), Shift.starts_at > now)))
    for signup in future:
        shift = lock_shift(session, signup.shift_id)
        _drop(session, shift, _reload(session, signup), now)
    session.execute(sa.update(Signup).where(Signup.user_id == user.id).values(cancel_request_reason=None),
                    execution_options={"synchronize_session": False})
    session.flush()
