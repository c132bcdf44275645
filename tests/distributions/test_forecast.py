"""The run-out forecast on a hand-made history, every figure worked out by hand here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from logistics.clock import frozen, localize
from logistics.distributions import forecast
from logistics.extensions import db
from logistics.stock import ledger
from tests.distributions.conftest import plan
from tests.stock.conftest import receive

D = dt.date


def test_forecast_on_a_hand_made_history(ns):
    # History: soap issued for outreach 90 units over the last 90 days (1 a day); 30 rice
    # issued for a distribution (planned use, left out of the average); 9 oil for outreach
    # 100 days ago (outside the window).
    with frozen(localize(dt.datetime(2026, 8, 17, 12))):  # 100 days before 25 Nov
        receive(ns, ns.oil, 9, days=400)
        ledger.issue(db.session, item=ns.oil, quantity=9, location=ns.storeroom, reason="outreach", by=ns.staff)
    with frozen(localize(dt.datetime(2026, 9, 1, 12))):
        receive(ns, ns.soap, 200)
        receive(ns, ns.rice, 30)
        ledger.issue(db.session, item=ns.soap, quantity=60, location=ns.storeroom, reason="outreach", by=ns.staff,
                     reference=("outreach", 1))
        ledger.issue(db.session, item=ns.rice, quantity=30, location=ns.storeroom, reason="distribution",
                     by=ns.staff, reference=("distribution", 99))
    with frozen(localize(dt.datetime(2026, 11, 20, 12))):
        ledger.issue(db.session, item=ns.soap, quantity=30, location=ns.storeroom, reason="hand_out", by=ns.staff)
    # Now (25 Nov): soap 110 on hand, rice 0 → receive 25 kg rice; oil: 6 expiring 5 Dec,
    # 10 expiring in a year.
    receive(ns, ns.rice, 25)
    receive(ns, ns.oil, 6, code="DEC5", days=10)
    receive(ns, ns.oil, 10, code="LATE", days=365)
    # Distributions: 10 standard packs (2 rice + 1 oil each) on 8 Dec and 22 Dec.
    plan(ns, [D(2026, 12, 8), D(2026, 12, 22)], {ns.recipe.id: 10})
    db.session.commit()

    assert forecast.daily_use(db.session) == {ns.soap.id: Decimal(1)}  # 90 / 90; rice and old oil not
    rows = {f.item.name: f for f in forecast.forecast(db.session)}
    # Soap: 110 on hand, 1 a day from 25 Nov: the 110th is used on 15 Mar... beyond 8 weeks
    # (horizon ends 19 Jan): never runs out in it.
    assert rows["Soap"].runs_out_on is None and rows["Soap"].on_hand == 110
    # Rice: 25 kg; 8 Dec takes 20 (5 left); 22 Dec needs 20: runs out on 22 Dec, 15 short.
    assert rows["Rice"].runs_out_on == D(2026, 12, 22) and rows["Rice"].short == 15
    assert rows["Rice"].planned == 40
    # Oil: 16 usable; 8 Dec takes 10 (DEC5 expired on 5 Dec first: 6 gone) → 10 of LATE: 0
    # left; 22 Dec needs 10: short 10 on 22 Dec.
    assert rows["Oil"].expiring == 6
    assert rows["Oil"].runs_out_on == D(2026, 12, 22) and rows["Oil"].short == 10
    buy = {r.item.name: (r.by, r.quantity, r.reason) for r in forecast.shopping_list(db.session)}
    assert buy == {"Rice": (D(2026, 12, 22), Decimal(15), "forecast"), "Oil": (D(2026, 12, 22), 10, "forecast")}


def test_below_minimum_is_one_view_of_the_shopping_list(ns):
    from logistics.stock import catalogue
    catalogue.set_min_level(db.session, ns.soap, "30", by=ns.coordinator)
    receive(ns, ns.soap, 12)
    db.session.commit()
    assert [(r.item.name, r.by, r.quantity, r.reason) for r in forecast.shopping_list(db.session)] == [
        ("Soap", D(2026, 11, 25), Decimal(18), "minimum")]
