"""Demo distributions: two pack recipes, a year of distributions (the 2nd and 4th Tuesday and
the 1st Thursday of each month, the last Thursday every other month: 3–4 a month) packed the day before and handed out
through the services at their own dates, so the ledger, the averages and the forecast have a
history; then the next two months planned with their shifts."""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from logistics import clock
from logistics.distributions import packing, plans
from logistics.distributions.models import Distribution, PlannedMonth
from logistics.people.models import Role
from logistics.shifts.models import Activity, ActivityKind, Place
from logistics.stock import ledger, recipes
from logistics.stock.models import Item, Location

RECIPES = {
    "Food pack (standard)": [("Rice", "2"), ("Pasta", "1"), ("Tinned tomatoes", "2"), ("Tinned beans", "1"),
                             ("Biscuits", "1")],
    "Food pack (family)": [("Rice", "4"), ("Pasta", "2"), ("Tinned tomatoes", "4"), ("Tinned beans", "3"),
                           ("Oats", "1"), ("Fruit juice", "2")],
}
TIMES = plans.ShiftTimes(dt.time(14, 0), 180, dt.time(16, 0), 120)


def _days(first_month: dt.date, months: int) -> list[dt.date]:
    out = []
    for i in range(months):
        month = plans.add_months(first_month, i)
        out += plans.nth_weekdays(month, 1, (2, 4))  # Tuesdays
        out += plans.nth_weekdays(month, 3, (1, -1) if i % 2 == 0 else (1,))  # 1st (and last) Thursday
    return sorted(out)


def load(session, context: dict) -> None:
    """Recipes, a year of history and two planned months (idempotent)."""
    if session.scalar(sa.select(Distribution.id).limit(1)) is not None:
        return
    coordinator, staff = context["users"][Role.COORDINATOR], context["users"][Role.STAFF]
    items = {i.name: i for i in session.scalars(sa.select(Item).where(Item.size.is_(None)))}
    storeroom = session.scalar(sa.select(Location).where(Location.name == "Storeroom"))
    if storeroom is None or any(name not in items for name in RECIPES):
        return
    made = {}
    for pack, lines in RECIPES.items():
        existing = session.scalar(sa.select(recipes.Kit).where(recipes.Kit.pack_item_id == items[pack].id))
        made[pack] = existing or recipes.save_recipe(session, None, pack_item_id=items[pack].id,
                                                     lines=[(items[n].id, q) for n, q in lines], by=coordinator)
    standard, family = made["Food pack (standard)"], made["Food pack (family)"]
    handout = session.scalar(sa.select(Activity).where(Activity.kind == ActivityKind.FOOD_DISTRIBUTION))
    packing_activity = session.scalar(sa.select(Activity).where(Activity.kind == ActivityKind.PACKING))
    office = session.scalar(sa.select(Place).where(Place.name == "HopeNow office"))
    if handout is None:
        return
    rng = random.Random(11)
    today = clock.today()
    this_month = plans.month_start(today)
    first = plans.add_months(this_month, -12)
    past = [d for d in _days(first, 12) if d < today]
    for month in sorted({plans.month_start(d) for d in past}):
        session.add(PlannedMonth(month=month, created_by_id=coordinator.id))
    planned = {day: [(standard, rng.randint(22, 30)), (family, rng.randint(6, 10))] for day in past}
    delivered = set()
    for day in past:
        packs = planned[day]
        month = plans.month_start(day)
        if month not in delivered:
            # The food bank delivers once a month, the day before its first distribution.
            delivered.add(month)
            totals = {}
            for other in (d for d in past if plans.month_start(d) == month):
                for recipe, n in planned[other]:
                    for line in recipe.lines:
                        totals[line.item_id] = (line.item, totals.get(line.item_id, (None, 0))[1] + line.quantity * n)
            with clock.frozen(clock.localize(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(11, 0)))):
                for item, qty in totals.values():
                    ledger.receive(session, item=item, quantity=qty, location=storeroom,
                                   expires_on=day + dt.timedelta(days=180) if item.is_expiry_tracked else None,
                                   source_kind="donor", source_name="Fødevarebanken", by=staff)
        eve = clock.localize(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(15, 0)))
        with clock.frozen(eve):
            d = plans.add_distribution(session, day=day, recipes=packs, location=storeroom, handout_activity=handout,
                                       packing_activity=packing_activity, place=office, times=TIMES, by=coordinator)
            packing.pack(session, d, {line.id: line.planned_packs for line in d.lines}, by=staff)
        with clock.frozen(clock.localize(dt.datetime.combine(day, dt.time(17, 30)))):
            handed = {line.id: max(line.packed_packs - rng.randint(0, 4), 0) for line in d.lines}
            total = sum(handed.values())
            women = round(total * 0.7)
            men = round(total * 0.15)
            transgender = rng.randint(0, 2)
            packing.record_handout(session, d, handed, {"women": women, "men": men, "transgender": transgender,
                                                        "not_stated": max(total - women - men - transgender, 0)},
                                   by=staff)
    # What is left of this month, and the next two, planned in one step each.
    averages = plans.average_handed_out(session)
    counts = {standard.id: averages.get(standard.pack_item_id, 25), family.id: averages.get(family.pack_item_id, 8)}
    for i in range(3):
        month = plans.add_months(this_month, i)
        days = [d for d in _days(month, 1) if d > today]
        if days and session.get(PlannedMonth, month) is None:
            plans.create_plan(session, days=days, counts=counts, location=storeroom, place=office, times=TIMES,
                              by=coordinator)
    context["lines"].append(f"Distributions: {len(past)} in the last year, the next months planned.")
