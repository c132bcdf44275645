"""The month calendar's read side: what a person can read on one screen, not every shift.

A month is six weeks of days; each day gets counts per activity (one aggregate query), the
hotline as one coverage strip (its shifts as bare rows), and marks for the person's own
sign-ups; only the chosen day's shifts are loaded as shifts. So the page costs a fixed
number of queries and does not grow with the shifts of six weeks (30,000 shifts in the
benchmark's three years are ~1,100 in a month's grid, and the hotline alone six a day).
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field

import sqlalchemy as sa

from logistics import settings
from logistics.clock import local_midnight, org_tz, to_local, utcnow
from logistics.people.models import User
from logistics.shifts.models import ACTIVE_STATUSES, Activity, ActivityKind, Shift, ShiftStatus, Signup, SignupStatus
from logistics.shifts.queries import hourly_confirmed
from logistics.shifts.rules import overlapping_params, overlapping_values


@dataclass
class ActivityDay:
    """One activity on one day: how many shifts, and how many still need people."""

    activity: Activity
    shifts: int
    needing: int


@dataclass
class Segment:
    """Part of a day's hotline strip: hours [start, end) from local midnight and their state
    ("ok", "low", "none"), as the coverage board colours them."""

    start: int
    end: int
    state: str


@dataclass
class Day:
    date: dt.date
    activities: list[ActivityDay] = field(default_factory=list)
    #: The hotline, hour by hour, merged into runs of one state (empty: no hotline shown).
    strip: list[Segment] = field(default_factory=list)
    hours: int = 24  # 23 or 25 on the days the clocks change
    covered: int = 0  # hours with enough hotline people
    mine: int = 0  # the person's confirmed shifts that day
    waiting: int = 0  # … and places on a waitlist

    @property
    def shifts(self) -> int:
        return sum(a.shifts for a in self.activities)

    @property
    def needing(self) -> int:
        return sum(a.needing for a in self.activities)

    @property
    def others(self) -> list[ActivityDay]:
        """The activities besides the hotline (which has its strip)."""
        return [a for a in self.activities if a.activity.kind != ActivityKind.HOTLINE]


@dataclass
class Month:
    first: dt.date  # the first of the month
    days: list[Day]  # whole weeks, Monday first
    hotline_needed: int
    #: The person's confirmed or waitlisted sign-ups on the grid's shifts, by shift id, as
    #: (shift_id, status, position) rows: :func:`~logistics.shifts.queries.my_status` of any
    #: shifts in the grid (the chosen day's), read with the marks instead of once more.
    signups: dict[int, sa.Row] = field(default_factory=dict)

    def my_status(self, shift_ids) -> dict[int, sa.Row]:
        return {shift_id: self.signups[shift_id] for shift_id in shift_ids if shift_id in self.signups}

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i:i + 7] for i in range(0, len(self.days), 7)]


def grid(first: dt.date) -> tuple[dt.date, int]:
    """The Monday before (or on) the 1st and the number of days to the Sunday after the month."""
    first = first.replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    end = next_month + dt.timedelta(days=(7 - next_month.weekday()) % 7)
    return start, (end - start).days


def month(session, first: dt.date, user: User, *, activity_id: int | None = None,
          activities: dict[int, Activity] | None = None) -> Month:
    """Counts per day and activity, the hotline strips and the person's marks for the month of
    ``first``, in four queries whatever the number of shifts (``activities``: those the page
    has loaded already, by id)."""
    start_day, n = grid(first)
    bounds = [local_midnight(start_day + dt.timedelta(days=i)) for i in range(n + 1)]
    days = [Day(date=start_day + dt.timedelta(days=i)) for i in range(n)]
    for i, day in enumerate(days):
        day.hours = round((bounds[i + 1] - bounds[i]).total_seconds() / 3600)
    local_dates = session.get_bind().dialect.name == "postgresql"
    values = {"day_0": bounds[0], f"day_{n}": bounds[n]}
    if local_dates:
        values["zone"] = org_tz().key
    else:
        values |= {f"day_{i}": bound for i, bound in enumerate(bounds)}
    if activity_id:
        values["activity_id"] = activity_id
    rows = session.execute(_counts_statement(n, bool(activity_id), local_dates), values).all()
    if local_dates:  # the day itself, not its index
        rows = [((day - start_day).days, *rest) for day, *rest in rows]
    wanted = {r[1] for r in rows} - set(activities or {})
    activities = {**(activities or {}), **{a.id: a for a in session.scalars(
        sa.select(Activity).where(Activity.id.in_(wanted)))}} if wanted else dict(activities or {})
    for day_index, act_id, count, need in rows:
        if 0 <= day_index < n:
            days[day_index].activities.append(ActivityDay(activities[act_id], count, int(need or 0)))
    # Each activity's place in a day (the hotline last, the rest by name), worked out once
    # per activity rather than for every day it appears on (its name is the page language's).
    order = {a.id: (a.kind == ActivityKind.HOTLINE, a.name) for a in activities.values()}
    for day in days:
        day.activities.sort(key=lambda a: order[a.activity.id])
    needed = int(settings.get(session, "shifts_hotline_staff_needed"))
    hotline_shown = not activity_id or any(a.kind == ActivityKind.HOTLINE for a in activities.values())
    if hotline_shown:
        _strips(session, days, bounds, needed, activity_id)
    signups = _marks(session, days, bounds, user)
    return Month(first=first.replace(day=1), days=days, hotline_needed=needed, signups=signups)


def _day_of(column, lo: int, hi: int):
    """SQL: the index of the day in [lo, hi) that ``column`` falls in, its local midnights
    given as parameters day_<i>: a binary search of nested CASEs (six comparisons a row for
    six weeks, not up to 42)."""
    if hi - lo == 1:
        return sa.literal(lo)
    mid = (lo + hi) // 2
    return sa.case((column < sa.bindparam(f"day_{mid}", type_=Shift.starts_at.type), _day_of(column, lo, mid)),
                   else_=_day_of(column, mid, hi))


@functools.lru_cache(maxsize=16)
def _counts_statement(days: int, by_activity: bool, local_dates: bool):
    """Shifts and those needing people per day and activity (built once per grid size: the
    statement is the same each month, only its parameters change).

    ``local_dates`` (PostgreSQL): each row's day is the start's date in the organisation's
    zone (parameter ``zone``), which PostgreSQL knows, summer time included. Otherwise (SQLite
    has no zones) it is the index of the day from :func:`_day_of`. Either way the statement is
    grouped by its first column's position, not by repeating it: the nested CASEs twice made a
    9 KB statement, too long for psycopg's cache of converted queries (4 KB), so it was parsed
    again on every request."""
    if local_dates:
        bucket = sa.cast(sa.func.timezone(sa.bindparam("zone", type_=sa.String), Shift.starts_at), sa.Date)
    else:
        bucket = _day_of(Shift.starts_at, 0, days)
    needing = sa.case((Shift.confirmed_count < Shift.needed, 1), else_=0)
    stmt = (sa.select(bucket.label("day"), Shift.activity_id, sa.func.count(Shift.id), sa.func.sum(needing))
            .where(Shift.starts_at >= sa.bindparam("day_0", type_=Shift.starts_at.type),
                   Shift.starts_at < sa.bindparam(f"day_{days}", type_=Shift.starts_at.type),
                   Shift.status == ShiftStatus.SCHEDULED)
            .group_by(sa.literal_column("1"), Shift.activity_id))
    if by_activity:
        stmt = stmt.where(Shift.activity_id == sa.bindparam("activity_id"))
    return stmt


@functools.lru_cache(maxsize=2)
def _strips_statement(by_activity: bool) -> sa.Select:
    stmt = (sa.select(Shift.starts_at, Shift.ends_at, Shift.confirmed_count).join(Shift.activity)
            .where(Activity.kind == ActivityKind.HOTLINE, Shift.status == ShiftStatus.SCHEDULED,
                   overlapping_params("strips", bounded=True)))  # starts bounded below: the index, not 30 years
    return stmt.where(Shift.activity_id == sa.bindparam("activity_id")) if by_activity else stmt


def _strips(session, days: list[Day], bounds: list[dt.datetime], needed: int, activity_id: int | None) -> None:
    """Each day's hotline as runs of covered / short / empty hours."""
    values = {**overlapping_values("strips", bounds[0], bounds[-1]), "activity_id": activity_id}
    rows = session.execute(_strips_statement(bool(activity_id)), values).all()
    if not rows:
        return
    hours = round((bounds[-1] - bounds[0]).total_seconds() / 3600)
    confirmed = hourly_confirmed(rows, bounds[0], hours)
    # A past day without any hotline shift gets no strip: it is history, not a gap to fill.
    planned: set[int] = set()
    for starts_at, ends_at, _count in rows:
        planned.update(range(max(0, bisect.bisect_right(bounds, starts_at) - 1),
                             min(len(days), bisect.bisect_left(bounds, ends_at))))
    first_open = max(0, bisect.bisect_right(bounds, utcnow()) - 1)
    at = 0
    for index, day in enumerate(days):
        if index not in planned and index < first_open:
            at += day.hours
            continue
        segments: list[Segment] = []
        h = 0
        # Runs of one state: a segment per run, not a comparison per segment and hour.
        for state, run in itertools.groupby(
                "ok" if count >= needed else ("none" if count == 0 else "low")
                for count in confirmed[at:at + day.hours]):
            length = sum(1 for _hour in run)
            segments.append(Segment(h, h + length, state))
            h += length
        day.strip = segments
        day.covered = sum(s.end - s.start for s in segments if s.state == "ok")
        at += day.hours


