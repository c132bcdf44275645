"""The read side of shifts: each page's data in a fixed number of queries, whatever the
amount of data (the benchmark and the query-count tests hold us to it)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defaultload, joinedload, lazyload, selectinload

from logistics import settings
from logistics.clock import local_midnight, org_tz, to_local, utcnow
from logistics.counts import Count
from logistics.db import among, arrays, shown, shown_in_danish
from logistics.people.models import Role, User
from logistics.shifts import eligibility
from logistics.shifts.calendar import ROW_COLUMNS, ShiftRow, shift_rows
from logistics.shifts.models import (
    ACTIVE_STATUSES,
    Activity,
    ActivityKind,
    CoverRequest,
    Place,
    Series,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    activity_qualification,
)
from logistics.shifts.rules import (
    HotlineHoursLimit,
    Limits,
    MissingQualification,
    Overlap,
    RestLimit,
    SignupRefused,
    check_person,
    confirmed_shifts_near_many,
    hours_in_week,
    nearby_span,
    overlapping_params,
    overlapping_values,
    signup_opens_at,
)

#: A list that shows no activity's qualifications does not load them (Activity.qualifications is
#: loaded "selectin": one more query after every query that loads activities).
NO_QUALIFICATIONS = defaultload(Signup.shift).defaultload(Shift.activity).lazyload(Activity.qualifications)


def activities(session, *, active_only: bool = False, qualifications: bool = True) -> list[Activity]:
    """Every activity (or the active ones) by name; without their ``qualifications`` (one
    query less) for a page that only names them."""
    return list(session.scalars(_activities(shown_in_danish(), active_only, qualifications)))


@functools.lru_cache(maxsize=8)
def _activities(_danish: bool, active_only: bool, qualifications: bool) -> sa.Select:
    """:func:`activities`' SELECT, built once per shape and page language (on a Danish page
    ordered by the Danish name where set: :func:`~logistics.db.shown`)."""
    stmt = sa.select(Activity).order_by(shown(Activity))
    if not qualifications:
        stmt = stmt.options(lazyload(Activity.qualifications))
    if active_only:
        stmt = stmt.where(Activity.is_active.is_(True))
    return stmt


def recent_series(session, limit: int = 100) -> list[Series]:
    return list(session.scalars(sa.select(Series).order_by(Series.id.desc()).limit(limit)))


def upcoming_in_series(session, series_id: int, *, limit: int = 20, now: dt.datetime | None = None) -> list[Shift]:
    return list(session.scalars(
        sa.select(Shift).where(Shift.series_id == series_id, Shift.starts_at > (now or utcnow()))
        .order_by(Shift.starts_at).limit(limit)))


def signup_of(session, shift_id: int, user_id: int) -> Signup | None:
    return session.scalar(sa.select(Signup).where(Signup.shift_id == shift_id, Signup.user_id == user_id))


def places(session, *, active_only: bool = False) -> list[Place]:
    stmt = sa.select(Place).order_by(shown(Place))
    if active_only:
        stmt = stmt.where(Place.is_active.is_(True))
    return list(session.scalars(stmt))


@dataclass
class OpenShifts:
    shifts: list[ShiftRow]  # as rows (ShiftRow), not ORM objects
    swaps: list[Signup]
    #: The person's own sign-ups in the window: shift id → status.
    mine: dict[int, SignupStatus] = field(default_factory=dict)
    #: More shifts follow the last one listed (the list stops at ``limit``).
    more: bool = False


@functools.cache
def _open_statements(by_activity: bool, hiding: bool, array: bool) -> tuple[sa.Select, sa.Select]:
    """:func:`open_shifts`' SELECTs (the candidates, the swaps),
    built once per process for each shape of filter; the window, the person, the held
    qualifications, the activity and the hidden kinds are bind parameters."""
    lo, hi = sa.bindparam("open_lo"), sa.bindparam("open_hi")
    # The activities' qualifications come from ``needs``: not loaded again with every query.
    missing_qual = sa.exists().where(
        activity_qualification.c.activity_id == Shift.activity_id,
        among(activity_qualification.c.qualification_id, "open_held", array=array, negate=True))
    # The candidates as rows (ShiftRow): up to a hundred, of which the page shows fifty.
    candidates = (sa.select(*ROW_COLUMNS, Place).join(Shift.activity).outerjoin(Shift.place)
                  .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= lo, Shift.starts_at < hi,
                         Activity.is_active.is_(True), ~missing_qual)
                  .order_by(Shift.starts_at, Shift.id).limit(sa.bindparam("open_candidates", type_=sa.Integer)))
    swaps = (sa.select(Signup).join(Signup.shift).join(Shift.activity)
             .options(contains_eager(Signup.shift).contains_eager(Shift.activity).lazyload(Activity.qualifications))
             .where(Signup.status == SignupStatus.CONFIRMED, Signup.swap_offered_at.is_not(None),
                    Signup.user_id != sa.bindparam("open_user"), Shift.status == ShiftStatus.SCHEDULED,
                    Shift.starts_at > sa.bindparam("open_now"), Shift.starts_at < hi, ~missing_qual)
             .order_by(Shift.starts_at).limit(sa.bindparam("open_limit", type_=sa.Integer)))
    if by_activity:
        candidates = candidates.where(Shift.activity_id == sa.bindparam("open_activity"))
        swaps = swaps.where(Shift.activity_id == sa.bindparam("open_activity"))
    if hiding:
        candidates = candidates.where(Activity.kind.not_in(sa.bindparam("open_hidden", expanding=True)))
        swaps = swaps.where(Activity.kind.not_in(sa.bindparam("open_hidden", expanding=True)))
    return candidates, swaps


def open_shifts(session, user: User, *, activity_id: int | None = None, start: dt.date | None = None,
                end: dt.date | None = None, hidden_kinds=(), now: dt.datetime | None = None,
                limit: int = 50) -> OpenShifts:
    """Shifts this volunteer may take (qualified, sign-up open, not already on them, no clash),
    soonest first (people read them by date), leaving out the activity kinds they hide; and
    places others offer for swap."""
    now = now or utcnow()
    lo = max(now, local_midnight(start)) if start else now
    hi = local_midnight(end + dt.timedelta(days=1)) if end else now + dt.timedelta(days=28)
    needs, held = eligibility.needs_and_held(session, user)
    hidden = [ActivityKind(k) for k in hidden_kinds or ()]
    candidates_stmt, swaps_stmt = _open_statements(bool(activity_id), bool(hidden), arrays(session))
    params = {"open_lo": lo, "open_hi": hi, "open_now": now, "open_user": user.id, "open_held": list(held) or [-1],
              "open_activity": activity_id, "open_hidden": hidden, "open_limit": limit,
              "open_candidates": limit * 2}
    # The person's own sign-ups in the window, as rows (the page shows none of them), the
    # shifts read from the covering index and hashed against the person's sign-ups, not
    # probed one by one for them (1.8 ms with ten times the data).
    from logistics.shifts.mine import signup_rows

    own = signup_rows(session, user, since=lo, until=hi)
    mine = {r.shift_id: r.status for r in own}
    busy = [(r.starts_at, r.ends_at) for r in own
            if r.status == SignupStatus.CONFIRMED and r.shift_status == ShiftStatus.SCHEDULED]
    candidates = shift_rows(session, session.execute(candidates_stmt, params))
    shifts = []
    for shift in candidates:
        if mine.get(shift.id) in ACTIVE_STATUSES:
            continue
        if now < signup_opens_at(shift):
            continue
        if not eligibility.qualifies(shift, held, needs):
            continue
        if any(a < shift.ends_at and b > shift.starts_at for a, b in busy):
            continue
        shifts.append(shift)
        if len(shifts) >= limit:
            break
    more = len(shifts) >= limit
    swaps = [s for s in session.scalars(swaps_stmt, params).unique().all()
             if mine.get(s.shift_id) != SignupStatus.CONFIRMED]
    swaps = [s for s in swaps if eligibility.qualifies(s.shift, held, needs)
             and not any(a < s.shift.ends_at and b > s.shift.starts_at for a, b in busy)]
    return OpenShifts(shifts=shifts, swaps=swaps, mine=mine, more=more)


def my_status(session, user: User, shift_ids) -> dict[int, sa.Row]:
    """The person's confirmed or waitlisted sign-ups among these shifts, by shift id, as
    (shift_id, status, position) rows: what a calendar shows of them."""
    ids = list(shift_ids)
    if not ids:
        return {}
    stmt = _my_status(arrays(session))
    return {row.shift_id: row for row in session.execute(stmt, {"user_id": user.id, "shift_ids": ids})}


@functools.lru_cache(maxsize=2)
def _my_status(array: bool) -> sa.Select:
    """:func:`my_status`'s SELECT, built once: on PostgreSQL the ids are one array parameter
    (a week's 200 ids as an IN list cost more to compile than to run)."""
    return (sa.select(Signup.shift_id, Signup.status, Signup.position)
            .where(Signup.user_id == sa.bindparam("user_id"), Signup.status.in_(ACTIVE_STATUSES),
                   among(Signup.shift_id, "shift_ids", array=array))
            # How many ids there are decides the plan (logistics.db).
            .execution_options(prepare=False))


def shift_page(session, shift_id: int) -> tuple[Shift | None, list[Signup]]:
    """The shift and all its sign-ups (any status) with their people, the waitlist in order."""
    shift = session.get(Shift, shift_id)
    if shift is None:
        return None, []
    signups = list(session.scalars(
        sa.select(Signup).options(joinedload(Signup.user)).where(Signup.shift_id == shift_id)
        .order_by(Signup.status, Signup.position, Signup.confirmed_at, Signup.id)))
    return shift, signups


def is_confirmed_on(session, user_id: int, shift_id: int) -> bool:
    """Whether the person has a confirmed place on the shift (not waitlisted, not cancelled)."""
    return session.scalar(sa.select(Signup.id).where(
        Signup.shift_id == shift_id, Signup.user_id == user_id, Signup.status == SignupStatus.CONFIRMED)) is not None


@dataclass
class Candidate:
    """A volunteer a coordinator might put on a shift, with what matters for choosing."""

    user: User
    #: Why the rules say no (not qualified, busy then, over the hotline hours, rest), or None.
    refusal: SignupRefused | None
    #: Hours of confirmed shifts in the shift's week, and of hotline shifts among them.
    hours_week: float
    #: On the waitlist of this shift (position), if they are.
    waitlisted: int | None = None

    @property
    def may_take(self) -> bool:
        return self.refusal is None

    @property
    def busy(self) -> bool:
        return isinstance(self.refusal, Overlap)

    @property
    def qualified(self) -> bool:
        return not isinstance(self.refusal, MissingQualification)

    @property
    def reason(self) -> str | None:
        """Which rule says no, as a code for the page's words."""
        if self.refusal is None:
            return None
        return {MissingQualification: "qualification", Overlap: "busy", HotlineHoursLimit: "hotline_hours",
                RestLimit: "rest"}.get(type(self.refusal), "other")


def assign_candidates(session, shift: Shift, *, search: str | None = None) -> list[Candidate]:
    """Active volunteers (approved, with a password set, not erased) not already confirmed on
    the shift, by name, each checked against the sign-up rules of logistics.shifts.rules
    (qualifications, clashes, weekly hotline hours, rest) in a fixed number of queries."""
    on_it = {s.user_id: s for s in session.scalars(sa.select(Signup).where(
        Signup.shift_id == shift.id, Signup.status.in_(ACTIVE_STATUSES)))}
    stmt = (sa.select(User).options(selectinload(User.qualifications))
            .where(User.role == Role.VOLUNTEER, User.is_active.is_(True), User.approved_at.is_not(None),
                   User.password_hash.is_not(None), User.erased_at.is_(None))
            .order_by(sa.func.lower(User.full_name), User.id))
    confirmed = [uid for uid, s in on_it.items() if s.status == SignupStatus.CONFIRMED]
    if confirmed:
        stmt = stmt.where(User.id.not_in(confirmed))
    if search and search.strip():
        stmt = stmt.where(sa.func.lower(User.full_name).contains(search.strip().lower(), autoescape=True))
    users = list(session.scalars(stmt))
    limits = Limits.read(session)
    start, end = nearby_span(shift, limits)
    nearby = confirmed_shifts_near_many(session, [u.id for u in users], start, end, exclude_shift_id=shift.id)
    out = []
    for user in users:
        mine = nearby.get(user.id, [])
        try:
            check_person(shift, user, mine, limits)
            refusal = None
        except SignupRefused as exc:
            refusal = exc
        waiting = on_it.get(user.id)
        out.append(Candidate(user=user, refusal=refusal, hours_week=hours_in_week(shift, mine),
                             waitlisted=waiting.position if waiting is not None else None))
    return out


def understaffed(session, *, days: int = 14, now: dt.datetime | None = None) -> list[Shift]:
    """Scheduled shifts in the next ``days`` days with fewer confirmed people than needed."""
    now = now or utcnow()
    return list(session.scalars(
        sa.select(Shift).join(Shift.activity).options(contains_eager(Shift.activity))
        .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > now,
               Shift.starts_at < now + dt.timedelta(days=days), Shift.confirmed_count < Shift.needed)
        .order_by(Shift.starts_at)).unique())


