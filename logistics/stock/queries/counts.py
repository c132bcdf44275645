"""Reads of stocktakes: open and recent counts, the lines of one."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.stock.models import (
    Stocktake,
    StocktakeLine,
)


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
