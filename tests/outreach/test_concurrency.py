"""Races with real threads, each with its own session, on SQLite and PostgreSQL: members
starting the tally at once make one tally; two sweeps at once alert once; a double tap
checks out once."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.errors import Conflict
from logistics.extensions import db
from logistics.outreach import checkouts, tallies
from logistics.outreach.models import Alert, Checkout, Tally
from logistics.people.models import User
from logistics.shifts.models import Shift
from tests.outreach.helpers import ended_shift
from tests.shifts.test_concurrency import _race

pytestmark = pytest.mark.concurrency


def _setup(app, people=4):
    with app.app_context():
        shift, members = ended_shift(people=people, ended_ago=dt.timedelta(hours=1))
        db.session.commit()
        return shift.id, [m.id for m in members]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_members_starting_the_tally_at_once_make_one(app):
    shift_id, ids = _setup(app)

    def job(uid):
        def start(session):
            return tallies.save(session, session.get(Shift, shift_id), counts={"women": 2}, referrals={},
                                by=session.get(User, uid)).id
        return start

    results = _race(app, [job(uid) for uid in ids])
    assert not [r for r in results if isinstance(r, tuple)], results
    assert all(isinstance(r, int | Conflict) for r in results), results
    assert _count(app, Tally) == 1


def test_two_sweeps_at_once_alert_once(app):
    _setup(app)
    results = _race(app, [lambda s: checkouts.alert_due(s) for _ in range(3)])
    assert sorted(results) == [0, 0, 1], results
    assert _count(app, Alert) == 1


def test_a_double_tap_checks_out_once(app):
    shift_id, ids = _setup(app, people=2)

    def tap(session):
        return checkouts.back_safe(session, session.get(Shift, shift_id), by=session.get(User, ids[0])).id

    results = _race(app, [tap, tap, tap])
    assert len(set(results)) == 1, results
    assert _count(app, Checkout) == 1
