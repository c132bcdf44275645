"""The read side of stock. On-hand figures come from the balance table, never from summing
the ledger; the ledger is read by index (one item's history, one lot's trace, a date range).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from logistics import settings
from logistics.clock import local_midnight, org_tz, today, utcnow
from logistics.shifts.models import Activity, Shift, ShiftStatus
from logistics.stock.models import (
    ACTIVITY_KINDS,
    Balance,
    Category,
    Item,
    Kit,
    KitLine,
    Location,
    Lot,
    Movement,
    MovementKind,
    Outreach,
    ProductGroup,
    Stocktake,
    StocktakeLine,
)

ZERO = Decimal(0)


def locations(session, *, active_only: bool = True) -> list[Location]:
    stmt = sa.select(Location).order_by(Location.is_mobile, Location.name)
    if active_only:
        stmt = stmt.where(Location.is_active.is_(True))
    return list(session.scalars(stmt))


def busiest_location(session, *, mobile: bool) -> int | None:
    """The active location holding the most lots (the storeroom, usually)."""
    return session.scalar(
        sa.select(Location.id).join(Balance, Balance.location_id == Location.id)
        .where(Location.is_active.is_(True), Location.is_mobile.is_(mobile), Balance.qty > 0)
        .group_by(Location.id).order_by(sa.func.count().desc(), Location.id).limit(1))


def item_choices(session) -> list[Item]:
    return list(session.scalars(
        sa.select(Item).where(Item.is_active.is_(True)).order_by(Item.name, Item.fit, Item.size, Item.id)))


def product_groups(session) -> list[ProductGroup]:
    return list(session.scalars(sa.select(ProductGroup).order_by(ProductGroup.name)))


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


def overview(session, *, q: str | None = None, category: str | None = None, location_id: int | None = None,
             below_only: bool = False, page: int = 1, per_page: int = 100) -> tuple[list[OverviewRow], int]:
    """Active items with on-hand, below-minimum and nearest usable expiry; one page of them."""
    qty_here = Balance.qty if location_id is None else sa.case((Balance.location_id == location_id, Balance.qty),
                                                               else_=0)
    usable_here = sa.and_(Balance.qty > 0, Lot.quarantined_at.is_(None),
                          sa.true() if location_id is None else Balance.location_id == location_id)
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
    if q:
        stmt = stmt.where(Item.name.ilike(f"%{q.strip()}%"))
    if category:
        stmt = stmt.where(Item.category == Category(category))
    if location_id is not None:
        stmt = stmt.where(agg.c.here > 0)
    if below_only:
        stmt = stmt.where(Item.min_level > 0, total < Item.min_level)
    count = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = session.execute(
        stmt.order_by(Item.category, Item.name, Item.fit, Item.size, Item.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    out = []
    for item, tot, here, nearest in rows:
        if isinstance(nearest, str):  # SQLite returns MIN(CASE ...) of dates untyped
            nearest = dt.date.fromisoformat(nearest)
        out.append(OverviewRow(item, here or ZERO, tot or ZERO, nearest))
    return out, count


# --- one item ---------------------------------------------------------------------------

@dataclass
class BalanceRow:
    lot: Lot
    location: Location
    qty: Decimal


def item_balances(session, item_id: int) -> list[BalanceRow]:
    rows = session.execute(
        sa.select(Balance.qty, Lot, Location)
        .join(Lot, Lot.id == Balance.lot_id).join(Location, Location.id == Balance.location_id)
        .where(Balance.item_id == item_id, Balance.qty > 0)
        .order_by(Lot.expires_on.is_(None), Lot.expires_on, Lot.id, Location.name)
    ).all()
    return [BalanceRow(lot, loc, qty) for qty, lot, loc in rows]


def _movement_options(stmt):
    return stmt.options(joinedload(Movement.lot), joinedload(Movement.from_location),
                        joinedload(Movement.to_location), joinedload(Movement.by))


def item_movements(session, item_id: int, *, page: int = 1, per_page: int = 25) -> tuple[list[Movement], int]:
    """One page of an item's history, newest first (served by ix_stock_movement_item_at)."""
    count = session.scalar(sa.select(sa.func.count(Movement.id)).where(Movement.item_id == item_id))
    rows = session.scalars(_movement_options(
        sa.select(Movement).where(Movement.item_id == item_id)
        .order_by(Movement.at.desc(), Movement.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    )).all()
    return list(rows), count


def level_series(session, item_id: int, current: Decimal, *, days: int = 365) -> list[tuple[dt.date, Decimal]]:
    """The item's total on hand at the end of each day over the last ``days`` days.

    Anchored on today's balance and walked backwards through the window's movements
    (transfers do not change the total and are not read).
    """
    tz = org_tz()
    end = today()
    start = end - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    rows = session.execute(
        sa.select(Movement.at, Movement.quantity, Movement.from_location_id.is_(None))
        .where(Movement.item_id == item_id, Movement.at >= since,
               sa.or_(Movement.from_location_id.is_(None), Movement.to_location_id.is_(None)))
    ).all()
    change = {}
    for at, qty, is_in in rows:
        day = at.astimezone(tz).date()
        change[day] = change.get(day, ZERO) + (qty if is_in else -qty)
    series = []
    level = current
    day = end
    while day >= start:
        series.append((day, level))
        level -= change.get(day, ZERO)
        day -= dt.timedelta(days=1)
    series.reverse()
    return series


# --- lists for staff and digests --------------------------------------------------------

@dataclass
class LotRow:
    item: Item
    lot: Lot
    location: Location
    qty: Decimal


def _lot_rows(session, condition) -> list[LotRow]:
    rows = session.execute(
        sa.select(Item, Lot, Location, Balance.qty)
        .join(Balance, Balance.item_id == Item.id).join(Lot, Lot.id == Balance.lot_id)
        .join(Location, Location.id == Balance.location_id)
        .where(Balance.qty > 0, condition)
        .order_by(Lot.expires_on, Item.name, Item.id, Location.name)
    ).all()
    return [LotRow(*r) for r in rows]


def warning_days(session) -> int:
    return int(settings.get(session, "stock_expiry_warning_days"))


def expiring(session, days: int | None = None, *, on: dt.date | None = None) -> list[LotRow]:
    """Stock whose lot expires within ``days`` days (today included), not yet expired."""
    on = on or today()
    days = warning_days(session) if days is None else days
    return _lot_rows(session, Lot.expires_on.between(on, on + dt.timedelta(days=days)))


def expired(session, *, on: dt.date | None = None) -> list[LotRow]:
    """Stock whose lot is past its expiry date: to be discarded."""
    return _lot_rows(session, Lot.expires_on < (on or today()))


def quarantined(session) -> list[LotRow]:
    return _lot_rows(session, Lot.quarantined_at.is_not(None))


@dataclass
class ShortRow:
    item: Item
    total: Decimal

    @property
    def shortfall(self) -> Decimal:
        return self.item.min_level - self.total


def below_minimum(session) -> list[ShortRow]:
    """Active items whose total on hand is below their minimum level (the shopping list)."""
    totals = (sa.select(Balance.item_id, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type).label("total"))
              .group_by(Balance.item_id).subquery())
    total = sa.type_coerce(sa.func.coalesce(totals.c.total, 0), Balance.qty.type)
    rows = session.execute(
        sa.select(Item, total).outerjoin(totals, totals.c.item_id == Item.id)
        .where(Item.is_active.is_(True), Item.min_level > 0, total < Item.min_level)
        .order_by(Item.category, Item.name, Item.fit, Item.size, Item.id)
    ).all()
    return [ShortRow(item, tot or ZERO) for item, tot in rows]


