"""Fixtures for notifications: a volunteer on a shift, and a helper to run the sweep and
the jobs it queues on the real Redis against the real SMTP server."""
from __future__ import annotations

import pytest

from logistics.extensions import db
from logistics.notifications import collect
from tests import factories
from tests.shifts import helpers as h


@pytest.fixture
def sweep(app, run_jobs):
    """Run one sweep (as the worker would) and then every job it queued; return the counts."""

    def run() -> dict:
        with app.app_context():
            made = collect.sweep(db.session)
            db.session.commit()
        run_jobs()
        return made

    return run


@pytest.fixture
def on_shift(app):
    """A volunteer confirmed on a packing shift three days ahead (ids)."""
    from logistics.shifts import signups

    with app.app_context():
        v = factories.user(full_name="Vera Volunteer", email="vera@example.org")
        act = h.activity("packing", name="Packing food packs")
        place = h.place("Office", address="Nørrebrogade 1")
        shift = h.shift(act, in_days=3, place_=place)
        signup = signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
        return {"user": v.id, "shift": shift.id, "signup": signup.id, "activity": act.id}