@functools.cache
def _understaffed_count() -> sa.Select:
    return (sa.select(sa.func.count()).select_from(Shift)
            .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > sa.bindparam("understaffed_from"),
                   Shift.starts_at < sa.bindparam("understaffed_to"), Shift.confirmed_count < Shift.needed))


def understaffed_count_query(*, days: int = 14, now: dt.datetime | None = None) -> Count:
    """``len(understaffed(...))`` as a :class:`~logistics.counts.Count` (the start page asks
    it with other counts)."""
    now = now or utcnow()
    return Count(_understaffed_count(), {"understaffed_from": now, "understaffed_to": now + dt.timedelta(days=days)})


def understaffed_count(session, *, days: int = 14, now: dt.datetime | None = None) -> int:
    """``len(understaffed(...))`` counted by the database."""
    return understaffed_count_query(days=days, now=now).scalar(session)


@functools.cache
def _cancellation_requests_count() -> sa.Select:
    # From each open request (the partial index) to its shift: a cost bounded by the requests
    # left, which lapse when their shift begins (signups.lapse_begun_requests, hourly).
    # A join let PostgreSQL hash the requests against every coming shift: 1.3 ms with a
    # year ahead of 10,000 shifts.
    shift_ahead = (sa.select(Shift.id).where(Shift.id == Signup.shift_id, Shift.starts_at > sa.bindparam("cancel_now"),
                                             Shift.status == ShiftStatus.SCHEDULED)
                   .correlate(Signup).scalar_subquery())
    return (sa.select(sa.func.count()).select_from(Signup)
            .where(Signup.cancel_requested_at.is_not(None), Signup.status == SignupStatus.CONFIRMED,
                   shift_ahead.is_not(None)))


