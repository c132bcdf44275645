"""Kits and the bag: saving a kit, the stock check's colours, packing first-expiring-first and
the return, and the refusals (not a mobile bag, no kit, blocked lots)."""
from __future__ import annotations

import pytest

from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.stock import catalogue, kits, ledger
from logistics.stock.models import MovementKind
from logistics.stock.queries import kits as kits_queries
from tests.stock.conftest import assert_consistent, audit_actions, on_hand, receive


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
