"""A person's part of "download my data", and what erasure does here."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.clock import utcnow
from logistics.notifications.models import CalendarFeed, Notification, Preference, Status
from logistics.people.models import User


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def settings(session, user: User) -> dict:
    pref = session.get(Preference, user.id)
    feeds = session.scalars(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id).order_by(CalendarFeed.id))
    return {
        "reminder_minutes_before": list(pref.offsets) if pref else None,
        "quiet_hours": [pref.quiet_start.isoformat() if pref and pref.quiet_start else None,
                        pref.quiet_end.isoformat() if pref and pref.quiet_end else None] if pref else None,
        "switched_off": list(pref.muted) if pref else [],
        # Never the token: only its hash is stored, and that stays here.
        "calendar_feeds": [{"label": f.label, "kind": f.kind.value, "created": _iso(f.created_at),
                            "last_fetched": _iso(f.last_fetched_at), "revoked": _iso(f.revoked_at)} for f in feeds],
    }


def messages(session, user: User) -> list[dict]:
    rows = session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [{"kind": n.kind.value, "status": n.status.value, "created": _iso(n.created_at), "sent": _iso(n.sent_at),
             "shift": n.shift_id} for n in rows]


SECTIONS = (("notification_settings", settings), ("notifications", messages))


def on_erasure(session, user: User) -> None:
    """Feeds stop, settings go, and nothing more is sent to the erased person."""
    now = utcnow()
    session.execute(sa.update(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.execute(sa.delete(Preference).where(Preference.user_id == user.id))
    session.execute(sa.update(Notification).where(Notification.user_id == user.id,
                                                  Notification.status.in_((Status.PENDING, Status.SENDING)))
                    .values(status=Status.SKIPPED, last_error="recipient erased"))
