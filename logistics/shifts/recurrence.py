"""Recurring series: the RRULE built from the form, expanded in the organisation's local time.

A series' DTSTART is a local wall-clock time, so a 22:00–02:00 shift stays 22:00–02:00 on
both sides of a daylight-saving change; each occurrence is converted to UTC on its own.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from babel.lists import format_list
from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from logistics.clock import as_utc, localize, org_tz
from logistics.i18n import babel_locale, current_language, format_date, format_span, format_time, weekday_names

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


#: How people name the weeks of a month ("the 2nd and 4th Friday", "the last Saturday").
ORDINALS = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd"), 4: _l("4th"), 5: _l("5th"), -1: _l("last")}
WORKDAYS = ["MO", "TU", "WE", "TH", "FR"]


def describe(rrule: str, *, start_time: dt.time | None = None, duration_minutes: int | None = None) -> str:
    """The series as people say it, in the page's language: "2nd and 4th Friday each month,
    16:00–20:00, until 28 Feb 2027" / "2. og 4. fredag i måneden kl. 16.00–20.00, til og med
    28. feb. 2027". The inverse of the form: it reads what :func:`build_rrule` wrote."""
    rule = parse_rrule(rrule)
    locale = babel_locale(current_language())
    names = weekday_names(width="wide")
    days = format_list([names[WEEKDAYS.index(d)] for d in rule["weekdays"]], locale=locale)
    n = rule["interval"]
    if rule["freq"] == "daily":
        text = _("Every day") if n == 1 else _("Every %(n)d days", n=n)
    elif rule["freq"] == "weekly":
        if rule["weekdays"] == WORKDAYS and n == 1:
            text = _("Every weekday, Monday to Friday")
        elif n == 1:
            text = _("Every %(days)s", days=days)
        else:
            text = _("Every %(n)d weeks on %(days)s", n=n, days=days)
    else:
        weeks = format_list([str(ORDINALS[w]) for w in rule["month_weeks"]], locale=locale)
        text = (_("%(weeks)s %(days)s each month", weeks=weeks, days=days) if n == 1
                else _("%(weeks)s %(days)s every %(n)d months", weeks=weeks, days=days, n=n))
    if start_time is not None:
        start = dt.datetime.combine(dt.date(2000, 1, 3), start_time)
        times = format_span(start, start + dt.timedelta(minutes=duration_minutes)) if duration_minutes \
            else format_time(start)
        text = _("%(rule)s, %(time)s", rule=text, time=times)
    if rule["until"] is not None:
        text = _("%(rule)s, until %(date)s", rule=text, date=format_date(rule["until"]))
    elif rule["count"] is not None:
        text = ngettext("%(rule)s, %(num)d time", "%(rule)s, %(num)d times", rule["count"], rule=text)
    return text[:1].upper() + text[1:]
