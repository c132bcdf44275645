"""The start page's reads of a person's own shifts: their sign-ups from a week back onwards
read once as rows (:func:`signup_rows`), and from those rows the next three shifts, whether
anything is left to do after a shift, and which open shifts need them."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from logistics.clock import local_midnight, utcnow
from logistics.db import among, arrays
from logistics.people.models import User
from logistics.shifts import eligibility
from logistics.shifts.models import (
    ACTIVE_STATUSES,
    Activity,
    ActivityKind,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    activity_qualification,
)
from logistics.shifts.queries import NO_QUALIFICATIONS
from logistics.shifts.rules import overlapping_params, overlapping_values, signup_opens_at


class SignupRow(NamedTuple):
    """One of the person's sign-ups (waiting or confirmed) with what the start page decides by."""

    signup_id: int
    shift_id: int
    status: SignupStatus
    attended: bool | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    shift_status: ShiftStatus
    kind: ActivityKind


@functools.lru_cache(maxsize=2)
def _signup_rows(bounded: bool) -> sa.Select:
    return (sa.select(Signup.id, Signup.shift_id, Signup.status, Signup.attended, Shift.starts_at, Shift.ends_at,
                      Shift.status, Activity.kind)
            .join(Signup.shift).join(Shift.activity)
            .where(Signup.user_id == sa.bindparam("user_id"), Signup.status.in_(ACTIVE_STATUSES),
                   overlapping_params("rows", bounded=bounded),
                   # Every status, said aloud: PostgreSQL then reads the shifts ahead from the
                   # (status, starts_at, ends_at, activity_id, id) index alone (0.1 ms, not 1).
                   Shift.status.in_(list(ShiftStatus)))
            # Planned for its values: with the person's sign-ups in an index of their own
            # (ix_signup_user_cover), a plan for any dates began from all of them, years of
            # them for a long-serving volunteer, rather than from the days asked for.
            .execution_options(prepare=False))


def signup_rows(session, user: User, *, since: dt.datetime, until: dt.datetime | None = None) -> list[SignupRow]:
    """The person's active sign-ups on shifts that end after ``since`` (and begin before
    ``until``), as rows (one statement, built once; the shifts are bounded in time, so this
    costs the same with thirty years of history)."""
    return [SignupRow(*row) for row in session.execute(
        _signup_rows(until is not None), {"user_id": user.id, **overlapping_values("rows", since, until)})]


def next_shifts(session, rows: list[SignupRow], *, limit: int = 3,
                now: dt.datetime | None = None) -> tuple[list[Signup], int]:
    """The start page's part of My shifts: the first ``limit`` coming sign-ups (next first, as
    there) as objects, and how many are coming in all (``rows``: :func:`signup_rows`)."""
    now = now or utcnow()
    coming = sorted((r.starts_at, r.signup_id) for r in rows if r.ends_at > now)
    first_ids = [signup_id for _start, signup_id in coming[:limit]]
    if not first_ids:
        return [], 0
    return signups_by_id(session, first_ids), len(coming)


@functools.cache
def _signups_by_id(array: bool) -> sa.Select:
    return (sa.select(Signup).join(Signup.shift).options(contains_eager(Signup.shift), NO_QUALIFICATIONS)
            .where(among(Signup.id, "ids", array=array)))


def signups_by_id(session, ids: list[int]) -> list[Signup]:
    """The sign-ups ``ids`` (chosen from :func:`signup_rows`) with their shifts, in that order."""
    if not ids:
        return []
    found = {s.id: s for s in session.scalars(_signups_by_id(arrays(session)), {"ids": ids}).unique()}
    return [found[signup_id] for signup_id in ids]


@dataclass
class MyShifts:
    #: Coming sign-ups, next first (at most ``limit`` of them).
    upcoming: list[Signup]
    #: Confirmed sign-ups on shifts that ended in the last ``past_days`` days, latest first.
    past: list[Signup]
    #: More coming sign-ups follow the last one listed.
    more: bool = False


def my_shifts(session, user: User, *, now: dt.datetime | None = None, past_days: int = 60,
              limit: int | None = None) -> MyShifts:
    """My shifts: the person's coming sign-ups (next first, with waitlist position; the first
    ``limit`` when given) and the confirmed ones of the last ``past_days`` days. Their rows
    first (:func:`signup_rows`, from the covering index), then only the sign-ups listed as
    objects, by id: two statements however many shifts the person has."""
    now = now or utcnow()
    rows = signup_rows(session, user, since=now - dt.timedelta(days=past_days))
    coming = sorted((r.starts_at, r.signup_id) for r in rows if r.ends_at > now)
    past = sorted(((r.starts_at, r.signup_id) for r in rows
                   if r.ends_at <= now and r.status == SignupStatus.CONFIRMED), reverse=True)
    more = limit is not None and len(coming) > limit
    if more:
        coming = coming[:limit]
    listed = signups_by_id(session, [signup_id for _start, signup_id in coming + past])
    return MyShifts(listed[:len(coming)], listed[len(coming):], more)


@functools.cache
def _needing_me(array: bool) -> sa.Select:
    """:func:`needing_me`'s SELECT, built once per process (building it cost more CPU than
    running it): the bounds, the held qualifications, the person's own shifts and the batch
    are bind parameters."""
    now, hi = sa.bindparam("now"), sa.bindparam("hi")
    missing_qual = sa.exists().where(
        activity_qualification.c.activity_id == Shift.activity_id,
        among(activity_qualification.c.qualification_id, "held", array=array, negate=True))
    return (sa.select(Shift).join(Shift.activity)
            .options(contains_eager(Shift.activity).lazyload(Activity.qualifications))
            .where(Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at >= now, Shift.starts_at < hi,
                   Activity.is_active.is_(True), Shift.confirmed_count < Shift.needed,
                   among(Shift.id, "own", array=array, negate=True), ~missing_qual)
            .order_by(Shift.starts_at, Shift.id)
            .limit(sa.bindparam("batch", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer)))


def needing_me(session, user: User, rows: list[SignupRow], *, end: dt.date, limit: int = 3,
               now: dt.datetime | None = None, batch: int = 20) -> list[Shift]:
    """The start page's "open shifts that need you": the first ``limit`` of Open shifts up to
    ``end`` (the same rules: qualified on the day, sign-up open, not on it already, no clash
    with a confirmed shift) that need people, without the swaps or the rest of that page.
    ``rows`` (:func:`signup_rows`, from ``now`` or earlier) say which shifts are the person's
    and when they are busy. Two statements however many shifts there are (more only if a
    batch is mostly filtered out)."""
    now = now or utcnow()
    needs, held = eligibility.needs_and_held(session, user)
    busy = [(r.starts_at, r.ends_at) for r in rows if r.status == SignupStatus.CONFIRMED
            and r.shift_status == ShiftStatus.SCHEDULED and r.ends_at > now]
    params = {"now": now, "hi": local_midnight(end + dt.timedelta(days=1)), "held": list(held),
              "own": [r.shift_id for r in rows], "batch": batch}
    found: list[Shift] = []
    offset = 0
    while len(found) < limit:
        shifts = session.scalars(_needing_me(arrays(session)), {**params, "offset": offset}).unique().all()
        found += [s for s in shifts if now >= signup_opens_at(s) and eligibility.qualifies(s, held, needs)
                  and not any(a < s.ends_at and b > s.starts_at for a, b in busy)]
        if len(shifts) < batch:
            break
        offset += batch
    return found[:limit]
