"""Packing a bag for a shift: the link, the one-open-bag-per-shift guard (service and
database), refusals, and the read side (upcoming shifts, a shift's kit, bags to unpack)."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.audit.models import AuditEntry
from logistics.clock import today, utcnow
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.shifts import planning
from logistics.shifts.models import Shift, ShiftStatus
from logistics.stock import kits, ledger
from logistics.stock.models import Movement, Outreach
from logistics.stock.queries import kits as kits_queries
from logistics.stock.queries import ledger as ledger_queries
from tests.shifts import helpers as h
from tests.stock.conftest import make_location


def pack(link, shift=None, bag=None, **kw):
    return kits.pack_bag(db.session, from_location=link.storeroom, bag=bag or link.bag,
                             shift=link.shift if shift is None else shift, by=link.staff, **kw)


def test_packing_for_a_shift_records_it_and_takes_its_kit(link):
    result = pack(link)
    db.session.commit()
    outreach = db.session.get(Outreach, result.outreach.id)
    assert outreach.shift_id == link.shift.id and outreach.shift.id == link.shift.id
    assert outreach.activity_kind == "street_outreach"
    # The movements serve the outreach, and through it the shift.
    assert {(m.reference_type, m.reference_id) for m in result.movements} == {("outreach", outreach.id)}
    served = db.session.scalars(sa.select(Shift.id).join(Outreach, Outreach.shift_id == Shift.id).join(
        Movement, sa.and_(Movement.reference_type == "outreach", Movement.reference_id == Outreach.id))).all()
    assert set(served) == {link.shift.id}
    assert ledger_queries.on_hand_by_item(db.session, link.bag.id) == {link.pills.id: 12, link.soap.id: 4}
    assert result.short == []


def test_one_open_bag_per_shift_then_again_after_the_return(link):
    first = pack(link).outreach
    with pytest.raises(Conflict) as exc:
        pack(link, bag=link.bag2)
    assert "already packed for this shift" in exc.value.message
    kits.record_return(db.session, first, {link.pills.id: "12", link.soap.id: "4"},
                       early_reason="Packed into the wrong bag", by=link.staff)
    again = pack(link, bag=link.bag2).outreach
    db.session.commit()
    assert again.shift_id == link.shift.id
    assert [o.id for o in kits_queries.shift_outreaches(db.session, link.shift.id)] == [again.id, first.id]


def test_the_database_allows_one_open_bag_per_shift(link):
    pack(link)
    db.session.commit()
    twin = Outreach(activity_kind="street_outreach", from_location_id=link.storeroom.id,
                    bag_location_id=link.bag2.id, shift_id=link.shift.id, packed_at=utcnow())
    db.session.add(twin)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Bags without a shift are not limited by it.
    for bag in (link.bag2, make_location("Third bag", mobile=True)):
        kits.pack_bag(db.session, activity_kind="street_outreach", from_location=link.storeroom, bag=bag,
                          by=link.staff)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outreach).where(Outreach.shift_id.is_(None))) == 2


def test_refusals(link):
    planning.cancel_shift(db.session, link.shift, by=link.coordinator)
    with pytest.raises(Conflict, match="cancelled"):
        pack(link)
    past = h.shift(link.outreach, start=utcnow() - dt.timedelta(hours=5), hours=2)
    with pytest.raises(Conflict, match="over"):
        pack(link, shift=past)
    soon = h.shift(link.outreach, in_days=1)
    with pytest.raises(DomainError, match="its own activity"):
        pack(link, shift=soon, activity_kind="hotline")
    no_kit = h.shift(h.activity("hotline"), in_days=1)
    with pytest.raises(DomainError, match="no kit"):
        pack(link, shift=no_kit)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Outreach)) == 0


def test_deleting_the_shift_keeps_the_outreach_without_it(link):
    outreach_id = pack(link).outreach.id
    db.session.commit()
    db.session.execute(sa.delete(Shift).where(Shift.id == link.shift.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Outreach, outreach_id).shift_id is None


def test_upcoming_kit_shifts(link):
    kinds_without_kit = h.shift(h.activity("hotline"), in_days=1)
    later = h.shift(link.outreach, in_days=8)
    cancelled = h.shift(link.outreach, in_days=3)
    planning.cancel_shift(db.session, cancelled, by=link.coordinator)
    past = h.shift(link.outreach, start=utcnow() - dt.timedelta(hours=1), hours=3)
    tomorrow = h.shift(link.outreach, in_days=1)
    db.session.commit()
    rows = kits_queries.upcoming_kit_shifts(db.session)
    assert [r.shift.id for r in rows] == [tomorrow.id, link.shift.id]
    assert all(r.outreach is None for r in rows)
    assert {kinds_without_kit.id, later.id, cancelled.id, past.id}.isdisjoint(r.shift.id for r in rows)
    outreach = pack(link).outreach
    rows = kits_queries.upcoming_kit_shifts(db.session)
    assert {r.shift.id: (r.outreach.id if r.outreach else None) for r in rows} == {
        tomorrow.id: None, link.shift.id: outreach.id}


def test_shift_kit_should_hold_then_holds_then_returned(link):
    kit = kits_queries.shift_kit(db.session, link.shift)
    assert not kit.is_packed and kit.outreach is None
    assert [(ln.item.name, ln.needed, ln.packed) for ln in kit.lines] == [
        ("Soap", Decimal(4), 0), ("Paracetamol 500 mg", Decimal(12), 0)]
    outreach = pack(link).outreach
    db.session.commit()
    kit = kits_queries.shift_kit(db.session, link.shift)
    assert kit.is_packed and kit.outreach.id == outreach.id
    pills = next(ln for ln in kit.lines if ln.item.id == link.pills.id)
    assert pills.packed == 12 and pills.short == 0
    # First-expiring-first: all twelve from the lot that expires in 20 days.
    assert [(lot.expires_on, lot.qty) for lot in pills.lots] == [(today() + dt.timedelta(days=20), 12)]
    soap = next(ln for ln in kit.lines if ln.item.id == link.soap.id)
    assert soap.lots == []  # soap does not expire
    with clock.frozen(link.shift.ends_at):  # after the outreach
        kits.record_return(db.session, outreach, {link.pills.id: "2"}, by=link.staff)
    db.session.commit()
    kit = kits_queries.shift_kit(db.session, link.shift)
    assert not kit.is_packed and kit.outreach.returned_at is not None
    assert all(ln.packed == 0 for ln in kit.lines)


def test_cancelled_shift_with_a_packed_bag_is_listed_to_unpack(link):
    outreach = pack(link).outreach
    assert kits_queries.packed_for_cancelled_shifts(db.session) == []
    planning.cancel_shift(db.session, link.shift, by=link.coordinator)
    db.session.commit()
    assert [o.id for o in kits_queries.packed_for_cancelled_shifts(db.session)] == [outreach.id]
    # Nothing is unpacked behind anyone's back: the bag still holds the kit.
    assert ledger_queries.on_hand_by_item(db.session, link.bag.id) == {link.pills.id: 12, link.soap.id: 4}
    kits.record_return(db.session, outreach, {link.pills.id: "12", link.soap.id: "4"}, by=link.staff)
    db.session.commit()
    assert kits_queries.packed_for_cancelled_shifts(db.session) == []
    assert db.session.get(Shift, link.shift.id).status == ShiftStatus.CANCELLED


@pytest.mark.concurrency
def test_two_people_packing_for_one_shift_at_once(app, link):
    """Two bags, one shift, two threads: exactly one bag is packed for it."""
    ids = dict(shift=link.shift.id, storeroom=link.storeroom.id, bags=[link.bag.id, link.bag2.id],
               staff=link.staff.id)
    db.session.remove()
    barrier = threading.Barrier(2)
    results = []

    def worker(bag_id):
        with app.app_context():
            from logistics.people.models import User
            from logistics.stock.models import Location
            barrier.wait()
            try:
                kits.pack_bag(db.session, from_location=db.session.get(Location, ids["storeroom"]),
                                  bag=db.session.get(Location, bag_id), shift=db.session.get(Shift, ids["shift"]),
                                  by=db.session.get(User, ids["staff"]))
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=worker, args=(b,)) for b in ids["bags"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Outreach)
                                 .where(Outreach.shift_id == ids["shift"])) == 1
        assert ledger.verify(db.session).differences == []


def test_a_return_before_the_shift_has_started_needs_a_reason(link):
    """Recorded before the outreach even began, a return is a mistake or a change of plan:
    say which. After the start, or for a cancelled shift, no reason is asked."""
    outreach = pack(link).outreach
    db.session.commit()
    assert kits.returned_early(outreach)
    with pytest.raises(DomainError) as exc:
        kits.record_return(db.session, outreach, {link.pills.id: "12", link.soap.id: "4"}, by=link.staff)
    assert exc.value.field == "early_reason" and "has not started yet" in exc.value.message
    db.session.rollback()
    movements = kits.record_return(db.session, outreach, {link.pills.id: "12", link.soap.id: "4"},
                                   early_reason="The outreach moved to Thursday", by=link.staff)
    assert all(m.note == "The outreach moved to Thursday" for m in movements)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "stock.bag_returned"))
    assert entry.changes["early_reason"] == "The outreach moved to Thursday" and entry.changes["handed_out"] == {}
    db.session.commit()
    again = pack(link).outreach
    db.session.commit()
    with clock.frozen(link.shift.starts_at + dt.timedelta(minutes=30)):
        assert not kits.returned_early(again)
        kits.record_return(db.session, again, {link.pills.id: "10"}, by=link.staff)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "stock.bag_returned")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.changes["handed_out"] == {"Paracetamol 500 mg": "2", "Soap": "4"}
