"""When a reminder is due: computed from the shift's start each time (so reminders follow a
shift that moves), moved out of the person's quiet hours."""
from __future__ import annotations

import datetime as dt

from logistics.clock import localize, to_local
from logistics.notifications.models import DEFAULT_OFFSETS, DEFAULT_QUIET, OFFSETS


def _in_quiet(t: dt.time, start: dt.time, end: dt.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # across midnight: 22:00–08:00


def quiet_window(at: dt.datetime, start: dt.time | None, end: dt.time | None):
    """The quiet period (begin, end as aware UTC) that contains ``at``, or None."""
    if start is None or end is None:
        return None
    local = to_local(at)
    t = local.time().replace(tzinfo=None)
    if not _in_quiet(t, start, end):
        return None
    day = local.date()
    if start < end:
        begin_day = end_day = day
    elif t >= start:
        begin_day, end_day = day, day + dt.timedelta(days=1)
    else:
        begin_day, end_day = day - dt.timedelta(days=1), day
    return localize(dt.datetime.combine(begin_day, start)), localize(dt.datetime.combine(end_day, end))


def due_at(starts_at: dt.datetime, offset_minutes: int, quiet_start: dt.time | None = DEFAULT_QUIET[0],
           quiet_end: dt.time | None = DEFAULT_QUIET[1]) -> dt.datetime:
    """The instant a reminder ``offset_minutes`` before ``starts_at`` goes out: inside quiet
    hours it waits for their end if that is still before the shift, else it goes when they begin."""
    due = starts_at - dt.timedelta(minutes=offset_minutes)
    window = quiet_window(due, quiet_start, quiet_end)
    if window is None:
        return due
    begin, end = window
    return end if end < starts_at else begin


def clean_offsets(values) -> list[int]:
    """The offsets a person chose, limited to the known ones, largest first."""
    chosen = set()
    for value in values or ():
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number in OFFSETS:
            chosen.add(number)
    return sorted(chosen, reverse=True)


def current_reminder(starts_at: dt.datetime, offsets, quiet_start, quiet_end, now: dt.datetime):
    """The reminder to send now for a shift: the one closest to the shift among those due
    (an earlier one whose time passed unsent is not sent as well). Returns (offset, due) or None."""
    if now >= starts_at:
        return None
    best = None
    for offset in clean_offsets(offsets if offsets is not None else DEFAULT_OFFSETS):
        due = due_at(starts_at, offset, quiet_start, quiet_end)
        if due <= now and (best is None or due >= best[1]):
            best = (offset, due)
    return best


def last_offset(offsets) -> int | None:
    """The offset of the last reminder before the shift (the one with one-tap replies)."""
    chosen = clean_offsets(offsets if offsets is not None else DEFAULT_OFFSETS)
    return chosen[-1] if chosen else None
