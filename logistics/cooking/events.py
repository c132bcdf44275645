"""Planning a communal cooking event with its cook shift, drawing ingredients from stock
(movements that reference the event), recording the diners, cancelling."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.cooking.models import REFERENCE, CookingEvent, CookingStatus
from logistics.errors import Conflict, DomainError
from logistics.people.models import User
from logistics.shifts import planning as shift_planning
from logistics.shifts.models import Activity, ActivityKind, Place, ShiftStatus
from logistics.stock import ledger
from logistics.stock.catalogue import fmt, get_item
from logistics.stock.models import Location, Movement

MAX_DINERS = 1000
MAX_LINES = 30


def _diners(value, field: str, *, required: bool) -> int | None:
    if value in (None, "") and not required:
        return None
    if not isinstance(value, int) or not 0 <= value <= MAX_DINERS:
        raise DomainError(str(_l("Enter a whole number from 0 to %(n)s.", n=MAX_DINERS)), field=field)
    return value


def create_event(session, *, title: str, menu: str, place: Place | None, starts_at: dt.datetime | None,
                 ends_at: dt.datetime | None, expected_diners, location: Location, by: User | None) -> CookingEvent:
    """Plan an event and its cook shift (the communal cooking activity's numbers)."""
    title = (title or "").strip()[:120]
    if not title:
        raise DomainError(str(_l("Give the event a title.")), field="title")
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(str(_l("The end must be after the start.")), field="ends_at")
    if starts_at <= utcnow():
        raise DomainError(str(_l("Plan the event for a time that has not passed.")), field="starts_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise DomainError(str(_l("An event lasts at most 24 hours.")), field="ends_at")
    expected = _diners(expected_diners, "expected_diners", required=True)
    activity = session.scalar(sa.select(Activity).where(Activity.kind == ActivityKind.COMMUNAL_COOKING,
                                                        Activity.is_active.is_(True)).order_by(Activity.id).limit(1))
    if activity is None:
        raise DomainError(str(_l("There is no communal cooking activity yet; add one under Activities.")),
                          field="title")
    shift = shift_planning.create_shift(session, activity=activity, place=place, starts_at=starts_at,
                                        ends_at=ends_at, capacity_min=activity.capacity_min,
                                        capacity_max=activity.capacity_max, note=title[:200], by=by)
    event = CookingEvent(title=title, menu=(menu or "").strip()[:4000], place_id=place.id if place else None,
                         starts_at=starts_at, ends_at=ends_at, expected_diners=expected, location_id=location.id,
                         shift_id=shift.id, created_by_id=by.id if by is not None else None)
    event.place, event.location, event.shift = place, location, shift
    session.add(event)
    session.flush()
    audit.record(session, by=by, action="cooking.created", entity="cooking_event", entity_id=event.id,
                 changes={"name": title, "starts_at": starts_at, "expected_diners": expected, "shift": shift.id})
    return event


def _open(event: CookingEvent) -> None:
    if event.status == CookingStatus.CANCELLED:
        raise Conflict(str(_l("This event is cancelled.")))


def draw_ingredients(session, event: CookingEvent, lines: list[tuple[object, object]], *,
                     by: User | None) -> list[Movement]:
    """Take ingredients from the event's location, first-expiring-first, each movement
    referencing the event. Blank rows are skipped; an item twice is refused."""
    _open(event)
    movements, seen = [], set()
    wanted = []
    for index, (item_id, qty) in enumerate(lines[:MAX_LINES]):
        if item_id in (None, "", 0) and qty in (None, ""):
            continue
        item = get_item(session, item_id, field=f"item-{index}")
        if item.id in seen:
            raise DomainError(str(_l("%(item)s is listed twice; give it once.", item=item.full_name)),
                              field=f"item-{index}")
        seen.add(item.id)
        wanted.append((index, item, qty))
    if not wanted:
        raise DomainError(str(_l("Choose at least one ingredient.")), field="item-0")
    for index, item, qty in wanted:
        try:
            movements += ledger.issue(session, item=item, quantity=qty, location=event.location, reason="cooking",
                                      reference=(REFERENCE, event.id), by=by)
        except DomainError as exc:
            exc.field = f"qty-{index}"
            raise
    audit.record(session, by=by, action="cooking.ingredients_drawn", entity="cooking_event", entity_id=event.id,
                 changes={"name": event.title,
                          "ingredients": {m.item.full_name: fmt(m.quantity) for m in movements}})
    return movements


def record_diners(session, event: CookingEvent, actual, *, by: User | None) -> None:
    """Record how many ate (a count); the event is then completed."""
    _open(event)
    if event.starts_at > utcnow():
        raise DomainError(str(_l("Record the diners once the event has started.")), field="actual_diners")
    before = event.actual_diners
    event.actual_diners = _diners(actual, "actual_diners", required=True)
    event.status = CookingStatus.COMPLETED
    event.completed_at = utcnow()
    session.flush()
    audit.record(session, by=by, action="cooking.diners_recorded", entity="cooking_event", entity_id=event.id,
                 changes={"name": event.title, "actual_diners": [before, event.actual_diners]})


def cancel(session, event: CookingEvent, *, by: User) -> None:
    """Cancel the event and its cook shift (the cooks are told)."""
    if event.status != CookingStatus.PLANNED:
        raise Conflict(str(_l("Only a planned event can be cancelled.")))
    if event.shift is not None and event.shift.status == ShiftStatus.SCHEDULED and event.shift.ends_at > utcnow():
        shift_planning.cancel_shift(session, event.shift, by=by)
    event.status = CookingStatus.CANCELLED
    event.cancelled_at = utcnow()
    session.flush()
    audit.record(session, by=by, action="cooking.cancelled", entity="cooking_event", entity_id=event.id,
                 changes={"name": event.title, "status": ["planned", "cancelled"]})
