"""Will there be enough? For every distribution in the next weeks, each component needed
against what will be on hand on its day: what is on hand now, minus what earlier
distributions take (first-expiring-first, as packing does), minus lots that will have
expired by that day, minus blocked (quarantined) lots.

Two reads whatever the size of the history: the distributions with their copied recipe
lines, and the balances of their components' lots; the rest is arithmetic in Python.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from logistics.clock import today
from logistics.distributions.models import Distribution, DistributionComponent, DistributionLine, DistributionStatus
from logistics.distributions.queries import with_components
from logistics.stock.models import Balance, Item, Lot

#: How far ahead the check looks.
WEEKS = 8


@dataclass
class Line:
    item: Item
    need: Decimal
    #: Usable on the day, after earlier distributions took theirs.
    available: Decimal

    @property
    def short(self) -> Decimal:
        return max(self.need - self.available, Decimal(0))


@dataclass
class Check:
    distribution: Distribution
    lines: list[Line] = field(default_factory=list)

    @property
    def short_lines(self) -> list[Line]:
        return [line for line in self.lines if line.short > 0]


def _lots(session, keys: set[tuple[int, int]]) -> dict[tuple[int, int], list[list]]:
    """{(location, item): [[expires_on, qty], ...]} of usable-now lots, first-expiring first."""
    if not keys:
        return {}
    locations, items = {k[0] for k in keys}, {k[1] for k in keys}
    rows = session.execute(
        sa.select(Balance.location_id, Balance.item_id, Lot.id, Lot.expires_on, Balance.qty)
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.location_id.in_(locations), Balance.item_id.in_(items), Balance.qty > 0,
               Lot.quarantined_at.is_(None)))
    out = defaultdict(list)
    for location_id, item_id, lot_id, expires_on, qty in rows:
        out[(location_id, item_id)].append([expires_on, lot_id, qty])
    for lots in out.values():
        lots.sort(key=lambda e: (e[0] is None, e[0] or dt.date.max, e[1]))
    return out


def _take(lots: list[list], day: dt.date, need: Decimal) -> Decimal:
    """What of ``lots`` is usable on ``day``; ``need`` of it taken (from ``lots`` itself)
    first-expiring-first, as packing will."""
    usable = [e for e in lots if e[0] is None or e[0] >= day]
    available = sum((e[2] for e in usable), Decimal(0))
    for entry in usable:
        if need <= 0:
            break
        take = min(entry[2], need)
        entry[2] -= take
        need -= take
    return available


def _coming(start: dt.date | None, weeks: int):
    start = start or today()
    return (Distribution.day >= start, Distribution.day < start + dt.timedelta(weeks=weeks),
            Distribution.status.in_([DistributionStatus.PLANNED, DistributionStatus.PACKED]))


def check(session, *, start: dt.date | None = None, weeks: int = WEEKS) -> list[Check]:
    """Every planned or packed distribution from ``start`` for ``weeks`` weeks, soonest first,
    with each component's need (for the packs still to pack) and what will be there."""
    distributions = list(session.scalars(with_components(
        sa.select(Distribution).where(*_coming(start, weeks))
        .order_by(Distribution.day, Distribution.id))).unique())
    keys = {(d.location_id, c.item_id) for d in distributions for line in d.lines for c in line.components}
    lots = _lots(session, keys)
    checks = []
    for d in distributions:
        needs: dict[int, Decimal] = defaultdict(Decimal)
        items: dict[int, Item] = {}
        for line in d.lines:
            for c in line.components:
                if line.to_pack > 0:
                    needs[c.item_id] += c.quantity * line.to_pack
                    items[c.item_id] = c.item
        result = Check(d)
        for item_id in sorted(needs, key=lambda i: items[i].full_name):
            need = needs[item_id]
            result.lines.append(Line(items[item_id], need, _take(lots.get((d.location_id, item_id), []), d.day, need)))
        if needs:
            checks.append(result)
    return checks


@functools.cache
def _needs() -> sa.Select:
    """:func:`short_count`'s needs, built once per process (the start page asks it)."""
    return (sa.select(Distribution.id, Distribution.location_id, Distribution.day, DistributionComponent.item_id,
                      DistributionComponent.quantity, DistributionLine.planned_packs - DistributionLine.packed_packs)
            .join(DistributionLine, DistributionLine.distribution_id == Distribution.id)
            .join(DistributionComponent, DistributionComponent.line_id == DistributionLine.id)
            .where(Distribution.day >= sa.bindparam("needs_from"), Distribution.day < sa.bindparam("needs_to"),
                   Distribution.status.in_([DistributionStatus.PLANNED, DistributionStatus.PACKED]),
                   DistributionLine.planned_packs > DistributionLine.packed_packs)
            .order_by(Distribution.day, Distribution.id))


def short_count(session, *, start: dt.date | None = None, weeks: int = WEEKS) -> int:
    """How many of the coming distributions lack something (for the start page): the
    arithmetic of :func:`check` on the needs read as rows (distribution, item, quantity,
    packs still to pack), then the lots; two statements, no objects built."""
    start = start or today()
    rows = session.execute(_needs(), {"needs_from": start, "needs_to": start + dt.timedelta(weeks=weeks)}).all()
    needs: dict[tuple, dict[int, Decimal]] = {}  # (day, id, location): {item: need}, soonest first
    for distribution_id, location_id, day, item_id, quantity, to_pack in rows:
        wanted = needs.setdefault((day, distribution_id, location_id), defaultdict(Decimal))
        wanted[item_id] += quantity * to_pack
    lots = _lots(session, {(k[2], item_id) for k, wanted in needs.items() for item_id in wanted})
    return sum(1 for (day, _id, location_id), wanted in needs.items()
               if any([_take(lots.get((location_id, item_id), []), day, need) < need
                       for item_id, need in wanted.items()]))
