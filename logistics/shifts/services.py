"""State changes for shifts: sign-up and its rules, waitlist, cancellation, swaps,
coordinator planning (activities, places, shifts, series), attendance and cover requests.

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
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import attributes

from logistics import settings
from logistics.audit import services as audit
from logistics.clock import localize, to_local, utcnow
from logistics.errors import Conflict, DomainError, NotFound, PermissionDenied
from logistics.people.models import Qualification, User
from logistics.shifts import recurrence
from logistics.shifts.models import (
    COLOURS,
    Activity,
    ActivityKind,
    CoverRequest,
    EventKind,
    Place,
    PlaceKind,
    Series,
    Shift,
    ShiftEvent,
    ShiftStatus,
    Signup,
    SignupStatus,
)

#: A shift that touches these local hours is a night shift (rest rule).
NIGHT_HOURS = (0, 5)
ACTIVE = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


# --- refusals ------------------------------------------------------------------------------

class SignupRefused(DomainError):
    """A sign-up rule said no; the message says which and why."""


class AccountNotActive(SignupRefused):
    def __init__(self):
        super().__init__(str(_l("Only approved, active volunteers can sign up for shifts.")))


class MissingQualification(SignupRefused):
    def __init__(self, names: list[str]):
        super().__init__(str(_l("This shift needs a qualification you do not hold (or that has expired "
                                "by then): %(names)s.", names=", ".join(names))))


class Overlap(SignupRefused):
    def __init__(self, other: Shift):
        super().__init__(str(_l("You are already on another shift at that time (%(when)s).",
                                when=format_datetime(other.starts_at, "short"))))


class SignupNotOpen(SignupRefused):
    def __init__(self, opens: dt.datetime):
        super().__init__(str(_l("Sign-up for this shift opens on %(when)s.",
                                when=format_datetime(opens, "short"))))


class ShiftPast(SignupRefused):
    def __init__(self):
        super().__init__(str(_l("This shift has already started or is over.")))


class ShiftCancelled(SignupRefused):
    def __init__(self):
        super().__init__(str(_l("This shift is cancelled.")))


class AlreadySignedUp(SignupRefused):
    status = 409

    def __init__(self, waitlisted: bool = False):
        super().__init__(str(_l("You are already on the waitlist for this shift.") if waitlisted
                             else _l("You are already signed up for this shift.")))


class WellbeingLimit(SignupRefused):
    """Over the weekly hotline hours, or too little rest around a night shift."""


class CutoffPassed(DomainError):
    def __init__(self, hours: int):
        super().__init__(str(_l("It is less than %(hours)d hours before the shift, so you cannot cancel "
                                "yourself any more. Send a cancellation request instead; a coordinator "
                                "will find cover.", hours=hours)))


class OverCapacity(DomainError):
    def __init__(self, shift: Shift):
        super().__init__(str(_l("The shift is full (%(n)d of %(max)d). Tick \"Over capacity\" to add "
                                "the person anyway.", n=shift.confirmed_count, max=shift.capacity_max)),
                         field="over_capacity")


class InvalidInput(DomainError):
    """Bad values from a form (times, capacities, rules)."""


# --- small helpers ----------------------------------------------------------------------------

def _setting(session, key):
    return settings.get(session, key)


def _event(session, kind: EventKind, shift: Shift | None, *, signup: Signup | None = None,
           user_id: int | None = None, cover_request: CoverRequest | None = None, data: dict | None = None):
    session.add(ShiftEvent(
        kind=kind, shift_id=shift.id if shift else None, signup_id=signup.id if signup else None,
        user_id=user_id if user_id is not None else (signup.user_id if signup else None),
        cover_request_id=cover_request.id if cover_request else None,
        shift_version=shift.version if shift else None, data=data or {},
    ))


def _is_self(signup: Signup, by) -> bool:
    return by is not None and getattr(by, "id", by) == signup.user_id


def lock_shift(session, shift_id: int) -> Shift:
    """Lock the shift row for the rest of the transaction and return it freshly loaded."""
    session.execute(sa.select(Shift.id).where(Shift.id == shift_id).with_for_update())
    shift = session.get(Shift, shift_id, populate_existing=True)
    if shift is None:
        raise NotFound(str(_l("There is no such shift.")))
    return shift


def _reload(session, signup: Signup) -> Signup:
    return session.get(Signup, signup.id, populate_existing=True)


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


def _confirmed_shifts_near(session, user_id: int, start: dt.datetime, end: dt.datetime,
                           exclude_shift_id: int | None = None) -> list[Shift]:
    """The person's confirmed, scheduled shifts that overlap [start, end)."""
    stmt = (sa.select(Shift).join(Signup, Signup.shift_id == Shift.id)
            .where(Signup.user_id == user_id, Signup.status == SignupStatus.CONFIRMED,
                   Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at < end,
                   Shift.starts_at > start - dt.timedelta(hours=24), Shift.ends_at > start))
    if exclude_shift_id is not None:
        stmt = stmt.where(Shift.id != exclude_shift_id)
    return list(session.scalars(stmt.order_by(Shift.starts_at)))


