"""Outreach kits: what a team takes for one kind of activity, packing the bag (a mobile
location) from the storeroom, for a shift or not, and recording what came back."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import today, utcnow
from logistics.errors import Conflict, DomainError, NotFound
from logistics.i18n import format_number
from logistics.people.models import User
from logistics.shifts.models import Shift, ShiftStatus
from logistics.stock.catalogue import InvalidQuantity, check_quantity, fmt, get_item, save_location, unit_label
from logistics.stock.ledger import is_usable, locked_balances, take_out, user_id
from logistics.stock.models import ACTIVITY_KINDS, Item, Kit, KitLine, Location, Movement, MovementKind, Outreach
from logistics.stock.queries.kits import bag_contents, open_outreach_for_shift
from logistics.stock.queries.ledger import on_hand_by_item


def get_kit(session, activity_kind: str, *, create: bool = False) -> Kit | None:
    """The kit of an activity kind (created empty when ``create``); an unknown kind is NotFound."""
    if activity_kind not in ACTIVITY_KINDS:
        raise NotFound(str(_l("There is no such activity kind.")))
    kit = session.scalar(sa.select(Kit).where(Kit.activity_kind == activity_kind))
    if kit is None and create:
        kit = Kit(activity_kind=activity_kind)
        session.add(kit)
        session.flush()
    return kit


def save_kit(session, activity_kind: str, lines: dict[int, str | None], *, by: User | None) -> Kit:
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


# --- packing the bag --------------------------------------------------------------------

def get_shift(session, shift_id, *, field: str = "shift_id") -> Shift | None:
    """The shift a bag is packed for (None when none is given), or a message for ``field``."""
    if shift_id in (None, ""):
        return None
    try:
        shift = session.get(Shift, int(shift_id)) if int(shift_id) > 0 else None
    except (TypeError, ValueError):
        shift = None
    if shift is None:
        raise DomainError(str(_l("This shift does not exist any more.")), field=field)
    return shift


@dataclass
class PackResult:
    outreach: Outreach
    movements: list[Movement]
    short: list[tuple[Item, Decimal]]  # what could not be packed, per item


def _check_shift(shift: Shift, activity_kind: str | None) -> str:
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
             shift: Shift | None = None, by: User | None) -> PackResult:
    """Transfer the kit into a mobile location, first-expiring-first. What is already in the
    bag counts towards the kit; what is short is packed as far as it goes and reported.

    With a ``shift`` the kit is the one for the shift's activity kind and the outreach
    records the shift; a shift has at most one packed, unreturned bag."""
    if activity_kind is not None and activity_kind not in ACTIVITY_KINDS:
        raise DomainError(str(_l("Choose an activity.")), field="activity_kind")
    if shift is not None:
        activity_kind = _check_shift(shift, activity_kind)
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
                        packed_by_id=user_id(by), packed_at=utcnow())
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
        entries = [(lt, q) for lt, q in locked_balances(session, line.item_id, from_location.id) if is_usable(lt, day)]
        available = sum((q for _lt, q in entries), Decimal(0))
        take = min(need, available)
        if take < need:
            short.append((line.item, need - take))
        if take > 0:
            movements += take_out(session, kind=MovementKind.PACK, item=line.item, qty=take, from_loc=from_location,
                                  to_loc=bag, by=by, reference=("outreach", outreach.id))
    session.flush()
    return PackResult(outreach, movements, short)


def add_bag(session, *, name: str, by: User | None) -> Location:
    """Add a bag (a mobile location) so the next outreach can be packed while another is out;
    staff may do it (other locations are for coordinators)."""
    return save_location(session, None, name=name, is_mobile=True, by=by)


# --- the return -------------------------------------------------------------------------

def returned_early(outreach: Outreach, now=None) -> bool:
    """The bag of a shift that has not started yet is coming back (not for a cancelled shift:
    that bag should come back)."""
    shift = outreach.shift
    return shift is not None and shift.status == ShiftStatus.SCHEDULED and shift.starts_at > (now or utcnow())


def record_return(session, outreach: Outreach, returned: dict[int, str | None], *, early_reason: str | None = None,
                  by: User | None) -> list[Movement]:
    """Record what came back: that is unpacked to the storeroom, the rest issued to the outreach.

    ``returned`` maps item id to the quantity that came back (blank = nothing came back).
    What was handed out is taken first-expiring-first, as volunteers hand out the oldest first.
    A bag back before its shift has started needs ``early_reason``.
    """
    if outreach.returned_at is not None:
        raise Conflict(str(_l("The return of this outreach is already recorded.")))
    early_reason = (early_reason or "").strip()[:300] or None
    if returned_early(outreach) and early_reason is None:
        raise DomainError(str(_l("The shift has not started yet. Say why the bag is back already.")),
                          field="early_reason")
    bag, home = outreach.bag_location, outreach.from_location
    contents = bag_contents(session, bag.id)
    ref = ("outreach", outreach.id)
    wanted = {}
    for item, have in contents:
        raw = returned.get(item.id)
        back = check_quantity(item, raw if raw not in (None, "") else 0, field=f"back-{item.id}", allow_zero=True)
        if back > have:
            raise InvalidQuantity(str(_l("Only %(have)s %(unit)s of %(item)s were in the bag.",
                                         have=format_number(have), unit=unit_label(item.unit),
                                         item=item.full_name)),
                                  f"back-{item.id}")
        wanted[item.id] = (item, have, back)
    movements = []
    for item_id in sorted(wanted):
        item, have, back = wanted[item_id]
        used = have - back
        if used > 0:
            movements += take_out(session, kind=MovementKind.ISSUE, item=item, qty=used, from_loc=bag, to_loc=None,
                                  by=by, usable_only=False, reason="outreach", reference=ref, note=early_reason)
        if back > 0:
            movements += take_out(session, kind=MovementKind.UNPACK, item=item, qty=back, from_loc=bag, to_loc=home,
                                  by=by, usable_only=False, reference=ref, note=early_reason)
    outreach.returned_at = utcnow()
    outreach.returned_by_id = user_id(by)
    session.flush()
    audit.record(session, by=by, action="stock.bag_returned", entity="stock_outreach", entity_id=outreach.id,
                 changes={"bag": bag.name, "shift": outreach.shift_id,
                          "handed_out": {item.full_name: fmt(have - back) for item, have, back in wanted.values()
                                         if have > back},
                          "came_back": {item.full_name: fmt(back) for item, _have, back in wanted.values() if back},
                          **({"early_reason": early_reason} if early_reason else {})})
    return movements