def cancellation_requests_count_query(*, now: dt.datetime | None = None) -> Count:
    """``len(cancellation_requests(...))`` as a :class:`~logistics.counts.Count`."""
    return Count(_cancellation_requests_count(), {"cancel_now": now or utcnow()})


def cancellation_requests_count(session, *, now: dt.datetime | None = None) -> int:
    """``len(cancellation_requests(...))`` counted by the database (the partial index)."""
    return cancellation_requests_count_query(now=now).scalar(session)


def cancellation_requests(session, *, now: dt.datetime | None = None) -> list[Signup]:
    now = now or utcnow()
    return list(session.scalars(
        sa.select(Signup).join(Signup.shift).options(contains_eager(Signup.shift), joinedload(Signup.user))
        .where(Signup.cancel_requested_at.is_not(None), Signup.status == SignupStatus.CONFIRMED,
               Shift.starts_at > now, Shift.status == ShiftStatus.SCHEDULED)
        .order_by(Shift.starts_at)).unique())


def swap_offers(session, *, now: dt.datetime | None = None) -> list[Signup]:
    now = now or utcnow()
    return list(session.scalars(
        sa.select(Signup).join(Signup.shift).options(contains_eager(Signup.shift), joinedload(Signup.user))
        .where(Signup.swap_offered_at.is_not(None), Signup.status == SignupStatus.CONFIRMED,
               Shift.starts_at > now, Shift.status == ShiftStatus.SCHEDULED)
        .order_by(Shift.starts_at)).unique())


