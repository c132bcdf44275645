"""Packing (first-expiring-first, movements that reference the distribution, partial packing,
a short component refusing the whole), the hand-out, cancelling with the shifts' notices."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.distributions import packing, queries
from logistics.distributions.models import DistributionStatus
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.shifts import signups
from logistics.shifts.models import EventKind, ShiftStatus
from logistics.stock.models import Movement, MovementKind
from logistics.stock.queries.ledger import on_hand_by_item
from tests import factories
from tests.distributions.conftest import plan, stock_up
from tests.shifts import helpers as h
from tests.stock.conftest import receive

D = dt.date


def movements(session):
    return session.scalars(sa.select(Movement).order_by(Movement.id)).all()


def test_packing_turns_components_into_packs_first_expiring_first(ns):
    stock_up(ns, oil=0)
    old = receive(ns, ns.oil, 3, code="OLD", days=10)
    receive(ns, ns.oil, 10, code="NEW", days=90)
    d = plan(ns, [D(2026, 12, 8)])[0]
    db.session.commit()
    before = len(movements(db.session))
    packing.pack(db.session, d, {d.lines[0].id: 4}, by=ns.staff)
    db.session.commit()
    new = movements(db.session)[before:]
    assert all(m.kind == MovementKind.PACK and (m.reference_type, m.reference_id) == ("distribution", d.id)
               for m in new)
    oil = [(m.lot.code, m.quantity) for m in new if m.item_id == ns.oil.id]
    assert oil == [("OLD", Decimal(3)), ("NEW", Decimal(1))]
    on_hand = on_hand_by_item(db.session, ns.storeroom.id)
    assert on_hand[ns.rice.id] == Decimal(92) and on_hand[ns.pack.id] == Decimal(4)
    assert d.status == DistributionStatus.PACKED and d.lines[0].packed_packs == 4
    assert old.lot.code == "OLD"


def test_partial_packing_then_the_rest(ns):
    stock_up(ns)
    d = plan(ns, [D(2026, 12, 8)])[0]
    packing.pack(db.session, d, {d.lines[0].id: 4}, by=ns.staff)
    packing.pack(db.session, d, {d.lines[0].id: 6}, by=ns.staff)
    db.session.commit()
    assert d.lines[0].packed_packs == 10
    with pytest.raises(DomainError, match="Only 0 more packs"):
        packing.pack(db.session, d, {d.lines[0].id: 1}, by=ns.staff)


def test_a_short_component_refuses_the_whole_packing_and_says_by_how_much(ns):
    stock_up(ns, rice=100, oil=3)
    receive(ns, ns.oil, 5, code="BLOCKED", days=30)
    from logistics.stock import ledger
    from logistics.stock.models import Lot
    ledger.quarantine(db.session, db.session.scalar(sa.select(Lot).where(Lot.code == "BLOCKED")),
                      reason="recall", by=ns.staff)
    d = plan(ns, [D(2026, 12, 8)], {ns.recipe.id: 10, ns.family_recipe.id: 2})[0]
    db.session.commit()
    before = len(movements(db.session))
    lines = {line.pack_item_id: line.id for line in d.lines}
    with pytest.raises(packing.ShortForPacking) as err:
        packing.pack(db.session, d, {lines[ns.pack.id]: 10, lines[ns.family.id]: 2}, by=ns.staff)
    db.session.rollback()
    # Oil: 10×1 + 2×2 = 14 needed, 3 usable (5 blocked); soap 2 needed, 20 there.
    assert "Oil: 11 bottles short" in err.value.message
    assert "Rice" not in err.value.message
    assert len(movements(db.session)) == before
    assert d.status == DistributionStatus.PLANNED and all(line.packed_packs == 0 for line in d.lines)


@pytest.mark.parametrize("packs, message", [(0, "how many packs"), (-2, "zero or more"), (11, "Only 10 more")])
def test_bad_pack_counts(ns, packs, message):
    stock_up(ns)
    d = plan(ns, [D(2026, 12, 8)])[0]
    with pytest.raises(DomainError, match=message):
        packing.pack(db.session, d, {d.lines[0].id: packs}, by=ns.staff)


def test_packing_list_names_the_lots_to_take_first(ns):
    receive(ns, ns.rice, 100)
    receive(ns, ns.oil, 4, code="SOON", days=5)
    receive(ns, ns.oil, 4, code="LATER", days=50)
    receive(ns, ns.oil, 9, code="GONE", days=-1, confirm_past_expiry=True)
    d = plan(ns, [D(2026, 12, 8)])[0]
    picks = {p.item.name: p for p in queries.packing_list(db.session, d)}
    assert [(lot.code, q) for lot, q in picks["Oil"].lots] == [("SOON", 4), ("LATER", 4)]
    assert picks["Oil"].short == Decimal(2) and picks["Rice"].short == 0 and picks["Rice"].total == 20


def test_hand_out_completes_and_leftovers_stay_in_stock(ns):
    stock_up(ns)
    d = plan(ns, [D(2026, 12, 8)])[0]
    packing.pack(db.session, d, {d.lines[0].id: 10}, by=ns.staff)
    with pytest.raises(DomainError, match="Only 10 packs"):
        packing.record_handout(db.session, d, {d.lines[0].id: 11}, {}, by=ns.staff)
    with pytest.raises(DomainError, match="whole number"):
        packing.record_handout(db.session, d, {d.lines[0].id: 3}, {"women": -1}, by=ns.staff)
    packing.record_handout(db.session, d, {d.lines[0].id: 7}, {"women": 5, "men": 1, "not_stated": 1}, by=ns.staff)
    db.session.commit()
    assert d.status == DistributionStatus.COMPLETED and d.lines[0].handed_out_packs == 7
    assert (d.women, d.men, d.transgender, d.not_stated, d.people_counted) == (5, 1, None, 1, 7)
    assert on_hand_by_item(db.session, ns.storeroom.id)[ns.pack.id] == Decimal(3)
    with pytest.raises(Conflict):
        packing.record_handout(db.session, d, {d.lines[0].id: 1}, {}, by=ns.staff)


def test_cancel_cancels_the_shifts_so_their_people_hear_of_it(ns):
    d = plan(ns, [D(2026, 12, 8)])[0]
    volunteer = factories.user("volunteer")
    signups.sign_up(db.session, d.handout_shift, volunteer, by=volunteer)
    db.session.commit()
    packing.cancel(db.session, d, by=ns.coordinator)
    db.session.commit()
    assert d.status == DistributionStatus.CANCELLED
    assert d.handout_shift.status == ShiftStatus.CANCELLED and d.packing_shift.status == ShiftStatus.CANCELLED
    assert [e.kind for e in h.events(db.session, EventKind.SHIFT_CANCELLED)] == [EventKind.SHIFT_CANCELLED]
    assert "distribution.cancelled" in h.actions(db.session)
    with pytest.raises(Conflict):
        packing.pack(db.session, d, {d.lines[0].id: 1}, by=ns.staff)
    # The day is free again for a new distribution.
    from logistics.distributions import plans
    from tests.distributions.conftest import TIMES
    plans.add_distribution(db.session, day=d.day, recipes=[(ns.recipe, 5)], location=ns.storeroom,
                           handout_activity=ns.handout_activity, packing_activity=None, place=None,
                           times=TIMES, by=ns.coordinator)


def test_change_planned_packs_not_below_what_is_packed(ns):
    stock_up(ns)
    d = plan(ns, [D(2026, 12, 8)])[0]
    line = d.lines[0]
    packing.pack(db.session, d, {line.id: 4}, by=ns.staff)
    for bad, message in ((3, "already packed"), (0, "from 1 to"), (-1, "from 1 to"), ("x", "from 1 to")):
        with pytest.raises(DomainError, match=message):
            packing.change_planned(db.session, d, {line.id: bad}, by=ns.coordinator)
    packing.change_planned(db.session, d, {line.id: 6}, by=ns.coordinator)
    assert line.planned_packs == 6 and "distribution.changed" in h.actions(db.session)
