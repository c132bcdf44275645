"""A small year of data whose report figures are worked out by hand in the tests (not by the
code under test): three volunteers, outreach, hotline and prison shifts with tallies, and
stock handed out, food-pack distributions with their hand-outs and communal cooking events, in
2026, plus noise that must not count (2025, a cancelled shift, an absent volunteer, an undone
issue, a supermarket voucher, a hygiene pack, a distribution packed but not handed out, a
cancelled distribution, planned and cancelled cooking events)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from logistics import clock
from logistics.cooking.models import CookingEvent, CookingStatus
from logistics.distributions.models import Distribution, DistributionLine, DistributionStatus
from logistics.extensions import db
from logistics.outreach import partners as partner_services
from logistics.outreach.models import Referral, Tally
from logistics.shifts.models import ShiftStatus, Signup, SignupStatus
from logistics.stock import ledger
from tests import factories
from tests.shifts import helpers as h
from tests.stock.conftest import make_item, make_location


def _shift(act, y, mo, d, hours, people, *, attended=True, status=ShiftStatus.SCHEDULED, person_hours=None):
    s = h.shift(act, start=h.local(y, mo, d, 10), hours=hours, capacity=(1, 5), status=status)
    for user in people:
        db.session.add(Signup(shift_id=s.id, user_id=user.id, status=SignupStatus.CONFIRMED, attended=attended,
                              hours=person_hours))
    s.confirmed_count = len(people)
    db.session.flush()
    return s


def _tally(shift, by, referrals=None, **counts):
    t = Tally(shift_id=shift.id, created_by_id=by.id, **counts)
    t.referrals = [Referral(partner_id=p.id, count=n) for p, n in (referrals or {}).items()]
    db.session.add(t)
    db.session.flush()


def build():
    partner_services.seed(db.session)
    from logistics.outreach.queries import partners

    p = {x.code: x for x in partners(db.session)}
    staff = factories.user("staff")
    a, b, c = (factories.user(full_name=n) for n in ("Ada One", "Bea Two", "Cleo Three"))
    outreach, hotline, prison = (h.activity(k) for k in ("street_outreach", "hotline", "prison_visit"))
    jan10 = _shift(outreach, 2026, 1, 10, 3, [a, b])
    jan20 = _shift(outreach, 2026, 1, 20, 3, [a, c], person_hours=Decimal("2.5"))
    _shift(outreach, 2026, 2, 14, 3, [a], status=ShiftStatus.CANCELLED)  # cancelled: nothing counts
    mar5 = _shift(outreach, 2026, 3, 5, 3, [b], attended=False)  # nobody came: not a shift done
    old = _shift(outreach, 2025, 12, 30, 3, [a])  # last year
    feb1 = _shift(hotline, 2026, 2, 1, 6, [a])
    feb2 = _shift(hotline, 2026, 2, 2, 4, [b])
    apr = _shift(prison, 2026, 4, 7, 2, [c])
    _tally(jan10, a, {p["cmm"]: 2}, women=3, men=1, new_contacts=2)
    _tally(jan20, c, {p["hospital"]: 1, p["cmm"]: 5}, women=4, transgender=1, not_stated=1, new_contacts=1)
    _tally(mar5, b, women=9)  # its shift is done but unstaffed; the tally still counts (people were met)
    _tally(old, a, women=50)
    _tally(feb1, a, calls=5)
    _tally(feb2, b, calls=2, not_stated=1)
    _tally(apr, c, visits=3)
    store = make_location("Storeroom")
    items = {name: make_item(name, cat, unit=unit, expiry=False, by=staff) for name, cat, unit in [
        ("Food pack (standard)", "food_pack", "pack"), ("Food pack (family)", "food_pack", "pack"),
        ("Paracetamol 500 mg", "medicine", "box"), ("Travel-card top-up 100 DKK", "voucher", "voucher"),
        ("Supermarket voucher 200 DKK", "voucher", "voucher"), ("COVID-19 self-test", "test_kit", "test"),
        ("Hygiene pack", "hygiene", "pack")]}
    with clock.frozen(h.local(2025, 12, 1, 9)):
        for item in items.values():
            ledger.receive(db.session, item=item, quantity=100, location=store, by=staff)
    issues = [("Food pack (standard)", 10, (2026, 1, 15)), ("Food pack (family)", 3, (2026, 5, 2)),
              ("Food pack (standard)", 7, (2025, 12, 20)), ("Paracetamol 500 mg", 4, (2026, 1, 16)),
              ("Travel-card top-up 100 DKK", 2, (2026, 6, 3)), ("Supermarket voucher 200 DKK", 5, (2026, 6, 3)),
              ("COVID-19 self-test", 12, (2026, 2, 20))]
    for name, qty, (y, mo, d) in issues:
        with clock.frozen(h.local(y, mo, d, 12)):
            ledger.issue(db.session, item=items[name], quantity=qty, location=store, by=staff)
    with clock.frozen(h.local(2026, 7, 1, 12)):
        [undone] = ledger.issue(db.session, item=items["Food pack (standard)"], quantity=20, location=store, by=staff)
        ledger.undo(db.session, undone, reason="Entered twice", by=staff)
    _distributions(items, store, staff)
    _cooking(store)
    db.session.commit()
    return p


def _distribution(day, status, store, staff, lines):
    """A distribution on ``day`` with lines (item, planned, packed, handed out); a completed one
    also writes the hand-out's issue movements with the distribution's reference, as the
    distributions area does (the report must not count those a second time)."""
    d = Distribution(day=day, status=status, location_id=store.id, created_by_id=staff.id)
    d.lines = [DistributionLine(pack_item_id=item.id, planned_packs=planned, packed_packs=packed,
                                handed_out_packs=out) for item, planned, packed, out in lines]
    db.session.add(d)
    db.session.flush()
    if status == DistributionStatus.COMPLETED:
        with clock.frozen(h.local(day.year, day.month, day.day, 15)):
            for item, _planned, _packed, out in lines:
                if out:
                    ledger.issue(db.session, item=item, quantity=out, location=store, reason="distribution",
                                 reference=("distribution", d.id), by=staff)


def _distributions(items, store, staff):
    std, fam, hyg = items["Food pack (standard)"], items["Food pack (family)"], items["Hygiene pack"]
    done = DistributionStatus.COMPLETED
    _distribution(dt.date(2026, 1, 27), done, store, staff, [(std, 30, 25, 25), (fam, 5, 5, 4), (hyg, 6, 6, 6)])
    _distribution(dt.date(2026, 3, 31), done, store, staff, [(std, 12, 12, 12), (fam, 2, 2, 0)])
    _distribution(dt.date(2025, 12, 16), done, store, staff, [(std, 8, 8, 8)])  # last year
    _distribution(dt.date(2026, 4, 14), DistributionStatus.PACKED, store, staff, [(std, 20, 20, None)])
    _distribution(dt.date(2026, 5, 12), DistributionStatus.CANCELLED, store, staff, [(std, 20, 0, None)])


def _cooking(store):
    for (y, mo, d), status, diners in [((2026, 1, 22), CookingStatus.COMPLETED, 14),
                                       ((2026, 1, 29), CookingStatus.COMPLETED, 3),
                                       ((2026, 6, 11), CookingStatus.COMPLETED, 18),
                                       ((2026, 2, 5), CookingStatus.CANCELLED, None),
                                       ((2026, 12, 10), CookingStatus.PLANNED, None),
                                       ((2025, 11, 20), CookingStatus.COMPLETED, 20)]:
        start = h.local(y, mo, d, 17)
        db.session.add(CookingEvent(title="Dinner", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                                    expected_diners=12, actual_diners=diners, location_id=store.id, status=status))
    db.session.flush()
