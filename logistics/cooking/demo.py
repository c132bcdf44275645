"""Demo cooking events: the 1st and 3rd Friday of each month for a year, planned a week ahead,
ingredients taken from the kitchen and the diners counted, at their own dates; two coming."""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from logistics import clock
from logistics.cooking import events
from logistics.cooking.models import CookingEvent
from logistics.distributions import plans
from logistics.people.models import Role
from logistics.shifts.models import Activity, ActivityKind, Place
from logistics.stock import ledger
from logistics.stock.models import Item, Location

#: Titles and menus are free text, written in the demo's language (``demo-data --language``).
MENUS = {
    "en": [("Jollof night", "Jollof rice, fried plantain, salad"), ("Soup and bread", "Pepper soup, bread"),
           ("Rice and stew", "Rice, tomato stew with beans"), ("Pasta evening", "Pasta with tomato sauce")],
    "da": [("Jollof-aften", "Jollofris, stegt plantain, salat"), ("Suppe og brød", "Pebersuppe, brød"),
           ("Ris og gryderet", "Ris, tomatgryde med bønner"), ("Pastaaften", "Pasta med tomatsauce")],
}
INGREDIENTS = [("Rice", "3"), ("Tinned tomatoes", "4"), ("Cooking oil", "1"), ("Tinned beans", "2")]


def _fridays(first_month: dt.date, months: int) -> list[dt.date]:
    return sorted(d for i in range(months) for d in plans.nth_weekdays(plans.add_months(first_month, i), 4, (1, 3)))


def load(session, context: dict) -> None:
    if session.scalar(sa.select(CookingEvent.id).limit(1)) is not None:
        return
    if session.scalar(sa.select(Activity.id).where(Activity.kind == ActivityKind.COMMUNAL_COOKING)) is None:
        return
    kitchen = session.scalar(sa.select(Location).where(Location.name == "Kitchen"))
    office = session.scalar(sa.select(Place).where(Place.name == "HopeNow office"))
    items = {i.name: i for i in session.scalars(sa.select(Item).where(Item.size.is_(None)))}
    if kitchen is None or any(name not in items for name, _q in INGREDIENTS):
        return
    coordinator, staff = context["users"][Role.COORDINATOR], context["users"][Role.STAFF]
    rng = random.Random(12)
    today = clock.today()
    this_month = plans.month_start(today)
    menus = MENUS.get(context.get("language", "en"), MENUS["en"])
    count = 0
    for day in _fridays(plans.add_months(this_month, -12), 15):
        title, menu = menus[count % len(menus)]
        start = clock.localize(dt.datetime.combine(day, dt.time(17, 0)))
        if start <= clock.utcnow() + dt.timedelta(hours=1) and day >= today:
            continue
        if day > today + dt.timedelta(days=40):
            break
        with clock.frozen(start - dt.timedelta(days=7)):
            event = events.create_event(session, title=title, menu=menu, place=office, starts_at=start,
                                        ends_at=start + dt.timedelta(hours=3), expected_diners=rng.randint(10, 20),
                                        location=kitchen, by=coordinator)
        count += 1
        if start > clock.utcnow():
            continue
        with clock.frozen(start - dt.timedelta(hours=2)):
            for name, qty in INGREDIENTS:
                ledger.receive(session, item=items[name], quantity=qty, location=kitchen,
                               expires_on=day + dt.timedelta(days=120) if items[name].is_expiry_tracked else None,
                               source_kind="supplier", source_name="Lidl", by=staff)
            events.draw_ingredients(session, event, [(items[n].id, q) for n, q in INGREDIENTS], by=staff)
        with clock.frozen(start + dt.timedelta(hours=2)):
            events.record_diners(session, event, max(event.expected_diners + rng.randint(-4, 4), 0), by=staff)
    context["lines"].append(f"Cooking: {count} events.")
