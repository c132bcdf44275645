"""Where figures come from that another area may own later: one function each, so the lead
can switch a source in one place.

Food packs handed out are counted, for now, from the stock ledger: issue movements of stock
items of the category "food pack" ("Food pack (standard)", "(family)"). When the
distributions area (issue 11) records hand-outs, :func:`food_packs_by_month` should count
those instead; nothing else in the report changes.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from logistics.reports.months import Period
from logistics.stock.models import Category, Item, Movement, MovementKind


def _not_undone():
    undo = aliased(Movement)
    return ~sa.select(undo.id).where(undo.reverses_id == Movement.id).exists()


def issued_by_month(session, period: Period, where) -> dict[tuple[int, int], Decimal]:
    """{(item id, month index): quantity issued} for the items ``where`` selects: issue
    movements in the period that were not undone (one statement)."""
    month = period.month_of(Movement.at).label("month")
    rows = session.execute(
        sa.select(Movement.item_id, month, sa.func.sum(Movement.quantity))
        .join(Item, Item.id == Movement.item_id)
        .where(Movement.kind == MovementKind.ISSUE, Movement.at >= period.start, Movement.at < period.end,
               where, _not_undone())
        .group_by(Movement.item_id, month)
    ).all()
    return {(item_id, m): Decimal(q or 0) for item_id, m, q in rows}


def food_packs_by_month(session, period: Period) -> list[int]:
    """Food packs handed out per month of ``period``."""
    per_month = [0] * len(period.months)
    for (_item, m), qty in issued_by_month(session, period, Item.category == Category.FOOD_PACK).items():
        per_month[m] += int(qty)
    return per_month
