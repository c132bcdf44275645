"""The monthly plan: which days (a pattern such as "2nd and 4th Tuesday" or "every other
Thursday", or days picked on a month grid), how many packs of each recipe (by default the
average handed out over the last three months), and creating the distributions with their
packing and hand-out shifts in one step."""
from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.audit import services as audit
from logistics.clock import localize, today
from logistics.distributions.models import (
    Distribution,
    DistributionComponent,
    DistributionLine,
    DistributionStatus,
    PlannedMonth,
)
from logistics.errors import Conflict, DomainError
from logistics.i18n import format_date, format_month
from logistics.people.models import User
from logistics.shifts import planning as shift_planning
from logistics.shifts.models import Activity, ActivityKind, Place
from logistics.stock.models import Kit, Location

#: The plan looks at most this many months ahead; packs per recipe per distribution at most.
MAX_MONTHS = 12
MAX_PACKS = 2000
#: At most this many distributions in one step (a year of weekly ones, with room).
MAX_DAYS = 60

#: Which occurrence of a weekday in its month; -1 is the last one.
ORDINALS = (1, 2, 3, 4, 5, -1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_from(first: dt.date, count: int) -> list[dt.date]:
    if not 1 <= count <= MAX_MONTHS:
        raise DomainError(str(_l("Plan between 1 and %(n)s months ahead.", n=MAX_MONTHS)), field="months")
    return [add_months(month_start(first), i) for i in range(count)]


def nth_weekdays(month: dt.date, weekday: int, ordinals) -> list[dt.date]:
    """The days of ``month`` that are the ``ordinals`` (1..5, -1 = last) ``weekday`` (0 = Monday).
    A fifth one exists only in some months; it is simply absent in the others."""
    days = [d for d in (dt.date(month.year, month.month, n)
                        for n in range(1, calendar.monthrange(month.year, month.month)[1] + 1))
            if d.weekday() == weekday]
    found = set()
    for ordinal in ordinals:
        if ordinal == -1:
            found.add(days[-1])
        elif 1 <= ordinal <= len(days):
            found.add(days[ordinal - 1])
    return sorted(found)


def every_n_weeks(start: dt.date, weeks: int, until: dt.date) -> list[dt.date]:
    """``start`` and every ``weeks`` weeks after it, up to ``until`` ("every other Thursday")."""
    if not 1 <= weeks <= 8:
        raise DomainError(str(_l("Repeat every 1 to 8 weeks.")), field="interval")
    out, day = [], start
    while day <= until:
        out.append(day)
        day += dt.timedelta(weeks=weeks)
    return out


@dataclass
class Pattern:
    """``kind``: "monthly" (``weekday`` + ``ordinals``), "weekly" (``weekday``, every
    ``interval`` weeks from the first such day on or after ``start``) or "dates" (``dates``)."""

    kind: str
    weekday: int | None = None
    ordinals: tuple[int, ...] = ()
    interval: int = 2
    start: dt.date | None = None
    dates: tuple[dt.date, ...] = ()


def pattern_days(pattern: Pattern, months: list[dt.date]) -> list[dt.date]:
    """The days a pattern gives within ``months`` (first days of consecutive months)."""
    last = add_months(months[-1], 1) - dt.timedelta(days=1)
    if pattern.kind == "monthly":
        if pattern.weekday is None or not 0 <= pattern.weekday <= 6:
            raise DomainError(str(_l("Choose a weekday.")), field="weekday")
        ordinals = [o for o in pattern.ordinals if o in ORDINALS]
        if not ordinals:
            raise DomainError(str(_l("Choose which weeks of the month (for example the 2nd and the 4th).")),
                              field="ordinals")
        return [d for m in months for d in nth_weekdays(m, pattern.weekday, ordinals)]
    if pattern.kind == "weekly":
        if pattern.weekday is None or not 0 <= pattern.weekday <= 6:
            raise DomainError(str(_l("Choose a weekday.")), field="weekday")
        start = pattern.start or months[0]
        start = max(start, months[0])
        start += dt.timedelta(days=(pattern.weekday - start.weekday()) % 7)
        return every_n_weeks(start, pattern.interval, last)
    if pattern.kind == "dates":
        return sorted({d for d in pattern.dates if months[0] <= d <= last})
    raise DomainError(str(_l("Choose how to pick the days.")), field="kind")


def average_handed_out(session, *, on: dt.date | None = None) -> dict[int, int]:
    """Packs handed out per completed distribution over the three months before ``on``, per
    pack item, rounded up (one aggregate query)."""
    on = on or today()
    back = add_months(month_start(on), -3)
    since = back.replace(day=min(on.day, calendar.monthrange(back.year, back.month)[1]))
    rows = session.execute(
        sa.select(DistributionLine.pack_item_id, sa.func.sum(DistributionLine.handed_out_packs),
                  sa.func.count(DistributionLine.id))
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .where(Distribution.status == DistributionStatus.COMPLETED, Distribution.day >= since, Distribution.day < on)
        .group_by(DistributionLine.pack_item_id))
    return {item_id: math.ceil(total / count) for item_id, total, count in rows if count and total is not None}


def planned_months(session, months: list[dt.date]) -> set[dt.date]:
    return set(session.scalars(sa.select(PlannedMonth.month).where(PlannedMonth.month.in_(months))))


@dataclass
class Proposal:
    """The distributions a plan would create, month by month; months already planned are
    named and left out."""

    days: list[dt.date]
    taken_months: list[dt.date] = field(default_factory=list)
    past: list[dt.date] = field(default_factory=list)


def propose(session, pattern: Pattern, months: list[dt.date]) -> Proposal:
    """The days a plan would create, leaving out months already planned and days before tomorrow
    (a distribution needs its packing day)."""
    taken = planned_months(session, months)
    first_day = today() + dt.timedelta(days=1)
    days, past = [], []
    for day in pattern_days(pattern, months):
        if month_start(day) in taken:
            continue
        (days if day >= first_day else past).append(day)
    return Proposal(days, sorted(taken), past)


@dataclass
class ShiftTimes:
    """Local wall-clock times of the hand-out and of the packing the day before."""

    handout_start: dt.time
    handout_minutes: int
    packing_start: dt.time
    packing_minutes: int


def _counts(session, counts: dict) -> list[tuple[Kit, int]]:
    """(recipe, packs) for every recipe with packs; at least one."""
    chosen = []
    recipes = {r.id: r for r in session.scalars(sa.select(Kit).where(Kit.id.in_(list(counts)),
                                                                     Kit.pack_item_id.is_not(None)))}
    for recipe_id, packs in sorted(counts.items()):
        recipe = recipes.get(recipe_id)
        if recipe is None:
            raise DomainError(str(_l("This recipe does not exist any more.")), field=f"packs-{recipe_id}")
        if packs is None or packs == 0:
            continue
        if not isinstance(packs, int) or packs < 0 or packs > MAX_PACKS:
            raise DomainError(str(_l("Enter a whole number of packs from 0 to %(n)s.", n=MAX_PACKS)),
                              field=f"packs-{recipe_id}")
        if not recipe.lines:
            raise DomainError(str(_l("%(pack)s has no recipe lines yet.", pack=recipe.pack_item.full_name)),
                              field=f"packs-{recipe_id}")
        chosen.append((recipe, packs))
    if not chosen:
        raise DomainError(str(_l("Plan at least one pack.")), field="packs")
    return chosen


def _check_days(days: list[dt.date]) -> list[dt.date]:
    days = sorted(set(days))
    if not days:
        raise DomainError(str(_l("Choose at least one day.")), field="days")
    if len(days) > MAX_DAYS:
        raise DomainError(str(_l("Plan at most %(n)s distributions at once.", n=MAX_DAYS)), field="days")
    first = today() + dt.timedelta(days=1)
    past = [d for d in days if d < first]
    if past:
        raise DomainError(str(_l("%(day)s is too soon: a distribution is planned from tomorrow on, "
                                 "so that there is a day to pack.", day=format_date(past[0]))), field="days")
    return days


def _month_taken(month: dt.date) -> Conflict:
    return Conflict(str(_l("%(month)s has just been planned by someone else. Open the distributions to see "
                           "that plan; nothing of yours was saved.", month=format_month(month))), field="days")


def add_distribution(session, *, day: dt.date, recipes: list[tuple[Kit, int]], location: Location,
                     handout_activity: Activity, packing_activity: Activity | None, place: Place | None,
                     times: ShiftTimes, by: User | None) -> Distribution:
    """One distribution with its shifts and its copy of the recipes (no month check)."""
    start = localize(dt.datetime.combine(day, times.handout_start))
    handout = shift_planning.create_shift(
        session, activity=handout_activity, place=place, starts_at=start,
        ends_at=localize(dt.datetime.combine(day, times.handout_start) + dt.timedelta(minutes=times.handout_minutes)),
        capacity_min=handout_activity.capacity_min, capacity_max=handout_activity.capacity_max, by=by)
    packing = None
    if packing_activity is not None:
        naive = dt.datetime.combine(day - dt.timedelta(days=1), times.packing_start)
        packing = shift_planning.create_shift(
            session, activity=packing_activity, place=place, starts_at=localize(naive),
            ends_at=localize(naive + dt.timedelta(minutes=times.packing_minutes)),
            capacity_min=packing_activity.capacity_min, capacity_max=packing_activity.capacity_max, by=by)
    distribution = Distribution(day=day, location_id=location.id, handout_shift_id=handout.id,
                                packing_shift_id=packing.id if packing else None,
                                created_by_id=by.id if by is not None else None)
    distribution.location, distribution.handout_shift, distribution.packing_shift = location, handout, packing
    for recipe, packs in recipes:
        line = DistributionLine(pack_item_id=recipe.pack_item_id, recipe_id=recipe.id, planned_packs=packs)
        line.pack_item = recipe.pack_item
        for component in recipe.lines:
            part = DistributionComponent(item_id=component.item_id, quantity=component.quantity)
            part.item = component.item
            line.components.append(part)
        distribution.lines.append(line)
    session.add(distribution)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(str(_l("There is already a distribution on %(day)s.", day=format_date(day))),
                       field="days") from None
    audit.record(session, by=by, action="distribution.created", entity="distribution", entity_id=distribution.id,
                 changes={"day": day, "packs": {r.pack_item.full_name: n for r, n in recipes},
                          "shifts": [s for s in (distribution.packing_shift_id, distribution.handout_shift_id) if s]})
    return distribution


def _activities(session) -> tuple[Activity, Activity | None]:
    def first(kind):
        return session.scalar(sa.select(Activity).where(Activity.kind == kind, Activity.is_active.is_(True))
                              .order_by(Activity.id).limit(1))
    handout = first(ActivityKind.FOOD_DISTRIBUTION)
    if handout is None:
        raise DomainError(str(_l("There is no food pack distribution activity yet; add one under Activities.")),
                          field="days")
    return handout, first(ActivityKind.PACKING)


def create_plan(session, *, days: list[dt.date], counts: dict[int, int], location: Location,
                place: Place | None, times: ShiftTimes, by: User | None) -> list[Distribution]:
    """Create the distributions of the chosen days with their shifts, in one transaction.

    Each month the days fall in is recorded as planned first: when another coordinator plans
    the same month at the same moment, one of the two inserts fails and that plan is refused
    as a whole (the caller rolls back)."""
    days = _check_days(days)
    if location.is_mobile:
        raise DomainError(str(_l("Pack at a storeroom, not in a bag.")), field="location_id")
    recipes = _counts(session, counts)
    handout_activity, packing_activity = _activities(session)
    months = sorted({month_start(d) for d in days})
    taken = planned_months(session, months)
    if taken:
        raise _month_taken(min(taken))
    try:
        with session.begin_nested():
            session.add_all([PlannedMonth(month=m, created_by_id=by.id if by is not None else None) for m in months])
            session.flush()
    except sa.exc.IntegrityError:
        raise _month_taken(months[0]) from None
    created = [add_distribution(session, day=day, recipes=recipes, location=location,
                                handout_activity=handout_activity, packing_activity=packing_activity,
                                place=place, times=times, by=by) for day in days]
    audit.record(session, by=by, action="distribution.month_planned", entity="distribution_month",
                 entity_id=months[0].isoformat(), changes={"months": months, "days": days})
    session.flush()
    return created
