"""Reads of the ledger. On-hand figures come from the balance table, never from summing the
ledger; the ledger is read by index (one item's history, one lot's trace, a set of ids)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.clock import org_tz, today
from logistics.db import shown, shown_in_danish
from logistics.stock.models import (
    Balance,
    Category,
    Item,
    Location,
    Lot,
    Movement,
    MovementKind,
)


def on_hand_by_item(session, location_id: int, item_ids: list[int] | None = None) -> dict[int, Decimal]:
    """What is on hand at a location per item (all lots), for ``item_ids`` or every item."""
    stmt = (sa.select(Balance.item_id, sa.func.sum(Balance.qty))
            .where(Balance.location_id == location_id).group_by(Balance.item_id))
    if item_ids is not None:
        stmt = stmt.where(Balance.item_id.in_(item_ids))
    return {i: q for i, q in session.execute(stmt).all()}


# --- overview ---------------------------------------------------------------------------

@dataclass
class OverviewRow:
    item: Item
    on_hand: Decimal  # at the chosen location, or in total
    total: Decimal
    nearest_expiry: dt.date | None

    @property
    def below_minimum(self) -> bool:
        return self.item.min_level > 0 and self.total < self.item.min_level


@functools.lru_cache(maxsize=64)
def _overview(searching: bool, by_category: bool, at_location: bool, below_only: bool,
              _danish: bool) -> tuple[sa.Select, sa.Select]:
    """:func:`overview`'s count and page, built once per shape of filter and page language
    (the order is by the name shown); the filters' values are bind parameters."""
    location = sa.bindparam("location_id")
    qty_here = sa.case((Balance.location_id == location, Balance.qty), else_=0) if at_location else Balance.qty
    usable_here = sa.and_(Balance.qty > 0, Lot.quarantined_at.is_(None),
                          Balance.location_id == location if at_location else sa.true())
    agg = (
        sa.select(
            Balance.item_id.label("item_id"),
            sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type).label("total"),
            sa.type_coerce(sa.func.sum(qty_here), Balance.qty.type).label("here"),
            sa.func.min(sa.case((usable_here, Lot.expires_on))).label("nearest"),
        )
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.qty > 0)
        .group_by(Balance.item_id)
        .subquery()
    )
    total = sa.func.coalesce(agg.c.total, 0)
    stmt = sa.select(Item, agg.c.total, agg.c.here, agg.c.nearest).outerjoin(agg, agg.c.item_id == Item.id)
    stmt = stmt.where(Item.is_active.is_(True))
    if searching:
        stmt = stmt.where(Item.name.ilike(sa.bindparam("search")))
    if by_category:
        stmt = stmt.where(Item.category == sa.bindparam("category"))
    if at_location:
        stmt = stmt.where(agg.c.here > 0)
    if below_only:
        stmt = stmt.where(Item.min_level > 0, total < Item.min_level)
    count = sa.select(sa.func.count()).select_from(stmt.subquery())
    page = (stmt.order_by(Item.category, shown(Item), Item.fit, Item.size, Item.id)
            .limit(sa.bindparam("per_page", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer)))
    return count, page


def overview(session, *, q: str | None = None, category: str | None = None, location_id: int | None = None,
             below_only: bool = False, page: int = 1, per_page: int = 100) -> tuple[list[OverviewRow], int]:
    """Active items with on-hand, below-minimum and nearest usable expiry; one page of them."""
    search = (q or "").strip()
    count_stmt, page_stmt = _overview(bool(search), bool(category), location_id is not None, below_only,
                                      shown_in_danish())
    params = {"search": f"%{search}%", "category": Category(category) if category else None,
              "location_id": location_id, "per_page": per_page, "offset": (max(page, 1) - 1) * per_page}
    count = session.scalar(count_stmt, params)
    rows = session.execute(page_stmt, params).all()
    out = []
    for item, tot, here, nearest in rows:
        if isinstance(nearest, str):  # SQLite returns MIN(CASE ...) of dates untyped
            nearest = dt.date.fromisoformat(nearest)
        out.append(OverviewRow(item, here or Decimal(0), tot or Decimal(0), nearest))
    return out, count


# --- one item ---------------------------------------------------------------------------

@dataclass
class BalanceRow:
    lot: Lot
    location: Location
    qty: Decimal


def item_balances(session, item_id: int) -> list[BalanceRow]:
    rows = session.execute(_item_balances(shown_in_danish()), {"item_id": item_id}).all()
    return [BalanceRow(lot, loc, qty) for qty, lot, loc in rows]