def digest(session) -> dict:
    """What a staff digest reports: counts and the rows behind them."""
    soon, gone, short = expiring(session), expired(session), below_minimum(session)
    return {"expiring": soon, "expired": gone, "below_minimum": short,
            "warning_days": warning_days(session)}


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
    movements = list(session.scalars(_movement_options(
        sa.select(Movement).where(Movement.lot_id == lot.id).order_by(Movement.at, Movement.id))))
    left = [(loc, qty) for qty, loc in session.execute(
        sa.select(Balance.qty, Location).join(Location, Location.id == Balance.location_id)
        .where(Balance.lot_id == lot.id, Balance.qty > 0).order_by(Location.name))]
    out: dict[str, Decimal] = {}
    received = ZERO
    for m in movements:
        if m.to_location_id is None:
            key = m.kind.value if m.kind != MovementKind.ISSUE else f"issue:{m.reason or 'other'}"
            out[key] = out.get(key, ZERO) + m.quantity
        elif m.from_location_id is None:
            received += m.quantity
    return Trace(lot, movements, left, out, received)


def item_lots(session, item_id: int) -> list[Lot]:
    return list(session.scalars(sa.select(Lot).where(Lot.item_id == item_id)
                                .order_by(Lot.expires_on.is_(None), Lot.expires_on, Lot.id)))


