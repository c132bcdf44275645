"""The catalogue of stock: items (and their units), locations, minimum levels and clothing
product groups. Also the quantity rule every other stock module applies: what an item may be
counted in, and how a quantity reads in a message."""
from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.errors import Conflict, DomainError
from logistics.i18n import format_number
from logistics.people.models import User
from logistics.stock.models import UNITS, Category, Fit, Item, Location, ProductGroup

#: No single movement is larger than this; anything above is a typing slip.
MAX_QUANTITY = Decimal(100_000)

UNIT_LABELS = {
    "piece": _l("pcs"), "pack": _l("packs"), "box": _l("boxes"), "bottle": _l("bottles"),
    "pair": _l("pairs"), "dose": _l("doses"), "test": _l("tests"), "voucher": _l("vouchers"),
    "kg": _l("kg"), "litre": _l("litres"),
}


class InvalidQuantity(DomainError):
    def __init__(self, message: str, field: str = "quantity"):
        super().__init__(message, field=field)


# --- quantities, units and free text -----------------------------------------------------

def fmt(value: Decimal | None) -> str:
    """Write a quantity without trailing zeros or exponent (``10``, ``1.5``); blank for None."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return format(value.to_integral_value(), "f")  # quantize() fails past 28 digits (1e30)
    return format(value.normalize(), "f")


def unit_label(unit: str) -> str:
    """The short plural of a unit as messages and pages show it ("pcs", "kg")."""
    from logistics.i18n import translations

    return _unit_label(unit, translations())


@functools.lru_cache(maxsize=256)
def _unit_label(unit: str, catalogue) -> str:
    """Translated once per unit and catalogue (a stock page shows one per row)."""
    return str(UNIT_LABELS.get(unit, unit))


#: A number written with thousands separators ("1.000", "12,500,000").
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def check_quantity(item: Item, value, *, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    """Return ``value`` as a Decimal, or raise with a message that says what is wrong."""
    text = str(value).strip() if value not in (None, "") else ""
    if _GROUPED.match(text) and (item.is_whole or text.count(".") + text.count(",") > 1):
        # "1.000" or "1,000" for pieces is a thousand with a separator, read as 1: ask.
        raise InvalidQuantity(str(_l("Write the number without a thousands separator (1000, not 1.000).")), field)
    try:
        qty = Decimal(text.replace(",", ".")) if text and len(text) <= 30 else None
    except InvalidOperation:
        qty = None
    if qty is None or not qty.is_finite():
        raise InvalidQuantity(str(_l("Enter a number.")), field)
    if qty < 0 or (qty == 0 and not allow_zero):
        raise InvalidQuantity(str(_l("Enter a quantity above zero.")) if not allow_zero
                              else str(_l("Enter zero or more.")), field)
    if qty > MAX_QUANTITY:
        raise InvalidQuantity(str(_l("%(qty)s is far more than one movement can hold (at most %(max)s). "
                                     "Check the number.", qty=text[:20], max=format_number(MAX_QUANTITY))), field)
    if item.is_whole and qty != qty.to_integral_value():
        raise InvalidQuantity(str(_l("%(item)s is counted in whole %(unit)s; enter a whole number.",
                                     item=item.full_name, unit=unit_label(item.unit))), field)
    if qty != qty.quantize(Decimal("0.001")):
        raise InvalidQuantity(str(_l("Use at most three decimals.")), field)
    return qty


def clean_text(text: str | None, length: int) -> str | None:
    """Free text as stored: stripped, cut to its column's ``length``, None when empty."""
    text = (text or "").strip()
    return text[:length] or None


# --- look-ups ---------------------------------------------------------------------------

def get_item(session, item_id, *, field: str = "item_id", active_only: bool = True) -> Item:
    """The item with this id (as typed in a form), or a message for ``field``."""
    try:
        item = session.get(Item, int(item_id)) if item_id not in (None, "") else None
    except (TypeError, ValueError):
        item = None
    if item is None or (active_only and not item.is_active):
        raise DomainError(str(_l("Choose an item from the list; this one does not exist or is no longer in use.")),
                          field=field)
    return item


def get_location(session, location_id, *, field: str = "location_id") -> Location:
    """The active location with this id (as typed in a form), or a message for ``field``."""
    try:
        loc = session.get(Location, int(location_id)) if location_id not in (None, "") else None
    except (TypeError, ValueError):
        loc = None
    if loc is None or not loc.is_active:
        raise DomainError(str(_l("Choose a location from the list.")), field=field)
    return loc


# --- items and minimum levels -----------------------------------------------------------

def _danish_name(name_da, limit: int) -> dict:
    """The Danish name when one was given (None: leave as is; "": remove)."""
    return {} if name_da is None else {"name_da": (name_da or "").strip()[:limit] or None}