def is_night(starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    """True when the shift touches the local night hours (00:00–05:00)."""
    local_start, local_end = to_local(starts_at), to_local(ends_at)
    day = local_start.date()
    while day <= local_end.date():
        night_start = localize(dt.datetime.combine(day, dt.time(NIGHT_HOURS[0])))
        night_end = localize(dt.datetime.combine(day, dt.time(NIGHT_HOURS[1])))
        if starts_at < night_end and ends_at > night_start:
            return True
        day += dt.timedelta(days=1)
    return False


def _week_bounds(at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = to_local(at).date()
    monday = local - dt.timedelta(days=local.weekday())
    start = localize(dt.datetime.combine(monday, dt.time()))
    end = localize(dt.datetime.combine(monday + dt.timedelta(days=7), dt.time()))
    return start, end


def _hours(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


# --- the sign-up rules ---------------------------------------------------------------------------

def signup_opens_at(shift: Shift) -> dt.datetime:
    return shift.starts_at - dt.timedelta(days=shift.activity.signup_opens_days)


def cancel_cutoff_at(shift: Shift) -> dt.datetime:
    return shift.starts_at - dt.timedelta(hours=shift.activity.cancel_cutoff_hours)


def check_shift_open(shift: Shift, now: dt.datetime) -> None:
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelled()
    if shift.starts_at <= now:
        raise ShiftPast()


def check_eligibility(session, shift: Shift, user: User, *, now: dt.datetime | None = None,
                      window: bool = True) -> None:
    """Raise the first sign-up rule ``user`` does not meet for ``shift`` (capacity aside)."""
    now = now or utcnow()
    if not user.is_active or user.approved_at is None or user.erased_at is not None:
        raise AccountNotActive()
    check_shift_open(shift, now)
    if window and now < signup_opens_at(shift):
        raise SignupNotOpen(signup_opens_at(shift))
    day = to_local(shift.starts_at).date()
    held = {q.qualification_id for q in user.qualifications if q.is_valid_on(day)}
    missing = [q for q in shift.activity.qualifications if q.id not in held]
    if missing:
        locale = getattr(user, "locale", "en")
        raise MissingQualification([q.name(locale) for q in missing])
    rest = dt.timedelta(hours=_setting(session, "shifts_rest_after_night_hours"))
    week_start, week_end = _week_bounds(shift.starts_at)
    span_start = min(week_start, shift.starts_at - rest)
    span_end = max(week_end, shift.ends_at + rest)
    nearby = _confirmed_shifts_near(session, user.id, span_start, span_end, exclude_shift_id=shift.id)
    for other in nearby:
        if other.starts_at < shift.ends_at and other.ends_at > shift.starts_at:
            raise Overlap(other)
    if shift.activity.kind == ActivityKind.HOTLINE:
        limit = _setting(session, "shifts_hotline_max_hours_per_week")
        booked = sum(_hours(o.starts_at, o.ends_at) for o in nearby
                     if o.activity.kind == ActivityKind.HOTLINE and week_start <= o.starts_at < week_end)
        if booked + _hours(shift.starts_at, shift.ends_at) > limit:
            raise WellbeingLimit(str(_l("This would take you over %(limit)d hotline hours in one week "
                                        "(you have %(booked)s). Rest matters: pick another week.",
                                        limit=limit, booked=f"{booked:g}")))
    if rest:
        night = is_night(shift.starts_at, shift.ends_at)
        for other in nearby:
            after_night = (is_night(other.starts_at, other.ends_at)
                           and other.ends_at <= shift.starts_at < other.ends_at + rest)
            before_rest = night and shift.ends_at <= other.starts_at < shift.ends_at + rest
            if after_night or before_rest:
                raise WellbeingLimit(str(_l("You need at least %(hours)d hours of rest after a night shift; "
                                            "this shift is too close to your shift on %(when)s.",
                                            hours=int(rest.total_seconds() // 3600),
                                            when=format_datetime(other.starts_at, "short"))))


def sign_up(session, shift: Shift, user: User, *, by) -> Signup:
    """Sign ``user`` up: confirmed while places are free, else on the waitlist."""
    now = utcnow()
    shift = lock_shift(session, shift.id)
    signup = session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
                            .execution_options(populate_existing=True))
    if signup is not None and signup.status in ACTIVE:
        raise AlreadySignedUp(waitlisted=signup.status == SignupStatus.WAITLISTED)
    check_eligibility(session, shift, user, now=now)
    if signup is None:
        signup = Signup(shift=shift, user_id=user.id, status=SignupStatus.WAITLISTED)
        session.add(signup)
    signup.cancelled_at = None
    signup.cancel_requested_at = None
    signup.cancel_request_reason = None
    signup.swap_offered_at = None
    signup.attended = None
    signup.hours = None
    if _take_place(session, shift):
        signup.status, signup.position, signup.confirmed_at = SignupStatus.CONFIRMED, None, now
        session.flush()
        _event(session, EventKind.SIGNUP_CONFIRMED, shift, signup=signup)
    else:
        signup.status, signup.position = SignupStatus.WAITLISTED, _join_waitlist(session, shift)
        session.flush()
    if not _is_self(signup, by):
        audit.record(session, by=by, action="signup.created", entity="signup", entity_id=signup.id,
                     changes={"shift": shift.id, "user": user.id, "status": signup.status.value})
    session.flush()
    return signup


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
        if _confirmed_shifts_near(session, candidate.user_id, shift.starts_at, shift.ends_at,
                                  exclude_shift_id=shift.id):
            continue
        if not _take_place(session, shift):
            break
        position = candidate.position
        candidate.status, candidate.position, candidate.confirmed_at = SignupStatus.CONFIRMED, None, now
        session.flush()
        _leave_waitlist(session, shift, position)
        _event(session, EventKind.PROMOTED, shift, signup=candidate)
        audit.record(session, by=None, action="signup.promoted", entity="signup", entity_id=candidate.id,
                     changes={"shift": shift.id, "status": ["waitlisted", "confirmed"]})
        promoted.append(candidate)
    session.flush()
    return promoted


def cancel(session, signup: Signup, *, by) -> None:
    """The volunteer cancels their own sign-up (until the activity's cut-off)."""
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
            and now > cancel_cutoff_at(shift):
        raise CutoffPassed(shift.activity.cancel_cutoff_hours)
    _drop(session, shift, signup, now)
    session.flush()


def request_cancellation(session, signup: Signup, *, reason: str, by) -> None:
    """After the cut-off: ask a coordinator to let you off (they see it on the fill page)."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only cancel your own sign-up.")))
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(str(_l("You are not confirmed on this shift.")))
    check_shift_open(shift, now)
    if signup.cancel_requested_at is not None:
        raise Conflict(str(_l("You have already asked to cancel; a coordinator will answer.")))
    signup.cancel_requested_at = now
    signup.cancel_request_reason = (reason or "").strip()[:500] or None
    session.flush()


def decide_cancellation(session, signup: Signup, *, approve: bool, by: User) -> None:
    """A coordinator lets the volunteer off (the place is freed) or keeps them on."""
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

def offer_swap(session, signup: Signup, *, by) -> None:
    """Offer your confirmed place to any eligible volunteer who is free."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only offer your own shift for swap.")))
    if signup.status != SignupStatus.CONFIRMED:
        raise Conflict(str(_l("You are not confirmed on this shift.")))
    check_shift_open(shift, now)
    signup.swap_offered_at = signup.swap_offered_at or now
    session.flush()


