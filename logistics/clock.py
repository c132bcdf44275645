"""The one source of "now" and the organisation's time zone.

Everything is stored in UTC. Tests move time with :func:`frozen`.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from zoneinfo import ZoneInfo

_frozen: dt.datetime | None = None


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC)


def org_tz() -> ZoneInfo:
    """Return the organisation's time zone (``ORG_TIMEZONE``, default Europe/Copenhagen).

    Pages ask for it for every time they show (thousands of calls on a calendar), so the app
    is found through Flask's context variable rather than the ``current_app`` proxy."""
    from flask.globals import _cv_app

    ctx = _cv_app.get(None)
    name = ctx.app.config.get("ORG_TIMEZONE") if ctx is not None else None
    return ZoneInfo(name or os.environ.get("ORG_TIMEZONE", "Europe/Copenhagen"))


def local_now() -> dt.datetime:
    return utcnow().astimezone(org_tz())


def today() -> dt.date:
    """Return today's date in the organisation's zone."""
    return local_now().date()


def as_utc(value: dt.datetime) -> dt.datetime:
    """Return ``value`` as aware UTC; naive values are taken as UTC (as stored by SQLite)."""
    tz = value.tzinfo
    if tz is dt.UTC:  # already (as PostgreSQL's timestamps arrive: logistics.config)
        return value
    if tz is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def to_local(value: dt.datetime) -> dt.datetime:
    """``value`` (aware, or naive UTC) in the organisation's zone."""
    return as_utc(value).astimezone(org_tz())


def localize(naive: dt.datetime) -> dt.datetime:
    """A local wall-clock time in the organisation's zone, as aware UTC.

    A time that does not exist (the hour skipped in spring) or exists twice (autumn) is
    resolved the way ``zoneinfo`` does with ``fold=0``: the earlier reading.
    """
    return naive.replace(tzinfo=org_tz()).astimezone(dt.UTC)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the organisation's zone, as aware UTC (the dates people type
    and see are local days)."""
    return localize(dt.datetime.combine(day, dt.time.min))


def local_day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local days ``first`` to ``last``, both included."""
    return local_midnight(first), local_midnight(last + dt.timedelta(days=1))


@contextlib.contextmanager
def frozen(at: dt.datetime):
    """Freeze :func:`utcnow` at ``at`` (aware) for the duration of the block."""
    global _frozen
    previous, _frozen = _frozen, as_utc(at)
    try:
        yield
    finally:
        _frozen = previous


def freeze(at: dt.datetime | None) -> None:
    """Freeze time at ``at``, or unfreeze with ``None``."""
    global _frozen
    _frozen = None if at is None else as_utc(at)
