"""Volunteer hours from attended sign-ups: per person and month. A sign-up's hours are what
the coordinator recorded on the attendance page (the correction), else the shift's length."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.people.models import User
from logistics.reports.annual import HOURS, attended_hours, held_shifts, seconds_between
from logistics.reports.months import Period
from logistics.shifts.models import Shift, ShiftStatus, Signup, SignupStatus


def _worked(period: Period, now: dt.datetime):
    return sa.and_(Signup.status == SignupStatus.CONFIRMED, Signup.attended.is_(True),
                   Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= period.start,
                   Shift.starts_at < period.end, Shift.ends_at <= now)


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
        .where(Signup.user_id == user_id, _worked(period, now or utcnow())).group_by(month)).all()
    found = {m: (n, Decimal(str(h or 0)).quantize(HOURS)) for m, n, h in rows}
    return [Month(day, *found.get(i, (0, Decimal("0.0")))) for i, day in enumerate(period.months)]


def year_total_stmt(session, user_id: int, year: int, *, now: dt.datetime | None = None) -> sa.Select:
    """The SELECT of :func:`year_total` (the start page folds it with other counts); its
    value goes through :func:`as_hours`."""
    return (sa.select(sa.func.sum(_hours(session))).select_from(Signup).join(Shift, Shift.id == Signup.shift_id)
            .where(Signup.user_id == user_id, _worked(Period.year(year), now or utcnow())))


def as_hours(total) -> Decimal:
    return Decimal(str(total or 0)).quantize(HOURS)


def year_total(session, user_id: int, year: int, *, now: dt.datetime | None = None) -> Decimal:
    """One person's hours in ``year`` so far."""
    return as_hours(session.scalar(year_total_stmt(session, user_id, year, now=now)))


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
