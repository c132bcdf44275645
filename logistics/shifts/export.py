"""The person's own sign-ups in the data export, and what erasure does to them."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from logistics.people import export
from logistics.people import services as people_services
from logistics.shifts.models import Shift, Signup


def _iso(value):
    return value.isoformat() if value is not None else None


@export.section("shifts")
def _signups(session, user) -> list:
    """Only this person's sign-ups: no one else on the shift is named."""
    rows = session.scalars(
        sa.select(Signup).join(Shift).where(Signup.user_id == user.id)
        .options(joinedload(Signup.shift)).order_by(Shift.starts_at)
    ).all()
    return [{
        "activity": s.shift.activity.name,
        "place": s.shift.place.name if s.shift.place else None,
        "starts_at": _iso(s.shift.starts_at), "ends_at": _iso(s.shift.ends_at),
        "shift_status": s.shift.status.value, "status": s.status.value, "waitlist_position": s.position,
        "attended": s.attended, "hours": str(s.hours) if s.hours is not None else None,
        "signed_up_at": _iso(s.created_at), "confirmed_at": _iso(s.confirmed_at),
        "cancelled_at": _iso(s.cancelled_at), "offered_for_swap_at": _iso(s.swap_offered_at),
        "cancellation_requested_at": _iso(s.cancel_requested_at),
        "cancellation_request_reason": s.cancel_request_reason,
    } for s in rows]


def _on_erasure(session, user) -> None:
    from logistics.shifts import signups

    signups.on_erasure(session, user)


if _on_erasure not in people_services.ERASURE_HOOKS:
    people_services.ERASURE_HOOKS.append(_on_erasure)
