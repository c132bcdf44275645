"""Coordinators' planning: activities, places, single shifts, recurring series and their
generation to the rolling horizon, and cover requests for gaps.

A change of time, place or status raises the shift's version and leaves an event for each
person on it; a new maximum fills freed places from the waitlist (see ``signups``).
Services flush and never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import localize, to_local, utcnow
from logistics.errors import Conflict
from logistics.people.models import Qualification, User
from logistics.shifts import recurrence, signups
from logistics.shifts.models import (
    ACTIVE_STATUSES,
    COLOURS,
    Activity,
    ActivityKind,
    CoverRequest,
    EventKind,
    Place,
    PlaceKind,
    Series,
    Shift,
    ShiftStatus,
    Signup,
)
from logistics.shifts.rules import LONGEST_SHIFT, InvalidInput, ShiftCancelled

# --- activities and places ------------------------------------------------------------------------

#: The planning numbers' upper bounds: a shift of 500 people, a cut-off of 30 days, sign-up
#: opening a year ahead, a series of ten years of weekly shifts. Beyond them a number is a
#: typo, and unbounded they overflow the calendar arithmetic of every shift of the activity.
MAX_PEOPLE = 500
MAX_CUTOFF_HOURS = 30 * 24
MAX_OPENS_DAYS = 365
MAX_SERIES_COUNT = 520

def _check_capacity(capacity_min, capacity_max) -> None:
    if capacity_min is None or capacity_min < 1:
        raise InvalidInput(str(_l("At least one person must be needed.")), field="capacity_min")
    if capacity_max is None or capacity_max < 1:
        raise InvalidInput(str(_l("The maximum must be at least 1.")), field="capacity_max")
    if capacity_max > MAX_PEOPLE:
        raise InvalidInput(str(_l("A shift has at most %(n)d places.", n=MAX_PEOPLE)), field="capacity_max")
    if capacity_min > capacity_max:
        raise InvalidInput(str(_l("The minimum cannot be above the maximum.")), field="capacity_max")


def save_activity(session, activity: Activity | None, *, name: str, kind: str, colour: str, briefing: str,
                  qualification_ids, capacity_min: int, capacity_max: int, cancel_cutoff_hours: int,
                  signup_opens_days: int, is_discreet: bool, is_active: bool = True, by: User,
                  name_da: str | None = None, briefing_da: str | None = None) -> Activity:
    """Create (``activity`` None) or change an activity. ``name_da`` and ``briefing_da`` (the
    Danish ones, shown on Danish pages) change only when given; "" removes them."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(str(_l("Give the activity a name.")), field="name")
    _check_capacity(capacity_min, capacity_max)
    if cancel_cutoff_hours is None or cancel_cutoff_hours < 0:
        raise InvalidInput(str(_l("The cut-off cannot be negative.")), field="cancel_cutoff_hours")
    if cancel_cutoff_hours > MAX_CUTOFF_HOURS:
        raise InvalidInput(str(_l("The cut-off can be at most %(n)d hours (30 days).", n=MAX_CUTOFF_HOURS)),
                           field="cancel_cutoff_hours")
    if signup_opens_days is None or signup_opens_days < 1:
        raise InvalidInput(str(_l("Sign-up must open at least one day ahead.")), field="signup_opens_days")
    if signup_opens_days > MAX_OPENS_DAYS:
        raise InvalidInput(str(_l("Sign-up can open at most %(n)d days ahead.", n=MAX_OPENS_DAYS)),
                           field="signup_opens_days")
    if colour not in COLOURS:
        raise InvalidInput(str(_l("Choose one of the colours.")), field="colour")
    clash = session.scalar(sa.select(Activity).where(sa.func.lower(Activity.name) == name.lower()))
    if clash is not None and clash is not activity:
        raise Conflict(str(_l("Another activity already has this name.")), field="name")
    quals = list(session.scalars(sa.select(Qualification).where(Qualification.id.in_(list(qualification_ids or [])))))
    values = dict(name=name, kind=ActivityKind(kind), colour=colour, briefing=(briefing or "").strip(),
                  capacity_min=capacity_min, capacity_max=capacity_max, cancel_cutoff_hours=cancel_cutoff_hours,
                  signup_opens_days=signup_opens_days, is_discreet=bool(is_discreet), is_active=bool(is_active))
    values.update(_danish(name_da=(name_da, 80), briefing_da=(briefing_da, 5000)))
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