def _item_fields(session, *, name, category, unit, is_expiry_tracked, notes, product_group_id, size, fit,
                 name_da=None):
    name = (name or "").strip()
    if not name:
        raise DomainError(str(_l("Give the item a name.")), field="name")
    try:
        category = Category(category)
    except ValueError:
        raise DomainError(str(_l("Choose a category.")), field="category") from None
    if unit not in UNITS:
        raise DomainError(str(_l("Choose a unit.")), field="unit")
    group = None
    if product_group_id not in (None, "", 0, "0"):
        group = session.get(ProductGroup, int(product_group_id))
        if group is None:
            raise DomainError(str(_l("Choose a product group from the list.")), field="product_group_id")
    fit = Fit(fit) if fit else None
    size = (size or "").strip()[:20] or None
    if category == Category.CLOTHING and (size is None or fit is None):
        raise DomainError(str(_l("Clothing is stocked per size and fit: give both.")), field="size")
    if category != Category.CLOTHING:
        size = fit = None
    return {"name": name[:120], "category": category, "unit": unit, "is_expiry_tracked": bool(is_expiry_tracked),
            "notes": clean_text(notes, 1000), "product_group_id": group.id if group else None, "size": size,
            "fit": fit, **_danish_name(name_da, 120)}


def _unique_item(session, fields, item_id=None):
    clash = session.scalar(sa.select(Item.id).where(
        Item.name == fields["name"],
        Item.size.is_(None) if fields["size"] is None else Item.size == fields["size"],
        Item.fit.is_(None) if fields["fit"] is None else Item.fit == fields["fit"],
        Item.id != (item_id or 0)))
    if clash is not None:
        raise Conflict(str(_l("There is already an item with this name (and size and fit).")), field="name")


def create_item(session, *, by: User | None, min_level=None, **fields) -> Item:
    """Add an item; clothing needs a size and a fit, and name, size and fit are unique together."""
    values = _item_fields(session, **fields)
    _unique_item(session, values)
    item = Item(**values)
    session.add(item)
    session.flush()
    if min_level not in (None, ""):
        set_min_level(session, item, min_level, by=by)
    audit.record(session, by=by, action="stock.item_created", entity="stock_item", entity_id=item.id,
                 changes={"name": item.full_name, "category": item.category})
    return item


def update_item(session, item: Item, *, is_active: bool = True, by: User | None, **fields) -> Item:
    """Change an item's fields (the same rules as for a new one); audited."""
    values = _item_fields(session, **fields)
    _unique_item(session, values, item.id)
    values["is_active"] = bool(is_active)
    changes = audit.diff(item, values)
    for k, v in values.items():
        setattr(item, k, v)
    if changes:
        audit.record(session, by=by, action="stock.item_changed", entity="stock_item", entity_id=item.id,
                     changes=changes)
    session.flush()
    return item


def set_min_level(session, item: Item, value, *, by: User | None) -> None:
    """Set the minimum total on hand (coordinators); audited."""
    level = check_quantity(item, value, field="min_level", allow_zero=True)
    if level != item.min_level:
        audit.record(session, by=by, action="stock.minimum_changed", entity="stock_item", entity_id=item.id,
                     changes={"min_level": [fmt(item.min_level), fmt(level)]})
        item.min_level = level
    session.flush()


# --- locations and product groups -------------------------------------------------------

def save_location(session, location: Location | None, *, name: str, is_mobile: bool, is_active: bool = True,
                  by: User | None, name_da: str | None = None) -> Location:
    """Add a location (``location`` None) or change one; names are unique; audited."""
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError(str(_l("Give the location a name.")), field="name")
    clash = session.scalar(sa.select(Location.id).where(Location.name == name,
                                                        Location.id != (location.id if location else 0)))
    if clash is not None:
        raise Conflict(str(_l("There is already a location with this name.")), field="name")
    if location is None:
        location = Location(name=name, is_mobile=bool(is_mobile), is_active=bool(is_active),
                            **_danish_name(name_da, 80))
        session.add(location)
        session.flush()
        audit.record(session, by=by, action="stock.location_created", entity="stock_location",
                     entity_id=location.id, changes={"name": name, "is_mobile": bool(is_mobile)})
    else:
        values = {"name": name, "is_mobile": bool(is_mobile), "is_active": bool(is_active), **_danish_name(name_da, 80)}
        changes = audit.diff(location, values)
        for k, v in values.items():
            setattr(location, k, v)
        if changes:
            audit.record(session, by=by, action="stock.location_changed", entity="stock_location",
                         entity_id=location.id, changes=changes)
        session.flush()
    return location


def create_product_group(session, *, name: str, notes: str | None = None, by: User | None,
                         name_da: str | None = None) -> ProductGroup:
    """Add a clothing product group; its sizes are then added as items."""
    name = (name or "").strip()[:120]
    if not name:
        raise DomainError(str(_l("Give the product group a name.")), field="name")
    if session.scalar(sa.select(ProductGroup.id).where(ProductGroup.name == name)) is not None:
        raise Conflict(str(_l("There is already a product group with this name.")), field="name")
    group = ProductGroup(name=name, notes=clean_text(notes, 1000), **_danish_name(name_da, 120))
    session.add(group)
    session.flush()
    audit.record(session, by=by, action="stock.group_created", entity="stock_product_group", entity_id=group.id,
                 changes={"name": name})
    return group
