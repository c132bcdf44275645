"""Reads of kits and outreaches: the stock check against a kit, bags out and back, and what
the shifts area shows of a shift's bag (upcoming kit shifts, a shift's kit, bags to unpack)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from logistics.clock import today, utcnow
from logistics.db import shown
from logistics.shifts.models import Activity, Shift, ShiftStatus
from logistics.stock.models import (
    ACTIVITY_KINDS,
    Balance,
    Item,
    Kit,
    KitLine,
    Lot,
    Movement,
    Outreach,
)
from logistics.stock.queries.ledger import movement_options


def kits(session) -> dict[str, Kit]:
    found = {k.activity_kind: k for k in session.scalars(
        sa.select(Kit).where(Kit.activity_kind.is_not(None))
        .options(joinedload(Kit.lines).joinedload(KitLine.item))).unique()}
    return {kind: found.get(kind) for kind in ACTIVITY_KINDS}


@dataclass
class CheckLine:
    item: Item
    needed: Decimal
    available: Decimal  # usable at the storeroom
    in_bag: Decimal

    @property
    def to_pack(self) -> Decimal:
        return max(self.needed - self.in_bag, Decimal(0))

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
    lines = [CheckLine(line.item, line.quantity, avail.get(line.item_id) or Decimal(0),
                       bag.get(line.item_id) or Decimal(0)) for line in kit.lines]
    return sorted(lines, key=lambda c: (c.item.category.value, c.item.name))


# --- bags ---------------------------------------------------------------------------------

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
        .order_by(Item.category, shown(Item), Item.id)
    ).all()
    return [(item, qty) for item, qty in rows]


def outreach_movements(session, outreach_id: int) -> list[Movement]:
    return list(session.scalars(movement_options(
        sa.select(Movement).where(Movement.reference_type == "outreach", Movement.reference_id == outreach_id)
        .order_by(Movement.at, Movement.id)).options(joinedload(Movement.item))))


# --- outreach for shifts ----------------------------------------------------------------

def kit_kinds(session) -> set[str]:
    """Activity kinds whose kit has at least one line (a bag can be packed for them)."""
    return set(session.scalars(sa.select(Kit.activity_kind).join(KitLine, KitLine.kit_id == Kit.id)
                               .where(Kit.activity_kind.is_not(None)).distinct()))


def _outreach_options(stmt):
    return stmt.options(joinedload(Outreach.bag_location), joinedload(Outreach.from_location),
                        joinedload(Outreach.packed_by))


def open_outreach_for_shift(session, shift_id: int) -> Outreach | None:
    """The packed, unreturned bag of a shift (at most one: a unique index keeps it so)."""
    return session.scalar(sa.select(Outreach).where(Outreach.shift_id == shift_id, Outreach.returned_at.is_(None)))


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
        return max(self.needed - self.packed, Decimal(0))


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
        lines[line.item_id] = ShiftKitLine(line.item, line.quantity, Decimal(0), [])
    if outreach is not None and outreach.returned_at is None:
        rows = session.execute(
            sa.select(Item, Lot.expires_on, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type))
            .join(Balance, Balance.item_id == Item.id).join(Lot, Lot.id == Balance.lot_id)
            .where(Balance.location_id == outreach.bag_location_id, Balance.qty > 0)
            .group_by(Item.id, Lot.expires_on).order_by(Item.id, Lot.expires_on)).all()
        for item, expires_on, qty in rows:
            if isinstance(expires_on, str):
                expires_on = dt.date.fromisoformat(expires_on)
            line = lines.setdefault(item.id, ShiftKitLine(item, Decimal(0), Decimal(0), []))
            line.packed += qty
            if item.is_expiry_tracked or expires_on is not None:
                line.lots.append(KitLot(expires_on, qty))
    ordered = sorted(lines.values(), key=lambda ln: (ln.item.category.value, ln.item.name, ln.item.id))
    return ShiftKit(kit if kit is not None and kit.lines else None, outreach, ordered)
