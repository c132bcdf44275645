"""Who may take which shift, as the lists of shifts check it: every activity's qualifications
and the person's, read once in one query, then checked per shift in Python."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import sqlalchemy as sa

from logistics.clock import to_local
from logistics.people.models import User, UserQualification
from logistics.shifts.models import Shift, activity_qualification


@dataclass(frozen=True)
class Held:
    """A qualification the person holds, as the lists check it (a row: no objects built, the
    qualification itself not joined)."""

    expires_on: dt.date | None

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


@functools.cache
def _needs_and_held() -> sa.Select:
    """:func:`needs_and_held`'s SELECT, built once per process (every list of shifts asks it)."""
    return (sa.select(activity_qualification.c.activity_id, activity_qualification.c.qualification_id,
                      UserQualification.id, UserQualification.expires_on)
            .select_from(activity_qualification)
            .outerjoin(UserQualification, sa.and_(
                UserQualification.qualification_id == activity_qualification.c.qualification_id,
                UserQualification.user_id == sa.bindparam("user_id"))))


def needs_and_held(session, user: User) -> tuple[dict[int, list[int]], dict[int, Held]]:
    """Every activity's qualifications as ids, and those of them the person holds, in one
    query (a qualification no activity asks for decides nothing here)."""
    needs: dict[int, list[int]] = {}
    held: dict[int, Held] = {}
    for activity_id, qualification_id, holds, expires_on in session.execute(_needs_and_held(), {"user_id": user.id}):
        needs.setdefault(activity_id, []).append(qualification_id)
        if holds is not None:
            held[qualification_id] = Held(expires_on)
    return needs, held


def qualifies(shift: Shift, held: dict[int, Held], needs: dict[int, list[int]] | None = None) -> bool:
    """Whether the person holds every qualification the shift's activity asks for, valid on
    its day; ``needs`` (activity id → qualification ids, :func:`needs_and_held`) saves loading
    each activity's qualifications."""
    day = to_local(shift.starts_at).date()
    wanted = needs.get(shift.activity_id, ()) if needs is not None else [q.id for q in shift.activity.qualifications]
    return all(q in held and held[q].is_valid_on(day) for q in wanted)
