"""Reads for after the shift: what a person still has to do, who is not back safe, which
shifts have no tally, and one shift's state for the "How did it go?" page."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defaultload, selectinload

from logistics.clock import utcnow
from logistics.counts import Count
from logistics.db import among, arrays
from logistics.outreach.checkouts import WATCH, grace, missing_between, missing_bounds, missing_stmt
from logistics.outreach.models import CHECKOUT_KINDS, TALLY_KINDS, Alert, Checkout, Partner, Tally
from logistics.people.models import User
from logistics.shifts.models import Activity, Shift, ShiftStatus, Signup, SignupStatus
from logistics.shifts.rules import LONGEST_SHIFT, overlapping_params, overlapping_values
from logistics.stock.models import Outreach

#: The start page offers "How did it go?" this long after a shift ends.
FLOW_DAYS = 7
#: A shift without a tally this long after it ended is on the coordinators' to-do list …
TALLY_DUE = dt.timedelta(days=2)
#: … for this long (older gaps are history, not a to-do).
TALLY_LOOKBACK = dt.timedelta(days=60)


def partners(session, *, active_only: bool = False) -> list[Partner]:
    stmt = sa.select(Partner).order_by(Partner.position, Partner.name)
    if active_only:
        stmt = stmt.where(Partner.is_active.is_(True))
    return list(session.scalars(stmt))


@dataclass
class AfterShift:
    """One ended shift of a person with what is still open: check-out, tally, bag."""

    shift: Shift
    needs_checkout: bool
    has_tally: bool
    open_bag_id: int | None

    @property
    def anything_open(self) -> bool:
        return self.needs_checkout or not self.has_tally or self.open_bag_id is not None


def _attending():
    return sa.and_(Signup.status == SignupStatus.CONFIRMED,
                   sa.or_(Signup.attended.is_(None), Signup.attended.is_(True)))


def after_shifts(session, user: User, *, now: dt.datetime | None = None) -> list[AfterShift]:
    """The person's shifts of a tallied kind that ended in the last FLOW_DAYS days, newest
    first, with what is still open (one statement)."""
    now = now or utcnow()
    checked = sa.select(Checkout.id).where(Checkout.shift_id == Shift.id, Checkout.user_id == user.id) \
        .correlate(Shift).exists()
    tallied = sa.select(Tally.id).where(Tally.shift_id == Shift.id).correlate(Shift).exists()
    bag = sa.select(sa.func.min(Outreach.id)).where(Outreach.shift_id == Shift.id, Outreach.returned_at.is_(None)) \
        .correlate(Shift).scalar_subquery()
    stmt = (
        sa.select(Shift, checked, tallied, bag)
        .join(Signup, Signup.shift_id == Shift.id)
        .join(Shift.activity)
        # The list names shifts, not what they ask for: the qualifications not loaded.
        .options(contains_eager(Shift.activity).lazyload(Activity.qualifications))
        .where(Signup.user_id == user.id, _attending(), Shift.status == ShiftStatus.SCHEDULED,
               Activity.kind.in_(TALLY_KINDS), Shift.ends_at <= now,
               Shift.ends_at > now - dt.timedelta(days=FLOW_DAYS),
               # The same shifts, bounded by their start too: the (status, starts_at) index.
               Shift.starts_at < now, Shift.starts_at > now - dt.timedelta(days=FLOW_DAYS) - LONGEST_SHIFT)
        .order_by(Shift.ends_at.desc())
    )
    return [AfterShift(shift, shift.activity.kind in CHECKOUT_KINDS and not is_checked, bool(is_tallied), bag_id)
            for shift, is_checked, is_tallied, bag_id in session.execute(stmt).unique()]


def anything_after(rows, *, now: dt.datetime | None = None) -> bool:
    """Whether :func:`after_shifts` can find anything among the person's sign-ups ``rows``
    (:func:`logistics.shifts.mine.signup_rows` from FLOW_DAYS back or earlier): the start page
    skips that statement for everyone with no tallied shift in the last week."""
    now = now or utcnow()
    since = now - dt.timedelta(days=FLOW_DAYS)
    return any(r.status == SignupStatus.CONFIRMED and r.attended is not False and r.kind in TALLY_KINDS
               and r.shift_status == ShiftStatus.SCHEDULED and since < r.ends_at <= now for r in rows)


@dataclass(frozen=True)
class Person:
    """Someone not back: what the boards and the call list show of them (read as columns,
    not as a whole account)."""

    id: int
    full_name: str
    display_name: str | None
    phone: str | None

    first_name = property(User.first_name.fget)


@dataclass
class NotBack:
    shift: Shift
    people: list[Person] = field(default_factory=list)
    alerted_at: dt.datetime | None = None


@functools.cache
def _not_back_statements(array: bool) -> tuple[sa.Select, sa.Select]:
    """The people not back (with the shift's alert) and their shifts: built once, with bind
    parameters (building them cost more CPU than PostgreSQL spent running them)."""
    missing = missing_between(*(sa.bindparam(f"not_back_{name}") for name in ("due", "since", "earliest"))).subquery()
    people = (sa.select(missing.c.shift_id, User.id, User.full_name, User.display_name, User.phone, Alert.at)
              .join(User, User.id == missing.c.user_id)
              .outerjoin(Alert, Alert.shift_id == missing.c.shift_id)
              .order_by(missing.c.shift_id, User.display_name))
    # The list names shifts, not what they ask for: the qualifications not loaded.
    shifts = (sa.select(Shift).where(among(Shift.id, "not_back_shifts", array=array))
              .options(defaultload(Shift.activity).lazyload(Activity.qualifications)))
    return people, shifts


def not_back_safe(session, *, now: dt.datetime | None = None) -> list[NotBack]:
    """Street outreach shifts with someone not checked out after the grace: one statement
    when everyone is back, two when someone is not. (One statement joining the shifts, their
    activities and places to the people made PostgreSQL plan nine tables: 3 ms a request.)"""
    people, shifts_stmt = _not_back_statements(arrays(session))
    bounds = missing_bounds(now or utcnow(), grace(session))
    rows = session.execute(people, {f"not_back_{name}": value for name, value in bounds.items()}).all()
    if not rows:
        return []
    shifts = {shift.id: shift for shift in session.scalars(
        shifts_stmt, {"not_back_shifts": sorted({row[0] for row in rows})})}
    out: dict[int, NotBack] = {}
    for shift_id, user_id, full_name, display_name, phone, alerted_at in rows:
        out.setdefault(shift_id, NotBack(shifts[shift_id], [], alerted_at)).people.append(
            Person(user_id, full_name, display_name, phone))
    return sorted(out.values(), key=lambda row: (row.shift.ends_at, row.shift.id))


def not_back_shift_ids(session, *, now: dt.datetime | None = None) -> set[int]:
    now = now or utcnow()
    return {shift_id for shift_id, _ in session.execute(missing_stmt(now, grace(session)))}


def _tally_bounds(now: dt.datetime) -> dict[str, dt.datetime]:
    """:func:`_missing_tally_stmt`'s bounds for ``now``."""
    return {"due": now - TALLY_DUE, "since": now - TALLY_LOOKBACK, "earliest": now - TALLY_LOOKBACK - LONGEST_SHIFT}


def _missing_tally_stmt(due, since, earliest, *columns):
    """The shifts (or ``columns`` of them) that :func:`missing_tallies` lists: ended between
    ``since`` and ``due`` (:func:`_tally_bounds`; values, or bind parameters for a count
    built once), so begun after ``earliest``."""
    staffed = sa.select(Signup.id).where(Signup.shift_id == Shift.id, _attending()).correlate(Shift).exists()
    tallied = sa.select(Tally.id).where(Tally.shift_id == Shift.id).correlate(Shift).exists()
    if columns:
        stmt = sa.select(*columns).select_from(Shift).join(Shift.activity)
    else:
        stmt = sa.select(Shift).join(Shift.activity).options(contains_eager(Shift.activity))
    return (stmt
            .where(Activity.kind.in_(TALLY_KINDS), Shift.status == ShiftStatus.SCHEDULED,
                   Shift.ends_at <= due, Shift.ends_at > since, staffed, ~tallied,
                   # The same shifts (none is longer than LONGEST_SHIFT), bounded by their start
                   # so that the (status, starts_at) index is used rather than every shift read.
                   Shift.starts_at < due, Shift.starts_at > earliest))


def missing_tallies(session, *, now: dt.datetime | None = None, limit: int = 200) -> list[Shift]:
    """Shifts of a tallied kind, with people on them, ended 2–60 days ago without a tally."""
    stmt = _missing_tally_stmt(**_tally_bounds(now or utcnow())).order_by(Shift.ends_at.desc()).limit(limit)
    return list(session.scalars(stmt).unique())


@functools.cache
def _missing_tally_count() -> sa.Select:
    return _missing_tally_stmt(sa.bindparam("tally_due"), sa.bindparam("tally_since"), sa.bindparam("tally_earliest"),
                               sa.func.count())


def missing_tally_count_query(*, now: dt.datetime | None = None) -> Count:
    """``len(missing_tallies(...))`` as a :class:`~logistics.counts.Count`."""
    return Count(_missing_tally_count(),
                 {f"tally_{name}": value for name, value in _tally_bounds(now or utcnow()).items()})


def missing_tally_count(session, *, now: dt.datetime | None = None) -> int:
    return missing_tally_count_query(now=now).scalar(session)


@dataclass
class Member:
    user: User
    checkout: Checkout | None


def shift_state(session, shift: Shift) -> tuple[list[Member], Tally | None, Outreach | None]:
    """The members with their check-outs, the tally with its referrals, and the open bag."""
    rows = session.execute(
        sa.select(User, Checkout).join(Signup, Signup.user_id == User.id)
        .outerjoin(Checkout, sa.and_(Checkout.shift_id == Signup.shift_id, Checkout.user_id == User.id))
        .where(Signup.shift_id == shift.id, _attending()).order_by(User.display_name)
    ).all()
    tally = session.scalars(sa.select(Tally).where(Tally.shift_id == shift.id)
                            .options(selectinload(Tally.referrals))).first()
    bag = session.scalars(sa.select(Outreach).where(Outreach.shift_id == shift.id, Outreach.returned_at.is_(None))
                          .order_by(Outreach.id)).first()
    return [Member(u, c) for u, c in rows], tally, bag


def recent_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()) - WATCH


