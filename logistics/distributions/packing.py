"""Packing, hand-out and cancelling a distribution.

Packing turns components into packs in one transaction: the components leave the storeroom
first-expiring-first (``pack`` movements) and the packs arrive there (a ``pack`` movement of
the pack item), every movement referencing the distribution. Partial packing is allowed
(fewer packs than planned); packing more than the stock allows is refused as a whole, with
what is short and by how much.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import today, utcnow
from logistics.distributions.models import REFERENCE, Distribution, DistributionStatus
from logistics.errors import Conflict, DomainError
from logistics.people.models import User
from logistics.shifts import planning as shift_planning
from logistics.shifts.models import ShiftStatus
from logistics.stock.catalogue import fmt, unit_label
from logistics.stock.ledger import (
    InsufficientStock,
    find_or_create_lot,
    is_usable,
    locked_balances,
    take_out,
    write_movement,
)
from logistics.stock.models import Item, Movement, MovementKind

#: The anonymous hand-out counts, in the order forms show them.
COUNT_FIELDS = ("women", "men", "transgender", "not_stated")
MAX_COUNT = 10_000
#: As in the plan: packs of one recipe for one distribution.
MAX_PLANNED = 2000


class ShortForPacking(DomainError):
    """Not enough usable stock for the packs asked; ``short`` is [(item, missing)]."""

    def __init__(self, short: list[tuple[Item, Decimal]]):
        self.short = short
        parts = [str(_l("%(item)s: %(missing)s %(unit)s short", item=item.full_name, missing=fmt(missing),
                        unit=unit_label(item.unit))) for item, missing in short]
        super().__init__(str(_l("Nothing was packed: there is not enough stock. %(short)s.",
                                short="; ".join(parts))), field="packs")


def lock(session, distribution_id: int) -> Distribution:
    """The distribution, locked for this transaction (PostgreSQL; SQLite writes are serial)."""
    return session.scalars(sa.select(Distribution).where(Distribution.id == distribution_id)
                           .with_for_update().execution_options(populate_existing=True)).one()


def _check_packs(distribution: Distribution, packs: dict[int, object]) -> dict[int, int]:
    lines = {line.id: line for line in distribution.lines}
    chosen = {}
    for line_id, raw in packs.items():
        line = lines.get(line_id)
        if line is None:
            raise DomainError(str(_l("This pack is not part of the distribution.")), field="packs")
        if raw in (None, "", 0):
            continue
        if not isinstance(raw, int) or raw < 0:
            raise DomainError(str(_l("Enter a whole number of packs, zero or more.")), field=f"packs-{line_id}")
        if raw > line.to_pack:
            raise DomainError(str(_l("Only %(n)s more packs of %(pack)s are planned.", n=line.to_pack,
                                     pack=line.pack_item.full_name)), field=f"packs-{line_id}")
        chosen[line_id] = raw
    if not chosen:
        raise DomainError(str(_l("Enter how many packs you made.")), field="packs")
    return chosen


def pack(session, distribution: Distribution, packs: dict[int, object], *, by: User | None) -> list[Movement]:
    """Pack ``packs`` ({line id: number of packs}) from the distribution's location."""
    distribution = lock(session, distribution.id)
    if distribution.status not in (DistributionStatus.PLANNED, DistributionStatus.PACKED):
        raise Conflict(str(_l("This distribution is %(status)s; it cannot be packed.",
                              status=status_word(distribution.status))))
    chosen = _check_packs(distribution, packs)
    lines = {line.id: line for line in distribution.lines}
    need: dict[int, Decimal] = defaultdict(Decimal)
    items: dict[int, Item] = {}
    for line_id, n in chosen.items():
        for component in lines[line_id].components:
            need[component.item_id] += component.quantity * n
            items[component.item_id] = component.item
    location, day = distribution.location, today()
    # Lock every component's balances (in item order) and check all before taking any, so a
    # short component refuses the whole packing with every shortage named.
    short, earliest = [], None
    for item_id in sorted(need):
        usable = [(lot, q) for lot, q in locked_balances(session, item_id, location.id) if is_usable(lot, day)]
        have = sum((q for _lot, q in usable), Decimal(0))
        if have < need[item_id]:
            short.append((items[item_id], need[item_id] - have))
        for lot, _q in usable:
            if lot.expires_on is not None and (earliest is None or lot.expires_on < earliest):
                earliest = lot.expires_on
    if short:
        raise ShortForPacking(short)
    ref = (REFERENCE, distribution.id)
    movements = []
    for item_id in sorted(need):
        movements += take_out(session, kind=MovementKind.PACK, item=items[item_id], qty=need[item_id],
                              from_loc=location, to_loc=None, by=by, reference=ref)
    for line_id, n in sorted(chosen.items()):
        line = lines[line_id]
        pack_item = line.pack_item
        lot = find_or_create_lot(session, pack_item, f"D{distribution.id}" if pack_item.is_expiry_tracked else None,
                                 earliest or (distribution.day + dt.timedelta(days=7))
                                 if pack_item.is_expiry_tracked else None, confirm_past_expiry=True)
        movements.append(write_movement(session, kind=MovementKind.PACK, item=pack_item, lot=lot, qty=Decimal(n),
                                        from_loc=None, to_loc=location, by=by, reference=ref))
        line.packed_packs += n
    distribution.status = DistributionStatus.PACKED
    distribution.packed_at = utcnow()
    session.flush()
    audit.record(session, by=by, action="distribution.packed", entity="distribution", entity_id=distribution.id,
                 changes={"day": distribution.day,
                          "packs": {lines[i].pack_item.full_name: n for i, n in chosen.items()}})
    return movements


