"""State changes for stock. Every change is a movement row plus a balance change made by a
conditional UPDATE in the same transaction; services flush, the caller commits once.

Locking: before taking stock away, the balance rows involved are read ``FOR UPDATE`` in
(item, lot, location) order (PostgreSQL; SQLite write transactions already begin IMMEDIATE),
then changed with ``UPDATE ... SET qty = qty - :n WHERE qty >= :n``. The CHECK ``qty >= 0``
backs both.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from logistics.audit import services as audit
from logistics.clock import today, utcnow
from logistics.errors import Conflict, DomainError, NotFound
from logistics.shifts.models import Shift, ShiftStatus
from logistics.stock.models import (
    ACTIVITY_KINDS,
    UNITS,
    Balance,
    Category,
    Fit,
    FormToken,
    Item,
    Kit,
    KitLine,
    Location,
    Lot,
    Movement,
    MovementKind,
    Outreach,
    ProductGroup,
    SourceKind,
    Stocktake,
    StocktakeLine,
)

#: No single movement is larger than this; anything above is a typing slip.
MAX_QUANTITY = Decimal(100_000)
MAX_UNIT_COST = Decimal(1_000_000)

# --- errors -----------------------------------------------------------------------------

class InvalidQuantity(DomainError):
    def __init__(self, message: str, field: str = "quantity"):
        super().__init__(message, field=field)


class InsufficientStock(DomainError):
    """Not enough usable stock; ``available`` is what could be taken."""

    def __init__(self, item: Item, location: Location, wanted: Decimal, available: Decimal,
                 blocked: Decimal = Decimal(0), field: str = "quantity"):
        self.available = available
        self.wanted = wanted
        message = str(_l("Only %(available)s %(unit)s of %(item)s available at %(location)s; you asked for %(wanted)s.",
                         available=fmt(available), unit=unit_label(item.unit), item=item.full_name,
                         location=location.name, wanted=fmt(wanted)))
        if blocked:
            message += " " + str(_l("%(blocked)s more are expired or blocked and cannot be used.",
                                    blocked=fmt(blocked)))
        super().__init__(message, field=field)


class AlreadyRecorded(Conflict):
    """The form's one-time token was used before: nothing new is recorded."""

    def __init__(self, token: FormToken):
        self.token = token
        super().__init__(str(_l("This form was already sent; it was recorded once, not twice.")))


def fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


UNIT_LABELS = {
    "piece": _l("pcs"), "pack": _l("packs"), "box": _l("boxes"), "bottle": _l("bottles"),
    "pair": _l("pairs"), "dose": _l("doses"), "test": _l("tests"), "voucher": _l("vouchers"),
    "kg": _l("kg"), "litre": _l("litres"),
}


# --- look-ups ---------------------------------------------------------------------------

def get_item(session, item_id, *, field: str = "item_id", active_only: bool = True) -> Item:
    try:
        item = session.get(Item, int(item_id)) if item_id not in (None, "") else None
    except (TypeError, ValueError):
        item = None
    if item is None or (active_only and not item.is_active):
        raise DomainError(str(_l("Choose an item from the list; this one does not exist or is no longer in use.")),
                          field=field)
    return item


def get_location(session, location_id, *, field: str = "location_id") -> Location:
    try:
        loc = session.get(Location, int(location_id)) if location_id not in (None, "") else None
    except (TypeError, ValueError):
        loc = None
    if loc is None or not loc.is_active:
        raise DomainError(str(_l("Choose a location from the list.")), field=field)
    return loc


def get_lot(session, item: Item, lot_id, *, field: str = "lot_id") -> Lot | None:
    if lot_id in (None, "", 0, "0"):
        return None
    try:
        lot = session.get(Lot, int(lot_id))
    except (TypeError, ValueError):
        lot = None
    if lot is None or lot.item_id != item.id:
        raise DomainError(str(_l("This lot does not belong to the item.")), field=field)
    return lot


def check_quantity(item: Item, value, *, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    """Return ``value`` as a Decimal, or raise with a message that says what is wrong."""
    try:
        qty = Decimal(str(value).strip().replace(",", ".")) if value not in (None, "") else None
    except InvalidOperation:
        qty = None
    if qty is None or not qty.is_finite():
        raise InvalidQuantity(str(_l("Enter a number.")), field)
    if qty < 0 or (qty == 0 and not allow_zero):
        raise InvalidQuantity(str(_l("Enter a quantity above zero.")) if not allow_zero
                              else str(_l("Enter zero or more.")), field)
    if qty > MAX_QUANTITY:
        raise InvalidQuantity(str(_l("%(qty)s is far more than one movement can hold (at most %(max)s). Check the number.",
                                     qty=fmt(qty), max=fmt(MAX_QUANTITY))), field)
    if item.is_whole and qty != qty.to_integral_value():
        raise InvalidQuantity(str(_l("%(item)s is counted in whole %(unit)s; enter a whole number.",
                                     item=item.full_name, unit=unit_label(item.unit))), field)
    if qty != qty.quantize(Decimal("0.001")):
        raise InvalidQuantity(str(_l("Use at most three decimals.")), field)
    return qty


def _clean(text: str | None, length: int) -> str | None:
    text = (text or "").strip()
    return text[:length] or None


# --- the balance primitives -------------------------------------------------------------

def _upsert_add(session, item_id: int, lot_id: int, location_id: int, qty: Decimal) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Balance).values(item_id=item_id, lot_id=lot_id, location_id=location_id, qty=qty)
    stmt = stmt.on_conflict_do_update(
        index_elements=["item_id", "lot_id", "location_id"],
        set_={"qty": Balance.qty + stmt.excluded.qty},
    )
    session.execute(stmt)


