"""The sign-up rules, each written once: when sign-up opens, the cancel cut-off, open shifts,
eligibility (account, qualifications, overlap, rest after a night, weekly hotline hours),
the overlap window queries use, and the refusals that say which rule said no.

The sign-up services call these with the shift row locked; the read side calls the same
functions, so a shift the Open shifts page offers is one the volunteer may take.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics import settings
from logistics.clock import localize, to_local, utcnow
from logistics.errors import DomainError
from logistics.i18n import format_datetime
from logistics.people.models import User
from logistics.shifts.models import ActivityKind, Shift, ShiftStatus, Signup, SignupStatus

#: A shift that touches these local hours is a night shift (rest rule).
NIGHT_HOURS = (0, 5)
#: No shift lasts longer: planning refuses longer ones, so "overlaps [a, b)" can bound
#: starts_at from below and use its index instead of scanning all of history.
LONGEST_SHIFT = dt.timedelta(hours=24)


# --- refusals ------------------------------------------------------------------------------

class SignupRefused(DomainError):
    """A sign-up rule said no; the message says which and why."""


class AccountNotActive(SignupRefused):
    def __init__(self):
        super().__init__(str(_l("Only approved, active volunteers can sign up for shifts.")))


class MissingQualification(SignupRefused):
    def __init__(self, names: list[str]):
        self.names = names
        super().__init__(str(_l("This shift needs a qualification you do not hold (or that has expired "
                                "by then): %(names)s.", names=", ".join(names))))


class Overlap(SignupRefused):
    def __init__(self, other: Shift):
        self.other = other
        super().__init__(str(_l("You are already on another shift at that time (%(when)s).",
                                when=format_datetime(other.starts_at))))


class SignupNotOpen(SignupRefused):
    def __init__(self, opens: dt.datetime):
        super().__init__(str(_l("Sign-up for this shift opens on %(when)s.",
                                when=format_datetime(opens))))


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


class HotlineHoursLimit(WellbeingLimit):
    """Over the weekly hotline hours."""


class RestLimit(WellbeingLimit):
    """Too little rest around a night shift."""


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


class InvalidHours(InvalidInput):
    """Attendance hours outside 0–24; ``signup_ids`` names the rows."""

    def __init__(self, signup_ids: list[int]):
        super().__init__(str(_l("Hours must be between 0 and 24.")), field="hours")
        self.signup_ids = signup_ids



# --- time windows ----------------------------------------------------------------------------

def overlapping(start: dt.datetime, end: dt.datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL: the shift overlaps [start, end) (open-ended without ``end``)."""
    clause = sa.and_(Shift.starts_at > start - LONGEST_SHIFT, Shift.ends_at > start)
    return clause if end is None else sa.and_(Shift.starts_at < end, clause)


def overlapping_params(name: str, *, bounded: bool = False) -> sa.ColumnElement[bool]:
    """:func:`overlapping` for a statement built once: bind parameters named after ``name``,
    their values from :func:`overlapping_values` (``bounded``: with an end)."""
    clause = sa.and_(Shift.starts_at > sa.bindparam(f"{name}_after"), Shift.ends_at > sa.bindparam(f"{name}_from"))
    return sa.and_(Shift.starts_at < sa.bindparam(f"{name}_to"), clause) if bounded else clause


def overlapping_values(name: str, start: dt.datetime, end: dt.datetime | None = None) -> dict[str, dt.datetime]:
    values = {f"{name}_after": start - LONGEST_SHIFT, f"{name}_from": start}
    return values if end is None else {**values, f"{name}_to": end}


def signup_opens_at(shift: Shift) -> dt.datetime:
    """When volunteers may start signing up: the activity's number of days before the start."""
    return shift.starts_at - dt.timedelta(days=shift.activity.signup_opens_days)


def cancel_cutoff_at(shift: Shift) -> dt.datetime:
    """Until when volunteers may cancel themselves; after it they ask a coordinator."""
    return shift.starts_at - dt.timedelta(hours=shift.activity.cancel_cutoff_hours)


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


def confirmed_shifts_near(session, user_id: int, start: dt.datetime, end: dt.datetime,
                          exclude_shift_id: int | None = None) -> list[Shift]:
    """The person's confirmed, scheduled shifts that overlap [start, end)."""
    return confirmed_shifts_near_many(session, [user_id], start, end, exclude_shift_id).get(user_id, [])


def confirmed_shifts_near_many(session, user_ids, start: dt.datetime, end: dt.datetime,
                               exclude_shift_id: int | None = None) -> dict[int, list[Shift]]:
    """:func:`confirmed_shifts_near` for several people in one query: {user id: shifts}."""
    ids = list(user_ids)
    if not ids:
        return {}
    stmt = (sa.select(Signup.user_id, Shift).join(Signup, Signup.shift_id == Shift.id)
            .where(Signup.user_id.in_(ids), Signup.status == SignupStatus.CONFIRMED,
                   Shift.status == ShiftStatus.SCHEDULED, overlapping(start, end)))
    if exclude_shift_id is not None:
        stmt = stmt.where(Shift.id != exclude_shift_id)
    # People's sign-ups in a window: a plan for any dates reads every shift in it (logistics.db).
    stmt = stmt.execution_options(prepare=False)
    found: dict[int, list[Shift]] = {}
    for user_id, shift in session.execute(stmt.order_by(Shift.starts_at)):
        found.setdefault(user_id, []).append(shift)
    return found


