"""Pack recipes: the components of one pack ("Food pack (standard)": 2 kg rice, 1 bottle of
oil, ...). A recipe is a :class:`~logistics.stock.models.Kit` with a pack item instead of an
activity kind: the same list of items with quantities as an outreach kit, kept in one model."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.people.models import User
from logistics.stock.catalogue import check_quantity, fmt, get_item
from logistics.stock.models import Item, Kit, KitLine

#: A recipe with more components than this is a typing slip.
MAX_COMPONENTS = 40


@dataclass(frozen=True)
class Need:
    """What ``packs`` packs of a recipe take of one component."""

    item: Item
    per_pack: Decimal
    total: Decimal


def recipes(session) -> list[Kit]:
    """Every pack recipe with its pack item and components, by pack name."""
    return list(session.scalars(
        sa.select(Kit).join(Item, Item.id == Kit.pack_item_id).where(Kit.pack_item_id.is_not(None))
        .options(joinedload(Kit.pack_item), joinedload(Kit.lines).joinedload(KitLine.item))
        .order_by(Item.name, Item.id)).unique())


def get_recipe(session, recipe_id) -> Kit | None:
    try:
        recipe = session.get(Kit, int(recipe_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return recipe if recipe is not None and recipe.is_recipe else None


def save_recipe(session, recipe: Kit | None, *, pack_item_id, lines: list[tuple[object, object]],
                by: User | None) -> Kit:
    """Create or change a recipe. ``lines`` is a list of (item id, quantity per pack); blank
    rows are skipped. Refused: no components, a component twice, the pack inside itself, a
    pack item that already has a recipe."""
    pack = get_item(session, pack_item_id, field="pack_item_id")
    if recipe is not None and recipe.pack_item_id != pack.id:
        raise DomainError(str(_l("A recipe keeps its pack; make a new recipe for another pack.")),
                          field="pack_item_id")
    if recipe is None and session.scalar(sa.select(Kit.id).where(Kit.pack_item_id == pack.id)) is not None:
        raise DomainError(str(_l("%(pack)s already has a recipe; change that one.", pack=pack.full_name)),
                          field="pack_item_id")
    wanted: dict[int, tuple[Item, Decimal]] = {}
    for index, (item_id, raw) in enumerate(lines):
        if item_id in (None, "", 0, "0") and raw in (None, ""):
            continue
        item = get_item(session, item_id, field=f"item-{index}")
        if item.id == pack.id:
            raise DomainError(str(_l("A pack cannot contain itself.")), field=f"item-{index}")
        if item.id in wanted:
            raise DomainError(str(_l("%(item)s is in the recipe twice; give it once with the total per pack.",
                                     item=item.full_name)), field=f"item-{index}")
        wanted[item.id] = (item, check_quantity(item, raw, field=f"qty-{index}"))
    if not wanted:
        raise DomainError(str(_l("A recipe needs at least one component.")), field="item-0")
    if len(wanted) > MAX_COMPONENTS:
        raise DomainError(str(_l("A recipe has at most %(n)s components.", n=MAX_COMPONENTS)), field="item-0")
    before = {} if recipe is None else {line.item.full_name: fmt(line.quantity) for line in recipe.lines}
    if recipe is None:
        recipe = Kit(pack_item_id=pack.id)
        recipe.pack_item = pack
        session.add(recipe)
    current = {line.item_id: line for line in recipe.lines}
    for item_id, line in current.items():
        if item_id not in wanted:
            recipe.lines.remove(line)
    for item_id, (item, qty) in wanted.items():
        line = current.get(item_id)
        if line is None:
            line = KitLine(item_id=item.id, quantity=qty)
            line.item = item
            recipe.lines.append(line)
        else:
            line.quantity = qty
    recipe.updated_at = utcnow()
    session.flush()
    after = {item.full_name: fmt(qty) for item, qty in wanted.values()}
    if before != after:
        audit.record(session, by=by, action="stock.recipe_changed", entity="stock_kit", entity_id=recipe.id,
                     changes={"pack": pack.full_name, "before": before, "after": after})
    return recipe


def needs(lines, packs: int) -> list[Need]:
    """The components ``packs`` packs take: ``lines`` are (item, quantity per pack) pairs,
    from a recipe or from a distribution's copy of it."""
    if packs < 0:
        raise DomainError(str(_l("Enter zero or more packs.")), field="packs")
    return [Need(item, per_pack, per_pack * packs) for item, per_pack in lines]