# An item's page asks these on every view: built once per process (per page language where
# the order depends on it), the item and the page as bind parameters.

@functools.lru_cache(maxsize=2)
def _item_balances(_danish: bool) -> sa.Select:
    return (sa.select(Balance.qty, Lot, Location)
            .join(Lot, Lot.id == Balance.lot_id).join(Location, Location.id == Balance.location_id)
            .where(Balance.item_id == sa.bindparam("item_id"), Balance.qty > 0)
            .order_by(Lot.expires_on.is_(None), Lot.expires_on, Lot.id, shown(Location)))


@functools.cache
def _item_movements() -> tuple[sa.Select, sa.Select]:
    item = sa.bindparam("item_id")
    count = sa.select(sa.func.count(Movement.id)).where(Movement.item_id == item)
    page = movement_options(
        sa.select(Movement).where(Movement.item_id == item).order_by(Movement.at.desc(), Movement.id.desc())
        .limit(sa.bindparam("per_page", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer)))
    return count, page


@functools.cache
def _level_changes() -> sa.Select:
    return (sa.select(Movement.at, Movement.quantity, Movement.from_location_id.is_(None))
            .where(Movement.item_id == sa.bindparam("item_id"),
                   Movement.at >= sa.bindparam("since", type_=Movement.at.type),
                   sa.or_(Movement.from_location_id.is_(None), Movement.to_location_id.is_(None))))


def movement_options(stmt):
    return stmt.options(joinedload(Movement.lot), joinedload(Movement.from_location),
                        joinedload(Movement.to_location), joinedload(Movement.by))


def item_movements(session, item_id: int, *, page: int = 1, per_page: int = 25) -> tuple[list[Movement], int]:
    """One page of an item's history, newest first (served by ix_stock_movement_item_at)."""
    count_stmt, page_stmt = _item_movements()
    count = session.scalar(count_stmt, {"item_id": item_id})
    rows = session.scalars(page_stmt, {"item_id": item_id, "per_page": per_page,
                                       "offset": (max(page, 1) - 1) * per_page}).all()
    return list(rows), count


def movements_by_ids(session, ids: list[int]) -> list[Movement]:
    if not ids:
        return []
    return list(session.scalars(movement_options(
        sa.select(Movement).where(Movement.id.in_(ids)).order_by(Movement.id)).options(joinedload(Movement.item))))


def level_series(session, item_id: int, current: Decimal, *, days: int = 365) -> list[tuple[dt.date, Decimal]]:
    """The item's total on hand at the end of each day over the last ``days`` days.

    Anchored on today's balance and walked backwards through the window's movements
    (transfers do not change the total and are not read).
    """
    tz = org_tz()
    end = today()
    start = end - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    rows = session.execute(_level_changes(), {"item_id": item_id, "since": since}).all()
    change = {}
    for at, qty, is_in in rows:
        day = at.astimezone(tz).date()
        change[day] = change.get(day, Decimal(0)) + (qty if is_in else -qty)
    series = []
    level = current
    day = end
    while day >= start:
        series.append((day, level))
        level -= change.get(day, Decimal(0))
        day -= dt.timedelta(days=1)
    series.reverse()
    return series


# --- lots -------------------------------------------------------------------------------

@dataclass
class Trace:
    lot: Lot
    movements: list[Movement]
    left: list[tuple[Location, Decimal]]
    out: dict[str, Decimal]  # where units left the stock: reason/kind -> quantity
    received: Decimal


def trace(session, lot: Lot) -> Trace:
    """Where every unit of a lot went, and what is left where."""
    movements = list(session.scalars(movement_options(
        sa.select(Movement).where(Movement.lot_id == lot.id).order_by(Movement.at, Movement.id))))
    left = [(loc, qty) for qty, loc in session.execute(
        sa.select(Balance.qty, Location).join(Location, Location.id == Balance.location_id)
        .where(Balance.lot_id == lot.id, Balance.qty > 0).order_by(shown(Location)))]
    out: dict[str, Decimal] = {}
    received = Decimal(0)
    for m in movements:
        if m.to_location_id is None:
            key = m.kind.value if m.kind != MovementKind.ISSUE else f"issue:{m.reason or 'other'}"
            out[key] = out.get(key, Decimal(0)) + m.quantity
        elif m.from_location_id is None:
            received += m.quantity
    return Trace(lot, movements, left, out, received)


def item_lots(session, item_id: int) -> list[Lot]:
    return list(session.scalars(sa.select(Lot).where(Lot.item_id == item_id)
                                .order_by(Lot.expires_on.is_(None), Lot.expires_on, Lot.id)))
