"""Two threads pack two distributions from the same lots at once: one packs, the other is
refused as a whole, and the ledger still adds up (SQLite by default, PostgreSQL with
DATABASE_URL). Two coordinators plan the same month at once: one plan, a clear refusal."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.distributions import packing, plans
from logistics.distributions.models import Distribution
from logistics.errors import Conflict
from logistics.extensions import db
from logistics.people.models import User
from logistics.stock import ledger
from logistics.stock.models import Location, Movement
from tests.distributions.conftest import TIMES, plan, stock_up
from tests.stock.test_concurrency import run_threads

pytestmark = pytest.mark.concurrency


def test_two_threads_packing_from_the_same_lots(app, ns):
    stock_up(ns, rice=30, oil=30)
    first, second = plan(ns, [dt.date(2026, 12, 8), dt.date(2026, 12, 22)])
    db.session.commit()
    ids = [(first.id, first.lines[0].id), (second.id, second.lines[0].id)]

    def work(i):
        d = db.session.get(Distribution, ids[i][0])
        try:
            packing.pack(db.session, d, {ids[i][1]: 10}, by=db.session.get(User, ns.staff.id))
            db.session.commit()
            return "packed"
        except packing.ShortForPacking as exc:
            db.session.rollback()
            return exc.message

    results = run_threads(app, 2, work)
    assert results.count("packed") == 1, results
    assert "Rice: 10 kg short" in [r for r in results if r != "packed"][0]
    db.session.expire_all()
    assert not ledger.verify(db.session).differences
    packed = db.session.scalar(sa.select(sa.func.count()).select_from(Movement)
                               .where(Movement.reference_type == "distribution"))
    assert packed == 3  # rice, oil, the packs: one packing only


def test_two_coordinators_plan_the_same_month_at_once(app, ns):
    location_id, coordinator_id = ns.storeroom.id, ns.coordinator.id

    def work(i):
        try:
            plans.create_plan(db.session, days=[dt.date(2027, 1, 12 + i)], counts={ns.recipe.id: 5},
                              location=db.session.get(Location, location_id), place=None, times=TIMES,
                              by=db.session.get(User, coordinator_id))
            db.session.commit()
            return "planned"
        except Conflict as exc:
            db.session.rollback()
            return exc.message

    results = run_threads(app, 2, work)
    assert results.count("planned") == 1, results
    assert "just been planned by someone else" in [r for r in results if r != "planned"][0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Distribution)) == 1
