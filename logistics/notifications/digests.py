"""The morning summary at 07:00 local (staff: stock below minimum and lots expiring within 7
days; coordinators: understaffed shifts in the next 7 days, hotline gaps and open
cancellation requests) and the nightly ledger check that tells admins at once of a drift.

Both make notification rows with a key per day and person, so a sweep that runs again (or
on two workers) makes nothing twice; the content is worked out when the row is sent."""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from logistics.clock import to_local, utcnow
from logistics.i18n import format_date, format_datetime, format_span
from logistics.notifications import collect, ical
from logistics.notifications.models import Kind, Notification
from logistics.people.models import Role, User
from logistics.urls import external_url

log = logging.getLogger(__name__)

DIGEST_AT = dt.time(7, 0)
HORIZON_DAYS = 7


def _make(session, kind: Kind, key: str, user_ids, now: dt.datetime, data: dict | None = None) -> int:
    return collect.make(session, kind, key, user_ids, data=data, now=now)


def _people(session, role: Role) -> list[int]:
    roles = [r for r in Role if r.at_least(role)]
    return list(session.scalars(sa.select(User.id).where(User.role.in_(roles), User.is_active.is_(True),
                                                         User.erased_at.is_(None)).order_by(User.id)))


def make_digests(session, now: dt.datetime | None = None) -> int:
    """From 07:00 local: one digest row per staff member and up for today (once)."""
    now = now or utcnow()
    local = to_local(now)
    if local.time() < DIGEST_AT:
        return 0
    # Late in the day (a worker down all morning) there is no point: skip after noon.
    if local.time() >= dt.time(12, 0):
        return 0
    return _make(session, Kind.DIGEST, f"digest:{local.date().isoformat()}", _people(session, Role.STAFF), now)


def sections(session, user: User, now: dt.datetime) -> list[dict]:
    """What this person's digest says (empty: nothing to report, the row is skipped)."""
    from logistics.shifts import queries as shift_queries
    from logistics.stock.queries import lists as stock_lists

    out = []
    if user.has_role(Role.STAFF):
        short = stock_lists.below_minimum(session)
        if short:
            out.append({"title": _l("Stock below minimum"),
                        "lines": [f"{row.item.name}: {row.total:g} / {row.item.min_level:g}" for row in short[:30]],
                        "link": external_url("stock.overview")})
        expiring = stock_lists.expiring(session, HORIZON_DAYS)
        if expiring:
            out.append({"title": _l("Lots expiring within 7 days"),
                        "lines": [f"{row.item.name} ({format_date(row.lot.expires_on)}): {row.qty:g}"
                                  for row in expiring[:30]],
                        "link": external_url("stock.overview")})
    if user.has_role(Role.COORDINATOR):
        under = shift_queries.understaffed(session, days=HORIZON_DAYS, now=now)
        if under:
            out.append({"title": _l("Understaffed shifts in the next 7 days"),
                        "lines": [f"{ical.title(s, insider=True)}, {format_span(s.starts_at, s.ends_at)}: "
                                  f"{s.confirmed_count}/{s.needed}" for s in under[:30]],
                        "link": external_url("shifts.staffing")})
        soon = now + dt.timedelta(days=HORIZON_DAYS)
        gaps = [g for g in shift_queries.coverage(session, now=now, weeks=2).gaps if g.start < soon and g.end > now]
        if gaps:
            out.append({"title": _l("Hotline gaps"),
                        "lines": [format_span(g.start, g.end) for g in gaps[:30]],
                        "link": external_url("shifts.coverage")})
        requests = shift_queries.cancellation_requests(session, now=now)
        if requests:
            out.append({"title": _l("Open cancellation requests"),
                        "lines": [f"{s.user.first_name}: {ical.title(s.shift, insider=True)}, "
                                  f"{format_datetime(s.shift.starts_at)}" for s in requests[:30]],
                        "link": external_url("shifts.staffing")})
    return out


def check_ledger(session, now: dt.datetime | None = None) -> int:
    """Verify every stock balance against the ledger; on a drift, tell the admins (once a day)."""
    from logistics.stock import ledger

    now = now or utcnow()
    result = ledger.verify(session)
    drift = len(result.differences) + len(result.expiry_differences)
    if not drift:
        log.info("ledger verified: %d balances", result.checked)
        return 0
    log.warning("ledger drift in %d balance(s), %d without their lot's expiry date",
                len(result.differences), len(result.expiry_differences))
    data = {"differences": drift, "checked": result.checked}
    return _make(session, Kind.LEDGER_ALERT, f"ledger:{to_local(now).date().isoformat()}",
                 _people(session, Role.ADMIN), now, data)


def skip_reason(session, n: Notification, now: dt.datetime) -> str | None:
    if n.kind == Kind.DIGEST and not sections(session, n.user, now):
        return "nothing to report"
    return None


def extra_context(session, n: Notification, now: dt.datetime) -> dict:
    if n.kind == Kind.DIGEST:
        return {"sections": sections(session, n.user, now)}
    if n.kind == Kind.LEDGER_ALERT:
        return {"differences": (n.data or {}).get("differences", 0), "verify_link": external_url("stock.overview")}
    return {}
