"""Where figures come from that another area owns: one function each, so a source can be
switched in one place.

Food packs
    Counted from the distributions' hand-out records (issue 11): the packs of food-pack items
    (category "food pack") recorded as handed out on each completed distribution, in the month
    of the distribution's day. A food pack can also be given out outside a distribution (an
    emergency pack at the office, one taken along on outreach): that is an issue movement of a
    food-pack item in the stock ledger with no distribution reference, and it counts too, in
    the month of the movement, unless it was undone. The hand-out itself writes issue movements
    that carry the reference ("distribution", id); those are left out of the ledger half, so
    no pack is counted twice. The hand-out record is the truth for a distribution (undoing one
    of its movements in the ledger does not change the count the coordinator recorded).

Cooking events and diners
    Completed communal cooking events (issue 11) and their actual diners, in the month the
    event started; planned and cancelled events do not count.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from logistics.cooking.models import CookingEvent, CookingStatus
from logistics.distributions.models import REFERENCE as DISTRIBUTION
from logistics.distributions.models import Distribution, DistributionLine, DistributionStatus
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


def day_month_of(period: Period, column) -> sa.ColumnElement[int]:
    """The index in ``period.months`` of a local *date* ``column`` (a CASE per month boundary,
    like :meth:`Period.month_of` for instants); the caller keeps ``column`` within the period."""
    months = period.months
    whens = [(column < months[i + 1], i) for i in range(len(months) - 1)]
    return sa.case(*whens, else_=len(months) - 1) if whens else sa.literal(0)


def food_packs_by_month(session, period: Period) -> list[int]:
    """Food packs handed out per month of ``period``: at distributions, plus those issued from
    stock outside a distribution (two statements; see the module's docstring)."""
    per_month = [0] * len(period.months)
    month = day_month_of(period, Distribution.day).label("month")
    rows = session.execute(
        sa.select(month, sa.func.sum(DistributionLine.handed_out_packs))
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .join(Item, Item.id == DistributionLine.pack_item_id)
        .where(Distribution.status == DistributionStatus.COMPLETED, Item.category == Category.FOOD_PACK,
               Distribution.day >= period.first, Distribution.day <= period.last)
        .group_by(month)).all()
    for m, n in rows:
        per_month[m] += int(n or 0)
    outside = sa.and_(Item.category == Category.FOOD_PACK,
                      sa.or_(Movement.reference_type.is_(None), Movement.reference_type != DISTRIBUTION))
    for (_item, m), qty in issued_by_month(session, period, outside).items():
        per_month[m] += int(qty)
    return per_month


def cooking_by_month(session, period: Period) -> tuple[list[int], list[int]]:
    """(completed cooking events, their actual diners) per month of ``period`` (one statement)."""
    events, diners = [0] * len(period.months), [0] * len(period.months)
    month = period.month_of(CookingEvent.starts_at).label("month")
    rows = session.execute(
        sa.select(month, sa.func.count(CookingEvent.id), sa.func.sum(CookingEvent.actual_diners))
        .where(CookingEvent.status == CookingStatus.COMPLETED, CookingEvent.starts_at >= period.start,
               CookingEvent.starts_at < period.end)
        .group_by(month)).all()
    for m, n, d in rows:
        events[m], diners[m] = int(n), int(d or 0)
    return events, diners

