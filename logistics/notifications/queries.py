"""Reads other pages need from the notification area."""
from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.counts import Count
from logistics.db import among, arrays
from logistics.notifications.models import GROUP_OF, Kind, Notification, Preference, Reply, Status
from logistics.shifts.models import Signup, SignupStatus

#: The start page counts the notifications that failed this recently.
FAILED_DAYS = 7


def coming(session, signup_ids) -> set[int]:
    """The sign-ups whose person answered "I'm coming" from their reminder."""
    ids = list(signup_ids)
    if not ids:
        return set()
    return set(session.scalars(sa.select(Reply.signup_id).where(Reply.signup_id.in_(ids), Reply.answer == "coming")))


@functools.cache
def _failed_count() -> sa.Select:
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.status == Status.FAILED, Notification.updated_at >= sa.bindparam("failed_since")))


def failed_count_query(*, days: int = FAILED_DAYS) -> Count:
    """:func:`failed_count` as a :class:`~logistics.counts.Count`."""
    return Count(_failed_count(), {"failed_since": utcnow() - dt.timedelta(days=days)})


def failed_count(session, *, days: int = FAILED_DAYS) -> int:
    """Notifications that failed (permanently, or after their last retry) in the last ``days``."""
    return failed_count_query(days=days).scalar(session) or 0


def coming_counts(session, shift_ids) -> dict[int, int]:
    """{shift id: confirmed people who answered "I'm coming"} for these shifts, in one
    statement (the staffing page and the coverage board show them as confirmed)."""
    ids = list(shift_ids)
    if not ids:
        return {}
    rows = session.execute(_coming_counts(arrays(session)), {"coming_shifts": ids}).all()
    return {shift_id: int(n) for shift_id, n in rows}


@functools.cache
def _coming_counts(array: bool) -> sa.Select:
    """:func:`coming_counts`' SELECT, built once; the shifts (the coverage board's 170) are one
    parameter (:func:`logistics.db.among`)."""
    return (sa.select(Signup.shift_id, sa.func.count(Reply.signup_id)).join(Signup, Signup.id == Reply.signup_id)
            .where(among(Signup.shift_id, "coming_shifts", array=array), Signup.status == SignupStatus.CONFIRMED,
                   Reply.answer == "coming")
            .group_by(Signup.shift_id))


def cover_recipient_count(session, cover_request_id: int) -> int:
    """How many eligible, free volunteers a cover request asks by email (the coverage page says
    so): those who switched cover requests off get a row that is skipped at sending, and are
    not counted."""
    from logistics.notifications import replies

    recipients = replies.cover_recipients(session, cover_request_id)
    if not recipients:
        return 0
    muted = {user_id for user_id, groups in session.execute(
        sa.select(Preference.user_id, Preference.muted).where(Preference.user_id.in_(recipients)))
        if GROUP_OF[Kind.COVER_REQUESTED] in (groups or [])}
    return len(set(recipients) - muted)
