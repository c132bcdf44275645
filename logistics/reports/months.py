"""Months of a reporting period, in the organisation's time: the period's bounds, its months,
and a SQL expression that puts a UTC instant in its local month (one CASE per month
boundary, so every figure is one GROUP BY, the same on SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.clock import local_midnight, org_tz
from logistics.errors import DomainError

#: The longest period a report covers (its CASE grows with the months, not with the data).
MAX_MONTHS = 120


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date  #: inclusive

    @classmethod
    def of(cls, first: dt.date | None, last: dt.date | None) -> Period:
        if first is None or last is None:
            raise DomainError(str(_l("Choose a first and a last day.")), field="start")
        if last < first:
            raise DomainError(str(_l("The period ends before it starts.")), field="end")
        period = cls(first, last)
        if len(period.months) > MAX_MONTHS:
            raise DomainError(str(_l("Choose a period of at most %(n)d years.", n=MAX_MONTHS // 12)), field="end")
        return period

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def start(self) -> dt.datetime:
        """The first instant (UTC)."""
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The instant after the last day (UTC)."""
        return local_midnight(self.last + dt.timedelta(days=1))

    @property
    def bounds(self) -> list[dt.datetime]:
        """Where the months begin and end (UTC): month ``i`` of :attr:`months` is
        [``bounds[i]``, ``bounds[i + 1]``), from :attr:`start` to :attr:`end`, so a first or
        last month the period cuts short is cut short here too."""
        return [self.start, *(local_midnight(_next_month(m)) for m in self.months[:-1]), self.end]

    @functools.cached_property
    def months(self) -> list[dt.date]:
        out, day = [], self.first.replace(day=1)
        while day <= self.last:
            out.append(day)
            day = _next_month(day)
        return out

    def month_of(self, column) -> sa.ColumnElement[int]:
        """The index (0, 1, …) in :attr:`months` of the local month ``column`` falls in; the
        caller keeps ``column`` within [start, end). Built once per period, column and zone (a
        report asks for it several times a request; SQL expressions are immutable)."""
        return _month_of(self, column, org_tz().key)


@functools.lru_cache(maxsize=64)
def _month_of(period: Period, column, _zone: str) -> sa.ColumnElement[int]:
    months = period.months
    #: bounds[i] is the first instant of month i + 1.
    bounds = [local_midnight(_next_month(m)) for m in months[:-1]]

    def search(lo: int, hi: int):
        # A binary search of nested CASEs: log2(months) comparisons a row, not up to 120.
        if lo == hi:
            return sa.literal(lo)
        mid = (lo + hi + 1) // 2
        return sa.case((column < bounds[mid - 1], search(lo, mid - 1)), else_=search(mid, hi))

    return search(0, len(months) - 1)
