"""The calendars' read side: a window of days' shifts as rows (:class:`ShiftRow`), grouped by
the local day they start on (the week view, the month view's chosen day). Open shifts reads
its candidates as the same rows (:func:`logistics.shifts.queries.open_shifts`)."""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa

from logistics.clock import local_midnight
from logistics.shifts.models import Activity, Place, Shift, ShiftStatus, people_needed
from logistics.shifts.rules import overlapping_params, overlapping_values


@dataclass(frozen=True, slots=True)
class ShiftRow:
    """A shift as the calendars draw it (a chip), read as a row rather than built as an ORM
    object: a week is ~190 shifts, and building and reading them as objects cost more than
    the rest of the page. The same names as :class:`Shift`'s for what a chip shows."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: ShiftStatus
    capacity_min: int
    capacity_max: int
    confirmed_count: int
    activity: Activity  # from the session (the page has loaded the activities already)
    place: Place | None = None  # read where the list names it (Open shifts), else None

    @property
    def activity_id(self) -> int:
        return self.activity.id

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @property
    def needed(self) -> int:
        return people_needed(self.activity.kind, self.capacity_min)

    @property
    def needs_people(self) -> bool:
        return self.status == ShiftStatus.SCHEDULED and self.confirmed_count < self.needed

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity_max


#: The columns a :class:`ShiftRow` is read from (the activity as its id), in its order.
ROW_COLUMNS = (Shift.id, Shift.starts_at, Shift.ends_at, Shift.status, Shift.capacity_min, Shift.capacity_max,
               Shift.confirmed_count, Shift.activity_id)


def shift_rows(session, rows, activities: dict[int, Activity] | None = None) -> list[ShiftRow]:
    """:class:`ShiftRow` of each row of :data:`ROW_COLUMNS` (and, after them, the place if the
    SELECT has it); the activities from ``activities`` (those the page has loaded, by id),
    any other from the session by id (an identity-map look-up once the page has loaded it)."""
    activities = dict(activities or {})
    out = []
    for shift_id, starts_at, ends_at, status, cap_min, cap_max, confirmed, act_id, *place in rows:
        activity = activities.get(act_id)
        if activity is None:
            activity = activities[act_id] = session.get(Activity, act_id)
        out.append(ShiftRow(shift_id, starts_at, ends_at, status, cap_min, cap_max, confirmed, activity, *place))
    return out


@functools.lru_cache(maxsize=2)
def _calendar_rows(by_activity: bool) -> sa.Select:
    """:func:`calendar_days`' SELECT, built once per shape: the columns a chip shows."""
    stmt = (sa.select(*ROW_COLUMNS)
            .where(overlapping_params("calendar", bounded=True))
            .order_by(Shift.starts_at, Shift.id))
    return stmt.where(Shift.activity_id == sa.bindparam("activity_id")) if by_activity else stmt


def calendar_days(session, first: dt.date, days: int, *, activity_id: int | None = None,
                  activities: dict[int, Activity] | None = None
                  ) -> tuple[dict[dt.date, list[ShiftRow]], list[ShiftRow]]:
    """Shifts (cancelled ones too) grouped by local start date for ``days`` days from
    ``first``, as :class:`ShiftRow`; their activities from ``activities`` (those the page has
    loaded, by id), any other read by id."""
    dates = [first + dt.timedelta(days=i) for i in range(days)]
    bounds = [local_midnight(d) for d in dates] + [local_midnight(first + dt.timedelta(days=days))]
    values = {**overlapping_values("calendar", bounds[0], bounds[-1]), "activity_id": activity_id}
    by_day: dict[dt.date, list[ShiftRow]] = {d: [] for d in dates}
    # Those begun the day before overlap the window without starting in it: left out.
    shifts = [s for s in shift_rows(session, session.execute(_calendar_rows(bool(activity_id)), values), activities)
              if s.starts_at >= bounds[0]]
    for shift in shifts:
        # The local day it starts on: between which local midnights (no zone conversion a shift).
        by_day[dates[bisect.bisect_right(bounds, shift.starts_at, hi=days) - 1]].append(shift)
    return by_day, shifts