def withdraw_swap(session, signup: Signup, *, by) -> None:
    lock_shift(session, signup.shift_id)
    signup = _reload(session, signup)
    if not _is_self(signup, by):
        raise PermissionDenied(str(_l("You can only offer your own shift for swap.")))
    signup.swap_offered_at = None
    session.flush()


def take_swap(session, signup: Signup, user: User, *, by) -> Signup:
    """``user`` takes over the place offered in ``signup``: the sign-up moves in one step."""
    now = utcnow()
    shift = lock_shift(session, signup.shift_id)
    offered = _reload(session, signup)
    if offered.status != SignupStatus.CONFIRMED or offered.swap_offered_at is None:
        raise Conflict(str(_l("This shift is no longer offered for swap.")))
    if offered.user_id == user.id:
        raise Conflict(str(_l("You cannot take over your own shift.")))
    mine = session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
                          .execution_options(populate_existing=True))
    if mine is not None and mine.status == SignupStatus.CONFIRMED:
        raise AlreadySignedUp()
    check_eligibility(session, shift, user, now=now)
    offered.status = SignupStatus.CANCELLED
    offered.cancelled_at = now
    offered.swap_offered_at = None
    offered.cancel_requested_at = None
    if mine is None:
        mine = Signup(shift=shift, user_id=user.id, status=SignupStatus.CONFIRMED)
        session.add(mine)
    elif mine.status == SignupStatus.WAITLISTED and mine.position is not None:
        position = mine.position
        mine.status, mine.position = SignupStatus.CONFIRMED, None
        session.flush()
        _leave_waitlist(session, shift, position)
    mine.status, mine.position, mine.confirmed_at, mine.cancelled_at = SignupStatus.CONFIRMED, None, now, None
    session.flush()
    _event(session, EventKind.SIGNUP_CONFIRMED, shift, signup=mine)
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
    signup = session.scalar(sa.select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
                            .execution_options(populate_existing=True))
    if signup is not None and signup.status == SignupStatus.CONFIRMED:
        raise Conflict(str(_l("%(name)s is already on this shift.", name=user.full_name)), field="user_id")
    clash = _confirmed_shifts_near(session, user.id, shift.starts_at, shift.ends_at, exclude_shift_id=shift.id)
    if clash:
        raise Conflict(str(_l("%(name)s is on another shift at that time (%(when)s).", name=user.full_name,
                              when=format_datetime(clash[0].starts_at, "short"))), field="user_id")
    if not _take_place(session, shift, allow_over=over_capacity):
        raise OverCapacity(shift)
    before = signup.status.value if signup is not None else None
    if signup is None:
        signup = Signup(shift=shift, user_id=user.id, status=SignupStatus.CONFIRMED)
        session.add(signup)
    elif signup.status == SignupStatus.WAITLISTED and signup.position is not None:
        position = signup.position
        signup.status, signup.position = SignupStatus.CONFIRMED, None
        session.flush()
        _leave_waitlist(session, shift, position)
    signup.status, signup.position, signup.confirmed_at = SignupStatus.CONFIRMED, None, now
    signup.cancelled_at = signup.cancel_requested_at = signup.swap_offered_at = None
    session.flush()
    _event(session, EventKind.SIGNUP_CONFIRMED, shift, signup=signup)
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
    _event(session, EventKind.REMOVED, shift, signup=signup)
    audit.record(session, by=by, action="signup.removed", entity="signup", entity_id=signup.id,
                 changes={"shift": shift.id, "user": signup.user_id, "status": [before, "cancelled"]})
    session.flush()


