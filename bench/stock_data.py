"""Generate a large stock ledger: N items x M locations and K movements over two years,
loaded through logistics.stock.bulk (ledger = balance, checked by ``stock verify``)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from logistics import clock
from logistics.stock import bulk
from logistics.stock.models import Category, Item, Location, Lot, MovementKind, SourceKind


def generate(session, *, items: int = 400, locations: int = 5, movements: int = 300_000, lots_per_item: int = 4,
             seed: int = 7, by_id: int | None = None, copy: bool = False) -> dict:
    rng = random.Random(seed)
    locs = [Location(name=f"Location {i + 1}", is_mobile=(i == locations - 1)) for i in range(locations)]
    session.add_all(locs)
    cats = [c for c in Category if c != Category.CLOTHING]
    item_rows = [Item(name=f"Bench item {i:04d}", category=cats[i % len(cats)], unit="piece",
                      is_expiry_tracked=i % 2 == 0, min_level=Decimal(rng.choice([0, 10, 50, 200])))
                 for i in range(items)]
    session.add_all(item_rows)
    session.flush()
    today = clock.today()
    lots = {}
    for item in item_rows:
        lots[item.id] = []
        for n in range(lots_per_item):
            lot = Lot(item_id=item.id, code=f"B{item.id}-{n}",
                      expires_on=today + dt.timedelta(days=rng.randint(-60, 900)) if item.is_expiry_tracked else None)
            session.add(lot)
            lots[item.id].append(lot)
    session.flush()
    start = clock.utcnow() - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / movements
    fixed = [loc.id for loc in locs[:-1]]
    all_locs = [loc.id for loc in locs]
    have: dict[int, dict[tuple[int, int], Decimal]] = {}  # item -> {(lot, loc): qty > 0}

    def rows():
        for i in range(movements):
            item = item_rows[rng.randrange(items)]
            stock = have.setdefault(item.id, {})
            roll = rng.random()
            at = start + step * i
            base = {"item_id": item.id, "reason": None, "source_kind": None, "source_name": None, "unit_cost": None,
                    "reference_type": None, "reference_id": None, "stocktake_id": None, "reverses_id": None,
                    "note": None, "by_id": by_id, "at": at}
            if roll < 0.3 or not stock:
                lot = rng.choice(lots[item.id])
                loc = rng.choice(fixed)
                qty = Decimal(rng.randint(5, 60))
                stock[(lot.id, loc)] = stock.get((lot.id, loc), Decimal(0)) + qty
                yield {**base, "kind": MovementKind.RECEIVE, "lot_id": lot.id, "quantity": qty,
                       "from_location_id": None, "to_location_id": loc, "source_kind": SourceKind.DONOR,
                       "source_name": "Bench donor"}
                continue
            key = rng.choice(list(stock))
            avail = stock[key]
            qty = Decimal(rng.randint(1, max(int(avail), 1)))
            qty = min(qty, avail)
            left = avail - qty
            if left:
                stock[key] = left
            else:
                del stock[key]
            lot_id, loc = key
            if roll < 0.8:
                yield {**base, "kind": MovementKind.ISSUE, "lot_id": lot_id, "quantity": qty,
                       "from_location_id": loc, "to_location_id": None, "reason": "outreach"}
            elif roll < 0.95:
                dst = rng.choice([x for x in all_locs if x != loc])
                stock[(lot_id, dst)] = stock.get((lot_id, dst), Decimal(0)) + qty
                yield {**base, "kind": MovementKind.TRANSFER, "lot_id": lot_id, "quantity": qty,
                       "from_location_id": loc, "to_location_id": dst}
            else:
                yield {**base, "kind": MovementKind.DISCARD, "lot_id": lot_id, "quantity": qty,
                       "from_location_id": loc, "to_location_id": None, "reason": "expired"}

    count = bulk.load(session, rows(), copy=copy)
    return {"items": items, "locations": locations, "movements": count, "lots": items * lots_per_item,
            "item_ids": [i.id for i in item_rows]}
