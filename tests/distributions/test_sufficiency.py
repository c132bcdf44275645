"""Sufficiency over the next 8 weeks, with earlier needs, lots expiring before a day and
blocked lots, figures worked out by hand."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logistics.distributions import packing, sufficiency
from logistics.extensions import db
from logistics.stock import ledger
from logistics.stock.models import Lot
from tests.distributions.conftest import plan
from tests.stock.conftest import receive

D = dt.date


def table(checks):
    return [(c.distribution.day, [(line.item.name, line.need, line.available, line.short) for line in c.lines])
            for c in checks]


def test_earlier_needs_expiry_and_quarantine(ns):
    # Today is 25 Nov 2026. Rice 50 kg (no expiry). Oil: 12 expiring 10 Dec, 10 expiring
    # 1 Mar, 8 blocked.
    receive(ns, ns.rice, 50)
    receive(ns, ns.oil, 12, code="DEC", days=15)
    receive(ns, ns.oil, 10, code="MAR", days=96)
    receive(ns, ns.oil, 8, code="RECALL", days=200)
    ledger.quarantine(db.session, db.session.scalar(sa.select(Lot).where(Lot.code == "RECALL")),
                      reason="recall", by=ns.staff)
    plan(ns, [D(2026, 12, 8), D(2026, 12, 22), D(2027, 1, 12)], {ns.recipe.id: 10})
    plan(ns, [D(2027, 3, 2)], {ns.recipe.id: 10})  # beyond 8 weeks: not checked
    db.session.commit()
    checks = sufficiency.check(db.session)
    assert table(checks) == [
        # 8 Dec: rice 20 of 50; oil 10 of 22 usable (12 DEC + 10 MAR), taken from DEC first.
        (D(2026, 12, 8), [("Oil", 10, 22, 0), ("Rice", 20, 50, 0)]),
        # 22 Dec: DEC has expired (2 left of it are gone), MAR 10: oil 10 of 10; rice 20 of 30.
        (D(2026, 12, 22), [("Oil", 10, 10, 0), ("Rice", 20, 30, 0)]),
        # 12 Jan: oil 0 left, 10 short; rice 10 of 20 needed: 10 short.
        (D(2027, 1, 12), [("Oil", 10, 0, 10), ("Rice", 20, 10, 10)]),
    ]
    assert sufficiency.short_count(db.session) == 1


def test_packed_packs_need_nothing_more(ns):
    receive(ns, ns.rice, 20)
    receive(ns, ns.oil, 10, days=60)
    first, second = plan(ns, [D(2026, 12, 8), D(2026, 12, 22)], {ns.recipe.id: 10})
    packing.pack(db.session, first, {first.lines[0].id: 10}, by=ns.staff)
    db.session.commit()
    assert table(sufficiency.check(db.session)) == [
        (D(2026, 12, 22), [("Oil", 10, 0, 10), ("Rice", 20, 0, 20)])]
    assert sufficiency.check(db.session, weeks=1) == []


def test_short_count_is_checks_count_in_two_statements(ns, queries):
    # The start page's count reads rows, not objects: the same arithmetic as check().
    receive(ns, ns.rice, 45)
    receive(ns, ns.oil, 12, code="DEC", days=15)
    receive(ns, ns.oil, 25, code="MAR", days=96)
    days = [D(2026, 12, 1), D(2026, 12, 8), D(2026, 12, 15), D(2026, 12, 22), D(2027, 1, 5), D(2027, 1, 12)]
    first, *_rest = plan(ns, days, {ns.recipe.id: 5})
    packing.pack(db.session, first, {first.lines[0].id: 3}, by=ns.staff)
    db.session.commit()
    checks = sufficiency.check(db.session)
    by_check = sum(1 for c in checks if c.short_lines)
    assert 0 < by_check < len(checks)
    with queries() as q:
        assert sufficiency.short_count(db.session) == by_check > 0
    assert q.count == 2
    assert sufficiency.short_count(db.session, weeks=2) == sum(
        1 for c in sufficiency.check(db.session, weeks=2) if c.short_lines)