def _danish(**given: tuple[str | None, int]) -> dict[str, str | None]:
    """The Danish names and texts that were given (None: leave as is; "": remove)."""
    return {key: ((value or "").strip()[:limit] or None) for key, (value, limit) in given.items() if value is not None}


def save_place(session, place: Place | None, *, name: str, address: str, kind: str, is_sensitive: bool,
               is_active: bool = True, by: User, name_da: str | None = None) -> Place:
    """Create (``place`` None) or change a place."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(str(_l("Give the place a name.")), field="name")
    clash = session.scalar(sa.select(Place).where(sa.func.lower(Place.name) == name.lower()))
    if clash is not None and clash is not place:
        raise Conflict(str(_l("Another place already has this name.")), field="name")
    values = dict(name=name, address=(address or "").strip(), kind=PlaceKind(kind),
                  is_sensitive=bool(is_sensitive), is_active=bool(is_active))
    values.update(_danish(name_da=(name_da, 80)))
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


# --- single shifts ------------------------------------------------------------------------

def _check_times(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise InvalidInput(str(_l("Give a start and an end.")), field="starts_at")
    if ends_at <= starts_at:
        raise InvalidInput(str(_l("The end must be after the start.")), field="ends_at")
    if ends_at - starts_at > LONGEST_SHIFT:
        raise InvalidInput(str(_l("A shift can last at most 24 hours.")), field="ends_at")


def _check_duration(duration_minutes: int | None) -> None:
    if duration_minutes is None or not 0 < duration_minutes <= LONGEST_SHIFT.total_seconds() // 60:
        raise InvalidInput(str(_l("A shift lasts more than 0 and at most 24 hours.")), field="duration_minutes")


def _people_on(session, shift_ids) -> list[Signup]:
    ids = list(shift_ids)
    if not ids:
        return []
    return list(session.scalars(sa.select(Signup).where(Signup.shift_id.in_(ids),
                                                        Signup.status.in_(ACTIVE_STATUSES))))


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
            signups.record_event(session, kind, shift, signup=signup,
                                 data={k: v for k, v in changes.items() if k != "status"})
    if "capacity_max" in changes:
        signups.capacity_changed(session, shift, now=now)
    return changes


def update_shift(session, shift: Shift, *, place: Place | None, starts_at: dt.datetime, ends_at: dt.datetime,
                 capacity_min: int, capacity_max: int, note: str = "", by: User) -> Shift:
    """Change one shift; an occurrence of a series is then detached from later series edits."""
    now = utcnow()
    _check_times(starts_at, ends_at)
    _check_capacity(capacity_min, capacity_max)
    shift = signups.lock_shift(session, shift.id)
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
    shift = signups.lock_shift(session, shift.id)
    if shift.status == ShiftStatus.CANCELLED:
        raise Conflict(str(_l("This shift is already cancelled.")))
    _apply_shift_changes(session, shift, {"status": ShiftStatus.CANCELLED}, now)
    shift.cancelled_at = now
    if shift.series_id is not None:
        shift.is_detached = True
    audit.record(session, by=by, action="shift.cancelled", entity="shift", entity_id=shift.id,
                 changes={"status": ["scheduled", "cancelled"]})
    session.flush()


# --- series --------------------------------------------------------------------------------

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
    if count is not None and count > MAX_SERIES_COUNT:
        raise InvalidInput(str(_l("A series has at most %(n)d shifts.", n=MAX_SERIES_COUNT)), field="count")
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
    """How far ahead series' shifts exist: the rolling horizon from now."""
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


def preview_series(*, freq: str, interval: int = 1, weekdays=(), month_weeks=(), starts_on: dt.date,
                   start_time: dt.time, duration_minutes: int, until: dt.date | None = None, count: int | None = None,
                   limit: int = 8, now: dt.datetime | None = None) -> tuple[str, list[tuple[dt.datetime, dt.datetime]]]:
    """The rule and the next ``limit`` shifts (UTC) a series with these choices would make from
    now on, checked as saving would check them; nothing is written."""
    _check_duration(duration_minutes)
    rule = _series_rule(freq=freq, interval=interval, weekdays=weekdays, month_weeks=month_weeks,
                        starts_on=starts_on, start_time=start_time, until=until, count=count)
    start = max(now or utcnow(), localize(dt.datetime.combine(starts_on, dt.time.min)))
    found = []
    # Look ahead in steps, so a monthly rule every 12 months still finds its next shifts.
    for weeks in (8, 60, 600):
        found = list(recurrence.occurrences(rule, starts_on, start_time, duration_minutes, start,
                                            start + dt.timedelta(weeks=weeks)))
        if len(found) >= limit:
            break
    return rule, found[:limit]


