"""Volunteer hours from attended sign-ups: per person and month. A sign-up's hours are what
the coordinator recorded on the attendance page (the correction), else the shift's length."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.counts import Count
from logistics.people.models import User
from logistics.reports.annual import HOURS, attended_hours, held_shifts, seconds_between
from logistics.reports.months import Period
from logistics.shifts.models import Shift, ShiftStatus, Signup, SignupStatus


def _worked(start, end, now):
    """Attended shifts that began in [start, end) and have ended by ``now`` (values, or bind
    parameters for a statement built once)."""
    return sa.and_(Signup.status == SignupStatus.CONFIRMED, Signup.attended.is_(True),
                   Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= start,
                   Shift.starts_at < end, Shift.ends_at <= now)


def _hours(session):
    return sa.func.coalesce(Signup.hours, seconds_between(session, Shift.starts_at, Shift.ends_at) / 3600.0)


@dataclass
class Month:
    month: dt.date
    shifts: int
    hours: Decimal


def person_months(session, user_id: int, period: Period, *, now: dt.datetime | None = None) -> list[Month]:
    """One person's shifts and hours in each month of ``period`` (one statement)."""
    month = period.month_of(Shift.starts_at).label("month")
    rows = session.execute(
        sa.select(month, sa.func.count(Signup.id), sa.func.sum(_hours(session)))
        .join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user_id, _worked(period.start, period.end, now or utcnow())).group_by(month)).all()
    found = {m: (n, Decimal(str(h or 0)).quantize(HOURS)) for m, n, h in rows}
    return [Month(day, *found.get(i, (0, Decimal("0.0")))) for i, day in enumerate(period.months)]


@functools.cache
def _year_total(dialect: str) -> sa.Select:
    hours = sa.func.coalesce(Signup.hours, seconds_between(dialect, Shift.starts_at, Shift.ends_at) / 3600.0)
    return (sa.select(sa.func.sum(hours)).select_from(Signup).join(Shift, Shift.id == Signup.shift_id)
            .where(Signup.user_id == sa.bindparam("hours_user"),
                   _worked(sa.bindparam("hours_from"), sa.bindparam("hours_to"), sa.bindparam("hours_now"))))


def year_total_query(session, user_id: int, year: int, *, now: dt.datetime | None = None) -> Count:
    """:func:`year_total` as a :class:`~logistics.counts.Count` (the start page asks it with
    other counts); its value goes through :func:`as_hours`."""
    period = Period.year(year)
    return Count(_year_total(session.get_bind().dialect.name),
                 {"hours_user": user_id, "hours_from": period.start, "hours_to": period.end,
                  "hours_now": now or utcnow()})


def as_hours(total) -> Decimal:
    return Decimal(str(total or 0)).quantize(HOURS)


def year_total(session, user_id: int, year: int, *, now: dt.datetime | None = None) -> Decimal:
    """One person's hours in ``year`` so far."""
    return as_hours(year_total_query(session, user_id, year, now=now).scalar(session))


@dataclass
class PersonHours:
    user_id: int
    name: str
    email: str
    months: list[Decimal]
    shifts: int

    @property
    def total(self) -> Decimal:
        return sum(self.months, Decimal(0))


def everyone(session, period: Period, *, now: dt.datetime | None = None) -> list[PersonHours]:
    """Every person with hours in ``period``, by month (one statement), by name. The period's
    held shifts are read once (month and length per shift), the attended places from the
    sign-ups' covering index; people are joined to the (person, month) sums, not to every place."""
    held = held_shifts(session, period, now or utcnow())
    sums = (sa.select(Signup.user_id.label("user_id"), held.c.month.label("month"),
                      sa.func.count().label("shifts"), sa.func.sum(attended_hours(held)).label("hours"))
            .join(held, held.c.id == Signup.shift_id)
            .where(Signup.status == SignupStatus.CONFIRMED, Signup.attended.is_(True))
            .group_by(Signup.user_id, held.c.month).subquery("sums"))
    rows = session.execute(
        sa.select(User.id, User.full_name, User.email, sums.c.month, sums.c.shifts, sums.c.hours)
        .join(sums, sums.c.user_id == User.id).order_by(User.full_name, User.id)).all()
    people: dict[int, PersonHours] = {}
    for uid, name, email, m, n, h in rows:
        person = people.setdefault(uid, PersonHours(uid, name, email, [Decimal("0.0")] * len(period.months), 0))
        person.months[m] = Decimal(str(h or 0)).quantize(HOURS)
        person.shifts += n
    return list(people.values())
