"""Stocktakes: count one location part-way, then turn the differences into count movements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.db import shown
from logistics.errors import Conflict
from logistics.people.models import User
from logistics.stock.catalogue import InvalidQuantity, check_quantity, fmt
from logistics.stock.ledger import find_or_create_lot, stock_changed, take_balance, user_id, write_movement
from logistics.stock.models import Balance, Item, Location, Movement, MovementKind, Stocktake, StocktakeLine


def start_stocktake(session, location: Location, *, by: User | None) -> Stocktake:
    """Start counting a location; refused while another count of it is unfinished."""
    def refuse():
        return Conflict(str(_l("%(location)s already has an unfinished count. Finish or continue that one.",
                               location=location.name)), field="location_id")

    if session.scalar(sa.select(Stocktake.id).where(Stocktake.location_id == location.id,
                                                    Stocktake.finished_at.is_(None))) is not None:
        raise refuse()
    take = Stocktake(location_id=location.id, started_by_id=user_id(by), started_at=utcnow())
    take.location = location
    try:
        with session.begin_nested():
            session.add(take)
            session.flush()
    except sa.exc.IntegrityError:
        raise refuse() from None
    rows = session.execute(
        sa.select(Balance.item_id, Balance.lot_id, Balance.qty)
        .join(Item, Item.id == Balance.item_id)
        .where(Balance.location_id == location.id, Balance.qty > 0)
        .order_by(Item.category, shown(Item), Item.id, Balance.lot_id)
    ).all()
    session.add_all([StocktakeLine(stocktake_id=take.id, item_id=i, lot_id=lt, expected_qty=q) for i, lt, q in rows])
    session.flush()
    audit.record(session, by=by, action="stock.count_started", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": location.name, "lines": len(rows)})
    return take


def _open_stocktake(take: Stocktake) -> None:
    if take.finished_at is not None:
        raise Conflict(str(_l("This count is finished; start a new one to count again.")))


def save_counts(session, take: Stocktake, counts: dict[int, str | None], *, by: User | None) -> int:
    """Save counted quantities part-way: {line id: quantity or blank}. Returns lines saved.

    A bad quantity is reported on its line (field ``count-<line id>``) and nothing is saved."""
    _open_stocktake(take)
    lines = {line.id: line for line in take.lines}
    saved = 0
    errors = []
    for line_id, raw in counts.items():
        line = lines.get(int(line_id))
        if line is None:
            continue
        if raw in (None, ""):
            continue
        try:
            line.counted_qty = check_quantity(line.item, raw, field=f"count-{line.id}", allow_zero=True)
            saved += 1
        except InvalidQuantity as exc:
            errors.append(exc)
    if errors:
        raise errors[0]
    session.flush()
    return saved


def add_count_line(session, take: Stocktake, *, item: Item, lot_code: str | None, expires_on: dt.date | None,
                   quantity, by: User | None) -> StocktakeLine:
    """Add a line for stock found that the count did not list."""
    _open_stocktake(take)
    qty = check_quantity(item, quantity, allow_zero=True)
    lot = find_or_create_lot(session, item, lot_code, expires_on, confirm_past_expiry=True)
    if any(line.lot_id == lot.id for line in take.lines):
        raise Conflict(str(_l("This lot is already on the count; enter the quantity on its line.")), field="item_id")
    have = session.scalar(sa.select(Balance.qty).where(Balance.item_id == item.id, Balance.lot_id == lot.id,
                                                       Balance.location_id == take.location_id)) or Decimal(0)
    line = StocktakeLine(stocktake_id=take.id, item_id=item.id, lot_id=lot.id, expected_qty=have, counted_qty=qty)
    line.item, line.lot = item, lot
    take.lines.append(line)
    session.flush()
    return line


def finish_stocktake(session, take: Stocktake, *, by: User | None) -> list[Movement]:
    """Turn differences into count movements; uncounted lines are left as they are."""
    _open_stocktake(take)
    location = take.location
    counted = [line for line in take.lines if line.counted_qty is not None]
    # Lock the balances of the counted lots in (item, lot) order, then compare with now.
    current = dict(session.execute(
        sa.select(Balance.lot_id, Balance.qty)
        .where(Balance.location_id == location.id, Balance.lot_id.in_([line.lot_id for line in counted]))
        .order_by(Balance.item_id, Balance.lot_id)
        .with_for_update()
    ).all()) if counted else {}
    movements, diffs = [], []
    reason = str(_l("Count %(id)s", id=take.id))
    for line in sorted(counted, key=lambda ln: (ln.item_id, ln.lot_id)):
        have = current.get(line.lot_id, Decimal(0))
        delta = line.counted_qty - have
        if delta == 0:
            continue
        if delta > 0:
            movements.append(write_movement(session, kind=MovementKind.COUNT, item=line.item, lot=line.lot, qty=delta,
                                            from_loc=None, to_loc=location, by=by, reason=reason,
                                            stocktake_id=take.id))
        else:
            if not take_balance(session, line.item_id, line.lot_id, location.id, -delta):
                raise stock_changed()
            movements.append(write_movement(session, kind=MovementKind.COUNT, item=line.item, lot=line.lot,
                                            qty=-delta, from_loc=location, to_loc=None, by=by, reason=reason,
                                            stocktake_id=take.id))
        diffs.append({"item": line.item.full_name, "lot": line.lot.code, "was": fmt(have),
                      "counted": fmt(line.counted_qty)})
    take.finished_at = utcnow()
    take.finished_by_id = user_id(by)
    session.flush()
    audit.record(session, by=by, action="stock.count_finished", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": location.name, "counted_lines": len(counted), "differences": diffs})
    return movements


def cancel_stocktake(session, take: Stocktake, *, by: User | None) -> None:
    """Drop an unfinished count without changing stock."""
    _open_stocktake(take)
    audit.record(session, by=by, action="stock.count_cancelled", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": take.location.name})
    session.delete(take)
    session.flush()
