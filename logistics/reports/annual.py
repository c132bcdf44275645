"""The annual report for the authorities: every figure by month of a period, from a fixed
number of aggregate statements whatever the amount of data.

Figures (rows) fall in sections; a row is a count or hours. Shifts count when they were not
cancelled, have ended, and had someone on them (a confirmed place not marked absent). Every
figure falls in the local month its shift (or movement, distribution, event) started, except
the hotline's hours covered, which are split at the month boundaries (:func:`_hotline_hours`).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from logistics.audit import services as audit
from logistics.clock import utcnow
from logistics.outreach.models import Partner, Referral, Tally
from logistics.reports import sources
from logistics.reports.months import Period
from logistics.shifts.models import Activity, ActivityKind, Shift, ShiftStatus, Signup, SignupStatus
from logistics.shifts.rules import overlapping
from logistics.stock.models import Category, Item

HOURS = Decimal("0.1")


@dataclass
class Row:
    key: str
    label: object
    values: list
    #: "count" (people, shifts, items: small counts are hidden outside the building) or "hours".
    unit: str = "count"
    #: The period's figure when it is not the sum of the months (people active in several months).
    overall: object = None

    @property
    def total(self):
        if self.overall is not None:
            return self.overall
        return sum(self.values, Decimal(0) if self.unit == "hours" else 0)


@dataclass
class Section:
    key: str
    title: object
    rows: list[Row] = field(default_factory=list)
    #: The row the section's chart draws.
    chart_row: str | None = None

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


@dataclass
class Report:
    period: Period
    sections: list[Section]
    active_volunteers: int

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def seconds_between(session, start, end) -> sa.ColumnElement:
    """``end - start`` in seconds, as SQL (each engine has its own date arithmetic); ``session``
    may be the dialect's name instead (for a statement built once per process)."""
    dialect = session if isinstance(session, str) else session.get_bind().dialect.name
    if dialect == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def _attending():
    return sa.and_(Signup.status == SignupStatus.CONFIRMED,
                   sa.or_(Signup.attended.is_(None), Signup.attended.is_(True)))


def _held(now: dt.datetime):
    """The shift was held: not cancelled, ended by ``now``, and someone was on it."""
    staffed = sa.select(Signup.id).where(Signup.shift_id == Shift.id, _attending()).correlate(Shift).exists()
    return sa.and_(Shift.status == ShiftStatus.SCHEDULED, Shift.ends_at <= now, staffed)


def _done_shifts(period: Period, now: dt.datetime):
    return sa.and_(Shift.starts_at >= period.start, Shift.starts_at < period.end, _held(now))


def _zeros(period: Period, unit: str = "count") -> list:
    return [Decimal(0) if unit == "hours" else 0 for _ in period.months]


def _shifts(session, period: Period, now) -> dict[tuple[ActivityKind, int], int]:
    """Held street-outreach and prison-visit shifts per (kind, month)."""
    month = period.month_of(Shift.starts_at).label("month")
    rows = session.execute(
        sa.select(Activity.kind, month, sa.func.count(Shift.id))
        .join(Activity, Activity.id == Shift.activity_id)
        .where(_done_shifts(period, now), Activity.kind.in_([ActivityKind.STREET_OUTREACH, ActivityKind.PRISON_VISIT]))
        .group_by(Activity.kind, month)).all()
    return {(ActivityKind(kind), m): n for kind, m, n in rows}


def _hotline_hours(session, period: Period, now) -> list[Decimal]:
    """Hours covered on the hotline per month: the time during which at least one held hotline
    shift was running, so two shifts at once (two phones, a handover) count once, and a month
    never has more hours covered than it has hours.

    The held hotline shifts that overlap the period are read as (start, end) rows in one
    statement (a year is a few thousand) and merged here. A shift that crosses a month boundary
    is split there, so each month gets the hours that fell in it: 22:00 on 31 January to 06:00
    on 1 February gives January 2 hours and February 6. The period's own bounds cut the same
    way: a shift from the evening before the period's first day gives the period its hours
    after midnight, and one running past its last day gives it only the hours up to midnight,
    so two adjoining periods count every hour once. Hours are elapsed time, so a night across
    a clock change is an hour shorter or longer than the clock says. (Calls and the other
    figures stay in the month their shift started.)"""
    rows = session.execute(
        sa.select(Shift.starts_at, Shift.ends_at).join(Activity, Activity.id == Shift.activity_id)
        .where(Activity.kind == ActivityKind.HOTLINE, overlapping(period.start, period.end), _held(now))
        .order_by(Shift.starts_at)).all()
    return covered_hours(rows, period.bounds)