def record_attendance(session, shift: Shift, rows: dict[int, tuple[bool, Decimal | None]], *, by: User) -> int:
    """Mark who came and their hours (default: the shift's length). Returns rows changed."""
    if shift.starts_at > utcnow():
        raise DomainError(str(_l("Attendance can be recorded once the shift has started.")))
    changed = 0
    signups = {s.id: s for s in session.scalars(sa.select(Signup).where(
        Signup.shift_id == shift.id, Signup.status == SignupStatus.CONFIRMED))}
    for signup_id, (attended, hours) in rows.items():
        signup = signups.get(signup_id)
        if signup is None:
            continue
        if hours is not None and not (0 <= hours <= 24):
            raise InvalidInput(str(_l("Hours must be between 0 and 24.")), field="hours")
        hours = (hours if hours is not None else shift.duration_hours) if attended else Decimal("0")
        if signup.attended != attended or signup.hours != hours:
            audit.record(session, by=by, action="signup.attendance", entity="signup", entity_id=signup.id,
                         changes={"attended": [signup.attended, attended],
                                  "hours": [str(signup.hours) if signup.hours is not None else None, str(hours)]})
            signup.attended, signup.hours = attended, hours
            changed += 1
    session.flush()
    return changed


# --- coordinators: activities and places ------------------------------------------------------------

def _check_capacity(capacity_min, capacity_max) -> None:
    if capacity_min is None or capacity_min < 1:
        raise InvalidInput(str(_l("At least one person must be needed.")), field="capacity_min")
    if capacity_max is None or capacity_max < 1:
        raise InvalidInput(str(_l("The maximum must be at least 1.")), field="capacity_max")
    if capacity_min > capacity_max:
        raise InvalidInput(str(_l("The minimum cannot be above the maximum.")), field="capacity_max")


