"""Test data for outreach: ended shifts with people on them, and the seeded partners."""
from __future__ import annotations

import datetime as dt

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.outreach import partners
from logistics.shifts.models import Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as sh


def ended_shift(kind: str = "street_outreach", *, people: int = 2, ended_ago: dt.timedelta = dt.timedelta(hours=1),
                hours: float = 3, members=None, **fields):
    """A shift of ``kind`` that ended ``ended_ago`` ago, with ``people`` confirmed volunteers."""
    start = utcnow() - ended_ago - dt.timedelta(hours=hours)
    shift = sh.shift(sh.activity(kind, capacity=(1, 6)), start=start, hours=hours, capacity=(1, 6), **fields)
    members = list(members or [factories.user("volunteer") for _ in range(people)])
    for user in members:
        db.session.add(Signup(shift_id=shift.id, user_id=user.id, status=SignupStatus.CONFIRMED, confirmed_at=start))
    shift.confirmed_count = len(members)
    db.session.flush()
    return shift, members


def seeded_partners():
    partners.seed(db.session)
    from logistics.outreach import queries

    return {p.code: p for p in queries.partners(db.session)}
