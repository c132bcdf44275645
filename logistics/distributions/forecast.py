"""When will each item run out? A day-by-day projection over the coming weeks of what is
usable (on hand, not blocked, lots dropping out on their expiry date) against what will be
used: the planned distributions' components on their days, the cooking events' expected
ingredients on theirs, and every day the average outreach and hand-out use of the last 90
days (issues that served neither a distribution nor a cooking event). The shopping list is
what runs short, by the day it runs out.

A fixed number of reads, whatever the history: the usable lots, one aggregate over the last
90 days of issues, the planned distributions with their lines, and what the cooking area
adds; the projection itself is arithmetic in Python.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

import sqlalchemy as sa

from logistics.clock import local_midnight, today
from logistics.cooking import queries as cooking_queries
from logistics.distributions.models import REFERENCE, Distribution, DistributionStatus
from logistics.distributions.queries import with_components
from logistics.stock.models import Balance, Item, Lot, Movement, MovementKind
from logistics.stock.queries.lists import below_minimum

#: The average daily use is taken over this many days.
USE_DAYS = 90
WEEKS = 8
#: References whose use is planned, not averaged (they come in as dated needs).
PLANNED_REFERENCES = (REFERENCE, "cooking")



@dataclass
class ItemForecast:
    item: Item
    on_hand: Decimal
    #: Average use per day (outreach, hand-outs) over the last 90 days.
    daily_use: Decimal
    planned: Decimal
    expiring: Decimal
    runs_out_on: dt.date | None
    #: What is missing by the end of the horizon.
    short: Decimal = Decimal(0)
    needs: list[tuple[dt.date, Decimal]] = field(default_factory=list)


def _usable_lots(session) -> dict[int, list[list]]:
    rows = session.execute(
        sa.select(Balance.item_id, Lot.id, Lot.expires_on, sa.type_coerce(sa.func.sum(Balance.qty), Balance.qty.type))
        .join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.qty > 0, Lot.quarantined_at.is_(None))
        .group_by(Balance.item_id, Lot.id, Lot.expires_on))
    out = defaultdict(list)
    for item_id, lot_id, expires_on, qty in rows:
        out[item_id].append([expires_on, lot_id, qty])
    for lots in out.values():
        lots.sort(key=lambda e: (e[0] is None, e[0] or dt.date.max, e[1]))
    return out


def daily_use(session, *, on: dt.date | None = None) -> dict[int, Decimal]:
    """Average issued per day over the last USE_DAYS days before ``on``, per item (outreach
    and other hand-outs; distributions and cooking are planned, not averaged)."""
    on = on or today()
    since, until = local_midnight(on - dt.timedelta(days=USE_DAYS)), local_midnight(on)
    rows = session.execute(
        sa.select(Movement.item_id, sa.type_coerce(sa.func.sum(Movement.quantity), Movement.quantity.type))
        .where(Movement.kind == MovementKind.ISSUE, Movement.at >= since, Movement.at < until,
               sa.or_(Movement.reference_type.is_(None), Movement.reference_type.not_in(PLANNED_REFERENCES)))
        .group_by(Movement.item_id))
    return {item_id: total / USE_DAYS for item_id, total in rows if total}


def planned_needs(session, start: dt.date, end: dt.date) -> list[tuple[dt.date, int, Decimal]]:
    """The components of the packs still to pack, on each planned distribution's day."""
    distributions = session.scalars(with_components(
        sa.select(Distribution).where(Distribution.day >= start, Distribution.day < end,
                                      Distribution.status.in_([DistributionStatus.PLANNED,
                                                               DistributionStatus.PACKED])))).unique()
    return [(d.day, c.item_id, c.quantity * line.to_pack)
            for d in distributions for line in d.lines for c in line.components if line.to_pack > 0]


def forecast(session, *, start: dt.date | None = None, weeks: int = WEEKS) -> list[ItemForecast]:
    """Every item that is on hand, used or needed, with the day it runs out (None: not within
    the horizon), soonest first."""
    start = start or today()
    end = start + dt.timedelta(weeks=weeks)
    lots = _usable_lots(session)
    use = daily_use(session, on=start)
    dated: dict[int, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for day, item_id, qty in planned_needs(session, start, end) + cooking_queries.expected_needs(session, start, end):
        dated[item_id][day] += qty
    item_ids = set(lots) | set(use) | set(dated)
    items = {i.id: i for i in session.scalars(sa.select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
    out = []
    for item_id, item in items.items():
        item_lots = [list(e) for e in lots.get(item_id, [])]
        # Lots already past their expiry date are not usable today.
        item_lots = [e for e in item_lots if e[0] is None or e[0] >= start]
        on_hand = sum((e[2] for e in item_lots), Decimal(0))
        per_day = use.get(item_id, Decimal(0))
        runs_out, short, expiring, planned = None, Decimal(0), Decimal(0), Decimal(0)
        day = start
        while day < end:
            # Lots whose last day was yesterday are gone.
            kept = []
            for e in item_lots:
                if e[0] is not None and e[0] < day:
                    expiring += e[2]
                else:
                    kept.append(e)
            item_lots = kept
            need = per_day + dated[item_id].get(day, Decimal(0)) if item_id in dated else per_day
            planned += dated[item_id].get(day, Decimal(0)) if item_id in dated else Decimal(0)
            for e in item_lots:
                if need <= 0:
                    break
                take = min(e[2], need)
                e[2] -= take
                need -= take
            if need > 0:
                short += need
                if runs_out is None:
                    runs_out = day
            day += dt.timedelta(days=1)
        if per_day == 0 and item_id not in dated:
            continue  # nothing will be used: it cannot run out
        out.append(ItemForecast(item, on_hand, per_day, planned, expiring, runs_out,
                                short.quantize(Decimal("0.001"), rounding=ROUND_CEILING)))
    out.sort(key=lambda f: (f.runs_out_on is None, f.runs_out_on or dt.date.max, f.item.name, f.item.id))
    return out


@dataclass
class BuyRow:
    item: Item
    #: Buy or ask donors for it by this day.
    by: dt.date
    quantity: Decimal
    #: "forecast" (it runs out) or "minimum" (below its minimum level now).
    reason: str


def shopping_list(session, *, start: dt.date | None = None, weeks: int = WEEKS) -> list[BuyRow]:
    """What to buy or ask donors for, by date: what runs out within the horizon (the missing
    quantity, whole units rounded up), and, by today, what is below its minimum level."""
    start = start or today()
    rows: dict[int, BuyRow] = {}
    for f in forecast(session, start=start, weeks=weeks):
        if f.runs_out_on is None:
            continue
        qty = f.short.to_integral_value(rounding=ROUND_CEILING) if f.item.is_whole else f.short
        rows[f.item.id] = BuyRow(f.item, f.runs_out_on, qty, "forecast")
    for r in below_minimum(session):
        known = rows.get(r.item.id)
        if known is None:
            rows[r.item.id] = BuyRow(r.item, start, r.shortfall, "minimum")
        else:
            known.by, known.quantity = start, max(known.quantity, r.shortfall)
    return sorted(rows.values(), key=lambda r: (r.by, r.item.name, r.item.id))