# --- the 24/7 hotline coverage board -------------------------------------------------------------

@dataclass(slots=True)
class Cell:
    start: dt.datetime
    hour: int
    confirmed: int
    needed: int
    past: bool = False
    #: Of the confirmed, how many answered "I'm coming" (see Coverage.mark_coming).
    coming: int = 0

    @property
    def state(self) -> str:
        if self.confirmed >= self.needed:
            return "ok"
        return "none" if self.confirmed == 0 else "low"


@dataclass
class Gap:
    start: dt.datetime
    end: dt.datetime
    confirmed: int
    requested: bool = False


@dataclass
class Coverage:
    days: list[tuple[dt.date, list[Cell]]]
    gaps: list[Gap]
    needed: int
    covered_7: int
    needed_7: int
    covered_28: int
    needed_28: int
    hotline: Activity | None
    #: The hotline shifts counted, as (id, starts_at, ends_at), every hour's cell, and the first hour.
    shifts: list[tuple[int, dt.datetime, dt.datetime]] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    start: dt.datetime | None = None

    def mark_coming(self, counts: dict[int, int]) -> None:
        """Put on each hour how many of its confirmed people answered "I'm coming"
        (``counts``: per shift id, from the notification area), counted like the confirmed."""
        if self.start is None or not counts:
            return
        coming = hourly_confirmed([(a, b, counts.get(sid, 0)) for sid, a, b in self.shifts], self.start,
                                  len(self.cells))
        for cell, n in zip(self.cells, coming, strict=True):
            cell.coming = n