@dataclass
class NextOutreach:
    shift: Shift
    #: The packed bag that is out for the shift, if any.
    bag: Outreach | None


@functools.cache
def _next_outreach() -> sa.Select:
    """:func:`next_outreach`'s SELECT, built once per process (staff's start page asks it)."""
    return (sa.select(Shift, Outreach).join(Shift.activity)
            .options(contains_eager(Shift.activity).lazyload(Activity.qualifications))
            .outerjoin(Outreach, sa.and_(Outreach.shift_id == Shift.id, Outreach.returned_at.is_(None)))
            # The start bounded below too (overlapping), so the index reads days, not every
            # outreach shift there ever was (30 years: 28,000 rows, 14 ms).
            .where(Activity.kind.in_(CHECKOUT_KINDS), Shift.status == ShiftStatus.SCHEDULED,
                   overlapping_params("outreach", bounded=True))
            .order_by(Shift.starts_at, Shift.id))


def next_outreach(session, *, now: dt.datetime | None = None) -> list[NextOutreach]:
    """Street outreach shifts today and tomorrow (local days) with their bag, for staff (one statement)."""
    from logistics.clock import local_midnight, to_local

    now = now or utcnow()
    today = to_local(now).date()
    window = overlapping_values("outreach", now, local_midnight(today + dt.timedelta(days=2)))
    return [NextOutreach(shift, bag) for shift, bag in session.execute(_next_outreach(), window).unique().all()]
