"""What the start page shows each role, gathered with a fixed number of statements."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from logistics import mail, queue, sweeps
from logistics.clock import today
from logistics.extensions import db
from logistics.outreach import queries as outreach_queries
from logistics.people import queries as people_queries
from logistics.people.models import Role, User
from logistics.reports import hours as hours_queries
from logistics.shifts import queries as shift_queries
from logistics.stock.queries import lists as stock_queries

#: Open shifts that need people, shown to a volunteer: this many, in this many days.
NEED_ME, NEED_ME_DAYS = 3, 14


def volunteer(user: User) -> dict:
    upcoming, _past = shift_queries.my_shifts(db.session, user)
    found = shift_queries.open_shifts(db.session, user, end=today() + dt.timedelta(days=NEED_ME_DAYS), limit=30)
    return {
        "upcoming": upcoming[:3], "more": max(len(upcoming) - 3, 0),
        "after": [a for a in outreach_queries.after_shifts(db.session, user) if a.anything_open],
        "need_me": [s for s in found.shifts if s.needs_people][:NEED_ME],
        "my_hours": hours_queries.year_total(db.session, user.id, today().year),
    }


def staff() -> dict:
    return {
        "expiring": len(stock_queries.expiring(db.session)),
        "expired": len(stock_queries.expired(db.session)),
        "below_minimum": len(stock_queries.below_minimum(db.session)),
        "warning_days": stock_queries.warning_days(db.session),
        "outreach": outreach_queries.next_outreach(db.session),
    }


def coordinator() -> dict:
    return {
        "understaffed": len(shift_queries.understaffed(db.session, days=7)),
        "cancel_requests": len(shift_queries.cancellation_requests(db.session)),
        "applications": people_queries.pending_count(db.session),
        "not_back": outreach_queries.not_back_safe(db.session),
        "missing_tallies": outreach_queries.missing_tally_count(db.session),
    }


def admin() -> dict:
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - shown, not raised
        db.session.rollback()
        database = type(exc).__name__
    smtp = bool(current_app.config.get("MAIL_URL"))
    folder = mail.outbox_dir()
    return {
        "database": database, "engine": db.engine.dialect.name, "queue": queue.health(),
        "last_sweep": sweeps.last_run(), "smtp": smtp,
        "outbox": None if smtp or not folder.exists() else sum(1 for _ in folder.glob("*.eml")),
    }


def for_user(user: User) -> dict:
    ctx = volunteer(user)
    ctx["stock"] = staff() if user.has_role(Role.STAFF) else None
    ctx["coordination"] = coordinator() if user.has_role(Role.COORDINATOR) else None
    ctx["system"] = admin() if user.has_role(Role.ADMIN) else None
    return ctx