def _take(session, item_id: int, lot_id: int, location_id: int, qty: Decimal) -> bool:
    """Conditionally take ``qty``; False (and nothing changed) when there is not enough."""
    result = session.execute(
        sa.update(Balance)
        .where(Balance.item_id == item_id, Balance.lot_id == lot_id, Balance.location_id == location_id,
               Balance.qty >= qty)
        .values(qty=Balance.qty - qty)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _locked_balances(session, item_id: int, location_id: int) -> list[tuple[Lot, Decimal]]:
    """The lots of an item at a location with their quantity, locked, in lot order."""
    rows = session.execute(
        sa.select(Balance.lot_id, Balance.qty)
        .where(Balance.item_id == item_id, Balance.location_id == location_id, Balance.qty > 0)
        .order_by(Balance.lot_id)
        .with_for_update()
    ).all()
    lots = {lot.id: lot for lot in session.scalars(sa.select(Lot).where(Lot.id.in_([r[0] for r in rows])))} if rows else {}
    return [(lots[lot_id], qty) for lot_id, qty in rows]


def _usable(lot: Lot, day: dt.date) -> bool:
    return not lot.is_quarantined and (lot.expires_on is None or lot.expires_on >= day)


def _fefo(entries: list[tuple[Lot, Decimal]]) -> list[tuple[Lot, Decimal]]:
    """First-expiring-first; lots without expiry last; then oldest lot first."""
    return sorted(entries, key=lambda e: (e[0].expires_on is None, e[0].expires_on or dt.date.max, e[0].id))


def _move(session, *, kind: MovementKind, item: Item, lot: Lot, qty: Decimal, from_loc: Location | None,
          to_loc: Location | None, by, reason: str | None = None, note: str | None = None,
          reference: tuple[str, int] | None = None, **extra) -> Movement:
    movement = Movement(
        kind=kind, item_id=item.id, lot_id=lot.id, quantity=qty,
        from_location_id=from_loc.id if from_loc else None, to_location_id=to_loc.id if to_loc else None,
        reason=_clean(reason, 200), note=_clean(note, 500), by_id=getattr(by, "id", by), at=utcnow(),
        reference_type=reference[0] if reference else None, reference_id=reference[1] if reference else None,
        **extra,
    )
    movement.item, movement.lot = item, lot
    session.add(movement)
    if to_loc is not None:
        _upsert_add(session, item.id, lot.id, to_loc.id, qty)
    return movement


def _take_out(session, *, kind: MovementKind, item: Item, qty: Decimal, from_loc: Location,
              to_loc: Location | None, by, lot: Lot | None = None, usable_only: bool = True,
              **kw) -> list[Movement]:
    """Take ``qty`` of ``item`` from ``from_loc``: from ``lot`` or first-expiring-first."""
    if to_loc is not None:
        # Lock both ends in one fixed order (location, lot): two opposite transfers of the
        # same item then queue instead of deadlocking on PostgreSQL.
        session.execute(
            sa.select(Balance.lot_id)
            .where(Balance.item_id == item.id, Balance.location_id.in_([from_loc.id, to_loc.id]))
            .order_by(Balance.location_id, Balance.lot_id)
            .with_for_update()
        ).all()
    entries = _locked_balances(session, item.id, from_loc.id)
    day = today()
    if lot is not None:
        if usable_only and lot.is_quarantined:
            raise DomainError(str(_l("Lot %(code)s is blocked (quarantined) and cannot be used until it is released.",
                                     code=lot.code or "-")), field="lot_id")
        if usable_only and lot.expires_on is not None and lot.expires_on < day:
            raise DomainError(str(_l("Lot %(code)s expired on %(date)s; discard it instead.",
                                     code=lot.code or "-", date=lot.expires_on.isoformat())), field="lot_id")
        candidates = [(lt, q) for lt, q in entries if lt.id == lot.id]
        blocked = Decimal(0)
    else:
        candidates = [(lt, q) for lt, q in entries if not usable_only or _usable(lt, day)]
        blocked = sum((q for lt, q in entries if usable_only and not _usable(lt, day)), Decimal(0))
    available = sum((q for _lt, q in candidates), Decimal(0))
    if available < qty:
        raise InsufficientStock(item, from_loc, qty, available, blocked)
    movements, need = [], qty
    for lt, have in _fefo(candidates):
        if need <= 0:
            break
        part = min(have, need)
        if not _take(session, item.id, lt.id, from_loc.id, part):
            # Cannot happen while the row is locked; refuse rather than oversell.
            raise Conflict(str(_l("The stock changed while you were working. Try again.")))
        movements.append(_move(session, kind=kind, item=item, lot=lt, qty=part, from_loc=from_loc,
                               to_loc=to_loc, by=by, **kw))
        need -= part
    return movements


def _default_lot(session, item: Item) -> Lot:
    lot = session.scalar(sa.select(Lot).where(Lot.item_id == item.id, Lot.code == ""))
    if lot is None:
        lot = Lot(item_id=item.id, code="", expires_on=None)
        lot.item = item
        session.add(lot)
        session.flush()
    return lot


# --- one-time form tokens ---------------------------------------------------------------

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def claim_token(session, token: str | None, *, by) -> FormToken:
    """Mark a form's one-time token used, or raise AlreadyRecorded when it was used before."""
    if not token or not TOKEN_RE.match(token):
        raise DomainError(str(_l("The form is incomplete. Reload the page and try again.")))
    existing = session.get(FormToken, token)
    if existing is not None:
        raise AlreadyRecorded(existing)
    row = FormToken(token=token, used_by_id=getattr(by, "id", by), used_at=utcnow(), movement_ids=[])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request with the same token committed first (PostgreSQL waits for it).
        session.expire_all()
        raise AlreadyRecorded(session.get(FormToken, token)) from None
    return row


def record_result(token: FormToken, movements, next_url: str | None = None) -> None:
    token.movement_ids = [m.id for m in movements]
    token.next_url = next_url


# --- receive, issue, transfer, discard, adjust ------------------------------------------

def find_or_create_lot(session, item: Item, code: str | None, expires_on: dt.date | None, *,
                       confirm_past_expiry: bool = False) -> Lot:
    code = (code or "").strip()[:60]
    if item.is_expiry_tracked and expires_on is None:
        raise DomainError(str(_l("%(item)s expires: enter the expiry date from the package.", item=item.full_name)),
                          field="expires_on")
    if expires_on is not None and expires_on < today() and not confirm_past_expiry:
        raise DomainError(str(_l("This expiry date is in the past. Tick the box to confirm you are receiving expired goods.")),
                          field="expires_on")
    if not code and expires_on is None:
        return _default_lot(session, item)
    if not code:
        code = expires_on.isoformat()  # an unnamed lot is known by its expiry date
    lot = session.scalar(sa.select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is None:
        lot = Lot(item_id=item.id, code=code, expires_on=expires_on)
        lot.item = item
        session.add(lot)
        session.flush()
    elif expires_on is not None and lot.expires_on != expires_on:
        raise DomainError(str(_l("Lot %(code)s is already recorded with expiry %(date)s. Check the package.",
                                 code=code, date=lot.expires_on.isoformat() if lot.expires_on else "-")),
                          field="expires_on")
    return lot


def receive(session, *, item: Item, quantity, location: Location, lot_code: str | None = None,
            expires_on: dt.date | None = None, confirm_past_expiry: bool = False,
            source_kind: SourceKind | str | None = None, source_name: str | None = None,
            unit_cost=None, note: str | None = None, reference: tuple[str, int] | None = None,
            by) -> Movement:
    """Record goods arriving (a donation or a purchase) at ``location``."""
    qty = check_quantity(item, quantity)
    cost = None
    if unit_cost not in (None, ""):
        try:
            cost = Decimal(str(unit_cost).replace(",", "."))
        except InvalidOperation:
            cost = None
        if cost is None or not cost.is_finite() or cost < 0 or cost > MAX_UNIT_COST or cost != cost.quantize(Decimal("0.01")):
            raise DomainError(str(_l("Enter the price per unit in kroner, e.g. 12.50.")), field="unit_cost")
    lot = find_or_create_lot(session, item, lot_code, expires_on, confirm_past_expiry=confirm_past_expiry)
    movement = _move(session, kind=MovementKind.RECEIVE, item=item, lot=lot, qty=qty, from_loc=None,
                     to_loc=location, by=by, note=note, reference=reference,
                     source_kind=SourceKind(source_kind) if source_kind else None,
                     source_name=_clean(source_name, 120), unit_cost=cost)
    session.flush()
    return movement


def issue(session, *, item: Item, quantity, location: Location, lot: Lot | None = None,
          reason: str | None = None, reference: tuple[str, int] | None = None, note: str | None = None,
          by) -> list[Movement]:
    """Hand stock out from ``location``, first-expiring-first unless ``lot`` is chosen."""
    qty = check_quantity(item, quantity)
    movements = _take_out(session, kind=MovementKind.ISSUE, item=item, qty=qty, from_loc=location, to_loc=None,
                          by=by, lot=lot, reason=reason, note=note, reference=reference)
    session.flush()
    return movements


def transfer(session, *, item: Item, quantity, from_location: Location, to_location: Location,
             lot: Lot | None = None, note: str | None = None, kind: MovementKind = MovementKind.TRANSFER,
             reference: tuple[str, int] | None = None, by) -> list[Movement]:
    """Move stock between two locations (first-expiring-first unless ``lot`` is chosen)."""
    qty = check_quantity(item, quantity)
    if from_location.id == to_location.id:
        raise DomainError(str(_l("Choose two different locations.")), field="to_location_id")
    # Blocked lots may be moved (to a quarantine shelf), but not packed into a bag.
    movements = _take_out(session, kind=kind, item=item, qty=qty, from_loc=from_location, to_loc=to_location,
                          by=by, lot=lot, usable_only=kind == MovementKind.PACK or lot is None,
                          note=note, reference=reference)
    session.flush()
    return movements


def discard(session, *, item: Item, quantity, location: Location, lot: Lot | None, reason: str,
            note: str | None = None, by) -> list[Movement]:
    """Throw stock away (expired, damaged, recalled); a reason is required."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the stock is discarded.")), field="reason")
    qty = check_quantity(item, quantity)
    if lot is None:
        # Without a lot, discard what cannot be used first (expired, blocked), then FEFO.
        entries = _locked_balances(session, item.id, location.id)
        day = today()
        ordered = sorted(_fefo(entries), key=lambda e: _usable(e[0], day))
        available = sum((q for _lt, q in entries), Decimal(0))
        if available < qty:
            raise InsufficientStock(item, location, qty, available)
        movements, need = [], qty
        for lt, have in ordered:
            if need <= 0:
                break
            part = min(have, need)
            if not _take(session, item.id, lt.id, location.id, part):
                raise Conflict(str(_l("The stock changed while you were working. Try again.")))
            movements.append(_move(session, kind=MovementKind.DISCARD, item=item, lot=lt, qty=part,
                                   from_loc=location, to_loc=None, by=by, reason=reason, note=note))
            need -= part
    else:
        movements = _take_out(session, kind=MovementKind.DISCARD, item=item, qty=qty, from_loc=location,
                              to_loc=None, by=by, lot=lot, usable_only=False, reason=reason, note=note)
    session.flush()
    audit.record(session, by=by, action="stock.discarded", entity="stock_item", entity_id=item.id,
                 changes={"quantity": fmt(qty), "location": location.name, "reason": reason,
                          "movements": [m.id for m in movements]})
    return movements


def adjust(session, *, item: Item, quantity, location: Location, lot: Lot | None, increase: bool,
           reason: str, note: str | None = None, by) -> list[Movement]:
    """Correct a balance up or down (coordinators); a reason is required and audited."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the stock is adjusted.")), field="reason")
    qty = check_quantity(item, quantity)
    if increase:
        lot = lot or _default_lot(session, item)
        movements = [_move(session, kind=MovementKind.ADJUST, item=item, lot=lot, qty=qty, from_loc=None,
                           to_loc=location, by=by, reason=reason, note=note)]
    else:
        movements = _take_out(session, kind=MovementKind.ADJUST, item=item, qty=qty, from_loc=location, to_loc=None,
                              by=by, lot=lot, usable_only=False, reason=reason, note=note)
    session.flush()
    audit.record(session, by=by, action="stock.adjusted", entity="stock_item", entity_id=item.id,
                 changes={"quantity": ("+" if increase else "-") + fmt(qty), "location": location.name,
                          "reason": reason, "movements": [m.id for m in movements]})
    return movements