# --- product groups ---------------------------------------------------------------------

def size_grid(session, group: ProductGroup) -> tuple[list[str], list[str], dict[tuple[str, str], tuple[Item, Decimal]]]:
    """Fits (rows) by sizes (columns) with the item and its total on hand in each cell."""
    rows = session.execute(
        sa.select(Item, sa.type_coerce(sa.func.coalesce(sa.func.sum(Balance.qty), 0), Balance.qty.type))
        .outerjoin(Balance, Balance.item_id == Item.id)
        .where(Item.product_group_id == group.id, Item.is_active.is_(True))
        .group_by(Item.id).order_by(Item.id)
    ).all()
    order = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]

    def size_key(s: str):
        if s in order:
            return (0, order.index(s), s)
        try:
            return (1, float(s.split("-")[0]), s)
        except ValueError:
            return (2, 0, s)

    cells = {}
    for item, qty in rows:
        cells[(item.fit.value if item.fit else "", item.size or "")] = (item, qty or ZERO)
    fits = [f for f in ("women", "men", "unisex", "child", "") if any(k[0] == f for k in cells)]
    sizes = sorted({k[1] for k in cells}, key=size_key)
    return fits, sizes, cells


# --- stocktakes -------------------------------------------------------------------------

def open_stocktakes(session) -> list[Stocktake]:
    return list(session.scalars(sa.select(Stocktake).options(joinedload(Stocktake.location))
                                .where(Stocktake.finished_at.is_(None)).order_by(Stocktake.started_at)))


def recent_stocktakes(session, limit: int = 20) -> list[Stocktake]:
    return list(session.scalars(sa.select(Stocktake).options(joinedload(Stocktake.location))
                                .where(Stocktake.finished_at.is_not(None))
                                .order_by(Stocktake.finished_at.desc()).limit(limit)))


def stocktake_lines(session, take_id: int) -> list[StocktakeLine]:
    return list(session.scalars(
        sa.select(StocktakeLine).options(joinedload(StocktakeLine.item), joinedload(StocktakeLine.lot))
        .where(StocktakeLine.stocktake_id == take_id).order_by(StocktakeLine.id)))


# --- kits and outreach ------------------------------------------------------------------

def kits(session) -> dict[str, Kit]:
    found = {k.activity_kind: k for k in session.scalars(
        sa.select(Kit).options(joinedload(Kit.lines).joinedload(KitLine.item))).unique()}
    return {kind: found.get(kind) for kind in ACTIVITY_KINDS}


@dataclass
class CheckLine:
    item: Item
    needed: Decimal
    available: Decimal  # usable at the storeroom
    in_bag: Decimal

    @property
    def to_pack(self) -> Decimal:
        return max(self.needed - self.in_bag, ZERO)

    @property
    def status(self) -> str:
        """green: all of it can be packed; amber: some; red: none of what is still needed."""
        if self.to_pack <= 0 or self.available >= self.to_pack:
            return "green"
        return "amber" if self.available > 0 else "red"


def outreach_check(session, activity_kind: str, from_location_id: int, bag_location_id: int | None) -> list[CheckLine]:
    """The kit against usable stock at the storeroom (not expired, not blocked) and the bag."""
    kit = session.scalar(sa.select(Kit).options(joinedload(Kit.lines).joinedload(KitLine.item))
                         .where(Kit.activity_kind == activity_kind))
    if kit is None or not kit.lines:
        return []
    ids = [line.item_id for line in kit.lines]
    day = today()
    usable = sa.and_(Lot.quarantined_at.is_(None), sa.or_(Lot.expires_on.is_(None), Lot.expires_on >= day))
    avail = dict(session.execute(
        sa.select(Balance.item_id, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type))
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.location_id == from_location_id, Balance.item_id.in_(ids), usable)
        .group_by(Balance.item_id)).all())
    bag = {}
    if bag_location_id:
        bag = dict(session.execute(
            sa.select(Balance.item_id, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type))
            .where(Balance.location_id == bag_location_id, Balance.item_id.in_(ids))
            .group_by(Balance.item_id)).all())
    lines = [CheckLine(line.item, line.quantity, avail.get(line.item_id) or ZERO, bag.get(line.item_id) or ZERO)
             for line in kit.lines]
    return sorted(lines, key=lambda c: (c.item.category.value, c.item.name))