def save_activity(session, activity: Activity | None, *, name: str, kind: str, colour: str, briefing: str,
                  qualification_ids, capacity_min: int, capacity_max: int, cancel_cutoff_hours: int,
                  signup_opens_days: int, is_discreet: bool, is_active: bool = True, by: User) -> Activity:
    """Create (``activity`` None) or change an activity."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(str(_l("Give the activity a name.")), field="name")
    _check_capacity(capacity_min, capacity_max)
    if cancel_cutoff_hours is None or cancel_cutoff_hours < 0:
        raise InvalidInput(str(_l("The cut-off cannot be negative.")), field="cancel_cutoff_hours")
    if signup_opens_days is None or signup_opens_days < 1:
        raise InvalidInput(str(_l("Sign-up must open at least one day ahead.")), field="signup_opens_days")
    if colour not in COLOURS:
        raise InvalidInput(str(_l("Choose one of the colours.")), field="colour")
    clash = session.scalar(sa.select(Activity).where(sa.func.lower(Activity.name) == name.lower()))
    if clash is not None and clash is not activity:
        raise Conflict(str(_l("Another activity already has this name.")), field="name")
    quals = list(session.scalars(sa.select(Qualification).where(Qualification.id.in_(list(qualification_ids or [])))))
    values = dict(name=name, kind=ActivityKind(kind), colour=colour, briefing=(briefing or "").strip(),
                  capacity_min=capacity_min, capacity_max=capacity_max, cancel_cutoff_hours=cancel_cutoff_hours,
                  signup_opens_days=signup_opens_days, is_discreet=bool(is_discreet), is_active=bool(is_active))
    if activity is None:
        activity = Activity(**values)
        activity.qualifications = quals
        session.add(activity)
        session.flush()
        audit.record(session, by=by, action="activity.created", entity="activity", entity_id=activity.id,
                     changes={**values, "qualifications": [q.code for q in quals]})
    else:
        changes = audit.diff(activity, values)
        before_q = sorted(q.code for q in activity.qualifications)
        if before_q != sorted(q.code for q in quals):
            changes["qualifications"] = [before_q, sorted(q.code for q in quals)]
        for key, value in values.items():
            setattr(activity, key, value)
        activity.qualifications = quals
        if changes:
            audit.record(session, by=by, action="activity.changed", entity="activity", entity_id=activity.id,
                         changes=changes)
    session.flush()
    return activity


def save_place(session, place: Place | None, *, name: str, address: str, kind: str, is_sensitive: bool,
               is_active: bool = True, by: User) -> Place:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(str(_l("Give the place a name.")), field="name")
    clash = session.scalar(sa.select(Place).where(sa.func.lower(Place.name) == name.lower()))
    if clash is not None and clash is not place:
        raise Conflict(str(_l("Another place already has this name.")), field="name")
    values = dict(name=name, address=(address or "").strip(), kind=PlaceKind(kind),
                  is_sensitive=bool(is_sensitive), is_active=bool(is_active))
    if place is None:
        place = Place(**values)
        session.add(place)
        session.flush()
        audit.record(session, by=by, action="place.created", entity="place", entity_id=place.id, changes=values)
    else:
        changes = audit.diff(place, values)
        for key, value in values.items():
            setattr(place, key, value)
        if changes:
            audit.record(session, by=by, action="place.changed", entity="place", entity_id=place.id, changes=changes)
    session.flush()
    return place


# --- coordinators: single shifts ------------------------------------------------------------------------

def _check_times(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise InvalidInput(str(_l("Give a start and an end.")), field="starts_at")
    if ends_at <= starts_at:
        raise InvalidInput(str(_l("The end must be after the start.")), field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise InvalidInput(str(_l("A shift can last at most 24 hours.")), field="ends_at")


def _people_on(session, shift_ids) -> list[Signup]:
    ids = list(shift_ids)
    if not ids:
        return []
    return list(session.scalars(sa.select(Signup).where(Signup.shift_id.in_(ids), Signup.status.in_(ACTIVE))))


def create_shift(session, *, activity: Activity, place: Place | None, starts_at: dt.datetime,
                 ends_at: dt.datetime, capacity_min: int, capacity_max: int, note: str = "", by: User) -> Shift:
    """Plan one shift."""
    _check_times(starts_at, ends_at)
    _check_capacity(capacity_min, capacity_max)
    shift = Shift(activity=activity, place=place, starts_at=starts_at, ends_at=ends_at,
                  capacity_min=capacity_min, capacity_max=capacity_max, note=(note or "").strip())
    session.add(shift)
    session.flush()
    audit.record(session, by=by, action="shift.created", entity="shift", entity_id=shift.id,
                 changes={"activity": activity.id, "place": place.id if place else None,
                          "starts_at": starts_at, "ends_at": ends_at,
                          "capacity": [capacity_min, capacity_max]})
    return shift


def _apply_shift_changes(session, shift: Shift, values: dict, now: dt.datetime) -> dict:
    """Change a (locked) shift; raise its version and tell its people when time or place moved."""
    changes = audit.diff(shift, values)
    if not changes:
        return changes
    for key, value in values.items():
        setattr(shift, key, value)
    if {"starts_at", "ends_at", "place_id", "status"} & set(changes):
        shift.version += 1
        kind = EventKind.SHIFT_CANCELLED if changes.get("status", [None, None])[1] == "cancelled" \
            else EventKind.SHIFT_CHANGED
        for signup in _people_on(session, [shift.id]):
            _event(session, kind, shift, signup=signup, data={k: v for k, v in changes.items() if k != "status"})
    if "capacity_max" in changes:
        over = max(0, shift.confirmed_count - shift.capacity_max)
        session.flush()
        session.execute(sa.update(Shift).where(Shift.id == shift.id).values(over_capacity=over),
                        execution_options={"synchronize_session": False})
        _set(shift, over_capacity=over)
        promote(session, shift, now=now)
    return changes


def update_shift(session, shift: Shift, *, place: Place | None, starts_at: dt.datetime, ends_at: dt.datetime,
                 capacity_min: int, capacity_max: int, note: str = "", by: User) -> Shift:
    """Change one shift; an occurrence of a series is then detached from later series edits."""
    now = utcnow()
    _check_times(starts_at, ends_at)
    _check_capacity(capacity_min, capacity_max)
    shift = lock_shift(session, shift.id)
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelled()
    values = dict(place_id=place.id if place else None, starts_at=starts_at, ends_at=ends_at,
                  capacity_min=capacity_min, capacity_max=capacity_max, note=(note or "").strip())
    changes = _apply_shift_changes(session, shift, values, now)
    if changes:
        if shift.series_id is not None:
            shift.is_detached = True
        audit.record(session, by=by, action="shift.changed", entity="shift", entity_id=shift.id, changes=changes)
    session.flush()
    return shift


def cancel_shift(session, shift: Shift, *, by: User) -> None:
    """Cancel one shift (an occurrence alone, when it belongs to a series)."""
    now = utcnow()
    shift = lock_shift(session, shift.id)
    if shift.status == ShiftStatus.CANCELLED:
        raise Conflict(str(_l("This shift is already cancelled.")))
    _apply_shift_changes(session, shift, {"status": ShiftStatus.CANCELLED}, now)
    shift.cancelled_at = now
    if shift.series_id is not None:
        shift.is_detached = True
    audit.record(session, by=by, action="shift.cancelled", entity="shift", entity_id=shift.id,
                 changes={"status": ["scheduled", "cancelled"]})
    session.flush()


# --- coordinators: series --------------------------------------------------------------------------------

def _series_rule(*, freq, interval, weekdays, month_weeks, starts_on, start_time, until, count) -> str:
    if freq not in recurrence.FREQUENCIES:
        raise InvalidInput(str(_l("Choose how often the shift repeats.")), field="freq")
    if interval is None or not 1 <= interval <= 52:
        raise InvalidInput(str(_l("Repeat every 1 to 52 periods.")), field="interval")
    if starts_on is None or start_time is None:
        raise InvalidInput(str(_l("Give the first day and the start time.")), field="starts_on")
    weekdays = list(weekdays or [])
    if freq == "weekly" and not weekdays:
        weekdays = [recurrence.WEEKDAYS[starts_on.weekday()]]
    if freq == "monthly":
        if not weekdays:
            raise InvalidInput(str(_l("Choose the weekday, such as Tuesday.")), field="weekdays")
        if not month_weeks:
            raise InvalidInput(str(_l("Choose which weeks of the month, such as 2nd and 4th.")),
                               field="month_weeks")
    if count is not None and count < 1:
        raise InvalidInput(str(_l("The number of shifts must be at least 1.")), field="count")
    if until is not None and until < starts_on:
        raise InvalidInput(str(_l("The series cannot end before it starts.")), field="until")
    rule = recurrence.build_rrule(freq=freq, interval=interval, weekdays=weekdays, month_weeks=month_weeks,
                                  until=until, count=count)
    if recurrence.first_occurrence(rule, starts_on, start_time) is None:
        raise InvalidInput(str(_l("This series has no shifts at all: check the days and the end.")),
                           field="until" if until else "weekdays")
    return rule


def _insert_occurrences(session, series: Series, occurrences) -> int:
    """Insert shifts for new occurrences; an existing (series, occurrence) is left alone."""
    rows = [dict(activity_id=series.activity_id, place_id=series.place_id, series_id=series.id,
                 occurrence_start=s, is_detached=False, starts_at=s, ends_at=e,
                 capacity_min=series.capacity_min, capacity_max=series.capacity_max, over_capacity=0,
                 confirmed_count=0, waitlist_count=0, status=ShiftStatus.SCHEDULED.value, version=1,
                 note=series.note, created_at=utcnow(), updated_at=utcnow())
            for s, e in occurrences]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Shift.__table__
    result = 0
    for i in range(0, len(rows), 500):
        stmt = insert(table).values(rows[i:i + 500]).on_conflict_do_nothing(
            index_elements=["series_id", "occurrence_start"]).returning(table.c.id)
        result += len(session.execute(stmt).all())
    return result


def horizon(now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()) + dt.timedelta(weeks=recurrence.HORIZON_WEEKS)


def extend_series(session, series: Series, *, until: dt.datetime | None = None) -> int:
    """Generate the series' shifts up to ``until`` (default: the rolling horizon)."""
    until = until or horizon()
    start = series.generated_until or localize(dt.datetime.combine(series.starts_on, series.start_time))
    if start >= until:
        return 0
    made = _insert_occurrences(session, series, recurrence.occurrences(
        series.rrule, series.starts_on, series.start_time, series.duration_minutes, start, until))
    series.generated_until = until
    session.flush()
    return made


