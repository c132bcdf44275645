"""The start page's "open shifts that need you" (mine.needing_me) gives what the Open shifts
machinery gave it (open_shifts, then the ones that need people, the first three), in a
fixed number of statements."""
from __future__ import annotations

import datetime as dt

from logistics.clock import today, utcnow
from logistics.extensions import db
from logistics.shifts import mine as mine_queries
from logistics.shifts import queries as shift_queries
from logistics.shifts import signups
from tests import factories
from tests.shifts import helpers as h


def _needing(user, end, **kwargs):
    rows = mine_queries.signup_rows(db.session, user, since=utcnow())
    return mine_queries.needing_me(db.session, user, rows, end=end, **kwargs)


def _old_way(user, end, limit=3):
    found = shift_queries.open_shifts(db.session, user, end=end, limit=30)
    return [s for s in found.shifts if s.needs_people][:limit]


def test_needing_me_is_what_open_shifts_gave(app_ctx):
    me, other = factories.user("volunteer"), factories.user("volunteer")
    first_aid = factories.qualification()
    factories.grant(me, first_aid, expires_on=today() + dt.timedelta(days=4))
    packing, late_opening = h.activity("packing"), h.activity("packing", opens=5)
    skilled, outreach = h.activity("packing", quals=[first_aid]), h.activity("street_outreach")
    full = h.shift(packing, in_days=1, capacity=(1, 1))
    signups.sign_up(db.session, full, other, by=other)
    mine = h.shift(packing, in_days=2, capacity=(2, 4))
    signups.sign_up(db.session, mine, me, by=me)
    h.shift(packing, start=mine.starts_at + dt.timedelta(hours=1), capacity=(2, 4))  # clashes with mine
    h.shift(late_opening, in_days=8, capacity=(2, 4))  # sign-up not open yet
    h.shift(skilled, in_days=3, capacity=(2, 4))  # qualified on the day
    h.shift(skilled, in_days=6, capacity=(2, 4))  # the qualification expired by then
    buddy = h.shift(outreach, in_days=4, capacity=(1, 2))  # one on it, needs a buddy
    signups.sign_up(db.session, buddy, other, by=other)
    for d in (5, 7, 9, 11, 13, 20):
        h.shift(packing, in_days=d, capacity=(1, 3))
    db.session.commit()
    end = today() + dt.timedelta(days=14)
    for limit in (1, 3, 10):
        assert [s.id for s in _needing(me, end, limit=limit)] == \
            [s.id for s in _old_way(me, end, limit)]
    assert [s.id for s in _needing(me, end, limit=10, batch=2)] == \
        [s.id for s in _old_way(me, end, 10)]
    assert len(_old_way(me, end, 10)) == 7  # the qualified one, the buddy and five packing ones


def test_needing_me_statements_do_not_grow(app, app_ctx, queries):
    me = factories.user("volunteer")
    packing = h.activity("packing")
    h.shift(packing, in_days=1, capacity=(2, 4))
    db.session.commit()
    end = today() + dt.timedelta(days=14)
    rows = mine_queries.signup_rows(db.session, me, since=utcnow())  # read once for the start page
    with queries() as few:
        mine_queries.needing_me(db.session, me, rows, end=end)
    for d in range(2, 13):
        h.shift(packing, start=utcnow() + dt.timedelta(days=d, hours=1), capacity=(2, 4))
    db.session.commit()
    with queries() as many:
        mine_queries.needing_me(db.session, me, rows, end=end)
    assert many.count == few.count == 2
