"""Reads of the catalogue: locations, items to choose from, product groups and their size grid."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from logistics.db import shown
from logistics.stock.models import (
    Balance,
    Item,
    Location,
    ProductGroup,
)


def locations(session, *, active_only: bool = True) -> list[Location]:
    stmt = sa.select(Location).order_by(Location.is_mobile, shown(Location))
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
        sa.select(Item).where(Item.is_active.is_(True)).order_by(shown(Item), Item.fit, Item.size, Item.id)))


def product_groups(session) -> list[ProductGroup]:
    return list(session.scalars(sa.select(ProductGroup).order_by(shown(ProductGroup))))


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
        cells[(item.fit.value if item.fit else "", item.size or "")] = (item, qty or Decimal(0))
    fits = [f for f in ("women", "men", "unisex", "child", "") if any(k[0] == f for k in cells)]
    sizes = sorted({k[1] for k in cells}, key=size_key)
    return fits, sizes, cells
