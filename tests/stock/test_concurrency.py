"""Races with real threads, each with its own app context and session, on whichever
database the suite runs against (SQLite by default, PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics import once as tokens
from logistics.errors import Conflict
from logistics.extensions import db
from logistics.people.models import User
from logistics.stock import counts, ledger
from logistics.stock.models import Item, Location, Movement, MovementKind, Stocktake
from logistics.stock.queries.ledger import on_hand_by_item
from tests.stock.conftest import receive

pytestmark = pytest.mark.concurrency


def run_threads(app, n, work):
    """Start ``n`` threads together; each runs ``work(i)`` in its own app context."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def target(i):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - collected and asserted on
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_twenty_threads_issue_one_each_from_ten(app, stock):
    receive(stock, stock.soap, 10)
    db.session.commit()
    ids = (stock.soap.id, stock.storeroom.id, stock.staff.id)

    def issue_one(_i):
        item, loc, user = db.session.get(Item, ids[0]), db.session.get(Location, ids[1]), db.session.get(User, ids[2])
        try:
            ledger.issue(db.session, item=item, quantity=1, location=loc, by=user)
            db.session.commit()
            return "ok"
        except ledger.InsufficientStock:
            db.session.rollback()
            return "short"

    results = run_threads(app, 20, issue_one)
    assert results.count("ok") == 10 and results.count("short") == 10
    db.session.expire_all()
    assert on_hand_by_item(db.session, stock.storeroom.id)[stock.soap.id] == 0
    issued = db.session.scalar(sa.select(sa.func.count(Movement.id)).where(Movement.kind == MovementKind.ISSUE))
    assert issued == 10
    assert ledger.verify(db.session).differences == []


def test_two_stocktakes_racing_issues_keep_the_ledger_consistent(app, stock):
    receive(stock, stock.soap, 50)
    receive(stock, stock.soap, 50, location=stock.kitchen)
    receive(stock, stock.pills, 30, code="P1", days=90)
    db.session.commit()
    takes = [counts.start_stocktake(db.session, loc, by=stock.staff) for loc in (stock.storeroom, stock.kitchen)]
    for take in takes:
        counts.save_counts(db.session, take, {line.id: "40" for line in take.lines}, by=stock.staff)
    db.session.commit()
    take_ids = [t.id for t in takes]
    loc_ids = [stock.storeroom.id, stock.kitchen.id]
    user_id, soap_id, pills_id = stock.staff.id, stock.soap.id, stock.pills.id

    def work(i):
        user = db.session.get(User, user_id)
        if i < 2:
            take = db.session.get(Stocktake, take_ids[i])
            counts.finish_stocktake(db.session, take, by=user)
            db.session.commit()
            return "counted"
        loc = db.session.get(Location, loc_ids[i % 2])
        item = db.session.get(Item, soap_id if i % 3 else pills_id)
        try:
            ledger.issue(db.session, item=item, quantity=3, location=loc, by=user)
            db.session.commit()
            return "issued"
        except ledger.InsufficientStock:
            db.session.rollback()
            return "short"

    results = run_threads(app, 10, work)
    assert results.count("counted") == 2
    db.session.expire_all()
    assert ledger.verify(db.session).differences == []
    # Each counted balance is the count less the issues that came after it (3 at a time).
    for loc_id in loc_ids:
        for qty in on_hand_by_item(db.session, loc_id).values():
            assert 0 <= qty <= 40 and (40 - qty) % 3 == 0
    for take_id in take_ids:
        assert db.session.get(Stocktake, take_id).finished_at is not None
    assert db.session.scalar(sa.select(sa.func.count(Movement.id)).where(Movement.kind == MovementKind.COUNT)) >= 1


def test_two_starts_of_a_count_on_one_location_make_one(app, stock):
    loc_id, user_id = stock.storeroom.id, stock.staff.id

    def start(_i):
        try:
            counts.start_stocktake(db.session, db.session.get(Location, loc_id), by=db.session.get(User, user_id))
            db.session.commit()
            return "started"
        except Conflict:
            db.session.rollback()
            return "refused"

    results = run_threads(app, 6, start)
    assert results.count("started") == 1
    assert db.session.scalar(sa.select(sa.func.count(Stocktake.id))) == 1


def test_same_form_token_submitted_at_once_records_once(app, stock):
    receive(stock, stock.soap, 10)
    db.session.commit()
    ids = (stock.soap.id, stock.storeroom.id, stock.staff.id)
    token = "race-token-" + "x" * 20

    def submit(_i):
        item, loc, user = db.session.get(Item, ids[0]), db.session.get(Location, ids[1]), db.session.get(User, ids[2])
        try:
            row = tokens.claim(db.session, token, by=user)
            movements = ledger.issue(db.session, item=item, quantity=1, location=loc, by=user)
            tokens.record_result(row, [m.id for m in movements])
            db.session.commit()
            return "recorded"
        except tokens.AlreadyRecorded:
            db.session.rollback()
            return "repeat"

    results = run_threads(app, 8, submit)
    assert results.count("recorded") == 1 and results.count("repeat") == 7
    assert on_hand_by_item(db.session, stock.storeroom.id)[stock.soap.id] == Decimal(9)


def test_opposite_transfers_do_not_deadlock(app, stock):
    """Storeroom → kitchen and kitchen → storeroom at once, many times: no errors, and the
    ledger still matches the balances (on PostgreSQL this deadlocked before the ordered lock)."""
    lot_code = "SOAP-1"
    receive(stock, stock.soap, 50, code=lot_code)
    receive(stock, stock.soap, 50, location=stock.kitchen, code=lot_code)
    db.session.commit()
    ids = (stock.soap.id, stock.storeroom.id, stock.kitchen.id, stock.staff.id)

    def move(i):
        item, a, b, user = (db.session.get(Item, ids[0]), db.session.get(Location, ids[1]),
                            db.session.get(Location, ids[2]), db.session.get(User, ids[3]))
        src, dst = (a, b) if i % 2 == 0 else (b, a)
        for _ in range(5):
            ledger.transfer(db.session, item=item, quantity=1, from_location=src, to_location=dst, by=user)
            db.session.commit()
        return "ok"

    assert run_threads(app, 6, move) == ["ok"] * 6
    db.session.expire_all()
    from logistics.stock.models import Balance

    total = db.session.scalar(sa.select(sa.func.sum(Balance.qty)).where(Balance.item_id == ids[0]))
    assert Decimal(total) == Decimal(100)