def hourly_confirmed(shifts, start: dt.datetime, hours: int) -> list[int]:
    """Confirmed people at each hour from ``start``: ``shifts`` are (starts_at, ends_at,
    confirmed count); an hour counts as covered by a shift running at its midpoint (the
    coverage board and the calendar's hotline strips both count this way)."""
    confirmed = [0] * hours
    for starts_at, ends_at, count in shifts:
        first = max(0, int(((starts_at - start).total_seconds() - 1800) // 3600) + 1)
        last = min(hours, int(((ends_at - start).total_seconds() - 1800) // 3600) + 1)
        for i in range(first, last):
            confirmed[i] += count
    return confirmed


def _local_hours(first_day: dt.date, days: int):
    """(date, the local hour of each of its hours) for ``days`` days from ``first_day``: 0–23,
    and on the two days a year the clocks change, what the clock shows (23 or 25 hours)."""
    zone = org_tz()
    midnight = local_midnight(first_day)
    for n in range(days):
        date = first_day + dt.timedelta(days=n)
        following = local_midnight(date + dt.timedelta(days=1))
        length = int((following - midnight).total_seconds() // 3600)
        yield date, (range(24) if length == 24 else
                     [(midnight + dt.timedelta(hours=h)).astimezone(zone).hour for h in range(length)])
        midnight = following


@functools.cache
def _coverage_statements() -> tuple[sa.Select, sa.Select, sa.Select]:
    """:func:`coverage`'s SELECTs (the hotline's shifts, its cover requests, the hotline
    activity), built once per process with the window as bind parameters."""
    shifts = (sa.select(Shift.id, Shift.starts_at, Shift.ends_at, Shift.confirmed_count).join(Shift.activity)
              .where(Activity.kind == ActivityKind.HOTLINE, Shift.status == ShiftStatus.SCHEDULED,
                     overlapping_params("coverage", bounded=True)))
    requests = (sa.select(CoverRequest.starts_at, CoverRequest.ends_at).join(CoverRequest.activity)
                .where(Activity.kind == ActivityKind.HOTLINE,
                       CoverRequest.ends_at > sa.bindparam("cover_from", type_=CoverRequest.ends_at.type),
                       CoverRequest.starts_at < sa.bindparam("cover_to", type_=CoverRequest.starts_at.type)))
    hotline = (sa.select(Activity).options(lazyload(Activity.qualifications))
               .where(Activity.kind == ActivityKind.HOTLINE, Activity.is_active.is_(True))
               .order_by(Activity.id).limit(1))
    return shifts, requests, hotline


def coverage(session, *, now: dt.datetime | None = None, weeks: int = 4) -> Coverage:
    """Every hour of the next ``weeks`` weeks: confirmed hotline people against those needed."""
    now = now or utcnow()
    needed = int(settings.get(session, "shifts_hotline_staff_needed"))
    first_day = to_local(now).date()
    start = local_midnight(first_day)
    end = local_midnight(first_day + dt.timedelta(weeks=weeks))
    # One day more than shown, so "the next 28 days" from now is complete.
    end_sums = local_midnight(first_day + dt.timedelta(weeks=weeks, days=1))
    shifts_stmt, requests_stmt, hotline_stmt = _coverage_statements()
    shifts = session.execute(shifts_stmt, overlapping_values("coverage", start, end_sums)).all()
    hours = int((end_sums - start).total_seconds() // 3600)
    shown = int((end - start).total_seconds() // 3600)
    confirmed = hourly_confirmed([(s.starts_at, s.ends_at, s.confirmed_count) for s in shifts], start, hours)
    now_index = max(0, int((now - start).total_seconds() // 3600))  # the hours before it are past
    cells: list[Cell] = []
    days: dict[dt.date, list[Cell]] = {}
    hour = dt.timedelta(hours=1)
    for date, hour_labels in _local_hours(first_day, weeks * 7 + 1):
        row = days.setdefault(date, []) if len(cells) < shown else []
        for label in hour_labels:
            i = len(cells)
            cell = Cell(start=start + i * hour, hour=label, confirmed=confirmed[i], needed=needed, past=i < now_index)
            cells.append(cell)
            if i < shown:
                row.append(cell)
    gaps: list[Gap] = []
    # Gaps to fill begin with the first hour that has not begun: no one can sign up for an
    # hour already under way (a shift that has started is closed), nor be asked to cover it.
    for i in range(now_index + 1 if now >= start else 0, shown):
        cell = cells[i]
        if cell.confirmed >= needed:
            continue
        end_at = cell.start + dt.timedelta(hours=1)
        if gaps and gaps[-1].end == cell.start:
            gaps[-1].end = end_at
            gaps[-1].confirmed = min(gaps[-1].confirmed, cell.confirmed)
        else:
            gaps.append(Gap(start=cell.start, end=end_at, confirmed=cell.confirmed))
    requests = session.execute(requests_stmt, {"cover_from": start, "cover_to": end}).all()
    for gap in gaps:
        gap.requested = any(a < gap.end and b > gap.start for a, b in requests)

    def sums(n_hours: int) -> tuple[int, int]:
        window = cells[now_index:now_index + n_hours]
        return sum(min(c.confirmed, needed) for c in window), needed * len(window)

    covered_7, needed_7 = sums(7 * 24)
    covered_28, needed_28 = sums(28 * 24)
    hotline = session.scalar(hotline_stmt)
    return Coverage(days=list(days.items()), gaps=gaps, needed=needed, covered_7=covered_7, needed_7=needed_7,
                    covered_28=covered_28, needed_28=needed_28, hotline=hotline,
                    shifts=[(s.id, s.starts_at, s.ends_at) for s in shifts], cells=cells, start=start)