def undo(session, movement: Movement, *, reason: str | None = None, by) -> Movement:
    """Reverse a movement with a compensating movement; the original stays in the ledger."""
    if movement.reverses_id is not None:
        raise Conflict(str(_l("This movement is itself an undo; record a new movement instead.")))
    if session.scalar(sa.select(Movement.id).where(Movement.reverses_id == movement.id)) is not None:
        raise Conflict(str(_l("This movement has already been undone.")))
    item, lot = movement.item, movement.lot
    from_loc = session.get(Location, movement.to_location_id) if movement.to_location_id else None
    to_loc = session.get(Location, movement.from_location_id) if movement.from_location_id else None
    both = from_loc is not None and to_loc is not None
    kind = movement.kind if both else MovementKind.ADJUST
    why = (reason or "").strip() or str(_l("Undo of movement %(id)s", id=movement.id))
    if from_loc is not None:
        if not _take(session, item.id, lot.id, from_loc.id, movement.quantity):
            have = session.scalar(sa.select(Balance.qty).where(
                Balance.item_id == item.id, Balance.lot_id == lot.id, Balance.location_id == from_loc.id)) or Decimal(0)
            raise InsufficientStock(item, from_loc, movement.quantity, have)
    compensating = _move(session, kind=kind, item=item, lot=lot, qty=movement.quantity, from_loc=from_loc,
                         to_loc=to_loc, by=by, reason=why, reverses_id=movement.id,
                         reference=(movement.reference_type, movement.reference_id) if movement.reference_type else None)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(str(_l("This movement has already been undone."))) from None
    audit.record(session, by=by, action="stock.undone", entity="stock_movement", entity_id=movement.id,
                 changes={"compensating_movement": compensating.id, "reason": why})
    return compensating


