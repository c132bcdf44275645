"""The ledger's services and reads: receive, issue first-expiring-first, transfer, discard,
adjust, undo, quarantine and trace, the overview, the level series and verify. Each change
must keep ledger = balance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.clock import today
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.stock import catalogue, ledger
from logistics.stock.models import Balance, Lot, Movement, MovementKind
from logistics.stock.queries import ledger as ledger_queries
from tests.stock.conftest import assert_consistent, audit_actions, on_hand, receive


def balance(item, location, lot=None) -> Decimal:
    stmt = sa.select(sa.func.sum(Balance.qty)).where(Balance.item_id == item.id, Balance.location_id == location.id)
    if lot is not None:
        stmt = stmt.where(Balance.lot_id == lot.id)
    raw = db.session.scalar(stmt)
    return Decimal(raw or 0) / 1000 if isinstance(raw, int) else Decimal(raw or 0)


# --- receive ------------------------------------------------------------------------------

def test_receive_creates_lot_movement_and_balance(stock):
    m = receive(stock, stock.pills, 40, code="A1", days=100, source_kind="donor", source_name="Pharmacy Nord",
                unit_cost="1.25")
    db.session.commit()
    assert m.kind == MovementKind.RECEIVE and m.quantity == 40 and m.to_location_id == stock.storeroom.id
    assert m.lot.code == "A1" and m.lot.expires_on == today() + dt.timedelta(days=100)
    assert m.unit_cost == Decimal("1.25") and m.source_name == "Pharmacy Nord"
    assert on_hand(stock.pills, stock.storeroom) == 40
    receive(stock, stock.pills, 10, code="A1", days=100)
    assert on_hand(stock.pills, stock.storeroom) == 50
    assert db.session.scalar(sa.select(sa.func.count(Lot.id)).where(Lot.item_id == stock.pills.id)) == 1
    assert_consistent()


def test_receive_fractional_unit_and_item_without_lot(stock):
    receive(stock, stock.rice, "12.5")
    receive(stock, stock.rice, "0,25")
    assert on_hand(stock.rice, stock.storeroom) == Decimal("12.75")
    receive(stock, stock.soap, 3)
    lots = db.session.scalars(sa.select(Lot).where(Lot.item_id == stock.soap.id)).all()
    assert [lot.code for lot in lots] == [""]
    assert_consistent()


@pytest.mark.parametrize("qty, message", [
    (0, "above zero"), (-3, "above zero"), ("2.5", "whole"), (10_000_000, "far more"), ("abc", "Enter a number"),
    ("", "Enter a number"), ("nan", "Enter a number"), ("1e3", "whole number") ,
])
def test_receive_refuses_bad_quantities(stock, qty, message):
    if qty == "1e3":  # 1000 is fine for pieces; a fractional exponent form is not
        qty = "1.5e0"
    with pytest.raises(catalogue.InvalidQuantity) as exc:
        receive(stock, stock.soap, qty)
    assert message in exc.value.message and exc.value.field == "quantity"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Movement.id))) == 0


def test_receive_refuses_more_than_three_decimals(stock):
    with pytest.raises(catalogue.InvalidQuantity, match="three decimals"):
        receive(stock, stock.rice, "1.0005")


def test_receive_requires_expiry_for_expiring_item(stock):
    with pytest.raises(DomainError) as exc:
        receive(stock, stock.pills, 5, code="X")
    assert exc.value.field == "expires_on" and "expiry date" in exc.value.message


def test_receive_past_expiry_needs_confirmation(stock):
    with pytest.raises(DomainError) as exc:
        receive(stock, stock.pills, 5, code="OLD", days=-3)
    assert exc.value.field == "expires_on" and "past" in exc.value.message
    db.session.rollback()
    m = receive(stock, stock.pills, 5, code="OLD", days=-3, confirm_past_expiry=True)
    assert m.lot.expires_on < today()


def test_receive_refuses_lot_with_other_expiry(stock):
    receive(stock, stock.pills, 5, code="L1", days=50)
    with pytest.raises(DomainError, match="already recorded with expiry"):
        receive(stock, stock.pills, 5, code="L1", days=60)


def test_receive_refuses_bad_unit_cost(stock):
    with pytest.raises(DomainError) as exc:
        receive(stock, stock.soap, 5, unit_cost="-2")
    assert exc.value.field == "unit_cost"


# --- issue and FEFO -------------------------------------------------------------------------

def test_issue_takes_first_expiring_first(stock):
    late = receive(stock, stock.pills, 10, code="LATE", days=200).lot
    early = receive(stock, stock.pills, 4, code="EARLY", days=20).lot
    mid = receive(stock, stock.pills, 5, code="MID", days=90).lot
    movements = ledger.issue(db.session, item=stock.pills, quantity=7, location=stock.storeroom,
                               reason="outreach", by=stock.staff)
    assert [(m.lot.code, m.quantity) for m in movements] == [("EARLY", 4), ("MID", 3)]
    assert balance(stock.pills, stock.storeroom, early) == 0
    assert balance(stock.pills, stock.storeroom, mid) == 2
    assert balance(stock.pills, stock.storeroom, late) == 10
    assert_consistent()


def test_issue_skips_expired_and_quarantined_lots(stock):
    expired = receive(stock, stock.pills, 5, code="EXP", days=-1, confirm_past_expiry=True).lot
    blocked = receive(stock, stock.pills, 5, code="BLK", days=10).lot
    good = receive(stock, stock.pills, 5, code="OK", days=30).lot
    ledger.quarantine(db.session, blocked, reason="Recall 2026-11", by=stock.coordinator)
    movements = ledger.issue(db.session, item=stock.pills, quantity=5, location=stock.storeroom, by=stock.staff)
    assert {m.lot_id for m in movements} == {good.id}
    with pytest.raises(ledger.InsufficientStock) as exc:
        ledger.issue(db.session, item=stock.pills, quantity=1, location=stock.storeroom, by=stock.staff)
    assert "Only 0" in exc.value.message and "10 more are expired or blocked" in exc.value.message
    assert expired.id != good.id


def test_issue_from_chosen_lot(stock):
    receive(stock, stock.pills, 5, code="EARLY", days=20)
    late = receive(stock, stock.pills, 5, code="LATE", days=200).lot
    movements = ledger.issue(db.session, item=stock.pills, quantity=2, location=stock.storeroom, lot=late,
                               by=stock.staff)
    assert [m.lot_id for m in movements] == [late.id]


def test_insufficient_stock_says_what_is_available(stock):
    receive(stock, stock.soap, 3)
    db.session.commit()
    with pytest.raises(ledger.InsufficientStock) as exc:
        ledger.issue(db.session, item=stock.soap, quantity=5, location=stock.storeroom, by=stock.staff)
    assert exc.value.available == 3 and exc.value.field == "quantity"
    assert "Only 3 pcs of Soap available at Storeroom" in exc.value.message
    db.session.rollback()
    assert on_hand(stock.soap, stock.storeroom) == 3


def test_issue_refuses_quarantined_or_expired_lot_chosen(stock):
    lot = receive(stock, stock.pills, 5, code="BLK", days=10).lot
    ledger.quarantine(db.session, lot, reason="recall", by=stock.coordinator)
    with pytest.raises(DomainError, match="blocked") as exc:
        ledger.issue(db.session, item=stock.pills, quantity=1, location=stock.storeroom, lot=lot, by=stock.staff)
    assert exc.value.field == "lot_id"
    old = receive(stock, stock.pills, 5, code="OLD", days=-2, confirm_past_expiry=True).lot
    with pytest.raises(DomainError, match="expired"):
        ledger.issue(db.session, item=stock.pills, quantity=1, location=stock.storeroom, lot=old, by=stock.staff)


def test_issue_with_reference(stock):
    receive(stock, stock.soap, 3)
    [m] = ledger.issue(db.session, item=stock.soap, quantity=1, location=stock.storeroom,
                         reference=("shift", 42), by=stock.staff)
    assert (m.reference_type, m.reference_id) == ("shift", 42)


# --- transfer, discard, adjust, undo --------------------------------------------------------

def test_transfer_moves_between_locations(stock):
    receive(stock, stock.soap, 10)
    ledger.transfer(db.session, item=stock.soap, quantity=4, from_location=stock.storeroom,
                      to_location=stock.kitchen, by=stock.staff)
    assert on_hand(stock.soap, stock.storeroom) == 6 and on_hand(stock.soap, stock.kitchen) == 4
    assert_consistent()


def test_transfer_to_same_location_is_refused(stock):
    receive(stock, stock.soap, 10)
    with pytest.raises(DomainError) as exc:
        ledger.transfer(db.session, item=stock.soap, quantity=4, from_location=stock.storeroom,
                          to_location=stock.storeroom, by=stock.staff)
    assert exc.value.field == "to_location_id" and "different" in exc.value.message


def test_discard_needs_reason_takes_unusable_first_and_is_audited(stock):
    old = receive(stock, stock.pills, 3, code="OLD", days=-5, confirm_past_expiry=True).lot
    receive(stock, stock.pills, 10, code="NEW", days=100)
    with pytest.raises(DomainError) as exc:
        ledger.discard(db.session, item=stock.pills, quantity=3, location=stock.storeroom, lot=None, reason=" ",
                         by=stock.staff)
    assert exc.value.field == "reason"
    movements = ledger.discard(db.session, item=stock.pills, quantity=3, location=stock.storeroom, lot=None,
                                 reason="expired", by=stock.staff)
    assert [m.lot_id for m in movements] == [old.id]
    assert "stock.discarded" in audit_actions()
    assert_consistent()


def test_adjust_up_and_down_is_audited(stock):
    receive(stock, stock.soap, 5)
    ledger.adjust(db.session, item=stock.soap, quantity=2, location=stock.storeroom, lot=None, increase=True,
                    reason="Found a box", by=stock.coordinator)
    ledger.adjust(db.session, item=stock.soap, quantity=4, location=stock.storeroom, lot=None, increase=False,
                    reason="Water damage", by=stock.coordinator)
    assert on_hand(stock.soap, stock.storeroom) == 3
    assert audit_actions().count("stock.adjusted") == 2
    with pytest.raises(DomainError):
        ledger.adjust(db.session, item=stock.soap, quantity=1, location=stock.storeroom, lot=None, increase=True,
                        reason="", by=stock.coordinator)
    assert_consistent()


def test_undo_is_a_compensating_movement(stock):
    received = receive(stock, stock.soap, 5)
    [moved] = ledger.transfer(db.session, item=stock.soap, quantity=2, from_location=stock.storeroom,
                                to_location=stock.kitchen, by=stock.staff)
    back = ledger.undo(db.session, moved, by=stock.coordinator)
    assert back.kind == MovementKind.TRANSFER and back.from_location_id == stock.kitchen.id
    assert back.reverses_id == moved.id
    assert on_hand(stock.soap, stock.kitchen) == 0 and on_hand(stock.soap, stock.storeroom) == 5
    with pytest.raises(Conflict, match="already been undone"):
        ledger.undo(db.session, moved, by=stock.coordinator)
    undo_receive = ledger.undo(db.session, received, by=stock.coordinator)
    assert undo_receive.kind == MovementKind.ADJUST and undo_receive.from_location_id == stock.storeroom.id
    assert on_hand(stock.soap, stock.storeroom) == 0
    assert db.session.scalar(sa.select(sa.func.count(Movement.id))) == 4  # nothing deleted
    assert_consistent()


def test_undo_of_receive_refused_when_stock_already_gone(stock):
    received = receive(stock, stock.soap, 5)
    ledger.issue(db.session, item=stock.soap, quantity=4, location=stock.storeroom, by=stock.staff)
    with pytest.raises(ledger.InsufficientStock):
        ledger.undo(db.session, received, by=stock.coordinator)


def test_balance_check_constraint_backs_the_rule(stock):
    receive(stock, stock.soap, 1)
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Balance).values(qty=Balance.qty - 5))
        db.session.flush()
    db.session.rollback()


# --- quarantine and trace ---------------------------------------------------------------------

def test_quarantine_blocks_pack_and_issue_and_release_restores(stock):
    lot = receive(stock, stock.pills, 10, code="R1", days=60).lot
    ledger.issue(db.session, item=stock.pills, quantity=3, location=stock.storeroom, reason="outreach",
                   by=stock.staff)
    ledger.transfer(db.session, item=stock.pills, quantity=2, from_location=stock.storeroom,
                      to_location=stock.kitchen, by=stock.staff)
    ledger.quarantine(db.session, lot, reason="Recall notice 12", by=stock.coordinator)
    with pytest.raises(Conflict):
        ledger.quarantine(db.session, lot, reason="again", by=stock.coordinator)
    with pytest.raises(ledger.InsufficientStock):
        ledger.issue(db.session, item=stock.pills, quantity=1, location=stock.storeroom, by=stock.staff)
    t = ledger_queries.trace(db.session, lot)
    assert t.received == 10
    assert t.out == {"issue:outreach": 3}
    assert sorted((loc.name, q) for loc, q in t.left) == [("Kitchen", 2), ("Storeroom", 5)]
    # A blocked lot may still be discarded (the recall) or moved to a quarantine shelf.
    ledger.discard(db.session, item=stock.pills, quantity=2, location=stock.kitchen, lot=lot, reason="recall",
                     by=stock.staff)
    ledger.release(db.session, lot, by=stock.coordinator)
    ledger.issue(db.session, item=stock.pills, quantity=1, location=stock.storeroom, by=stock.staff)
    assert {"stock.lot_quarantined", "stock.lot_released"} <= set(audit_actions())
    assert_consistent()


# --- the overview and the level series ----------------------------------------------------------

def test_overview_totals_badge_and_nearest_expiry(stock):
    receive(stock, stock.pills, 5, code="A", days=50)
    receive(stock, stock.pills, 5, code="B", days=20, location=stock.kitchen)
    catalogue.set_min_level(db.session, stock.pills, "20", by=stock.coordinator)
    rows, count = ledger_queries.overview(db.session)
    row = next(r for r in rows if r.item.id == stock.pills.id)
    assert row.total == 10 and row.below_minimum and row.nearest_expiry == today() + dt.timedelta(days=20)
    rows, _ = ledger_queries.overview(db.session, location_id=stock.storeroom.id)
    assert [(r.item.id, r.on_hand, r.nearest_expiry) for r in rows] == [
        (stock.pills.id, 5, today() + dt.timedelta(days=50))]
    rows, _ = ledger_queries.overview(db.session, q="para")
    assert [r.item.id for r in rows] == [stock.pills.id]
    rows, _ = ledger_queries.overview(db.session, below_only=True)
    assert [r.item.id for r in rows] == [stock.pills.id]


def test_level_series_walks_back_from_today(stock):
    from logistics import clock

    now = clock.utcnow()
    with clock.frozen(now - dt.timedelta(days=10)):
        receive(stock, stock.soap, 10)
    with clock.frozen(now - dt.timedelta(days=5)):
        ledger.issue(db.session, item=stock.soap, quantity=4, location=stock.storeroom, by=stock.staff)
    ledger.transfer(db.session, item=stock.soap, quantity=2, from_location=stock.storeroom,
                      to_location=stock.kitchen, by=stock.staff)
    series = ledger_queries.level_series(db.session, stock.soap.id, Decimal(6), days=30)
    levels = [q for _d, q in series]
    assert levels[0] == 0 and levels[-1] == 6 and max(levels) == 10 and len(series) == 30


# --- verify ---------------------------------------------------------------------------------------

def test_every_balance_carries_its_lots_expiry_date(stock):
    """The start page counts expiring and expired stock from the balances' copy of the lot's
    expiry date: a receipt, a transfer to a new place, a lot without expiry, an undo and a
    bulk load all write it."""
    from logistics.stock import bulk

    soon = receive(stock, stock.pills, 10, code="S1", days=5).lot
    plain = receive(stock, stock.soap, 4).lot  # no expiry
    ledger.transfer(db.session, item=stock.pills, quantity=3, from_location=stock.storeroom,
                    to_location=stock.kitchen, by=stock.staff)
    moved = ledger.transfer(db.session, item=stock.soap, quantity=1, from_location=stock.storeroom,
                            to_location=stock.kitchen, by=stock.staff)
    ledger.undo(db.session, moved[0], reason="wrong shelf", by=stock.coordinator)
    later = Lot(item_id=stock.pills.id, code="B2", expires_on=today() + dt.timedelta(days=90))
    db.session.add(later)
    db.session.flush()
    bulk.load(db.session, [dict(kind=MovementKind.RECEIVE, item_id=stock.pills.id, lot_id=later.id,
                                quantity=Decimal(6), to_location_id=stock.kitchen.id, at=dt.datetime.now(dt.UTC))])
    db.session.commit()
    rows = {(lot_id, location_id): expires for lot_id, location_id, expires in db.session.execute(
        sa.select(Balance.lot_id, Balance.location_id, Balance.expires_on))}
    assert rows == {(soon.id, stock.storeroom.id): soon.expires_on, (soon.id, stock.kitchen.id): soon.expires_on,
                    (plain.id, stock.storeroom.id): None, (plain.id, stock.kitchen.id): None,
                    (later.id, stock.kitchen.id): later.expires_on}
    assert_consistent()


def test_verify_finds_a_balance_without_its_lots_expiry_date_and_it_can_be_copied(stock):
    lot = receive(stock, stock.pills, 5, code="S1", days=5).lot
    db.session.execute(sa.update(Balance).values(expires_on=None))
    result = ledger.verify(db.session)
    assert result.differences == [] and result.expiry_differences == [(stock.pills.id, lot.id, stock.storeroom.id)]
    assert ledger.copy_lot_expiry(db.session) == 1
    assert db.session.scalar(sa.select(Balance.expires_on)) == lot.expires_on
    assert_consistent()


def test_verify_finds_a_tampered_balance(stock):
    receive(stock, stock.soap, 5)
    assert assert_consistent().checked == 1
    db.session.execute(sa.update(Balance).values(qty=Decimal(7)))
    result = ledger.verify(db.session)
    assert result.checked == 1 and [(d[3], d[4]) for d in result.differences] == [(7, 5)]
