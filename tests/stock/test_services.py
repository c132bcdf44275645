"""Stock services: every operation, first-expiring-first, quarantine, counts, kits, the
double submit and each kind of bad input. Each change must keep ledger = balance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.clock import today
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.stock import catalogue, counts, kits, ledger, tokens
from logistics.stock.models import Balance, FormToken, Lot, Movement, MovementKind, Stocktake
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import kits as kits_queries
from logistics.stock.queries import ledger as ledger_queries
from logistics.stock.queries import lists as lists_queries
from tests.stock.conftest import make_item, receive


def balance(item, location, lot=None) -> Decimal:
    stmt = sa.select(sa.func.sum(Balance.qty)).where(Balance.item_id == item.id, Balance.location_id == location.id)
    if lot is not None:
        stmt = stmt.where(Balance.lot_id == lot.id)
    raw = db.session.scalar(stmt)
    return Decimal(raw or 0) / 1000 if isinstance(raw, int) else Decimal(raw or 0)


def on_hand(item, location) -> Decimal:
    return ledger_queries.on_hand_by_item(db.session, location.id, [item.id]).get(item.id, Decimal(0))


def assert_consistent():
    result = ledger.verify(db.session)
    assert result.differences == []
    return result


def audit_actions():
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id))]


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


def test_unknown_item_is_refused(stock):
    with pytest.raises(DomainError) as exc:
        catalogue.get_item(db.session, 99999)
    assert exc.value.field == "item_id" and "does not exist" in exc.value.message
    with pytest.raises(DomainError):
        catalogue.get_item(db.session, "not-a-number")
    stock.soap.is_active = False
    with pytest.raises(DomainError):
        catalogue.get_item(db.session, stock.soap.id)


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


# --- stocktake ---------------------------------------------------------------------------------

def test_stocktake_save_part_way_then_finish(stock):
    a = receive(stock, stock.soap, 10).lot
    b = receive(stock, stock.pills, 6, code="P", days=40).lot
    take = counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    assert {line.lot_id: line.expected_qty for line in take.lines} == {a.id: 10, b.id: 6}
    by_lot = {line.lot_id: line for line in take.lines}
    assert counts.save_counts(db.session, take, {by_lot[a.id].id: "8"}, by=stock.staff) == 1
    db.session.commit()
    counts.save_counts(db.session, take, {by_lot[b.id].id: "7"}, by=stock.staff)
    movements = counts.finish_stocktake(db.session, take, by=stock.staff)
    assert sorted((m.lot_id, m.quantity, m.from_location_id is None) for m in movements) == sorted(
        [(a.id, 2, False), (b.id, 1, True)])
    assert all(m.kind == MovementKind.COUNT and m.stocktake_id == take.id for m in movements)
    assert on_hand(stock.soap, stock.storeroom) == 8 and on_hand(stock.pills, stock.storeroom) == 7
    assert "stock.count_finished" in audit_actions()
    with pytest.raises(Conflict):
        counts.save_counts(db.session, take, {by_lot[a.id].id: "1"}, by=stock.staff)
    assert_consistent()


def test_stocktake_uses_balance_at_finish_not_at_start(stock):
    receive(stock, stock.soap, 10)
    take = counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    ledger.issue(db.session, item=stock.soap, quantity=3, location=stock.storeroom, by=stock.staff)
    counts.save_counts(db.session, take, {take.lines[0].id: "7"}, by=stock.staff)
    assert counts.finish_stocktake(db.session, take, by=stock.staff) == []
    assert on_hand(stock.soap, stock.storeroom) == 7


def test_second_unfinished_count_on_location_is_refused(stock):
    counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    assert "unfinished count" in exc.value.message and exc.value.field == "location_id"
    db.session.rollback()
    counts.start_stocktake(db.session, stock.kitchen, by=stock.staff)  # another location is fine
    assert db.session.scalar(sa.select(sa.func.count(Stocktake.id))) == 2


def test_stocktake_bad_count_saves_nothing_and_found_stock_line(stock):
    receive(stock, stock.soap, 10)
    take = counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    line = take.lines[0]
    with pytest.raises(catalogue.InvalidQuantity) as exc:
        counts.save_counts(db.session, take, {line.id: "-1"}, by=stock.staff)
    assert exc.value.field == f"count-{line.id}"
    found = counts.add_count_line(db.session, take, item=stock.rice, lot_code=None, expires_on=None,
                                    quantity="2.5", by=stock.staff)
    assert found.counted_qty == Decimal("2.5")
    counts.finish_stocktake(db.session, take, by=stock.staff)
    assert on_hand(stock.rice, stock.storeroom) == Decimal("2.5") and on_hand(stock.soap, stock.storeroom) == 10
    assert_consistent()


def test_cancel_stocktake(stock):
    take = counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)
    counts.cancel_stocktake(db.session, take, by=stock.staff)
    counts.start_stocktake(db.session, stock.storeroom, by=stock.staff)


# --- kits, packing and returns -----------------------------------------------------------------

def kit(stock):
    return kits.save_kit(db.session, "street_outreach", {stock.pills.id: "10", stock.soap.id: "4"},
                             by=stock.coordinator)


def test_save_kit_adds_changes_and_removes_lines(stock):
    k = kit(stock)
    assert {line.item_id: line.quantity for line in k.lines} == {stock.pills.id: 10, stock.soap.id: 4}
    kits.save_kit(db.session, "street_outreach", {stock.soap.id: "0", stock.pills.id: "12"}, by=stock.coordinator)
    assert {line.item_id: line.quantity for line in k.lines} == {stock.pills.id: 12}
    assert "stock.kit_changed" in audit_actions()
    with pytest.raises(DomainError):
        kits.save_kit(db.session, "street_outreach", {stock.soap.id: "1.5"}, by=stock.coordinator)
    with pytest.raises(DomainError):
        kits.get_kit(db.session, "karaoke")


def test_outreach_check_colours(stock):
    kit(stock)
    receive(stock, stock.pills, 4, code="P", days=30)
    lines = {c.item.id: c for c in kits_queries.outreach_check(db.session, "street_outreach", stock.storeroom.id,
                                                          stock.bag.id)}
    assert lines[stock.pills.id].status == "amber" and lines[stock.soap.id].status == "red"
    receive(stock, stock.pills, 6, code="Q", days=60)
    receive(stock, stock.soap, 4)
    lines = kits_queries.outreach_check(db.session, "street_outreach", stock.storeroom.id, stock.bag.id)
    assert {c.status for c in lines} == {"green"}


def test_pack_the_bag_fefo_then_return(stock):
    kit(stock)
    early = receive(stock, stock.pills, 6, code="E", days=10).lot
    receive(stock, stock.pills, 20, code="L", days=300)
    receive(stock, stock.soap, 3)
    result = kits.pack_bag(db.session, activity_kind="street_outreach", from_location=stock.storeroom,
                               bag=stock.bag, by=stock.staff)
    assert all(m.kind == MovementKind.PACK and m.reference_type == "outreach" for m in result.movements)
    assert [(m.lot.code, m.quantity) for m in result.movements if m.item_id == stock.pills.id] == [("E", 6), ("L", 4)]
    assert [(i.id, q) for i, q in result.short] == [(stock.soap.id, 1)]
    assert on_hand(stock.pills, stock.bag) == 10 and on_hand(stock.soap, stock.bag) == 3
    with pytest.raises(Conflict, match="still out"):
        kits.pack_bag(db.session, activity_kind="street_outreach", from_location=stock.storeroom,
                          bag=stock.bag, by=stock.staff)
    outreach = result.outreach
    with pytest.raises(catalogue.InvalidQuantity):
        kits.record_return(db.session, outreach, {stock.pills.id: "11"}, by=stock.staff)
    movements = kits.record_return(db.session, outreach, {stock.pills.id: "3", stock.soap.id: ""}, by=stock.staff)
    issued = [m for m in movements if m.kind == MovementKind.ISSUE]
    unpacked = [m for m in movements if m.kind == MovementKind.UNPACK]
    assert sum(m.quantity for m in issued if m.item_id == stock.pills.id) == 7
    assert [m.lot_id for m in issued if m.item_id == stock.pills.id][0] == early.id  # oldest handed out first
    assert sum(m.quantity for m in unpacked) == 3 and all(m.to_location_id == stock.storeroom.id for m in unpacked)
    assert all((m.reference_type, m.reference_id) == ("outreach", outreach.id) for m in movements)
    assert on_hand(stock.pills, stock.bag) == 0 and on_hand(stock.pills, stock.storeroom) == 19
    with pytest.raises(Conflict):
        kits.record_return(db.session, outreach, {}, by=stock.staff)
    assert_consistent()


def test_pack_refuses_non_mobile_bag_and_missing_kit(stock):
    with pytest.raises(DomainError, match="mobile"):
        kits.pack_bag(db.session, activity_kind="street_outreach", from_location=stock.storeroom,
                          bag=stock.kitchen, by=stock.staff)
    with pytest.raises(DomainError, match="no kit"):
        kits.pack_bag(db.session, activity_kind="hotline", from_location=stock.storeroom,
                          bag=stock.bag, by=stock.staff)


def test_pack_does_not_take_quarantined_lot(stock):
    kit(stock)
    lot = receive(stock, stock.pills, 10, code="R", days=40).lot
    ledger.quarantine(db.session, lot, reason="recall", by=stock.coordinator)
    result = kits.pack_bag(db.session, activity_kind="street_outreach", from_location=stock.storeroom,
                               bag=stock.bag, by=stock.staff)
    assert not [m for m in result.movements if m.item_id == stock.pills.id]
    assert (stock.pills, 10) in [(i, q) for i, q in result.short]


# --- minimum levels, lists, digest queries -------------------------------------------------------

def test_min_level_below_minimum_and_audit(stock):
    catalogue.set_min_level(db.session, stock.soap, "10", by=stock.coordinator)
    receive(stock, stock.soap, 4)
    receive(stock, stock.soap, 2, location=stock.kitchen)
    short = lists_queries.below_minimum(db.session)
    assert [(r.item.id, r.total, r.shortfall) for r in short] == [(stock.soap.id, 6, 4)]
    assert "stock.minimum_changed" in audit_actions()
    with pytest.raises(catalogue.InvalidQuantity) as exc:
        catalogue.set_min_level(db.session, stock.soap, "-1", by=stock.coordinator)
    assert exc.value.field == "min_level"


def test_expiring_and_expired_lists(stock):
    receive(stock, stock.pills, 1, code="SOON", days=5)
    receive(stock, stock.pills, 1, code="LATER", days=100)
    receive(stock, stock.pills, 1, code="GONE", days=-1, confirm_past_expiry=True)
    assert [r.lot.code for r in lists_queries.expiring(db.session)] == ["SOON"]
    assert [r.lot.code for r in lists_queries.expiring(db.session, 120)] == ["SOON", "LATER"]
    assert [r.lot.code for r in lists_queries.expired(db.session)] == ["GONE"]
    d = lists_queries.digest(db.session)
    assert d["warning_days"] == 30 and len(d["expiring"]) == 1 and len(d["expired"]) == 1


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


# --- items and clothing ---------------------------------------------------------------------------

def test_clothing_needs_size_and_fit_and_size_grid(stock):
    group = catalogue.create_product_group(db.session, name="Winter jacket", by=stock.staff)
    with pytest.raises(DomainError) as exc:
        make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id)
    assert exc.value.field == "size"
    for fit in ("women", "men"):
        for size in ("S", "M", "XL"):
            make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id,
                      size=size, fit=fit)
    with pytest.raises(Conflict):
        make_item("Winter jacket", "clothing", expiry=False, by=stock.staff, product_group_id=group.id,
                  size="M", fit="women")
    fits, sizes, cells = catalogue_queries.size_grid(db.session, group)
    assert fits == ["women", "men"] and sizes == ["S", "M", "XL"]
    assert cells[("women", "M")][0].full_name == "Winter jacket — women — M"


def test_item_names_unique_and_category_checked(stock):
    with pytest.raises(Conflict):
        make_item("Soap", "hygiene", expiry=False, by=stock.staff)
    with pytest.raises(DomainError) as exc:
        make_item("Thing", "weapons", by=stock.staff)
    assert exc.value.field == "category"


# --- one-time form tokens -------------------------------------------------------------------------

def test_form_token_records_once(stock):
    token = "t" * 32
    row = tokens.claim_token(db.session, token, by=stock.staff)
    m = receive(stock, stock.soap, 5)
    tokens.record_result(row, [m], "/stock/")
    db.session.commit()
    with pytest.raises(tokens.AlreadyRecorded) as exc:
        tokens.claim_token(db.session, token, by=stock.staff)
    assert exc.value.token.movement_ids == [m.id]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(FormToken.token))) == 1


def test_form_token_is_not_spent_when_the_change_fails(stock):
    token = "u" * 32
    tokens.claim_token(db.session, token, by=stock.staff)
    with pytest.raises(DomainError):
        receive(stock, stock.soap, 0)
    db.session.rollback()
    tokens.claim_token(db.session, token, by=stock.staff)  # usable again


def test_form_token_must_look_like_one(stock):
    with pytest.raises(DomainError):
        tokens.claim_token(db.session, "short", by=stock.staff)


# --- verify ---------------------------------------------------------------------------------------

def test_verify_finds_a_tampered_balance(stock):
    receive(stock, stock.soap, 5)
    assert assert_consistent().checked == 1
    db.session.execute(sa.update(Balance).values(qty=Decimal(7)))
    result = ledger.verify(db.session)
    assert result.checked == 1 and [(d[3], d[4]) for d in result.differences] == [(7, 5)]
