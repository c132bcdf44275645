"""The shift pages' query counts do not grow with the data."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.notifications.models import Reply
from logistics.people.models import User
from logistics.shifts.models import Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import get_user


def _grow(app, n):
    """n more shifts this week with sign-ups, hotline included."""
    with app.app_context():
        from logistics.shifts.models import Activity
        hotline = db.session.scalar(sa.select(Activity).where(Activity.name == "Hotline"))
        others = [factories.user() for _ in range(3)]
        v = db.session.scalar(sa.select(User).where(User.full_name == "Vera Volunteer"))
        for i in range(n):
            act = hotline if i % 2 else h.activity("packing")
            start = (utcnow() + dt.timedelta(hours=30 + 5 * i)).replace(minute=0, second=0, microsecond=0)
            s = h.shift(act, start=start, hours=4, capacity=(1, 3), place_=h.place())
            for o in others:
                db.session.add(Signup(shift=s, user_id=o.id, status=SignupStatus.CONFIRMED))
            s.confirmed_count = 3
            if i % 3 == 0:
                db.session.add(Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED))
            db.session.flush()
            # "I'm coming" answers show on the staffing page and the coverage board: no query each.
            first = db.session.scalar(sa.select(Signup.id).where(Signup.shift_id == s.id).order_by(Signup.id))
            db.session.add(Reply(signup_id=first, answer="coming"))
        db.session.commit()


@pytest.mark.parametrize("url,role", [("/shifts/mine", "v"), ("/shifts/open", "v"),
                                      ("/shifts/calendar/week", "v"), ("/shifts/calendar/month", "v"),
                                      ("/shifts/coverage", "coordinator"), ("/shifts/staffing", "coordinator")])
def test_query_count_does_not_grow(app, client, login, queries, setup, url, role):
    _grow(app, 2)  # some of everything, so the small case is not an empty-page special case
    if role == "v":
        login(get_user(app, setup["v"]))
    else:
        login("coordinator")
    client.get(url)
    with queries() as small:
        assert client.get(url).status_code == 200
    _grow(app, 12)
    with queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, "\n".join(
        ["SMALL:"] + [x[:150] for x in small.statements] + ["LARGE:"] + [x[:150] for x in large.statements])