def extend_all(session, *, until: dt.datetime | None = None) -> int:
    """Extend every series to the horizon; safe to run twice at once (no duplicates)."""
    until = until or horizon()
    made = 0
    for series in session.scalars(sa.select(Series).where(
            sa.or_(Series.generated_until.is_(None), Series.generated_until < until)).order_by(Series.id)):
        made += extend_series(session, series, until=until)
    return made


def create_series(session, *, activity: Activity, place: Place | None, freq: str, interval: int = 1,
                  weekdays=(), month_weeks=(), starts_on: dt.date, start_time: dt.time, duration_minutes: int,
                  until: dt.date | None = None, count: int | None = None, capacity_min: int, capacity_max: int,
                  note: str = "", by: User | None) -> Series:
    """Create a recurring series and generate its shifts to the rolling horizon."""
    if duration_minutes is None or not 0 < duration_minutes <= 24 * 60:
        raise InvalidInput(str(_l("A shift lasts more than 0 and at most 24 hours.")), field="duration_minutes")
    _check_capacity(capacity_min, capacity_max)
    rule = _series_rule(freq=freq, interval=interval, weekdays=weekdays, month_weeks=month_weeks,
                        starts_on=starts_on, start_time=start_time, until=until, count=count)
    series = Series(activity=activity, place=place, rrule=rule, starts_on=starts_on, start_time=start_time,
                    duration_minutes=duration_minutes, capacity_min=capacity_min, capacity_max=capacity_max,
                    note=(note or "").strip(), created_by_id=getattr(by, "id", None))
    session.add(series)
    session.flush()
    made = extend_series(session, series)
    audit.record(session, by=by, action="series.created", entity="series", entity_id=series.id,
                 changes={"activity": activity.id, "rrule": rule, "starts_on": starts_on,
                          "start_time": start_time.isoformat(), "duration_minutes": duration_minutes,
                          "shifts": made})
    return series