def open_outreaches(session) -> list[Outreach]:
    return list(session.scalars(
        sa.select(Outreach).options(joinedload(Outreach.bag_location), joinedload(Outreach.from_location),
                                    joinedload(Outreach.shift))
        .where(Outreach.returned_at.is_(None)).order_by(Outreach.packed_at)))


def recent_outreaches(session, limit: int = 10) -> list[Outreach]:
    return list(session.scalars(
        sa.select(Outreach).options(joinedload(Outreach.bag_location), joinedload(Outreach.from_location))
        .where(Outreach.returned_at.is_not(None)).order_by(Outreach.returned_at.desc()).limit(limit)))


def bag_contents(session, bag_location_id: int) -> list[tuple[Item, Decimal]]:
    """What is in a bag per item (all lots), by category and name."""
    rows = session.execute(
        sa.select(Item, sa.func.sum(Balance.qty))
        .join(Balance, Balance.item_id == Item.id)
        .where(Balance.location_id == bag_location_id)
        .group_by(Item.id).having(sa.func.sum(Balance.qty) > 0)
        .order_by(Item.category, Item.name, Item.id)
    ).all()
    return [(item, qty) for item, qty in rows]


def open_outreach_for_shift(session, shift_id: int) -> Outreach | None:
    """The packed, unreturned bag of a shift (at most one: a unique index keeps it so)."""
    return session.scalar(sa.select(Outreach).where(Outreach.shift_id == shift_id, Outreach.returned_at.is_(None)))


# --- outreach for shifts ----------------------------------------------------------------

def kit_kinds(session) -> set[str]:
    """Activity kinds whose kit has at least one line (a bag can be packed for them)."""
    return set(session.scalars(sa.select(Kit.activity_kind).join(KitLine, KitLine.kit_id == Kit.id).distinct()))


def _outreach_options(stmt):
    return stmt.options(joinedload(Outreach.bag_location), joinedload(Outreach.from_location),
                        joinedload(Outreach.packed_by))


def open_outreaches_by_shift(session, shift_ids) -> dict[int, Outreach]:
    ids = list(shift_ids)
    if not ids:
        return {}
    return {o.shift_id: o for o in session.scalars(_outreach_options(
        sa.select(Outreach).where(Outreach.shift_id.in_(ids), Outreach.returned_at.is_(None))))}


@dataclass
class KitShift:
    shift: Shift
    outreach: Outreach | None  # the packed, unreturned bag, if any


def upcoming_kit_shifts(session, *, days: int = 7, now: dt.datetime | None = None) -> list[KitShift]:
    """Scheduled shifts starting in the next ``days`` days whose activity kind has a kit,
    soonest first, each with its packed bag (if any)."""
    now = now or utcnow()
    kinds = kit_kinds(session)
    if not kinds:
        return []
    shifts = list(session.scalars(
        sa.select(Shift).join(Shift.activity).options(contains_eager(Shift.activity))
        .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > now,
               Shift.starts_at < now + dt.timedelta(days=days), Activity.kind.in_(sorted(kinds)))
        .order_by(Shift.starts_at, Shift.id)).unique())
    bags = open_outreaches_by_shift(session, [s.id for s in shifts])
    return [KitShift(s, bags.get(s.id)) for s in shifts]


def shift_outreaches(session, shift_id: int) -> list[Outreach]:
    """Every bag packed for a shift, newest first (normally one)."""
    return list(session.scalars(_outreach_options(
        sa.select(Outreach).where(Outreach.shift_id == shift_id).order_by(Outreach.packed_at.desc(),
                                                                          Outreach.id.desc()))))


def packed_for_cancelled_shifts(session) -> list[Outreach]:
    """Bags still packed for a shift that has been cancelled since: to be unpacked."""
    return list(session.scalars(_outreach_options(
        sa.select(Outreach).join(Outreach.shift)
        .where(Outreach.returned_at.is_(None), Shift.status == ShiftStatus.CANCELLED)
        .order_by(Shift.starts_at)).options(joinedload(Outreach.shift))))


@dataclass
class KitLot:
    expires_on: dt.date | None
    qty: Decimal


@dataclass
class ShiftKitLine:
    item: Item
    needed: Decimal  # what the kit says (0 for something in the bag that is not in the kit)
    packed: Decimal  # what is in the bag now (0 when no bag is packed)
    lots: list[KitLot]  # in the bag, per expiry date, for items that expire

    @property
    def short(self) -> Decimal:
        return max(self.needed - self.packed, ZERO)


