"""Reads of cooking events: the list, one event with what was drawn for it, "use soon" food
lots, and the ingredients the coming events are expected to take (for the forecast)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.clock import local_midnight, to_local, today
from logistics.cooking.models import REFERENCE, CookingEvent, CookingStatus
from logistics.stock.models import Balance, Category, Item, Location, Lot, Movement, MovementKind
from logistics.stock.queries.ledger import movement_options
from logistics.stock.queries.lists import LotRow

#: Food expiring within this many days is suggested for cooking.
USE_SOON_DAYS = 14
#: Expected ingredients are the average drawn per event over this many days.
HISTORY_DAYS = 90


def _options(stmt):
    return stmt.options(joinedload(CookingEvent.place), joinedload(CookingEvent.shift),
                        joinedload(CookingEvent.location))


def get(session, event_id: int) -> CookingEvent | None:
    return session.scalar(_options(sa.select(CookingEvent).where(CookingEvent.id == event_id)))


def for_shift(session, shift_id: int) -> CookingEvent | None:
    """The event a cook shift belongs to."""
    return session.scalar(sa.select(CookingEvent).where(CookingEvent.shift_id == shift_id))


def upcoming(session, *, limit: int = 30) -> list[CookingEvent]:
    return list(session.scalars(_options(sa.select(CookingEvent).where(CookingEvent.ends_at >= local_midnight(today()))
                                         .order_by(CookingEvent.starts_at).limit(limit))))


def recent(session, *, limit: int = 12) -> list[CookingEvent]:
    return list(session.scalars(_options(sa.select(CookingEvent).where(CookingEvent.ends_at < local_midnight(today()))
                                         .order_by(CookingEvent.starts_at.desc()).limit(limit))))


def drawn(session, event_id: int) -> list[Movement]:
    return list(session.scalars(movement_options(
        sa.select(Movement).where(Movement.reference_type == REFERENCE, Movement.reference_id == event_id)
        .order_by(Movement.id))))


def use_soon(session, *, on: dt.date | None = None, days: int = USE_SOON_DAYS) -> list[LotRow]:
    """Food lots (not blocked) that expire within ``days`` days: cook them before they are thrown away."""
    on = on or today()
    rows = session.execute(
        sa.select(Item, Lot, Location, Balance.qty)
        .join(Balance, Balance.item_id == Item.id).join(Lot, Lot.id == Balance.lot_id)
        .join(Location, Location.id == Balance.location_id)
        .where(Balance.qty > 0, Item.category == Category.FOOD, Lot.quarantined_at.is_(None),
               Lot.expires_on.between(on, on + dt.timedelta(days=days)))
        .order_by(Lot.expires_on, Item.name, Item.id, Location.name)).all()
    return [LotRow(*r) for r in rows]


def expected_needs(session, start: dt.date, end: dt.date) -> list[tuple[dt.date, int, Decimal]]:
    """For each planned event between ``start`` and ``end``, the average of what events drew
    per item over the last HISTORY_DAYS days (two aggregate reads)."""
    since = local_midnight(start - dt.timedelta(days=HISTORY_DAYS))
    totals = session.execute(
        sa.select(Movement.item_id, sa.type_coerce(sa.func.sum(Movement.quantity), Movement.quantity.type),
                  sa.func.count(sa.distinct(Movement.reference_id)))
        .where(Movement.kind == MovementKind.ISSUE, Movement.reference_type == REFERENCE,
               Movement.at >= since, Movement.at < local_midnight(start))
        .group_by(Movement.item_id)).all()
    events_with_draws = session.scalar(
        sa.select(sa.func.count(sa.distinct(Movement.reference_id)))
        .where(Movement.kind == MovementKind.ISSUE, Movement.reference_type == REFERENCE,
               Movement.at >= since, Movement.at < local_midnight(start))) or 0
    if not events_with_draws:
        return []
    per_event = {item_id: total / events_with_draws for item_id, total, _n in totals}
    days = session.scalars(sa.select(CookingEvent.starts_at).where(
        CookingEvent.status == CookingStatus.PLANNED, CookingEvent.starts_at >= local_midnight(start),
        CookingEvent.starts_at < local_midnight(end))).all()
    out = defaultdict(Decimal)
    for starts_at in days:
        for item_id, qty in per_event.items():
            out[(to_local(starts_at).date(), item_id)] += qty
    return [(day, item_id, qty) for (day, item_id), qty in out.items()]