def create_series(session, *, activity: Activity, place: Place | None, freq: str, interval: int = 1,
                  weekdays=(), month_weeks=(), starts_on: dt.date, start_time: dt.time, duration_minutes: int,
                  until: dt.date | None = None, count: int | None = None, capacity_min: int, capacity_max: int,
                  note: str = "", by: User) -> Series:
    """Create a recurring series and generate its shifts to the rolling horizon."""
    _check_duration(duration_minutes)
    _check_capacity(capacity_min, capacity_max)
    rule = _series_rule(freq=freq, interval=interval, weekdays=weekdays, month_weeks=month_weeks,
                        starts_on=starts_on, start_time=start_time, until=until, count=count)
    series = Series(activity=activity, place=place, rrule=rule, starts_on=starts_on, start_time=start_time,
                    duration_minutes=duration_minutes, capacity_min=capacity_min, capacity_max=capacity_max,
                    note=(note or "").strip(), created_by_id=by.id)
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
    _check_duration(duration_minutes)
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
        shift = signups.lock_shift(session, shift.id)
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

def uncovered_spans(session, *, activity: Activity, starts_at: dt.datetime,
                    ends_at: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The parts of ``starts_at``..``ends_at`` that no scheduled shift of ``activity`` covers."""
    shifts = session.execute(sa.select(Shift.starts_at, Shift.ends_at).where(
        Shift.activity_id == activity.id, Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at < ends_at, Shift.ends_at > starts_at).order_by(Shift.starts_at)).all()
    spans, cursor = [], starts_at
    for begin, end in shifts:
        if begin > cursor:
            spans.append((cursor, begin))
        cursor = max(cursor, end)
        if cursor >= ends_at:
            break
    if cursor < ends_at:
        spans.append((cursor, ends_at))
    return spans


def request_cover(session, *, activity: Activity, starts_at: dt.datetime, ends_at: dt.datetime, note: str = "",
                  by: User) -> CoverRequest:
    """Record a request for cover of a gap; the notification area sends it. The hours of the
    gap no scheduled shift of the activity covers get a shift first (with the activity's
    capacity, cut-off and sign-up window), so the "I'll take it" link has a place to sign up
    into; those shifts are on ``request.added_shifts``. A gap already under way (a page left
    open) is asked for from the next full hour, as nobody can sign up for a shift that has
    begun."""
    _check_times(starts_at, ends_at)
    now = utcnow()
    if starts_at <= now:
        starts_at = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        if starts_at >= ends_at:
            raise InvalidInput(str(_l("This gap ends within the hour: phone someone instead.")), field="starts_at")
    # two coordinators asking for the same gap at once: the second waits, then sees the first's shift
    session.execute(sa.select(Activity.id).where(Activity.id == activity.id).with_for_update())
    added = [create_shift(session, activity=activity, place=None, starts_at=begin, ends_at=end,
                          capacity_min=activity.capacity_min, capacity_max=activity.capacity_max, by=by)
             for begin, end in uncovered_spans(session, activity=activity, starts_at=starts_at, ends_at=ends_at)]
    request = CoverRequest(activity=activity, starts_at=starts_at, ends_at=ends_at, note=(note or "").strip()[:300],
                           created_by_id=by.id)
    session.add(request)
    session.flush()
    request.added_shifts = added
    signups.record_event(session, EventKind.COVER_REQUESTED, None, cover_request=request,
                         data={"activity": activity.id, "starts_at": starts_at.isoformat(),
                               "ends_at": ends_at.isoformat(), "shifts_added": [s.id for s in added]})
    audit.record(session, by=by, action="cover.requested", entity="cover_request", entity_id=request.id,
                 changes={"activity": activity.id, "starts_at": starts_at, "ends_at": ends_at})
    session.flush()
    return request