@dataclass
class ShiftKit:
    kit: Kit | None
    outreach: Outreach | None  # the packed bag, or the last one returned
    lines: list[ShiftKitLine]

    @property
    def is_packed(self) -> bool:
        return self.outreach is not None and self.outreach.returned_at is None


def shift_kit(session, shift: Shift) -> ShiftKit:
    """What the bag for ``shift`` holds (when packed) and should hold: items, quantities and
    the expiry of what is packed. Nothing else about stock: no storerooms, no prices."""
    kind = shift.activity.kind.value
    kit = session.scalar(sa.select(Kit).options(joinedload(Kit.lines).joinedload(KitLine.item))
                         .where(Kit.activity_kind == kind))
    outreach = session.scalar(_outreach_options(
        sa.select(Outreach).where(Outreach.shift_id == shift.id)
        .order_by(Outreach.returned_at.is_not(None), Outreach.packed_at.desc(), Outreach.id.desc()).limit(1)))
    lines: dict[int, ShiftKitLine] = {}
    for line in (kit.lines if kit else []):
        lines[line.item_id] = ShiftKitLine(line.item, line.quantity, ZERO, [])
    if outreach is not None and outreach.returned_at is None:
        rows = session.execute(
            sa.select(Item, Lot.expires_on, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type))
            .join(Balance, Balance.item_id == Item.id).join(Lot, Lot.id == Balance.lot_id)
            .where(Balance.location_id == outreach.bag_location_id, Balance.qty > 0)
            .group_by(Item.id, Lot.expires_on).order_by(Item.id, Lot.expires_on)).all()
        for item, expires_on, qty in rows:
            if isinstance(expires_on, str):
                expires_on = dt.date.fromisoformat(expires_on)
            line = lines.setdefault(item.id, ShiftKitLine(item, ZERO, ZERO, []))
            line.packed += qty
            if item.is_expiry_tracked or expires_on is not None:
                line.lots.append(KitLot(expires_on, qty))
    ordered = sorted(lines.values(), key=lambda ln: (ln.item.category.value, ln.item.name, ln.item.id))
    return ShiftKit(kit if kit is not None and kit.lines else None, outreach, ordered)


def outreach_movements(session, outreach_id: int) -> list[Movement]:
    return list(session.scalars(_movement_options(
        sa.select(Movement).where(Movement.reference_type == "outreach", Movement.reference_id == outreach_id)
        .order_by(Movement.at, Movement.id)).options(joinedload(Movement.item))))


def movements_by_ids(session, ids: list[int]) -> list[Movement]:
    if not ids:
        return []
    return list(session.scalars(_movement_options(
        sa.select(Movement).where(Movement.id.in_(ids)).order_by(Movement.id)).options(joinedload(Movement.item))))


# --- exports ----------------------------------------------------------------------------

def on_hand_rows(session, *, location_id: int | None = None, category: str | None = None):
    stmt = (sa.select(Item, Lot, Location, Balance.qty)
            .join(Balance, Balance.item_id == Item.id).join(Lot, Lot.id == Balance.lot_id)
            .join(Location, Location.id == Balance.location_id)
            .where(Balance.qty > 0)
            .order_by(Item.category, Item.name, Item.id, Lot.expires_on, Location.name))
    if location_id:
        stmt = stmt.where(Balance.location_id == location_id)
    if category:
        stmt = stmt.where(Item.category == Category(category))
    return session.execute(stmt).yield_per(1000)


def movement_rows(session, *, start: dt.date | None = None, end: dt.date | None = None, item_id: int | None = None,
                  location_id: int | None = None, kind: str | None = None):
    """Movements in a local date range (both days included), oldest first, streamed."""
    stmt = (sa.select(Movement, Item).join(Item, Item.id == Movement.item_id)
            .options(joinedload(Movement.lot), joinedload(Movement.from_location),
                     joinedload(Movement.to_location))
            .order_by(Movement.at, Movement.id))
    if start:
        stmt = stmt.where(Movement.at >= local_midnight(start))
    if end:
        stmt = stmt.where(Movement.at < local_midnight(end + dt.timedelta(days=1)))
    if item_id:
        stmt = stmt.where(Movement.item_id == item_id)
    if location_id:
        stmt = stmt.where(sa.or_(Movement.from_location_id == location_id, Movement.to_location_id == location_id))
    if kind:
        stmt = stmt.where(Movement.kind == MovementKind(kind))
    return session.execute(stmt).yield_per(1000)
