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


def test_discard_all_expired_in_one_transaction_with_one_reason(stock):
    from decimal import Decimal

    from logistics.errors import Conflict
    from logistics.stock import ledger
    from tests.stock.conftest import assert_consistent, audit_actions, on_hand

    gone = receive(stock, stock.pills, 5, code="GONE", days=-1, confirm_past_expiry=True).lot
    old = receive(stock, stock.pills, 3, code="OLD", days=-40, location=stock.kitchen, confirm_past_expiry=True).lot
    receive(stock, stock.pills, 7, code="GOOD", days=60)
    rows = lists_queries.expired(db.session)
    lines = [(r.lot.id, r.location.id, str(r.qty)) for r in rows]
    # What was shown changed (someone discarded part of a lot): nothing is discarded.
    ledger.discard(db.session, item=stock.pills, quantity=1, location=stock.storeroom, lot=gone, reason="expired",
                   by=stock.staff)
    db.session.commit()
    try:
        ledger.discard_expired(db.session, lines, reason="expired", by=stock.staff)
    except Conflict:
        db.session.rollback()
    else:
        raise AssertionError("a changed list was discarded")
    assert on_hand(stock.pills, stock.kitchen) == 3
    rows = lists_queries.expired(db.session)
    movements = ledger.discard_expired(db.session, [(r.lot.id, r.location.id, str(r.qty)) for r in rows],
                                       reason="expired", by=stock.staff)
    assert sorted((m.lot_id, m.quantity) for m in movements) == sorted([(gone.id, Decimal(4)), (old.id, Decimal(3))])
    assert all(m.kind.value == "discard" and m.reason == "expired" for m in movements)
    assert lists_queries.expired(db.session) == [] and on_hand(stock.pills, stock.storeroom) == 7
    assert audit_actions().count("stock.expired_discarded") == 1
    assert_consistent()


def test_start_page_counts_match_the_lists(stock):
    from decimal import Decimal

    receive(stock, stock.pills, 1, code="SOON", days=5)
    receive(stock, stock.pills, 2, code="SOON", days=5, location=stock.kitchen)
    receive(stock, stock.pills, 1, code="LATER", days=100)
    receive(stock, stock.pills, 1, code="GONE", days=-1, confirm_past_expiry=True)
    # An expired lot already discarded (nothing on hand) and stock without expiry: neither counts.
    from logistics.stock import ledger

    thrown = receive(stock, stock.pills, 3, code="THROWN", days=-3, confirm_past_expiry=True).lot
    ledger.discard(db.session, item=stock.pills, quantity=3, location=stock.storeroom, lot=thrown,
                   reason="expired", by=stock.staff)
    receive(stock, stock.soap, 2)
    stock.pills.min_level = Decimal(50)
    db.session.flush()
    counts = lists_queries.attention_counts(db.session)
    assert counts == {"expiring": len(lists_queries.expiring(db.session)),
                      "expired": len(lists_queries.expired(db.session)),
                      "below_minimum": len(lists_queries.below_minimum(db.session)), "warning_days": 30}
    assert counts["expiring"] == 2 and counts["expired"] == 1 and counts["below_minimum"] >= 1


def test_below_minimum_count_per_item(stock):
    """The count asks each active item with a minimum for its total on hand: an item never
    received, one whose stock was all used and one short of its minimum count; one at its
    minimum, one without a minimum and an inactive one do not."""
    from decimal import Decimal

    from logistics.stock import ledger
    from tests.stock.conftest import make_item

    never = make_item("Plasters", "medicine", expiry=False, by=stock.staff)
    never.min_level = Decimal(5)
    receive(stock, stock.soap, 4)
    receive(stock, stock.soap, 3, location=stock.kitchen)
    stock.soap.min_level = Decimal(7)  # 4 + 3 in two places: at its minimum
    used = receive(stock, stock.rice, 2).lot
    ledger.discard(db.session, item=stock.rice, quantity=2, location=stock.storeroom, lot=used,
                   reason="damaged", by=stock.staff)
    stock.rice.min_level = Decimal(1)  # a zero balance left behind
    receive(stock, stock.pills, 1, code="A", days=50)
    stock.pills.min_level = Decimal(2)
    old = make_item("Old towels", "hygiene", expiry=False, by=stock.staff)
    old.min_level, old.is_active = Decimal(3), False
    db.session.flush()
    shopping = {row.item.name for row in lists_queries.below_minimum(db.session)}
    assert shopping == {"Plasters", "Rice", stock.pills.name}
    assert lists_queries.attention_counts(db.session)["below_minimum"] == 3