def covered_hours(intervals: Iterable[tuple[dt.datetime, dt.datetime]], bounds: list[dt.datetime]) -> list[Decimal]:
    """The time covered by at least one of ``intervals`` (sorted by their start) within each
    [``bounds[i]``, ``bounds[i + 1]``), in hours to a tenth."""
    covered = [dt.timedelta(0)] * (len(bounds) - 1)

    def add(start: dt.datetime, end: dt.datetime) -> None:
        i = max(bisect.bisect_right(bounds, start) - 1, 0)
        while i < len(covered) and bounds[i] < end:
            lo, hi = max(start, bounds[i]), min(end, bounds[i + 1])
            if lo < hi:
                covered[i] += hi - lo
            i += 1

    run: list[dt.datetime] | None = None  # the merged interval being grown
    for start, end in intervals:
        if run is not None and start <= run[1]:
            run[1] = max(run[1], end)
            continue
        if run is not None:
            add(*run)
        run = [start, end]
    if run is not None:
        add(*run)
    return [(Decimal(str(t.total_seconds())) / 3600).quantize(HOURS) for t in covered]


TALLY_SUMS = ("women", "men", "transgender", "not_stated", "new_contacts", "calls", "visits")


def _tallies(session, period: Period, now) -> dict[str, list[int]]:
    month = period.month_of(Shift.starts_at).label("month")
    rows = session.execute(
        sa.select(month, *[sa.func.sum(getattr(Tally, name)) for name in TALLY_SUMS])
        .join(Shift, Shift.id == Tally.shift_id)
        .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= period.start, Shift.starts_at < period.end)
        .group_by(month)).all()
    out = {name: _zeros(period) for name in TALLY_SUMS}
    for m, *sums in rows:
        for name, value in zip(TALLY_SUMS, sums, strict=True):
            out[name][m] = int(value or 0)
    return out


def _referrals(session, period: Period) -> list[tuple[Partner, list[int]]]:
    month = period.month_of(Shift.starts_at).label("month")
    rows = session.execute(
        sa.select(Referral.partner_id, month, sa.func.sum(Referral.count))
        .join(Tally, Tally.id == Referral.tally_id).join(Shift, Shift.id == Tally.shift_id)
        .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= period.start, Shift.starts_at < period.end)
        .group_by(Referral.partner_id, month)).all()
    counts: dict[int, list[int]] = {}
    for partner_id, m, n in rows:
        counts.setdefault(partner_id, _zeros(period))[m] = int(n or 0)
    partners = session.scalars(sa.select(Partner).order_by(Partner.position, Partner.name)).all()
    return [(p, counts.get(p.id, _zeros(period))) for p in partners if p.is_active or p.id in counts]


def is_travel_card():
    """A travel-card top-up: a voucher named so (the catalogue has no finer category)."""
    name = sa.func.lower(Item.name)
    return sa.and_(Item.category == Category.VOUCHER,
                   sa.or_(name.contains("travel"), name.contains("rejsekort")))


HANDED_OUT = (("medicine", _l("Over-the-counter medicine"), Item.category == Category.MEDICINE),
              ("tests", _l("Tests"), Item.category == Category.TEST_KIT),
              ("clothing", _l("Clothing"), Item.category == Category.CLOTHING),
              ("travel_cards", _l("Travel-card top-ups"), is_travel_card()))


def _not_undone(M):
    """``M`` was not undone. ``reverses_id IS NOT NULL`` is implied by the match; saying it lets
    both engines read the few undo movements from their partial index instead of the ledger."""
    undo = aliased(sources.Movement)
    return ~sa.select(undo.id).where(undo.reverses_id.isnot(None), undo.reverses_id == M.id).exists()


def _handed_out(session, period: Period) -> dict[str, list[int]]:
    # The items of each group, worked out once per item (a handful) rather than once per movement.
    items = (sa.select(Item.id, sa.case(*[(cond, key) for key, _label, cond in HANDED_OUT], else_="").label("grp"))
             .where(sa.or_(*[cond for _k, _l2, cond in HANDED_OUT])).subquery())
    M = sources.Movement
    month = period.month_of(M.at).label("month")
    # The period's issues come from the (kind, at, item, quantity) index alone.
    rows = session.execute(
        sa.select(items.c.grp, month, sa.func.sum(M.quantity)).join(items, items.c.id == M.item_id)
        .where(M.kind == sources.MovementKind.ISSUE, M.at >= period.start, M.at < period.end, _not_undone(M))
        .group_by(items.c.grp, month)).all()
    out = {key: _zeros(period) for key, _label, _cond in HANDED_OUT}
    for key, m, qty in rows:
        if key in out:
            out[key][m] += int(qty or 0)
    return out


def held_shifts(session, period: Period, now) -> sa.CTE:
    """The period's held shifts with their month and length in hours, worked out once per shift
    (a few thousand a year) rather than once per sign-up, and materialised (PostgreSQL and
    SQLite) so that neither engine inlines the month's CASE into every joined row."""
    return (sa.select(Shift.id.label("id"), period.month_of(Shift.starts_at).label("month"),
                      (seconds_between(session, Shift.starts_at, Shift.ends_at) / 3600.0).label("length"))
            .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= period.start,
                   Shift.starts_at < period.end, Shift.ends_at <= now)
            .cte("held").prefix_with("MATERIALIZED"))


def attended_hours(held: sa.CTE) -> sa.ColumnElement:
    """A place's hours: what the coordinator recorded, else the shift's length."""
    return sa.func.coalesce(Signup.hours, held.c.length)


