"""Reads other pages need from the notification area."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.notifications.models import Reply


def coming(session, signup_ids) -> set[int]:
    """The sign-ups whose person answered "I'm coming" from their reminder."""
    ids = list(signup_ids)
    if not ids:
        return set()
    return set(session.scalars(sa.select(Reply.signup_id).where(Reply.signup_id.in_(ids), Reply.answer == "coming")))