# --- items, locations, minimum levels, product groups -----------------------------------

def _item_fields(session, *, name, category, unit, is_expiry_tracked, notes, product_group_id, size, fit):
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
            "notes": _clean(notes, 1000), "product_group_id": group.id if group else None, "size": size, "fit": fit}


def _unique_item(session, fields, item_id=None):
    clash = session.scalar(sa.select(Item.id).where(
        Item.name == fields["name"],
        Item.size.is_(None) if fields["size"] is None else Item.size == fields["size"],
        Item.fit.is_(None) if fields["fit"] is None else Item.fit == fields["fit"],
        Item.id != (item_id or 0)))
    if clash is not None:
        raise Conflict(str(_l("There is already an item with this name (and size and fit).")), field="name")


def create_item(session, *, by, min_level=None, **fields) -> Item:
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


def update_item(session, item: Item, *, is_active: bool = True, by, **fields) -> Item:
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


def set_min_level(session, item: Item, value, *, by) -> None:
    """Set the minimum total on hand (coordinators); audited."""
    level = check_quantity(item, value, field="min_level", allow_zero=True)
    if level != item.min_level:
        audit.record(session, by=by, action="stock.minimum_changed", entity="stock_item", entity_id=item.id,
                     changes={"min_level": [fmt(item.min_level), fmt(level)]})
        item.min_level = level
    session.flush()


