"""``flask stock verify`` prints how many balances it checked and fails on a difference."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from logistics.extensions import db
from logistics.stock.models import Balance
from tests.stock.conftest import receive


def test_stock_verify_ok_then_difference(app, stock):
    receive(stock, stock.soap, 5)
    receive(stock, stock.rice, "2.5", location=stock.kitchen)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 0 and "Checked 2 balances" in result.output and "No differences" in result.output
    db.session.execute(sa.update(Balance).where(Balance.item_id == stock.soap.id).values(qty=Decimal(4)))
    db.session.commit()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 1
    assert "Soap" in result.output and "balance 4 vs ledger 5" in result.output


def test_stock_verify_reports_and_mends_a_balance_without_its_lots_expiry(app, stock):
    lot = receive(stock, stock.pills, 5, code="S1", days=5).lot
    db.session.commit()
    db.session.execute(sa.update(Balance).values(expires_on=None))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 1 and "1 balances do not carry their lot's expiry date" in result.output
    result = runner.invoke(args=["stock", "verify", "--mend-expiry"])
    assert result.exit_code == 0 and "Gave 1 balances their lot's expiry date" in result.output
    assert "No differences" in result.output
    assert db.session.scalar(sa.select(Balance.expires_on)) == lot.expires_on


def test_demo_data_is_consistent_and_idempotent(app, app_ctx):
    from logistics import demo
    from logistics.stock import ledger
    from logistics.stock.models import Item, Movement
    from logistics.stock.queries.lists import below_minimum, expired, expiring, quarantined

    demo.load(db.session)
    db.session.commit()
    items = db.session.scalar(sa.select(sa.func.count(Item.id)))
    moves = db.session.scalar(sa.select(sa.func.count(Movement.id)))
    assert items >= 60 and moves > 3000
    assert ledger.verify(db.session).differences == [] and ledger.verify(db.session).expiry_differences == []
    assert expired(db.session) and expiring(db.session) and below_minimum(db.session)
    assert quarantined(db.session)
    demo.load(db.session)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Movement.id))) == moves
