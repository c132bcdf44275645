"""Lists for staff and digests: expiring and expired stock, and the digest's counts."""
from __future__ import annotations

from logistics.extensions import db
from logistics.stock.queries import lists as lists_queries
from tests.stock.conftest import receive


def test_expiring_and_expired_lists(stock):
    receive(stock, stock.pills, 1, code="SOON", days=5)
    receive(stock, stock.pills, 1, code="LATER", days=100)
    receive(stock, stock.pills, 1, code="GONE", days=-1, confirm_past_expiry=True)
    assert [r.lot.code for r in lists_queries.expiring(db.session)] == ["SOON"]
    assert [r.lot.code for r in lists_queries.expiring(db.session, 120)] == ["SOON", "LATER"]
    assert [r.lot.code for r in lists_queries.expired(db.session)] == ["GONE"]
    d = lists_queries.digest(db.session)
    assert d["warning_days"] == 30 and len(d["expiring"]) == 1 and len(d["expired"]) == 1