def save_location(session, location: Location | None, *, name: str, is_mobile: bool, is_active: bool = True,
                  by) -> Location:
    name = (name or "").strip()[:80]
    if not name:
        raise DomainError(str(_l("Give the location a name.")), field="name")
    clash = session.scalar(sa.select(Location.id).where(Location.name == name,
                                                        Location.id != (location.id if location else 0)))
    if clash is not None:
        raise Conflict(str(_l("There is already a location with this name.")), field="name")
    if location is None:
        location = Location(name=name, is_mobile=bool(is_mobile), is_active=bool(is_active))
        session.add(location)
        session.flush()
        audit.record(session, by=by, action="stock.location_created", entity="stock_location",
                     entity_id=location.id, changes={"name": name, "is_mobile": bool(is_mobile)})
    else:
        values = {"name": name, "is_mobile": bool(is_mobile), "is_active": bool(is_active)}
        changes = audit.diff(location, values)
        for k, v in values.items():
            setattr(location, k, v)
        if changes:
            audit.record(session, by=by, action="stock.location_changed", entity="stock_location",
                         entity_id=location.id, changes=changes)
        session.flush()
    return location


def create_product_group(session, *, name: str, notes: str | None = None, by) -> ProductGroup:
    name = (name or "").strip()[:120]
    if not name:
        raise DomainError(str(_l("Give the product group a name.")), field="name")
    if session.scalar(sa.select(ProductGroup.id).where(ProductGroup.name == name)) is not None:
        raise Conflict(str(_l("There is already a product group with this name.")), field="name")
    group = ProductGroup(name=name, notes=_clean(notes, 1000))
    session.add(group)
    session.flush()
    audit.record(session, by=by, action="stock.group_created", entity="stock_product_group", entity_id=group.id,
                 changes={"name": name})
    return group


# --- quarantine -------------------------------------------------------------------------