def change_planned(session, distribution: Distribution, planned: dict[int, object], *, by: User | None) -> None:
    """Change the planned packs per line of a planned or packed distribution: a whole number
    of at least 1 and not below what is already packed."""
    distribution = lock(session, distribution.id)
    if distribution.status not in (DistributionStatus.PLANNED, DistributionStatus.PACKED):
        raise Conflict(str(_l("This distribution is %(status)s; its packs cannot be changed.",
                              status=status_word(distribution.status))))
    changes = {}
    for line in distribution.lines:
        n = planned.get(line.id)
        if n in (None, ""):
            continue
        if not isinstance(n, int) or not 1 <= n <= MAX_PLANNED:
            raise DomainError(str(_l("Enter a whole number of packs from 1 to %(n)s.", n=MAX_PLANNED)),
                              field=f"planned-{line.id}")
        if n < line.packed_packs:
            raise DomainError(str(_l("%(n)s packs of %(pack)s are already packed; plan at least that many.",
                                     n=line.packed_packs, pack=line.pack_item.full_name)), field=f"planned-{line.id}")
        if n != line.planned_packs:
            changes[line.pack_item.full_name] = [line.planned_packs, n]
            line.planned_packs = n
    if changes:
        session.flush()
        audit.record(session, by=by, action="distribution.changed", entity="distribution",
                     entity_id=distribution.id, changes={"day": distribution.day, "packs": changes})


def record_handout(session, distribution: Distribution, handed_out: dict[int, object], counts: dict[str, object],
                   *, by: User | None) -> list[Movement]:
    """Record the packs handed out per line (no more than packed; what is left stays in stock)
    and the optional anonymous counts; the distribution is then completed."""
    distribution = lock(session, distribution.id)
    if distribution.status != DistributionStatus.PACKED:
        raise Conflict(str(_l("Record the hand-out of a packed distribution (this one is %(status)s).",
                              status=status_word(distribution.status))))
    clean_counts = {}
    for name in COUNT_FIELDS:
        value = counts.get(name)
        if value in (None, ""):
            clean_counts[name] = None
        elif not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise DomainError(str(_l("Enter a whole number from 0 to %(n)s.", n=MAX_COUNT)), field=name)
        else:
            clean_counts[name] = value
    wanted = {}
    for line in distribution.lines:
        n = handed_out.get(line.id)
        n = 0 if n in (None, "") else n
        if not isinstance(n, int) or n < 0:
            raise DomainError(str(_l("Enter a whole number of packs, zero or more.")), field=f"handed-{line.id}")
        if n > line.packed_packs:
            raise DomainError(str(_l("Only %(n)s packs of %(pack)s were packed.", n=line.packed_packs,
                                     pack=line.pack_item.full_name)), field=f"handed-{line.id}")
        wanted[line.id] = (line, n)
    movements, ref = [], (REFERENCE, distribution.id)
    for line, n in wanted.values():
        if n:
            try:
                movements += take_out(session, kind=MovementKind.ISSUE, item=line.pack_item, qty=Decimal(n),
                                      from_loc=distribution.location, to_loc=None, by=by, usable_only=False,
                                      reason="distribution", reference=ref)
            except InsufficientStock as exc:
                exc.field = f"handed-{line.id}"
                raise
        line.handed_out_packs = n
    for name, value in clean_counts.items():
        setattr(distribution, name, value)
    distribution.status = DistributionStatus.COMPLETED
    distribution.completed_at = utcnow()
    session.flush()
    audit.record(session, by=by, action="distribution.handed_out", entity="distribution", entity_id=distribution.id,
                 changes={"day": distribution.day,
                          "packs": {line.pack_item.full_name: n for line, n in wanted.values()},
                          **{k: v for k, v in clean_counts.items() if v is not None}})
    return movements


def cancel(session, distribution: Distribution, *, by: User) -> None:
    """Cancel a planned or packed distribution and its shifts (through the shifts area, so the
    people on them hear of it). Packs already made stay in stock."""
    distribution = lock(session, distribution.id)
    if distribution.status not in (DistributionStatus.PLANNED, DistributionStatus.PACKED):
        raise Conflict(str(_l("This distribution is %(status)s; it cannot be cancelled.",
                              status=status_word(distribution.status))))
    for shift in (distribution.packing_shift, distribution.handout_shift):
        if shift is not None and shift.status == ShiftStatus.SCHEDULED and shift.ends_at > utcnow():
            shift_planning.cancel_shift(session, shift, by=by)
    before = distribution.status.value
    distribution.status = DistributionStatus.CANCELLED
    distribution.cancelled_at = utcnow()
    session.flush()
    audit.record(session, by=by, action="distribution.cancelled", entity="distribution", entity_id=distribution.id,
                 changes={"day": distribution.day, "status": [before, "cancelled"]})


STATUS_WORDS = {
    DistributionStatus.PLANNED: _l("planned"), DistributionStatus.PACKED: _l("packed"),
    DistributionStatus.COMPLETED: _l("completed"), DistributionStatus.CANCELLED: _l("cancelled"),
}


def status_word(status: DistributionStatus) -> str:
    return str(STATUS_WORDS[status])
