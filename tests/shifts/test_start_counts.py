"""The start page's numbers are the lengths of the lists they stand for, counted by the database."""
from __future__ import annotations

import datetime as dt

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.shifts import mine, queries
from logistics.shifts.models import Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h


def test_counts_match_the_lists(app_ctx):
    v = factories.user()
    other = factories.user()
    act = h.activity("packing", capacity=(2, 4))
    outreach = h.activity("street_outreach", capacity=(1, 4))
    shifts = [h.shift(act, in_days=d) for d in (1, 2, 3, 5, 8, 20)] + [h.shift(outreach, in_days=4)]
    past = h.shift(act, start=(utcnow() - dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0))
    for i, s in enumerate(shifts + [past]):
        signup = Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED if i != 2 else SignupStatus.WAITLISTED,
                        position=None if i != 2 else 1)
        db.session.add(signup)
        if i in (0, 3):
            db.session.add(Signup(shift=s, user_id=other.id, status=SignupStatus.CONFIRMED,
                                  cancel_requested_at=utcnow()))
        s.confirmed_count = 2 if i in (0, 3) else 1
    db.session.flush()
    assert queries.understaffed_count(db.session) == len(queries.understaffed(db.session))
    assert queries.cancellation_requests_count(db.session) == len(queries.cancellation_requests(db.session)) == 2
    upcoming = mine.my_shifts(db.session, v).upcoming
    first, total = mine.next_shifts(db.session, mine.signup_rows(db.session, v, since=utcnow()), limit=3)
    assert [s.id for s in first] == [s.id for s in upcoming[:3]] and total == len(upcoming) == 7
    first, total = mine.next_shifts(db.session, mine.signup_rows(db.session, other, since=utcnow()), limit=3)
    assert total == 2 and len(first) == 2