def quarantine(session, lot: Lot, *, reason: str, by) -> None:
    """Block a lot (a recall): it is no longer issued or packed until released."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the lot is blocked (e.g. the recall notice).")), field="reason")
    if lot.is_quarantined:
        raise Conflict(str(_l("This lot is already blocked.")))
    lot.quarantined_at = utcnow()
    lot.quarantine_reason = reason.strip()[:500]
    audit.record(session, by=by, action="stock.lot_quarantined", entity="stock_lot", entity_id=lot.id,
                 changes={"reason": lot.quarantine_reason, "item": lot.item.full_name, "code": lot.code})
    session.flush()


def release(session, lot: Lot, *, reason: str | None = None, by) -> None:
    if not lot.is_quarantined:
        raise Conflict(str(_l("This lot is not blocked.")))
    audit.record(session, by=by, action="stock.lot_released", entity="stock_lot", entity_id=lot.id,
                 changes={"was": lot.quarantine_reason, "reason": _clean(reason, 500)})
    lot.quarantined_at = None
    lot.quarantine_reason = None
    session.flush()


# --- stocktake --------------------------------------------------------------------------

def start_stocktake(session, location: Location, *, by) -> Stocktake:
    """Start counting a location; refused while another count of it is unfinished."""
    def refuse():
        return Conflict(str(_l("%(location)s already has an unfinished count. Finish or continue that one.",
                               location=location.name)), field="location_id")

    if session.scalar(sa.select(Stocktake.id).where(Stocktake.location_id == location.id,
                                                    Stocktake.finished_at.is_(None))) is not None:
        raise refuse()
    take = Stocktake(location_id=location.id, started_by_id=getattr(by, "id", by), started_at=utcnow())
    take.location = location
    try:
        with session.begin_nested():
            session.add(take)
            session.flush()
    except sa.exc.IntegrityError:
        raise refuse() from None
    rows = session.execute(
        sa.select(Balance.item_id, Balance.lot_id, Balance.qty)
        .join(Item, Item.id == Balance.item_id)
        .where(Balance.location_id == location.id, Balance.qty > 0)
        .order_by(Item.category, Item.name, Item.id, Balance.lot_id)
    ).all()
    session.add_all([StocktakeLine(stocktake_id=take.id, item_id=i, lot_id=lt, expected_qty=q) for i, lt, q in rows])
    session.flush()
    audit.record(session, by=by, action="stock.count_started", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": location.name, "lines": len(rows)})
    return take


def _open_stocktake(take: Stocktake) -> None:
    if take.finished_at is not None:
        raise Conflict(str(_l("This count is finished; start a new one to count again.")))


def save_counts(session, take: Stocktake, counts: dict[int, str | None], *, by) -> int:
    """Save counted quantities part-way: {line id: quantity or blank}. Returns lines saved."""
    _open_stocktake(take)
    lines = {line.id: line for line in take.lines}
    saved = 0
    errors = []
    for line_id, raw in counts.items():
        line = lines.get(int(line_id))
        if line is None:
            continue
        if raw in (None, ""):
            continue
        try:
            line.counted_qty = check_quantity(line.item, raw, field=f"count-{line.id}", allow_zero=True)
            saved += 1
        except InvalidQuantity as exc:
            errors.append(exc)
    if errors:
        raise errors[0]
    session.flush()
    return saved


def add_count_line(session, take: Stocktake, *, item: Item, lot_code: str | None, expires_on: dt.date | None,
                   quantity, by) -> StocktakeLine:
    """Add a line for stock found that the count did not list."""
    _open_stocktake(take)
    qty = check_quantity(item, quantity, allow_zero=True)
    lot = find_or_create_lot(session, item, lot_code, expires_on, confirm_past_expiry=True)
    if any(line.lot_id == lot.id for line in take.lines):
        raise Conflict(str(_l("This lot is already on the count; enter the quantity on its line.")), field="item_id")
    have = session.scalar(sa.select(Balance.qty).where(Balance.item_id == item.id, Balance.lot_id == lot.id,
                                                       Balance.location_id == take.location_id)) or Decimal(0)
    line = StocktakeLine(stocktake_id=take.id, item_id=item.id, lot_id=lot.id, expected_qty=have, counted_qty=qty)
    line.item, line.lot = item, lot
    take.lines.append(line)
    session.flush()
    return line


def finish_stocktake(session, take: Stocktake, *, by) -> list[Movement]:
    """Turn differences into count movements; uncounted lines are left as they are."""
    _open_stocktake(take)
    location = take.location
    counted = [line for line in take.lines if line.counted_qty is not None]
    # Lock the balances of the counted lots in (item, lot) order, then compare with now.
    current = dict(session.execute(
        sa.select(Balance.lot_id, Balance.qty)
        .where(Balance.location_id == location.id, Balance.lot_id.in_([line.lot_id for line in counted]))
        .order_by(Balance.item_id, Balance.lot_id)
        .with_for_update()
    ).all()) if counted else {}
    movements, diffs = [], []
    reason = str(_l("Count %(id)s", id=take.id))
    for line in sorted(counted, key=lambda ln: (ln.item_id, ln.lot_id)):
        have = current.get(line.lot_id, Decimal(0))
        delta = line.counted_qty - have
        if delta == 0:
            continue
        if delta > 0:
            movements.append(_move(session, kind=MovementKind.COUNT, item=line.item, lot=line.lot, qty=delta,
                                   from_loc=None, to_loc=location, by=by, reason=reason, stocktake_id=take.id))
        else:
            if not _take(session, line.item_id, line.lot_id, location.id, -delta):
                raise Conflict(str(_l("The stock changed while you were working. Try again.")))
            movements.append(_move(session, kind=MovementKind.COUNT, item=line.item, lot=line.lot, qty=-delta,
                                   from_loc=location, to_loc=None, by=by, reason=reason, stocktake_id=take.id))
        diffs.append({"item": line.item.full_name, "lot": line.lot.code, "was": fmt(have),
                      "counted": fmt(line.counted_qty)})
    take.finished_at = utcnow()
    take.finished_by_id = getattr(by, "id", by)
    session.flush()
    audit.record(session, by=by, action="stock.count_finished", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": location.name, "counted_lines": len(counted), "differences": diffs})
    return movements


def cancel_stocktake(session, take: Stocktake, *, by) -> None:
    """Drop an unfinished count without changing stock."""
    _open_stocktake(take)
    audit.record(session, by=by, action="stock.count_cancelled", entity="stock_stocktake", entity_id=take.id,
                 changes={"location": take.location.name})
    session.delete(take)
    session.flush()


# --- outreach kits, packing and returns -------------------------------------------------

def get_kit(session, activity_kind: str, *, create: bool = False) -> Kit | None:
    if activity_kind not in ACTIVITY_KINDS:
        raise NotFound(str(_l("There is no such activity kind.")))
    kit = session.scalar(sa.select(Kit).where(Kit.activity_kind == activity_kind))
    if kit is None and create:
        kit = Kit(activity_kind=activity_kind)
        session.add(kit)
        session.flush()
    return kit


def save_kit(session, activity_kind: str, lines: dict[int, str | None], *, by) -> Kit:
    """Set the kit for an activity kind: {item id: quantity}; zero or blank removes a line."""
    kit = get_kit(session, activity_kind, create=True)
    current = {line.item_id: line for line in kit.lines}
    before = {line.item.full_name: fmt(line.quantity) for line in kit.lines}
    for item_id, raw in lines.items():
        item = get_item(session, item_id, field="new_item_id")
        qty = check_quantity(item, raw or 0, field=f"qty-{item.id}" if item.id in current else "new_quantity",
                             allow_zero=True)
        line = current.get(item.id)
        if qty == 0:
            if line is not None:
                kit.lines.remove(line)
        elif line is None:
            line = KitLine(item_id=item.id, quantity=qty)
            line.item = item
            kit.lines.append(line)
            current[item.id] = line
        else:
            line.quantity = qty
    kit.updated_at = utcnow()
    session.flush()
    after = {line.item.full_name: fmt(line.quantity) for line in kit.lines}
    if before != after:
        audit.record(session, by=by, action="stock.kit_changed", entity="stock_kit", entity_id=kit.id,
                     changes={"activity_kind": activity_kind, "before": before, "after": after})
    return kit


@dataclass
class PackResult:
    outreach: Outreach
    movements: list[Movement]
    short: list[tuple[Item, Decimal]]  # what could not be packed, per item


def open_outreach_for_shift(session, shift_id: int) -> Outreach | None:
    """The packed, unreturned bag of a shift (at most one: a unique index keeps it so)."""
    return session.scalar(sa.select(Outreach).where(Outreach.shift_id == shift_id, Outreach.returned_at.is_(None)))


def _check_shift(session, shift: Shift, activity_kind: str | None) -> str:
    """The activity kind to pack for ``shift``, or raise when the shift cannot get a bag."""
    if shift.status == ShiftStatus.CANCELLED:
        raise Conflict(str(_l("This shift is cancelled; there is no bag to pack for it.")), field="shift_id")
    if shift.ends_at <= utcnow():
        raise Conflict(str(_l("This shift is over; there is no bag to pack for it.")), field="shift_id")
    kind = shift.activity.kind.value
    if activity_kind and activity_kind != kind:
        raise DomainError(str(_l("This shift needs the kit of its own activity, not another one.")),
                          field="activity_kind")
    return kind


def _shift_taken() -> Conflict:
    return Conflict(str(_l("A bag is already packed for this shift. Record its return before packing another.")),
                    field="shift_id")


def pack_bag(session, *, activity_kind: str | None = None, from_location: Location, bag: Location,
             shift: Shift | None = None, by) -> PackResult:
    """Transfer the kit into a mobile location, first-expiring-first. What is already in the
    bag counts towards the kit; what is short is packed as far as it goes and reported.

    With a ``shift`` the kit is the one for the shift's activity kind and the outreach
    records the shift; a shift has at most one packed, unreturned bag."""
    if shift is not None:
        activity_kind = _check_shift(session, shift, activity_kind)
    if not bag.is_mobile:
        raise DomainError(str(_l("Pack into a mobile location (a bag), not a room.")), field="bag_location_id")
    if from_location.id == bag.id:
        raise DomainError(str(_l("Choose two different locations.")), field="bag_location_id")
    kit = get_kit(session, activity_kind) if activity_kind else None
    if kit is None or not kit.lines:
        raise DomainError(str(_l("There is no kit for this activity yet; a coordinator sets it up.")),
                          field="activity_kind")

    def bag_taken() -> Conflict:
        return Conflict(str(_l("%(bag)s is still out on an outreach. Record its return first.", bag=bag.name)),
                        field="bag_location_id")

    if session.scalar(sa.select(Outreach.id).where(Outreach.bag_location_id == bag.id,
                                                   Outreach.returned_at.is_(None))) is not None:
        raise bag_taken()
    if shift is not None and open_outreach_for_shift(session, shift.id) is not None:
        raise _shift_taken()
    outreach = Outreach(activity_kind=activity_kind, from_location_id=from_location.id, bag_location_id=bag.id,
                        shift_id=shift.id if shift is not None else None,
                        packed_by_id=getattr(by, "id", by), packed_at=utcnow())
    outreach.from_location, outreach.bag_location = from_location, bag
    try:
        with session.begin_nested():
            session.add(outreach)
            session.flush()
    except sa.exc.IntegrityError:
        # Someone else packed at the same moment: this bag, or a bag for this shift.
        if shift is not None and open_outreach_for_shift(session, shift.id) is not None:
            raise _shift_taken() from None
        raise bag_taken() from None
    in_bag = on_hand_by_item(session, bag.id, [line.item_id for line in kit.lines])
    day = today()
    movements, short = [], []
    for line in sorted(kit.lines, key=lambda ln: ln.item_id):
        need = line.quantity - in_bag.get(line.item_id, Decimal(0))
        if need <= 0:
            continue
        entries = [(lt, q) for lt, q in _locked_balances(session, line.item_id, from_location.id) if _usable(lt, day)]
        available = sum((q for _lt, q in entries), Decimal(0))
        take = min(need, available)
        if take < need:
            short.append((line.item, need - take))
        if take > 0:
            movements += _take_out(session, kind=MovementKind.PACK, item=line.item, qty=take, from_loc=from_location,
                                   to_loc=bag, by=by, reference=("outreach", outreach.id))
    session.flush()
    return PackResult(outreach, movements, short)


def record_return(session, outreach: Outreach, returned: dict[int, str | None], *, by) -> list[Movement]:
    """Record what came back: that is unpacked to the storeroom, the rest issued to the outreach.

    ``returned`` maps item id to the quantity that came back (blank = nothing came back).
    What was handed out is taken first-expiring-first, as volunteers hand out the oldest first.
    """
    if outreach.returned_at is not None:
        raise Conflict(str(_l("The return of this outreach is already recorded.")))
    bag, home = outreach.bag_location, outreach.from_location
    contents = bag_contents(session, bag.id)
    ref = ("outreach", outreach.id)
    wanted = {}
    for item, have in contents:
        raw = returned.get(item.id)
        back = check_quantity(item, raw if raw not in (None, "") else 0, field=f"back-{item.id}", allow_zero=True)
        if back > have:
            raise InvalidQuantity(str(_l("Only %(have)s %(unit)s of %(item)s were in the bag.",
                                         have=fmt(have), unit=unit_label(item.unit), item=item.full_name)),
                                  f"back-{item.id}")
        wanted[item.id] = (item, have, back)
    movements = []
    for item_id in sorted(wanted):
        item, have, back = wanted[item_id]
        used = have - back
        if used > 0:
            movements += _take_out(session, kind=MovementKind.ISSUE, item=item, qty=used, from_loc=bag, to_loc=None,
                                   by=by, usable_only=False, reason="outreach", reference=ref)
        if back > 0:
            movements += _take_out(session, kind=MovementKind.UNPACK, item=item, qty=back, from_loc=bag, to_loc=home,
                                   by=by, usable_only=False, reference=ref)
    outreach.returned_at = utcnow()
    outreach.returned_by_id = getattr(by, "id", by)
    session.flush()
    return movements


def on_hand_by_item(session, location_id: int, item_ids: list[int] | None = None) -> dict[int, Decimal]:
    stmt = (sa.select(Balance.item_id, sa.func.sum(Balance.qty))
            .where(Balance.location_id == location_id).group_by(Balance.item_id))
    if item_ids is not None:
        stmt = stmt.where(Balance.item_id.in_(item_ids))
    return {i: q for i, q in session.execute(stmt).all()}


def bag_contents(session, bag_location_id: int) -> list[tuple[Item, Decimal]]:
    rows = session.execute(
        sa.select(Item, sa.func.sum(Balance.qty))
        .join(Balance, Balance.item_id == Item.id)
        .where(Balance.location_id == bag_location_id)
        .group_by(Item.id).having(sa.func.sum(Balance.qty) > 0)
        .order_by(Item.category, Item.name, Item.id)
    ).all()
    return [(item, qty) for item, qty in rows]


# --- verification -----------------------------------------------------------------------

@dataclass
class VerifyResult:
    checked: int
    differences: list[tuple[int, int, int, Decimal, Decimal]]  # item, lot, location, balance, ledger


def verify(session) -> VerifyResult:
    """Recompute every balance from the ledger and compare it with the balance table."""
    inflow = sa.select(Movement.item_id.label("item_id"), Movement.lot_id.label("lot_id"),
                       Movement.to_location_id.label("location_id"), Movement.quantity.label("d")
                       ).where(Movement.to_location_id.is_not(None))
    outflow = sa.select(Movement.item_id, Movement.lot_id, Movement.from_location_id,
                        (-Movement.quantity).label("d")).where(Movement.from_location_id.is_not(None))
    ledger = sa.union_all(inflow, outflow).subquery()
    sums = {(i, lt, loc): q for i, lt, loc, q in session.execute(
        sa.select(ledger.c.item_id, ledger.c.lot_id, ledger.c.location_id,
                  sa.type_coerce(sa.func.sum(ledger.c.d), Movement.quantity.type))
        .group_by(ledger.c.item_id, ledger.c.lot_id, ledger.c.location_id))}
    balances = {(i, lt, loc): q for i, lt, loc, q in session.execute(
        sa.select(Balance.item_id, Balance.lot_id, Balance.location_id, Balance.qty))}
    keys = set(sums) | set(balances)
    diffs = []
    for key in sorted(keys):
        b, s = balances.get(key, Decimal(0)), sums.get(key, Decimal(0))
        if b != s:
            diffs.append((*key, b, s))
    return VerifyResult(len(keys), diffs)