@functools.cache
def _marks_statement() -> sa.Select:
    return (sa.select(Signup.shift_id, Signup.status, Signup.position, Shift.starts_at,
                      Shift.status.label("shift_status"))
            .join(Shift, Signup.shift_id == Shift.id)
            .where(Signup.user_id == sa.bindparam("user_id"), Signup.status.in_(ACTIVE_STATUSES),
                   Shift.starts_at >= sa.bindparam("marks_from", type_=Shift.starts_at.type),
                   Shift.starts_at < sa.bindparam("marks_to", type_=Shift.starts_at.type))
            # One person's sign-ups in six weeks: a plan for any dates reads every shift in them.
            .execution_options(prepare=False))


def _marks(session, days: list[Day], bounds: list[dt.datetime], user: User) -> dict[int, sa.Row]:
    """The days the person is on a shift, or waiting for a place (cancelled shifts aside);
    returns the sign-ups by shift id (:attr:`Month.signups`)."""
    rows = session.execute(_marks_statement(),
                           {"user_id": user.id, "marks_from": bounds[0], "marks_to": bounds[-1]}).all()
    first = days[0].date
    for row in rows:
        if row.shift_status != ShiftStatus.SCHEDULED:
            continue
        index = (to_local(row.starts_at).date() - first).days
        if 0 <= index < len(days):
            if row.status == SignupStatus.CONFIRMED:
                days[index].mine += 1
            else:
                days[index].waiting += 1
    return {row.shift_id: row for row in rows}
