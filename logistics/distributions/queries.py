"""Reads of distributions: the list, one distribution with its lines and shifts, which
distribution a shift serves, and the packing list (which lots to take first)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from logistics.clock import today
from logistics.distributions.models import Distribution, DistributionComponent, DistributionLine, DistributionStatus
from logistics.stock.ledger import _fefo, is_usable
from logistics.stock.models import Balance, Item, Lot


def with_lines(stmt):
    return stmt.options(
        selectinload(Distribution.lines).joinedload(DistributionLine.pack_item),
        selectinload(Distribution.lines).selectinload(DistributionLine.components)
        .joinedload(DistributionComponent.item),
        joinedload(Distribution.packing_shift), joinedload(Distribution.handout_shift),
        joinedload(Distribution.location))


def with_components(stmt):
    """Only what the stock arithmetic needs: lines, their pack item and copied components."""
    return stmt.options(
        selectinload(Distribution.lines).joinedload(DistributionLine.pack_item),
        selectinload(Distribution.lines).selectinload(DistributionLine.components)
        .joinedload(DistributionComponent.item))


def get(session, distribution_id: int) -> Distribution | None:
    return session.scalar(with_lines(sa.select(Distribution).where(Distribution.id == distribution_id)))


def upcoming(session, *, start: dt.date | None = None, limit: int = 60) -> list[Distribution]:
    """Distributions from ``start`` on (cancelled ones too, marked), soonest first."""
    start = start or today()
    return list(session.scalars(with_lines(sa.select(Distribution).where(Distribution.day >= start)
                                           .order_by(Distribution.day, Distribution.id).limit(limit))).unique())


def recent(session, *, before: dt.date | None = None, limit: int = 12) -> list[Distribution]:
    before = before or today()
    return list(session.scalars(with_lines(sa.select(Distribution).where(Distribution.day < before)
                                           .order_by(Distribution.day.desc(), Distribution.id.desc())
                                           .limit(limit))).unique())


def for_shifts(session, shift_ids) -> dict[int, Distribution]:
    """{shift id: the distribution it serves} for the packing and hand-out shifts among ``shift_ids``."""
    ids = list(shift_ids)
    if not ids:
        return {}
    found = session.scalars(sa.select(Distribution).where(sa.or_(Distribution.packing_shift_id.in_(ids),
                                                                 Distribution.handout_shift_id.in_(ids))))
    out = {}
    for d in found:
        for shift_id in (d.packing_shift_id, d.handout_shift_id):
            if shift_id in ids:
                out[shift_id] = d
    return out


def in_days(session, first: dt.date, last: dt.date) -> dict[dt.date, Distribution]:
    """Active distributions by day, for the calendar."""
    return {d.day: d for d in session.scalars(
        sa.select(Distribution).where(Distribution.day.between(first, last),
                                      Distribution.status != DistributionStatus.CANCELLED))}


@dataclass
class PickLine:
    """One component to pick for the packs still to pack, and the lots to take it from."""

    item: Item
    per_pack: dict[str, Decimal]  # pack name -> quantity per pack
    total: Decimal
    lots: list[tuple[Lot, Decimal]] = field(default_factory=list)
    short: Decimal = Decimal(0)


def packing_list(session, distribution: Distribution) -> list[PickLine]:
    """What to pick for every pack still to pack, first-expiring lots first (two queries)."""
    lines: dict[int, PickLine] = {}
    for line in distribution.lines:
        for component in line.components:
            pick = lines.setdefault(component.item_id, PickLine(component.item, {}, Decimal(0)))
            pick.per_pack[line.pack_item.full_name] = component.quantity
            pick.total += component.quantity * line.to_pack
    if not lines:
        return []
    balances = defaultdict(list)
    for lot, qty in session.execute(
            sa.select(Lot, Balance.qty).join(Balance, Balance.lot_id == Lot.id)
            .where(Balance.location_id == distribution.location_id, Balance.item_id.in_(list(lines)),
                   Balance.qty > 0)):
        balances[lot.item_id].append((lot, qty))
    day = today()
    for item_id, pick in lines.items():
        need = pick.total
        for lot, qty in _fefo([e for e in balances[item_id] if is_usable(e[0], day)]):
            if need <= 0:
                break
            take = min(qty, need)
            pick.lots.append((lot, take))
            need -= take
        pick.short = max(need, Decimal(0))
    return sorted(lines.values(), key=lambda p: p.item.full_name)
