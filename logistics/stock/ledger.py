"""The stock ledger. Every change is a movement row plus a balance change made by a
conditional UPDATE in the same transaction; services flush, the caller commits once.

Locking: before taking stock away, the balance rows involved are read ``FOR UPDATE`` in
(item, lot, location) order (PostgreSQL; SQLite write transactions already begin IMMEDIATE),
then changed with ``UPDATE ... SET qty = qty - :n WHERE qty >= :n``. The CHECK ``qty >= 0``
backs both.

The balance primitives (:func:`write_movement`, :func:`take_balance`, :func:`take_out`,
:func:`locked_balances`, :func:`is_usable`) are shared with counts and kits; the verbs
below them (receive, issue, transfer, discard, adjust, undo, quarantine, release) are what
views call.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from logistics.audit import services as audit
from logistics.clock import today, utcnow
from logistics.errors import Conflict, DomainError
from logistics.i18n import format_date, format_number
from logistics.people.models import User
from logistics.stock.catalogue import check_quantity, clean_text, fmt, unit_label
from logistics.stock.models import Balance, Item, Location, Lot, Movement, MovementKind, SourceKind

MAX_UNIT_COST = Decimal(1_000_000)


class InsufficientStock(DomainError):
    """Not enough usable stock; ``available`` is what could be taken."""

    def __init__(self, item: Item, location: Location, wanted: Decimal, available: Decimal,
                 blocked: Decimal = Decimal(0), field: str = "quantity"):
        self.available = available
        self.wanted = wanted
        message = str(_l("Only %(available)s %(unit)s of %(item)s available at %(location)s; you asked for %(wanted)s.",
                         available=format_number(available), unit=unit_label(item.unit), item=item.full_name,
                         location=location.name, wanted=format_number(wanted)))
        if blocked:
            message += " " + str(_l("%(blocked)s more are expired or blocked and cannot be used.",
                                    blocked=format_number(blocked)))
        super().__init__(message, field=field)


def user_id(by: User | None) -> int | None:
    """The id recorded for the acting user (None for the system)."""
    return by.id if by is not None else None


def stock_changed() -> Conflict:
    """A conditional take found less than the locked row held: refuse rather than oversell."""
    return Conflict(str(_l("The stock changed while you were working. Try again.")))


# --- the balance primitives -------------------------------------------------------------

def _upsert_add(session, item_id: int, lot: Lot, location_id: int, qty: Decimal) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Balance).values(item_id=item_id, lot_id=lot.id, location_id=location_id, qty=qty,
                                  expires_on=lot.expires_on)
    stmt = stmt.on_conflict_do_update(
        index_elements=["item_id", "lot_id", "location_id"],
        set_={"qty": Balance.qty + stmt.excluded.qty},
    )
    session.execute(stmt)


def take_balance(session, item_id: int, lot_id: int, location_id: int, qty: Decimal) -> bool:
    """Conditionally take ``qty``; False (and nothing changed) when there is not enough."""
    result = session.execute(
        sa.update(Balance)
        .where(Balance.item_id == item_id, Balance.lot_id == lot_id, Balance.location_id == location_id,
               Balance.qty >= qty)
        .values(qty=Balance.qty - qty)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def locked_balances(session, item_id: int, location_id: int) -> list[tuple[Lot, Decimal]]:
    """The lots of an item at a location with their quantity, locked, in lot order."""
    rows = session.execute(
        sa.select(Balance.lot_id, Balance.qty)
        .where(Balance.item_id == item_id, Balance.location_id == location_id, Balance.qty > 0)
        .order_by(Balance.lot_id)
        .with_for_update()
    ).all()
    ids = [lot_id for lot_id, _qty in rows]
    lots = {lot.id: lot for lot in session.scalars(sa.select(Lot).where(Lot.id.in_(ids)))} if rows else {}
    return [(lots[lot_id], qty) for lot_id, qty in rows]


def is_usable(lot: Lot, day: dt.date) -> bool:
    """Neither blocked nor past its expiry date on ``day``."""
    return not lot.is_quarantined and (lot.expires_on is None or lot.expires_on >= day)


def _fefo(entries: list[tuple[Lot, Decimal]]) -> list[tuple[Lot, Decimal]]:
    """First-expiring-first; lots without expiry last; then oldest lot first."""
    return sorted(entries, key=lambda e: (e[0].expires_on is None, e[0].expires_on or dt.date.max, e[0].id))


def write_movement(session, *, kind: MovementKind, item: Item, lot: Lot, qty: Decimal, from_loc: Location | None,
                   to_loc: Location | None, by: User | None, reason: str | None = None, note: str | None = None,
                   reference: tuple[str, int] | None = None, **extra) -> Movement:
    """Append a movement and add ``qty`` to the balance at ``to_loc``; what it takes from
    ``from_loc`` must already have been taken with :func:`take_balance`."""
    movement = Movement(
        kind=kind, item_id=item.id, lot_id=lot.id, quantity=qty,
        from_location_id=from_loc.id if from_loc else None, to_location_id=to_loc.id if to_loc else None,
        reason=clean_text(reason, 200), note=clean_text(note, 500), by_id=user_id(by), at=utcnow(),
        reference_type=reference[0] if reference else None, reference_id=reference[1] if reference else None,
        **extra,
    )
    movement.item, movement.lot = item, lot
    session.add(movement)
    if to_loc is not None:
        _upsert_add(session, item.id, lot, to_loc.id, qty)
    return movement


def take_out(session, *, kind: MovementKind, item: Item, qty: Decimal, from_loc: Location,
             to_loc: Location | None, by: User | None, lot: Lot | None = None, usable_only: bool = True,
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
    entries = locked_balances(session, item.id, from_loc.id)
    day = today()
    if lot is not None:
        if usable_only and lot.is_quarantined:
            raise DomainError(str(_l("Lot %(code)s is blocked (quarantined) and cannot be used until it is released.",
                                     code=lot.code or "-")), field="lot_id")
        if usable_only and lot.expires_on is not None and lot.expires_on < day:
            raise DomainError(str(_l("Lot %(code)s expired on %(date)s; discard it instead.",
                                     code=lot.code or "-", date=format_date(lot.expires_on))), field="lot_id")
        candidates = [(lt, q) for lt, q in entries if lt.id == lot.id]
        blocked = Decimal(0)
    else:
        candidates = [(lt, q) for lt, q in entries if not usable_only or is_usable(lt, day)]
        blocked = sum((q for lt, q in entries if usable_only and not is_usable(lt, day)), Decimal(0))
    available = sum((q for _lt, q in candidates), Decimal(0))
    if available < qty:
        raise InsufficientStock(item, from_loc, qty, available, blocked)
    movements, need = [], qty
    for lt, have in _fefo(candidates):
        if need <= 0:
            break
        part = min(have, need)
        if not take_balance(session, item.id, lt.id, from_loc.id, part):
            raise stock_changed()  # cannot happen while the row is locked
        movements.append(write_movement(session, kind=kind, item=item, lot=lt, qty=part, from_loc=from_loc,
                                        to_loc=to_loc, by=by, **kw))
        need -= part
    return movements


# --- lots -------------------------------------------------------------------------------

def _default_lot(session, item: Item) -> Lot:
    lot = session.scalar(sa.select(Lot).where(Lot.item_id == item.id, Lot.code == ""))
    if lot is None:
        lot = Lot(item_id=item.id, code="", expires_on=None)
        lot.item = item
        session.add(lot)
        session.flush()
    return lot


def get_lot(session, item: Item, lot_id, *, field: str = "lot_id") -> Lot | None:
    """The chosen lot of ``item`` (None when none is chosen), or a message for ``field``."""
    if lot_id in (None, "", 0, "0"):
        return None
    try:
        lot = session.get(Lot, int(lot_id))
    except (TypeError, ValueError):
        lot = None
    if lot is None or lot.item_id != item.id:
        raise DomainError(str(_l("This lot does not belong to the item.")), field=field)
    return lot


def find_or_create_lot(session, item: Item, code: str | None, expires_on: dt.date | None, *,
                       confirm_past_expiry: bool = False) -> Lot:
    """The lot with this code (or expiry date), created when new; its expiry must agree."""
    code = (code or "").strip()[:60]
    if item.is_expiry_tracked and expires_on is None:
        raise DomainError(str(_l("%(item)s expires: enter the expiry date from the package.", item=item.full_name)),
                          field="expires_on")
    if expires_on is not None and expires_on < today() and not confirm_past_expiry:
        raise DomainError(str(_l("This expiry date is in the past. "
                                 "Tick the box to confirm you are receiving expired goods.")), field="expires_on")
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
                                 code=code, date=format_date(lot.expires_on) if lot.expires_on else "-")),
                          field="expires_on")
    return lot


# --- receive, issue, transfer, discard, adjust, undo ------------------------------------

def _unit_cost(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        cost = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        cost = None
    if (cost is None or not cost.is_finite() or cost < 0 or cost > MAX_UNIT_COST
            or cost != cost.quantize(Decimal("0.01"))):
        raise DomainError(str(_l("Enter the price per unit in kroner, e.g. 12.50.")), field="unit_cost")
    return cost


def receive(session, *, item: Item, quantity, location: Location, lot_code: str | None = None,
            expires_on: dt.date | None = None, confirm_past_expiry: bool = False,
            source_kind: SourceKind | str | None = None, source_name: str | None = None,
            unit_cost=None, note: str | None = None, reference: tuple[str, int] | None = None,
            by: User | None) -> Movement:
    """Record goods arriving (a donation or a purchase) at ``location``."""
    qty = check_quantity(item, quantity)
    cost = _unit_cost(unit_cost)
    lot = find_or_create_lot(session, item, lot_code, expires_on, confirm_past_expiry=confirm_past_expiry)
    movement = write_movement(session, kind=MovementKind.RECEIVE, item=item, lot=lot, qty=qty, from_loc=None,
                              to_loc=location, by=by, note=note, reference=reference,
                              source_kind=SourceKind(source_kind) if source_kind else None,
                              source_name=clean_text(source_name, 120), unit_cost=cost)
    session.flush()
    return movement


def issue(session, *, item: Item, quantity, location: Location, lot: Lot | None = None,
          reason: str | None = None, reference: tuple[str, int] | None = None, note: str | None = None,
          by: User | None) -> list[Movement]:
    """Hand stock out from ``location``, first-expiring-first unless ``lot`` is chosen."""
    qty = check_quantity(item, quantity)
    movements = take_out(session, kind=MovementKind.ISSUE, item=item, qty=qty, from_loc=location, to_loc=None,
                         by=by, lot=lot, reason=reason, note=note, reference=reference)
    session.flush()
    return movements


def transfer(session, *, item: Item, quantity, from_location: Location, to_location: Location,
             lot: Lot | None = None, note: str | None = None, kind: MovementKind = MovementKind.TRANSFER,
             reference: tuple[str, int] | None = None, by: User | None) -> list[Movement]:
    """Move stock between two locations (first-expiring-first unless ``lot`` is chosen)."""
    qty = check_quantity(item, quantity)
    if from_location.id == to_location.id:
        raise DomainError(str(_l("Choose two different locations.")), field="to_location_id")
    # Blocked lots may be moved (to a quarantine shelf), but not packed into a bag.
    movements = take_out(session, kind=kind, item=item, qty=qty, from_loc=from_location, to_loc=to_location,
                         by=by, lot=lot, usable_only=kind == MovementKind.PACK or lot is None,
                         note=note, reference=reference)
    session.flush()
    return movements


def discard(session, *, item: Item, quantity, location: Location, lot: Lot | None, reason: str,
            note: str | None = None, by: User | None) -> list[Movement]:
    """Throw stock away (expired, damaged, recalled); a reason is required."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the stock is discarded.")), field="reason")
    qty = check_quantity(item, quantity)
    if lot is None:
        # Without a lot, discard what cannot be used first (expired, blocked), then FEFO.
        entries = locked_balances(session, item.id, location.id)
        day = today()
        ordered = sorted(_fefo(entries), key=lambda e: is_usable(e[0], day))
        available = sum((q for _lt, q in entries), Decimal(0))
        if available < qty:
            raise InsufficientStock(item, location, qty, available)
        movements, need = [], qty
        for lt, have in ordered:
            if need <= 0:
                break
            part = min(have, need)
            if not take_balance(session, item.id, lt.id, location.id, part):
                raise stock_changed()
            movements.append(write_movement(session, kind=MovementKind.DISCARD, item=item, lot=lt, qty=part,
                                            from_loc=location, to_loc=None, by=by, reason=reason, note=note))
            need -= part
    else:
        movements = take_out(session, kind=MovementKind.DISCARD, item=item, qty=qty, from_loc=location,
                             to_loc=None, by=by, lot=lot, usable_only=False, reason=reason, note=note)
    session.flush()
    audit.record(session, by=by, action="stock.discarded", entity="stock_item", entity_id=item.id,
                 changes={"quantity": fmt(qty), "location": location.name, "reason": reason,
                          "movements": [m.id for m in movements]})
    return movements


