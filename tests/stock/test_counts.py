"""Stocktakes: save part-way then finish, the balance at finish (not at start) decides, one
unfinished count per location, a bad count saves nothing, stock found, cancel."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.errors import Conflict
from logistics.extensions import db
from logistics.stock import catalogue, counts, ledger
from logistics.stock.models import MovementKind, Stocktake
from tests.stock.conftest import assert_consistent, audit_actions, on_hand, receive


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
