"""Remembered filters: the activity a person last chose on the calendar, and the activity and
hidden kinds on Open shifts, kept per person (any device) until they choose again.

Not audited: what someone chooses to look at changes nothing for anyone else. It is part of
the person's data export and goes on erasure.
"""
from __future__ import annotations

import sqlalchemy as sa

from logistics.people.models import User
from logistics.shifts.models import Activity, ActivityKind, ShiftFilter

#: Returned for someone who has chosen nothing yet.
NOTHING = ShiftFilter(calendar_activity_id=None, open_activity_id=None, hidden_kinds=[])


def of(session, user: User) -> ShiftFilter:
    """The person's remembered filters (an unsaved empty one when there are none)."""
    return session.get(ShiftFilter, user.id) or NOTHING


def _activity_id(session, activity_id: int | None) -> int | None:
    """An activity that exists, or None (all activities)."""
    if not activity_id:
        return None
    return activity_id if session.get(Activity, activity_id) is not None else None


def remember(session, user: User, **values) -> ShiftFilter:
    """Keep the person's choice: ``calendar_activity_id``, ``open_activity_id`` (None: all)
    and ``hidden_kinds`` (kinds that are not ActivityKinds are dropped). Writes only a change."""
    clean = {}
    for key in ("calendar_activity_id", "open_activity_id"):
        if key in values:
            clean[key] = _activity_id(session, values[key])
    if "hidden_kinds" in values:
        kinds = {k.value for k in ActivityKind}
        clean["hidden_kinds"] = sorted({k for k in values["hidden_kinds"] or () if k in kinds})
    row = session.get(ShiftFilter, user.id)
    if row is None:
        row = ShiftFilter(user_id=user.id, calendar_activity_id=None, open_activity_id=None, hidden_kinds=[])
        session.add(row)
    elif all(getattr(row, key) == value for key, value in clean.items()):
        return row
    for key, value in clean.items():
        setattr(row, key, value)
    session.flush()
    return row


def export(session, user: User) -> dict:
    """The remembered filters in the person's data export."""
    row = session.get(ShiftFilter, user.id)
    if row is None:
        return {}
    names = dict(session.execute(sa.select(Activity.id, Activity.name).where(
        Activity.id.in_([i for i in (row.calendar_activity_id, row.open_activity_id) if i]))).all())
    return {"calendar_activity": names.get(row.calendar_activity_id),
            "open_shifts_activity": names.get(row.open_activity_id), "hidden_kinds": row.hidden_kinds}


def forget(session, user: User) -> None:
    """Erasure: the remembered filters go."""
    session.execute(sa.delete(ShiftFilter).where(ShiftFilter.user_id == user.id))