def update_series(session, series: Series, *, place: Place | None, freq: str, interval: int = 1, weekdays=(),
                  month_weeks=(), start_time: dt.time, duration_minutes: int, until: dt.date | None = None,
                  count: int | None = None, capacity_min: int, capacity_max: int, note: str = "",
                  by: User) -> dict:
    """Change a series from now on: future shifts follow, past and detached ones stay.

    Occurrences are matched by local date (a series has at most one per day): a future
    shift whose day is still in the rule moves to the new time, place and capacity; one
    whose day dropped out is cancelled; new days get new shifts.
    """
    now = utcnow()
    if duration_minutes is None or not 0 < duration_minutes <= 24 * 60:
        raise InvalidInput(str(_l("A shift lasts more than 0 and at most 24 hours.")), field="duration_minutes")
    _check_capacity(capacity_min, capacity_max)
    rule = _series_rule(freq=freq, interval=interval, weekdays=weekdays, month_weeks=month_weeks,
                        starts_on=series.starts_on, start_time=start_time, until=until, count=count)
    values = dict(place_id=place.id if place else None, rrule=rule, start_time=start_time,
                  duration_minutes=duration_minutes, capacity_min=capacity_min, capacity_max=capacity_max,
                  note=(note or "").strip())
    changes = audit.diff(series, values)
    if "start_time" in changes:
        changes["start_time"] = [t.isoformat() for t in changes["start_time"]]
    for key, value in values.items():
        setattr(series, key, value)
    until_at = horizon(now)
    wanted = {to_local(s).date(): (s, e) for s, e in recurrence.occurrences(
        rule, series.starts_on, start_time, duration_minutes, now, until_at)}
    future = list(session.scalars(sa.select(Shift).where(
        Shift.series_id == series.id, Shift.starts_at > now).order_by(Shift.starts_at)))
    moved = cancelled = 0
    for shift in future:
        day = to_local(shift.occurrence_start or shift.starts_at).date()
        if shift.is_detached:
            wanted.pop(day, None)  # changed on its own: keeps its own time, no duplicate
            continue
        shift = lock_shift(session, shift.id)
        if day in wanted:
            s, e = wanted.pop(day)
            shift.occurrence_start = s
            if _apply_shift_changes(session, shift, dict(
                    starts_at=s, ends_at=e, place_id=values["place_id"], capacity_min=capacity_min,
                    capacity_max=capacity_max, note=values["note"], status=ShiftStatus.SCHEDULED), now):
                moved += 1
        elif shift.status == ShiftStatus.SCHEDULED:
            _apply_shift_changes(session, shift, {"status": ShiftStatus.CANCELLED}, now)
            shift.cancelled_at = now
            cancelled += 1
    session.flush()
    created = _insert_occurrences(session, series, sorted(wanted.values()))
    series.generated_until = until_at
    audit.record(session, by=by, action="series.changed", entity="series", entity_id=series.id,
                 changes={**changes, "shifts_changed": moved, "shifts_cancelled": cancelled,
                          "shifts_created": created})
    session.flush()
    return {"changed": moved, "cancelled": cancelled, "created": created}


