"""Test data for shifts (activities, places and shifts a few days ahead) and small look-ups
the shift tests share: local times, events, audit actions."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.clock import localize, to_local, utcnow
from logistics.extensions import db
from logistics.people.models import User
from logistics.shifts.models import Activity, ActivityKind, Place, PlaceKind, Shift, ShiftEvent

_n = iter(range(1, 10**6))


def activity(kind: str = "packing", *, quals=(), capacity=(1, 5), cutoff: int = 24, opens: int = 56,
             discreet: bool = False, name: str | None = None, colour: str = "teal") -> Activity:
    a = Activity(name=name or f"{kind} {next(_n)}", kind=ActivityKind(kind), colour=colour, briefing="Bring water.",
                 capacity_min=capacity[0], capacity_max=capacity[1], cancel_cutoff_hours=cutoff,
                 signup_opens_days=opens, is_discreet=discreet)
    a.qualifications = list(quals)
    db.session.add(a)
    db.session.flush()
    return a


def place(name: str | None = None, *, sensitive: bool = False, kind: str = "office",
          address: str = "Nørrebrogade 1") -> Place:
    p = Place(name=name or f"Place {next(_n)}", address=address, kind=PlaceKind(kind), is_sensitive=sensitive)
    db.session.add(p)
    db.session.flush()
    return p


def shift(act: Activity | None = None, *, start: dt.datetime | None = None, hours: float = 3,
          in_days: float = 3, capacity=(1, 5), place_=None, **fields) -> Shift:
    act = act or activity()
    start = start or (utcnow() + dt.timedelta(days=in_days)).replace(minute=0, second=0, microsecond=0)
    s = Shift(activity=act, place=place_, starts_at=start, ends_at=start + dt.timedelta(hours=hours),
              capacity_min=capacity[0], capacity_max=capacity[1], **fields)
    db.session.add(s)
    db.session.flush()
    return s


def local(y, mo, d, hh=0, mm=0):
    return localize(dt.datetime(y, mo, d, hh, mm))


def local_input(value: dt.datetime) -> str:
    """The value of a datetime-local field for ``value``."""
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


def events(session, kind=None):
    stmt = sa.select(ShiftEvent)
    if kind:
        stmt = stmt.where(ShiftEvent.kind == kind)
    return list(session.scalars(stmt))


def actions(session):
    return [a.action for a in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def get_user(app, uid):
    with app.app_context():
        return db.session.get(User, uid)