def discard_expired(session, lines: list[tuple[int, int, str | Decimal]], *, reason: str, note: str | None = None,
                    by: User | None) -> list[Movement]:
    """Discard every (lot id, location id, quantity) of the expired list in one go: one reason,
    one transaction, one audit entry. The lines are what the person saw; when any of them
    changed since (stock issued, moved or discarded, a lot no longer expired) nothing is
    discarded and the message says to look again."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the stock is discarded.")), field="reason")
    if not lines:
        raise DomainError(str(_l("There is no expired stock to discard.")))
    day = today()
    wanted: dict[tuple[int, int], Decimal] = {}
    for lot_id, location_id, raw in lines:
        lot, location = session.get(Lot, lot_id), session.get(Location, location_id)
        if lot is None or location is None or lot.expires_on is None or lot.expires_on >= day:
            raise stock_changed()
        qty = check_quantity(lot.item, raw)
        wanted[(lot.item_id, lot_id, location_id)] = wanted.get((lot.item_id, lot_id, location_id), Decimal(0)) + qty
    # Lock the balances in one fixed order before taking any: two such lists at once queue.
    keys = sorted(wanted)
    session.execute(sa.select(Balance.qty).where(sa.tuple_(Balance.item_id, Balance.lot_id, Balance.location_id)
                                                 .in_(keys)).order_by(Balance.item_id, Balance.lot_id,
                                                                      Balance.location_id).with_for_update()).all()
    movements = []
    for item_id, lot_id, location_id in keys:
        qty = wanted[(item_id, lot_id, location_id)]
        lot, location = session.get(Lot, lot_id), session.get(Location, location_id)
        if not take_balance(session, item_id, lot_id, location_id, qty):
            raise stock_changed()
        movements.append(write_movement(session, kind=MovementKind.DISCARD, item=lot.item, lot=lot, qty=qty,
                                        from_loc=location, to_loc=None, by=by, reason=reason, note=note))
    session.flush()
    audit.record(session, by=by, action="stock.expired_discarded", entity="stock_lot", entity_id=None,
                 changes={"reason": reason, "lines": [
                     {"item": m.item.full_name, "lot": m.lot.code, "quantity": fmt(m.quantity),
                      "location": session.get(Location, m.from_location_id).name} for m in movements],
                     "movements": [m.id for m in movements]})
    return movements


def adjust(session, *, item: Item, quantity, location: Location, lot: Lot | None, increase: bool,
           reason: str, note: str | None = None, by: User | None) -> list[Movement]:
    """Correct a balance up or down (coordinators); a reason is required and audited."""
    if not (reason or "").strip():
        raise DomainError(str(_l("Say why the stock is adjusted.")), field="reason")
    qty = check_quantity(item, quantity)
    if increase:
        lot = lot or _default_lot(session, item)
        movements = [write_movement(session, kind=MovementKind.ADJUST, item=item, lot=lot, qty=qty, from_loc=None,
                                    to_loc=location, by=by, reason=reason, note=note)]
    else:
        movements = take_out(session, kind=MovementKind.ADJUST, item=item, qty=qty, from_loc=location, to_loc=None,
                             by=by, lot=lot, usable_only=False, reason=reason, note=note)
    session.flush()
    audit.record(session, by=by, action="stock.adjusted", entity="stock_item", entity_id=item.id,
                 changes={"quantity": ("+" if increase else "-") + fmt(qty), "location": location.name,
                          "reason": reason, "movements": [m.id for m in movements]})
    return movements


def undo(session, movement: Movement, *, reason: str | None = None, by: User | None) -> Movement:
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
        if not take_balance(session, item.id, lot.id, from_loc.id, movement.quantity):
            have = session.scalar(sa.select(Balance.qty).where(
                Balance.item_id == item.id, Balance.lot_id == lot.id, Balance.location_id == from_loc.id)) or Decimal(0)
            raise InsufficientStock(item, from_loc, movement.quantity, have)
    reference = (movement.reference_type, movement.reference_id) if movement.reference_type else None
    compensating = write_movement(session, kind=kind, item=item, lot=lot, qty=movement.quantity, from_loc=from_loc,
                                  to_loc=to_loc, by=by, reason=why, reverses_id=movement.id, reference=reference)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(str(_l("This movement has already been undone."))) from None
    audit.record(session, by=by, action="stock.undone", entity="stock_movement", entity_id=movement.id,
                 changes={"compensating_movement": compensating.id, "reason": why})
    return compensating


# --- quarantine -------------------------------------------------------------------------

def quarantine(session, lot: Lot, *, reason: str, by: User | None) -> None:
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


def release(session, lot: Lot, *, reason: str | None = None, by: User | None) -> None:
    """Release a blocked lot: it may be issued and packed again; audited."""
    if not lot.is_quarantined:
        raise Conflict(str(_l("This lot is not blocked.")))
    audit.record(session, by=by, action="stock.lot_released", entity="stock_lot", entity_id=lot.id,
                 changes={"was": lot.quarantine_reason, "reason": clean_text(reason, 500)})
    lot.quarantined_at = None
    lot.quarantine_reason = None
    session.flush()


# --- verification -----------------------------------------------------------------------

@dataclass
class VerifyResult:
    checked: int
    differences: list[tuple[int, int, int, Decimal, Decimal]]  # item, lot, location, balance, ledger
    #: Balances whose copy of their lot's expiry date is not the lot's (item, lot, location).
    expiry_differences: list[tuple[int, int, int]] = field(default_factory=list)


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
    expiry = [tuple(row) for row in session.execute(
        sa.select(Balance.item_id, Balance.lot_id, Balance.location_id).join(Lot, Lot.id == Balance.lot_id)
        .where(Balance.expires_on.is_distinct_from(Lot.expires_on))
        .order_by(Balance.item_id, Balance.lot_id, Balance.location_id))]
    return VerifyResult(len(keys), diffs, expiry)


def copy_lot_expiry(session) -> int:
    """Give balances written without it (bulk loads) their lot's expiry date; how many."""
    lot_expiry = sa.select(Lot.expires_on).where(Lot.id == Balance.lot_id).scalar_subquery()
    return session.execute(sa.update(Balance).where(Balance.expires_on.is_distinct_from(lot_expiry))
                           .values(expires_on=lot_expiry).execution_options(synchronize_session=False)).rowcount
