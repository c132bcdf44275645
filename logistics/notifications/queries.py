"""Reads other pages need from the notification area."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.notifications.models import Notification, Reply, Status

#: The start page counts the notifications that failed this recently.
FAILED_DAYS = 7


def coming(session, signup_ids) -> set[int]:
    """The sign-ups whose person answered "I'm coming" from their reminder."""
    ids = list(signup_ids)
    if not ids:
        return set()
    return set(session.scalars(sa.select(Reply.signup_id).where(Reply.signup_id.in_(ids), Reply.answer == "coming")))


def failed_count(session, *, days: int = FAILED_DAYS) -> int:
    """Notifications that failed (permanently, or after their last retry) in the last ``days``."""
    since = utcnow() - dt.timedelta(days=days)
    return session.scalar(sa.select(sa.func.count()).select_from(Notification)
                          .where(Notification.status == Status.FAILED, Notification.updated_at >= since)) or 0
