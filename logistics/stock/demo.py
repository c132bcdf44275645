"""Demo stock: a storeroom, kitchen, fridge and two outreach bags; about 60 items across the
categories, clothing in sizes, lots with expiry dates (some expired, some expiring soon), a
year of movements loaded through the bulk path, then kits, a blocked lot and a few fresh
movements through the services."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from logistics import clock
from logistics.people.models import Role
from logistics.stock import bulk, catalogue, demo_da, kits, ledger
from logistics.stock.models import Category, Fit, Item, Location, Lot, MovementKind, ProductGroup, SourceKind

# name, category, unit, shelf life in days (None: does not expire), weekly use, minimum, home
ITEMS = [
    ("Rice", "food", "kg", 540, 12, 20, "Storeroom"),
    ("Pasta", "food", "kg", 600, 8, 15, "Storeroom"),
    ("Tinned tomatoes", "food", "piece", 720, 20, 30, "Storeroom"),
    ("Tinned beans", "food", "piece", 720, 15, 24, "Storeroom"),
    ("Cooking oil", "food", "litre", 365, 3, 6, "Kitchen"),
    ("Palm oil", "food", "litre", 365, 2, 4, "Kitchen"),
    ("Garri", "food", "kg", 300, 4, 8, "Storeroom"),
    ("Yam flour", "food", "kg", 300, 3, 6, "Storeroom"),
    ("Oats", "food", "kg", 365, 3, 5, "Storeroom"),
    ("Sugar", "food", "kg", None, 2, 4, "Kitchen"),
    ("Salt", "food", "kg", None, 1, 2, "Kitchen"),
    ("Tea bags", "food", "box", 540, 2, 5, "Kitchen"),
    ("Instant coffee", "food", "piece", 540, 1, 3, "Kitchen"),
    ("Milk", "food", "litre", 10, 10, 10, "Fridge"),
    ("Eggs", "food", "pack", 25, 4, 4, "Fridge"),
    ("Chicken", "food", "kg", 5, 5, 0, "Fridge"),
    ("Frozen fish", "food", "kg", 120, 3, 4, "Fridge"),
    ("Bread", "food", "piece", 5, 8, 0, "Kitchen"),
    ("Fruit juice", "food", "litre", 180, 6, 10, "Storeroom"),
    ("Biscuits", "food", "pack", 240, 15, 20, "Storeroom"),
    ("Sandwich bags", "other", "box", None, 1, 2, "Kitchen"),
    ("Soap", "hygiene", "piece", None, 12, 20, "Storeroom"),
    ("Shampoo", "hygiene", "bottle", 900, 6, 10, "Storeroom"),
    ("Toothbrush", "hygiene", "piece", None, 8, 15, "Storeroom"),
    ("Toothpaste", "hygiene", "piece", 720, 8, 15, "Storeroom"),
    ("Sanitary pads", "hygiene", "pack", None, 15, 30, "Storeroom"),
    ("Tampons", "hygiene", "pack", None, 6, 10, "Storeroom"),
    ("Condoms", "hygiene", "box", 1080, 10, 20, "Storeroom"),
    ("Lubricant", "hygiene", "piece", 720, 6, 10, "Storeroom"),
    ("Deodorant", "hygiene", "piece", None, 5, 10, "Storeroom"),
    ("Hand sanitiser", "hygiene", "bottle", 720, 3, 6, "Storeroom"),
    ("Wet wipes", "hygiene", "pack", 540, 6, 10, "Storeroom"),
    ("Paracetamol 500 mg", "medicine", "box", 730, 10, 20, "Storeroom"),
    ("Ibuprofen 200 mg", "medicine", "box", 730, 6, 12, "Storeroom"),
    ("Plasters", "medicine", "box", 1460, 2, 5, "Storeroom"),
    ("Cough syrup", "medicine", "bottle", 365, 2, 4, "Storeroom"),
    ("Antihistamine tablets", "medicine", "box", 730, 2, 4, "Storeroom"),
    ("Oral rehydration salts", "medicine", "pack", 730, 2, 5, "Storeroom"),
    ("COVID-19 self-test", "test_kit", "test", 420, 10, 20, "Storeroom"),
    ("Pregnancy test", "test_kit", "test", 730, 3, 6, "Storeroom"),
    ("HIV self-test", "test_kit", "test", 540, 2, 5, "Storeroom"),
    ("Influenza vaccine (by referral)", "vaccine", "dose", 180, 1, 0, "Fridge"),
    ("Food pack (standard)", "food_pack", "pack", 90, 25, 30, "Storeroom"),
    ("Food pack (family)", "food_pack", "pack", 90, 8, 10, "Storeroom"),
    ("Travel-card top-up 100 DKK", "voucher", "voucher", None, 10, 20, "Storeroom"),
    ("Supermarket voucher 200 DKK", "voucher", "voucher", 365, 5, 10, "Storeroom"),
    ("Phone top-up card", "voucher", "voucher", None, 4, 8, "Storeroom"),
    ("Umbrella", "other", "piece", None, 1, 3, "Storeroom"),
    ("Thermos flask", "other", "piece", None, 0, 2, "Kitchen"),
]

CLOTHING = [
    ("Winter jacket", [("women", s) for s in ("S", "M", "L", "XL")] + [("men", s) for s in ("M", "L", "XL")]),
    ("Underwear", [("women", s) for s in ("S", "M", "L", "XL")]),
    ("Leggings", [("women", s) for s in ("S", "M", "L")]),
    ("Socks", [("unisex", "36-40"), ("unisex", "41-46")]),
]

#: Two bags: the next outreach can be packed while the last one is out.
LOCATIONS = [("Storeroom", False), ("Kitchen", False), ("Fridge", False), ("Outreach bag", True),
             ("Outreach bag 2", True)]

KITS = {
    "street_outreach": [("Food pack (standard)", 20), ("COVID-19 self-test", 10), ("Paracetamol 500 mg", 4),
                        ("Travel-card top-up 100 DKK", 10), ("Condoms", 10), ("Biscuits", 10), ("Fruit juice", 6)],
    "prison_visit": [("Phone top-up card", 2), ("Soap", 4), ("Toothpaste", 2), ("Biscuits", 2)],
    "food_distribution": [("Food pack (standard)", 25), ("Food pack (family)", 8), ("Soap", 10), ("Sanitary pads", 10)],
}

DONORS = ["Fødevarebanken", "Kirkens Korshær", "Matas Nørrebro", "Private donor", "Red Cross Copenhagen"]
SUPPLIERS = ["Lidl", "Apotek Vesterbro", "Sunset Boulevard Wholesale", "Nemlig.com"]


def _quant(unit: str, value: float) -> Decimal:
    if unit in ("kg", "litre"):
        return Decimal(str(round(max(value, 0.5), 1)))
    return Decimal(max(int(round(value)), 1))


def _history(session, rng: random.Random, items, lots_by_item, locs, users, start: dt.date, days: int):
    """A year of receives, issues, transfers and discards, simulated lot by lot."""
    tz = clock.org_tz()
    stock: dict[int, list[list]] = {}  # item id -> [[lot, qty, location id], ...]
    rows = []
    lot_seq = 0
    staff = [u.id for u in users]

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz).astimezone(dt.UTC)

    def add(kind, item, lot, qty, src, dst, when, **kw):
        rows.append({"kind": kind, "item_id": item.id, "lot_id": lot.id, "quantity": qty,
                     "from_location_id": src, "to_location_id": dst, "reason": kw.get("reason"),
                     "source_kind": kw.get("source_kind"), "source_name": kw.get("source_name"),
                     "unit_cost": kw.get("unit_cost"), "reference_type": None, "reference_id": None,
                     "stocktake_id": None, "reverses_id": None, "note": None, "by_id": rng.choice(staff), "at": when})

    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        for item, (shelf, weekly, minimum, home) in items:
            home_id = locs[home].id
            entries = stock.setdefault(item.id, [])
            on_hand = sum(e[1] for e in entries)
            # Receive when low (most on a weekday morning), sometimes a donation out of the blue.
            if (on_hand < max(minimum, weekly) and day.weekday() < 5 and rng.random() < 0.5) or rng.random() < 0.01:
                lot_seq += 1
                if shelf:
                    expires = day + dt.timedelta(days=int(shelf * rng.uniform(0.6, 1.1)))
                    code = f"L{day:%y%m}-{lot_seq:04d}"
                else:
                    expires, code = None, ""
                lot = lots_by_item.get((item.id, code))
                if lot is None:
                    lot = Lot(item_id=item.id, code=code, expires_on=expires, created_at=at(day, 9))
                    lots_by_item[(item.id, code)] = lot
                    session.add(lot)
                    session.flush()
                qty = _quant(item.unit, max(weekly * rng.uniform(2, 5), 3))
                donor = rng.random() < 0.6
                add(MovementKind.RECEIVE, item, lot, qty, None, home_id, at(day, 10),
                    source_kind=SourceKind.DONOR if donor else SourceKind.SUPPLIER,
                    source_name=rng.choice(DONORS if donor else SUPPLIERS),
                    unit_cost=None if donor else Decimal(rng.randint(5, 60)))
                for e in entries:
                    if e[0].id == lot.id and e[2] == home_id:
                        e[1] += qty
                        break
                else:
                    entries.append([lot, qty, home_id])
            # Two hand-out days a week, first-expiring-first from usable lots.
            if weekly and day.weekday() in (1, 4):
                want = _quant(item.unit, weekly / 2 * rng.uniform(0.5, 1.4))
                usable = sorted([e for e in entries
                                 if e[1] > 0 and (e[0].expires_on is None or e[0].expires_on >= day)],
                                key=lambda e: (e[0].expires_on is None, e[0].expires_on or dt.date.max))
                reason = rng.choice(["outreach", "distribution", "cooking", "hand_out"])
                for e in usable:
                    if want <= 0:
                        break
                    part = min(want, e[1])
                    e[1] -= part
                    want -= part
                    add(MovementKind.ISSUE, item, e[0], part, e[2], None, at(day, 15), reason=reason)
            # Month end: discard most expired stock (some is left for the "expired" list).
            if day.day == 28 and offset < days - 40:
                for e in entries:
                    if e[1] > 0 and e[0].expires_on is not None and e[0].expires_on < day and rng.random() < 0.8:
                        add(MovementKind.DISCARD, item, e[0], e[1], e[2], None, at(day, 16), reason="expired")
                        e[1] = Decimal(0)
    return rows


def load(session, context: dict) -> None:
    """Locations, items, lots, a year of movements, kits (idempotent)."""
    if session.scalar(sa.select(Location.id).where(Location.name == "Storeroom")) is not None:
        demo_da.name_in_danish(session)
        return
    language = context.get("language", "en")
    staff, coordinator = context["users"][Role.STAFF], context["users"][Role.COORDINATOR]
    rng = random.Random(2026)
    locs = {}
    for name, mobile in LOCATIONS:
        locs[name] = catalogue.save_location(session, None, name=name, is_mobile=mobile, by=coordinator)
    items = []
    for name, category, unit, shelf, weekly, minimum, home in ITEMS:
        item = Item(name=name, category=Category(category), unit=unit, is_expiry_tracked=shelf is not None,
                    min_level=Decimal(minimum))
        session.add(item)
        items.append((item, (shelf, weekly, minimum, home)))
    for group_name, variants in CLOTHING:
        group = ProductGroup(name=group_name)
        session.add(group)
        for fit, size in variants:
            item = Item(name=group_name, category=Category.CLOTHING, unit="piece", product_group=group, fit=Fit(fit),
                        size=size, min_level=Decimal(2))
            session.add(item)
            items.append((item, (None, rng.choice([0, 1, 1, 2]), 2, "Storeroom")))
    session.flush()
    today = clock.today()
    days = 365
    lots_by_item: dict = {}
    rows = _history(session, rng, items, lots_by_item, locs, [staff, coordinator], today - dt.timedelta(days=days),
                    days)
    for row in rows:
        row["source_name"] = row["source_name"] and demo_da.donor(row["source_name"], language)
    bulk.load(session, rows)
    by_name = {item.name if not item.size else item.full_name: item for item, _x in items}
    # A couple of lots that expire soon and one expired lot still on the shelf.
    ledger.receive(session, item=by_name["COVID-19 self-test"], quantity=15, location=locs["Storeroom"],
                     lot_code="CV-2291", expires_on=today + dt.timedelta(days=12), source_kind="donor",
                     source_name="Region Hovedstaden", by=staff)
    ledger.receive(session, item=by_name["Milk"], quantity=6, location=locs["Fridge"], lot_code="MLK-55",
                     expires_on=today + dt.timedelta(days=3), source_kind="supplier", source_name="Lidl",
                     unit_cost="11.95", by=staff)
    ledger.receive(session, item=by_name["Cough syrup"], quantity=4, location=locs["Storeroom"], lot_code="CS-0912",
                     expires_on=today - dt.timedelta(days=20), confirm_past_expiry=True, source_kind="donor",
                     source_name=demo_da.donor("Private donor", language), by=staff)
    recalled = ledger.receive(session, item=by_name["Ibuprofen 200 mg"], quantity=12, location=locs["Storeroom"],
                                lot_code="IBU-4471", expires_on=today + dt.timedelta(days=400),
                                source_kind="supplier", source_name="Apotek Vesterbro", unit_cost="18.50", by=staff)
    ledger.issue(session, item=by_name["Ibuprofen 200 mg"], quantity=2, location=locs["Storeroom"],
                   lot=recalled.lot, reason="hand_out", by=staff)
    ledger.quarantine(session, recalled.lot, reason=demo_da.RECALL[language], by=coordinator)
    for kind, lines in KITS.items():
        kits.save_kit(session, kind, {by_name[name].id: str(q) for name, q in lines}, by=coordinator)
    session.flush()
    demo_da.name_in_danish(session)
    _pack_for_next_outreach(session, locs, staff)


def _pack_for_next_outreach(session, locs, staff) -> None:
    """The bag is packed for the next street outreach shift, so the shift page shows it."""
    import sqlalchemy as sa

    from logistics.clock import utcnow
    from logistics.shifts.models import Activity, ActivityKind, Shift, ShiftStatus

    shift = session.scalar(
        sa.select(Shift).join(Shift.activity)
        .where(Activity.kind == ActivityKind.STREET_OUTREACH, Shift.status == ShiftStatus.SCHEDULED,
               Shift.starts_at > utcnow(), Shift.starts_at < utcnow() + dt.timedelta(days=7))
        .order_by(Shift.starts_at).limit(1))
    bag = locs.get("Outreach bag")
    if shift is not None and bag is not None:
        kits.pack_bag(session, from_location=locs["Storeroom"], bag=bag, shift=shift, by=staff)