def _volunteer_hours(session, period: Period, now) -> tuple[list[Decimal], list[int], int]:
    """Hours and active people per month, and the period's active people, in one statement:
    the attended places (read from the sign-ups' covering index) are summed once per (month,
    person), then per month; the period's people are the distinct persons of those sums (no
    COUNT(DISTINCT) over every sign-up)."""
    held = held_shifts(session, period, now)
    per_person = (sa.select(held.c.month, Signup.user_id.label("user_id"),
                            sa.func.sum(attended_hours(held)).label("hours"))
                  .join(held, held.c.id == Signup.shift_id)
                  .where(Signup.status == SignupStatus.CONFIRMED, Signup.attended.is_(True))
                  .group_by(held.c.month, Signup.user_id).cte("per_person"))
    by_month = (sa.select(per_person.c.month, sa.func.sum(per_person.c.hours), sa.func.count())
                .group_by(per_person.c.month))
    # COUNT(DISTINCT) over the (month, person) sums: at most months × people rows.
    people = sa.select(sa.literal(-1), sa.null(), sa.func.count(sa.distinct(per_person.c.user_id)))
    per_month, counts, active = _zeros(period, "hours"), _zeros(period), 0
    for m, h, n in session.execute(sa.union_all(by_month, people)).all():
        if m < 0:
            active = int(n or 0)
            continue
        per_month[m] = Decimal(str(h or 0)).quantize(HOURS)
        counts[m] = int(n)
    return per_month, counts, active


def report(session, period: Period, *, now: dt.datetime | None = None) -> Report:
    """Every figure of the annual report for ``period`` (ten statements: food packs and
    referrals take two each, the volunteers' hours and active people one)."""
    now = now or utcnow()
    shifts = _shifts(session, period, now)
    tallies = _tallies(session, period, now)

    def shift_row(kind, key, label):
        return Row(key, label, [shifts.get((kind, m), 0) for m in range(len(period.months))])

    contacts = [tallies[g] for g in ("women", "men", "transgender", "not_stated")]
    sections = [
        Section("outreach", _l("Street outreach"), [
            shift_row(ActivityKind.STREET_OUTREACH, "outreach_shifts", _l("Outreach shifts"))],
            chart_row="outreach_shifts"),
        Section("contacts", _l("Contacts by gender"), [
            Row("women", _l("Women"), tallies["women"]), Row("men", _l("Men"), tallies["men"]),
            Row("transgender", _l("Transgender"), tallies["transgender"]),
            Row("not_stated", _l("Not stated"), tallies["not_stated"]),
            Row("contacts", _l("All contacts"), [sum(c) for c in zip(*contacts, strict=True)]),
            Row("new_contacts", _l("Of these, new contacts"), tallies["new_contacts"])],
            chart_row="contacts"),
        Section("hotline", _l("Hotline"), [
            Row("hotline_hours", _l("Hours covered"), _hotline_hours(session, period, now), "hours"),
            Row("calls", _l("Calls taken"), tallies["calls"])], chart_row="calls"),
        Section("prison", _l("Prison visits"), [
            shift_row(ActivityKind.PRISON_VISIT, "prison_shifts", _l("Prison-visit shifts")),
            Row("visits", _l("Visits made"), tallies["visits"])], chart_row="visits"),
        Section("food_packs", _l("Food packs"), [
            Row("food_packs", _l("Food packs handed out"), sources.food_packs_by_month(session, period))],
            chart_row="food_packs"),
    ]
    cooking_events, diners = sources.cooking_by_month(session, period)
    sections.append(Section("cooking", _l("Communal cooking"), [
        Row("cooking_events", _l("Cooking events"), cooking_events), Row("diners", _l("Diners"), diners)],
        chart_row="diners"))
    handed = _handed_out(session, period)
    sections.append(Section("handed_out", _l("Handed out from stock"),
                            [Row(key, label, handed[key]) for key, label, _cond in HANDED_OUT]))
    sections.append(Section("referrals", _l("Referrals by partner"),
                            [Row(f"partner-{p.id}", p, values) for p, values in _referrals(session, period)]))
    hours, people, active = _volunteer_hours(session, period, now)
    sections.append(Section("volunteers", _l("Volunteers"), [
        Row("volunteer_hours", _l("Volunteer hours"), hours, "hours"),
        Row("active_volunteers", _l("Active volunteers"), people, overall=active)], chart_row="volunteer_hours"))
    return Report(period, sections, active)


#: The copies of the report that leave the screen: the printable version and the CSV.
COPY_FORMATS = ("print", "csv")


def record_exact_copy(session, period: Period, *, fmt: str, by) -> None:
    """Note in the audit trail that ``by`` made a copy (``fmt``: print or csv) of the report for
    ``period`` with counts of 1 to 4 shown exactly: a small count can identify a person, so who
    took such a copy out of the screen is kept. The caller commits."""
    if fmt not in COPY_FORMATS:
        raise ValueError(fmt)
    audit.record(session, by=by, action="report.exact_export", entity="report",
                 changes={"first": period.first, "last": period.last, "format": fmt})
    session.flush()
