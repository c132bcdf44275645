"""The person's own part in "download my data": their back-safe check-outs and which tallies
they started (tallies are counts of shifts, not about the person; listed in logistics.areas)."""
from __future__ import annotations

import sqlalchemy as sa

from logistics.outreach.models import Checkout, Tally
from logistics.shifts.models import Shift


def checkouts(session, user) -> list:
    rows = session.execute(
        sa.select(Checkout, Shift).join(Shift, Shift.id == Checkout.shift_id)
        .where(Checkout.user_id == user.id).order_by(Checkout.at)).all()
    return [{"shift": shift.activity.name, "shift_ends_at": shift.ends_at.isoformat(), "at": c.at.isoformat(),
             "cleared_by_a_coordinator": c.cleared_by_id is not None, "reason": c.reason} for c, shift in rows]


def tallies_started(session, user) -> list:
    rows = session.execute(
        sa.select(Tally.created_at, Shift).join(Shift, Shift.id == Tally.shift_id)
        .where(Tally.created_by_id == user.id).order_by(Tally.created_at)).all()
    return [{"shift": shift.activity.name, "shift_starts_at": shift.starts_at.isoformat(),
             "started_at": created.isoformat()} for created, shift in rows]


SECTIONS = (("outreach_checkouts", checkouts), ("outreach_tallies_started", tallies_started))
