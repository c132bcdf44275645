"""What the start page shows each role, gathered with a fixed number of statements."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from logistics import counts, mail, queue, sweeps
from logistics.clock import today, utcnow
from logistics.distributions import sufficiency
from logistics.extensions import db
from logistics.notifications import queries as notification_queries
from logistics.outreach import queries as outreach_queries
from logistics.people import queries as people_queries
from logistics.people.models import Role, User
from logistics.reports import hours as hours_queries
from logistics.shifts import mine
from logistics.shifts import queries as shift_queries
from logistics.stock.queries import lists as stock_queries

#: Open shifts that need people, shown to a volunteer: this many, in this many days.
NEED_ME, NEED_ME_DAYS = 3, 14


def _counts(user: User) -> Callable[[], dict]:
    """Every role's plain numbers, in one SELECT built once per process (logistics.counts),
    started now and counted while the rest of the page is gathered: call the result for them."""
    wanted = {"my_hours": hours_queries.year_total_query(db.session, user.id, today().year)}
    if user.has_role(Role.STAFF):
        wanted |= stock_queries.attention_count_queries(db.session)
    if user.has_role(Role.COORDINATOR):
        wanted |= {
            "understaffed": shift_queries.understaffed_count_query(days=7),
            "cancel_requests": shift_queries.cancellation_requests_count_query(),
            "applications": people_queries.pending_count_query(),
            "missing_tallies": outreach_queries.missing_tally_count_query(),
            "failed_notifications": notification_queries.failed_count_query(),
        }
    return counts.started(db.session, wanted)


def volunteer(user: User) -> dict:
    now = utcnow()
    # The person's sign-ups from a week back, read once as rows, decide the three lists below.
    rows = mine.signup_rows(db.session, user, since=now - dt.timedelta(days=outreach_queries.FLOW_DAYS))
    # Only the next three of my shifts are built; the rest are counted.
    upcoming, coming = mine.next_shifts(db.session, rows, limit=3, now=now)
    after = outreach_queries.after_shifts(db.session, user, now=now) \
        if outreach_queries.anything_after(rows, now=now) else []
    return {
        "upcoming": upcoming, "more": max(coming - 3, 0),
        "after": [a for a in after if a.anything_open],
        # Not the whole Open shifts page: only the first three that need people (the same rules).
        "need_me": mine.needing_me(db.session, user, rows, end=today() + dt.timedelta(days=NEED_ME_DAYS),
                                   limit=NEED_ME, now=now),
    }


def staff() -> dict:
    """What staff see besides the stock counts (:data:`STOCK_COUNTS`)."""
    return {"warning_days": stock_queries.warning_days(db.session),
            "outreach": outreach_queries.next_outreach(db.session)}


#: The counts each section shows (from :func:`_counts`), put in when they have arrived.
#: Counted by the database: the page shows numbers, not the rows behind them.
STOCK_COUNTS = ("expiring", "expired", "below_minimum")
COORDINATION_COUNTS = ("understaffed", "cancel_requests", "applications", "missing_tallies")


def coordinator() -> dict:
    """What coordinators see besides their counts (:data:`COORDINATION_COUNTS`)."""
    return {
        "short_distributions": sufficiency.short_count(db.session),
        "not_back": outreach_queries.not_back_safe(db.session),
        # Everyone who coordinates sees how many people may not have heard from us (they can
        # phone them); only admins open the notifications page, where a failed one is retried.
        "failed_days": notification_queries.FAILED_DAYS,
    }


def admin() -> dict:
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - shown, not raised
        db.session.rollback()
        database = type(exc).__name__
    smtp = bool(current_app.config.get("MAIL_URL"))
    beats = queue.workers()
    now = utcnow()
    folder = mail.outbox_dir()
    return {
        "database": database, "engine": db.engine.dialect.name, "queue": queue.health(),
        "last_sweep": sweeps.last_run(), "smtp": smtp,
        # Registered RQ workers and their last heartbeat; none alive → "no worker running".
        "workers": [(b.last_heartbeat, b.alive(now)) for b in beats or []],
        "workers_alive": sum(1 for b in beats or [] if b.alive(now)),
        "outbox": None if smtp or not folder.exists() else sum(1 for _ in folder.glob("*.eml")),
    }


def for_user(user: User) -> dict:
    numbers = _counts(user)  # counted while the sections below are read
    ctx = volunteer(user)
    ctx["stock"] = staff() if user.has_role(Role.STAFF) else None
    ctx["coordination"] = coordinator() if user.has_role(Role.COORDINATOR) else None
    ctx["system"] = admin() if user.has_role(Role.ADMIN) else None
    counted = numbers()
    ctx["my_hours"] = hours_queries.as_hours(counted["my_hours"])
    if ctx["stock"] is not None:
        ctx["stock"] |= {name: counted[name] for name in STOCK_COUNTS}
    if ctx["coordination"] is not None:
        ctx["coordination"] |= {name: counted[name] for name in COORDINATION_COUNTS}
        ctx["coordination"]["failed_notifications"] = counted["failed_notifications"] or 0
        # The notifications page (and its retry) is the admins' (blueprints/notifications/admin.py).
        ctx["coordination"]["may_open_notifications"] = user.has_role(Role.ADMIN)
    return ctx
