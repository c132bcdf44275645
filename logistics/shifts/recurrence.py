"""Recurring series: the RRULE built from the form, expanded in the organisation's local time.

A series' DTSTART is a local wall-clock time, so a 22:00–02:00 shift stays 22:00–02:00 on
both sides of a daylight-saving change; each occurrence is converted to UTC on its own.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dateutil.rrule import rrulestr

from logistics.clock import as_utc, localize, org_tz

#: Shifts of a series exist this far ahead; the sweep keeps the horizon rolling.
HORIZON_WEEKS = 12

FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Week numbers within a month for "2nd and 4th Tuesday"; -1 is the last one.
MONTH_WEEKS = (1, 2, 3, 4, 5, -1)


def build_rrule(*, freq: str, interval: int = 1, weekdays=(), month_weeks=(), until: dt.date | None = None,
                count: int | None = None) -> str:
    """Return the RFC 5545 RRULE (without DTSTART) for the form's choices."""
    parts = [f"FREQ={freq.upper()}"]
    if interval and interval > 1:
        parts.append(f"INTERVAL={int(interval)}")
    days = [d for d in WEEKDAYS if d in set(weekdays or ())]
    if freq == "weekly" and days:
        parts.append("BYDAY=" + ",".join(days))
    elif freq == "monthly":
        weeks = [w for w in MONTH_WEEKS if w in {int(x) for x in (month_weeks or ())}]
        parts.append("BYDAY=" + ",".join(f"{w}{d}" for w in weeks for d in days))
    if count:
        parts.append(f"COUNT={int(count)}")
    elif until:
        # UNTIL is a local wall-clock time, like DTSTART: the whole last day counts.
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def _rule(rrule: str, starts_on: dt.date, start_time: dt.time):
    return rrulestr(rrule, dtstart=dt.datetime.combine(starts_on, start_time))


def first_occurrence(rrule: str, starts_on: dt.date, start_time: dt.time) -> dt.datetime | None:
    """The first occurrence (local, naive), or None when the rule gives none at all."""
    return next(iter(_rule(rrule, starts_on, start_time)), None)


def occurrences(rrule: str, starts_on: dt.date, start_time: dt.time, duration_minutes: int,
                start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(starts_at, ends_at) in UTC of every occurrence starting in [start, end)."""
    start, end = as_utc(start), as_utc(end)
    tz = org_tz()
    lo = start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
    hi = end.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
    length = dt.timedelta(minutes=duration_minutes)
    for naive in _rule(rrule, starts_on, start_time).between(lo, hi, inc=True):
        s = localize(naive)
        if start <= s < end:
            # The end is the same wall-clock distance away, so DST keeps local times.
            yield s, localize(naive + length)


def parse_rrule(rrule: str) -> dict:
    """The choices ``build_rrule`` was given, back from its RRULE (for the series form)."""
    parts = dict(part.partition("=")[::2] for part in rrule.split(";"))
    byday = [d for d in parts.get("BYDAY", "").split(",") if d]
    until = parts.get("UNTIL")
    return dict(
        freq=parts.get("FREQ", "WEEKLY").lower(),
        interval=int(parts.get("INTERVAL", 1)),
        weekdays=[d for d in WEEKDAYS if any(b[-2:] == d for b in byday)],
        month_weeks=[w for w in MONTH_WEEKS if any(b[:-2] == str(w) for b in byday)],
        until=dt.datetime.strptime(until[:8], "%Y%m%d").date() if until else None,
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
    )
