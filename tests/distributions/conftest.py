"""Distribution fixtures: a storeroom with rice, oil and a pack item, a recipe, and the two
activities a plan needs (hand-out and packing), all made through the services."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from logistics.distributions import plans
from logistics.extensions import db
from logistics.stock import recipes
from tests.shifts import helpers as h
from tests.stock.conftest import build_stock, make_item, receive

TIMES = plans.ShiftTimes(dt.time(14, 0), 180, dt.time(16, 0), 120)


def build() -> SimpleNamespace:
    ns = build_stock()
    ns.oil = make_item("Oil", "food", unit="bottle", expiry=True, by=ns.staff)
    ns.pack = make_item("Food pack (standard)", "food_pack", unit="pack", expiry=False, by=ns.staff)
    ns.family = make_item("Food pack (family)", "food_pack", unit="pack", expiry=False, by=ns.staff)
    ns.hygiene = make_item("Hygiene pack", "food_pack", unit="pack", expiry=False, by=ns.staff)
    ns.recipe = recipes.save_recipe(db.session, None, pack_item_id=ns.pack.id,
                                    lines=[(ns.rice.id, "2"), (ns.oil.id, "1")], by=ns.coordinator)
    ns.family_recipe = recipes.save_recipe(db.session, None, pack_item_id=ns.family.id,
                                           lines=[(ns.rice.id, "5"), (ns.oil.id, "2"), (ns.soap.id, "1")],
                                           by=ns.coordinator)
    ns.handout_activity = h.activity("food_distribution", capacity=(2, 6), name="Food pack distribution")
    ns.packing_activity = h.activity("packing", capacity=(2, 8), name="Packing food packs")
    db.session.commit()
    return ns


@pytest.fixture
def ns(app_ctx):
    return build()


def plan(ns, days, counts=None):
    return plans.create_plan(db.session, days=days, counts=counts or {ns.recipe.id: 10}, location=ns.storeroom,
                             place=None, times=TIMES, by=ns.coordinator)


def stock_up(ns, rice=100, oil=50, oil_days=60, soap=20):
    for item, qty, days in ((ns.rice, rice, None), (ns.oil, oil, oil_days), (ns.soap, soap, None)):
        if qty:
            receive(ns, item, qty, days=days)
    db.session.commit()


@pytest.fixture
def web(app):
    """The set-up built in its own app context, so client requests get theirs."""
    with app.app_context():
        return build()


@pytest.fixture
def data(app):
    """``with data(ns) as s:``: ``ns``'s objects in a fresh app context, committed at the end."""
    from tests.stock.conftest import attached
    return attached(app)