# --- cover requests -------------------------------------------------------------------------------------

def request_cover(session, *, activity: Activity, starts_at: dt.datetime, ends_at: dt.datetime, note: str = "",
                  by: User) -> CoverRequest:
    """Record a request for cover of a gap; the notification area sends it."""
    _check_times(starts_at, ends_at)
    request = CoverRequest(activity=activity, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:300],
                           created_by_id=by.id)
    session.add(request)
    session.flush()
    _event(session, EventKind.COVER_REQUESTED, None, cover_request=request,
           data={"activity": activity.id, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
    audit.record(session, by=by, action="cover.requested", entity="cover_request", entity_id=request.id,
                 changes={"activity": activity.id, "starts_at": starts_at, "ends_at": ends_at})
    session.flush()
    return request


# --- erasure -----------------------------------------------------------------------------------------------

def on_erasure(session, user: User) -> None:
    """An erased person leaves their future shifts (places are freed, the waitlist moves up);
    past sign-ups stay as anonymous hours, and their free-text request reasons go."""
    now = utcnow()
    future = list(session.scalars(sa.select(Signup).join(Shift).where(
        Signup.user_id == user.id, Signup.status.in_(ACTIVE), Shift.starts_at > now)))
    for signup in future:
        shift = lock_shift(session, signup.shift_id)
        _drop(session, shift, _reload(session, signup), now)
    session.execute(sa.update(Signup).where(Signup.user_id == user.id).values(cancel_request_reason=None),
                    execution_options={"synchronize_session": False})
    session.flush()


def volunteer_choices(session) -> list[User]:
    """Active, approved people a coordinator can put on a shift."""
    return list(session.scalars(sa.select(User).where(
        User.is_active.is_(True), User.approved_at.is_not(None), User.erased_at.is_(None))
        .order_by(sa.func.lower(User.full_name))))

