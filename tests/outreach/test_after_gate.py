"""The start page asks for "How did it go?" (after_shifts) only when the person's sign-up rows
say it can find something (anything_after): the two must agree, case by case."""
from __future__ import annotations

import datetime as dt

import pytest

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.outreach import queries
from logistics.shifts import mine
from logistics.shifts.models import ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.outreach.helpers import ended_shift
from tests.shifts import helpers as h


def _on(shift, user, **fields):
    db.session.add(Signup(shift_id=shift.id, user_id=user.id, confirmed_at=utcnow(), **fields))
    db.session.flush()


def _cases():
    """(name, make, found) where make(user) puts the person on one shift."""
    def ended(kind="street_outreach", ago=dt.timedelta(hours=2), **fields):
        def make(user):
            shift, _ = ended_shift(kind, ended_ago=ago, people=0)
            _on(shift, user, **{"status": SignupStatus.CONFIRMED, **fields})
            return shift
        return make

    def cancelled(user):
        shift = ended()(user)
        shift.status = ShiftStatus.CANCELLED
        return shift

    def coming(user):
        shift = h.shift(h.activity("street_outreach"), in_days=1)
        _on(shift, user, status=SignupStatus.CONFIRMED)
        return shift

    return [
        ("outreach ended two hours ago", ended(), True),
        ("hotline ended yesterday", ended("hotline", dt.timedelta(days=1)), True),
        ("prison visit six days ago", ended("prison_visit", dt.timedelta(days=6)), True),
        ("outreach ended eight days ago", ended(ago=dt.timedelta(days=8)), False),
        ("packing (no tally)", ended("packing"), False),
        ("marked absent", ended(attended=False), False),
        ("marked present", ended(attended=True), True),
        ("on the waitlist", ended(status=SignupStatus.WAITLISTED, position=1), False),
        ("shift cancelled", cancelled, False),
        ("shift still to come", coming, False),
    ]


@pytest.mark.parametrize("name,make,found", _cases(), ids=[name for name, *_rest in _cases()])
def test_the_rows_say_what_after_shifts_finds(app_ctx, name, make, found):
    me = factories.user()
    make(me)
    db.session.commit()
    now = utcnow()
    rows = mine.signup_rows(db.session, me, since=now - dt.timedelta(days=queries.FLOW_DAYS))
    assert bool(queries.after_shifts(db.session, me, now=now)) is found, name
    assert queries.anything_after(rows, now=now) is found, name
