"""The not-back-safe alert as a notification: who receives it, whether it should still leave
when the send job takes it (someone still not back and not cleared), and what it says. The
rows are made by :func:`logistics.outreach.checkouts.alert_due`; the notification area's send
job calls :func:`skip_reason` and :func:`context`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.notifications.models import Kind, Notification
from logistics.outreach.checkouts import grace, missing_stmt
from logistics.people.models import Role, User
from logistics.shifts.models import Shift, ShiftStatus, Signup
from logistics.urls import external_url


def coordinators(session) -> list[int]:
    """Who hears about it: the active coordinators (the admins when there is none), by id."""
    def of(*roles):
        return list(session.scalars(sa.select(User.id).where(User.role.in_(roles), User.is_active.is_(True),
                                                             User.erased_at.is_(None)).order_by(User.id)))
    return of(Role.COORDINATOR) or of(Role.ADMIN)


def still_missing(session, shift_id: int, now: dt.datetime) -> list[User]:
    """The people on ``shift_id`` who are still not back and not cleared (by first name)."""
    ids = [uid for _sid, uid in session.execute(missing_stmt(now, grace(session)).where(Signup.shift_id == shift_id))]
    if not ids:
        return []
    return list(session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.display_name)))


def skip_reason(session, n: Notification, now: dt.datetime) -> str | None:
    """Why a not-back alert should not leave after all (None: send it)."""
    shift = session.get(Shift, n.shift_id) if n.shift_id else None
    if shift is None:
        return "shift deleted"
    if shift.status == ShiftStatus.CANCELLED:
        return "shift cancelled"
    if not still_missing(session, shift.id, now):
        return "everyone back safe or cleared"
    return None


def context(session, n: Notification, now: dt.datetime) -> dict:
    """What the alert says: the shift (neutral when discreet), who is missing (first names
    only: the subject and the first lines show on lock screens) and the page to act on."""
    if n.kind != Kind.NOT_BACK:
        return {}
    shift = session.get(Shift, n.shift_id)
    return {"shift": shift,
            "title": _l("HopeNow shift") if shift.activity.is_discreet else shift.activity.name,
            "names": [p.first_name for p in still_missing(session, shift.id, now)],
            "link": external_url("outreach.not_back")}