# --- the rules -----------------------------------------------------------------------------------

def check_shift_open(shift: Shift, now: dt.datetime) -> None:
    """Refuse a cancelled shift, or one that has started."""
    if shift.status == ShiftStatus.CANCELLED:
        raise ShiftCancelled()
    if shift.starts_at <= now:
        raise ShiftPast()


@dataclass(frozen=True)
class Limits:
    """The wellbeing settings the rules apply (read once per page or sign-up)."""

    rest: dt.timedelta
    hotline_hours_per_week: float

    @classmethod
    def read(cls, session) -> Limits:
        return cls(rest=dt.timedelta(hours=settings.get(session, "shifts_rest_after_night_hours")),
                   hotline_hours_per_week=settings.get(session, "shifts_hotline_max_hours_per_week"))


def nearby_span(shift: Shift, limits: Limits) -> tuple[dt.datetime, dt.datetime]:
    """The window of a person's other shifts the rules look at: the shift's week (hotline
    hours) and the rest time on either side."""
    week_start, week_end = _week_bounds(shift.starts_at)
    return min(week_start, shift.starts_at - limits.rest), max(week_end, shift.ends_at + limits.rest)


def hours_in_week(shift: Shift, nearby: list[Shift], *, kind: ActivityKind | None = None) -> float:
    """Hours of the person's confirmed shifts (``nearby``) in the local week of ``shift``,
    of one activity kind when given."""
    week_start, week_end = _week_bounds(shift.starts_at)
    return sum(_hours(o.starts_at, o.ends_at) for o in nearby
               if week_start <= o.starts_at < week_end and (kind is None or o.activity.kind == kind))


def check_account(user: User) -> None:
    if not user.is_active or user.approved_at is None or user.erased_at is not None:
        raise AccountNotActive()


def check_person(shift: Shift, user: User, nearby: list[Shift], limits: Limits) -> None:
    """Raise the first rule about the person that says no: qualifications held on the day,
    another shift at the same time, the weekly hotline hours, rest around a night shift.

    ``nearby`` are the person's confirmed, scheduled shifts in :func:`nearby_span` (this one
    left out). The sign-up services and the coordinators' assign picker both call this.
    """
    day = to_local(shift.starts_at).date()
    held = {q.qualification_id for q in user.qualifications if q.is_valid_on(day)}
    missing = [q for q in shift.activity.qualifications if q.id not in held]
    if missing:
        locale = getattr(user, "locale", "en")
        raise MissingQualification([q.name(locale) for q in missing])
    for other in nearby:
        if other.starts_at < shift.ends_at and other.ends_at > shift.starts_at:
            raise Overlap(other)
    if shift.activity.kind == ActivityKind.HOTLINE:
        limit = limits.hotline_hours_per_week
        booked = hours_in_week(shift, nearby, kind=ActivityKind.HOTLINE)
        if booked + _hours(shift.starts_at, shift.ends_at) > limit:
            raise HotlineHoursLimit(str(_l("This would take you over %(limit)d hotline hours in one week "
                                        "(you have %(booked)s). Rest matters: pick another week.",
                                        limit=limit, booked=format(booked, "g"))))
    rest = limits.rest
    if rest:
        night = is_night(shift.starts_at, shift.ends_at)
        for other in nearby:
            after_night = (is_night(other.starts_at, other.ends_at)
                           and other.ends_at <= shift.starts_at < other.ends_at + rest)
            before_rest = night and shift.ends_at <= other.starts_at < shift.ends_at + rest
            if after_night or before_rest:
                raise RestLimit(str(_l("You need at least %(hours)d hours of rest after a night shift; "
                                            "this shift is too close to your shift on %(when)s.",
                                            hours=int(rest.total_seconds() // 3600),
                                            when=format_datetime(other.starts_at))))


def check_eligibility(session, shift: Shift, user: User, *, now: dt.datetime | None = None) -> None:
    """Raise the first sign-up rule ``user`` does not meet for ``shift`` (capacity aside)."""
    now = now or utcnow()
    check_account(user)
    check_shift_open(shift, now)
    if now < signup_opens_at(shift):
        raise SignupNotOpen(signup_opens_at(shift))
    limits = Limits.read(session)
    span_start, span_end = nearby_span(shift, limits)
    nearby = confirmed_shifts_near(session, user.id, span_start, span_end, exclude_shift_id=shift.id)
    check_person(shift, user, nearby, limits)
