"""Calendar feeds: one revocable token per feed (≥ 32 random bytes, only its SHA-256
stored), and the feed itself, written by hand for speed and exactness: CRLF, lines folded
at 75 octets between whole UTF-8 characters, times in UTC, stable UIDs, SEQUENCE = the
shift's version, cancelled shifts kept as CANCELLED for 30 days, no ATTENDEE and no names."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from logistics.audit import services as audit
from logistics.clock import as_utc, utcnow
from logistics.errors import DomainError
from logistics.notifications import ical
from logistics.notifications.models import CalendarFeed, FeedKind
from logistics.people.models import Role, User, UserQualification
from logistics.shifts.models import Activity, Shift, ShiftStatus, Signup, SignupStatus, activity_qualification
from logistics.urls import external_url

BACK = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=365)
MAX_FEEDS = 20
TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def allowed_kinds(user: User) -> tuple[FeedKind, ...]:
    if user.has_role(Role.COORDINATOR):
        return (FeedKind.MINE, FeedKind.OPEN, FeedKind.ALL)
    return (FeedKind.MINE, FeedKind.OPEN)


def create(session, user: User, kind: FeedKind | str, label: str = "", *, by: User | None) -> tuple[CalendarFeed, str]:
    """A new feed and its token (shown once, in its URL; only the hash is kept)."""
    try:
        kind = FeedKind(kind)
    except ValueError:
        raise DomainError(_("Choose which shifts the feed shows.")) from None
    if kind not in allowed_kinds(user):
        raise DomainError(_("Only coordinators can subscribe to the whole schedule."))
    live = session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)
                          .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)))
    if live >= MAX_FEEDS:
        raise DomainError(_("You have %(n)d feeds; revoke one before making another.", n=live))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(user_id=user.id, kind=kind, label=(label or "").strip()[:80], token_hash=hash_token(token))
    session.add(feed)
    session.flush()
    audit.record(session, by=by, action="feed.created", entity="calendar_feed", entity_id=feed.id,
                 changes={"kind": kind.value, "user": user.id})
    return feed, token


def url(token: str) -> str:
    return external_url("notifications.feed", token=token)


def revoke(session, feed: CalendarFeed, *, by: User) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        audit.record(session, by=by, action="feed.revoked", entity="calendar_feed", entity_id=feed.id,
                     changes={"kind": feed.kind.value})
    session.flush()


def find(session, token: str) -> CalendarFeed | None:
    """The live feed of ``token``; None for an unknown, revoked or malformed one."""
    if not token or len(token) > 100:
        return None
    feed = session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token)))
    if feed is None or feed.revoked_at is not None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    if feed.kind not in allowed_kinds(user):
        return None  # a coordinator's whole-schedule feed stops when the role goes
    return feed


def touch(session, feed: CalendarFeed) -> None:
    """Remember the fetch (at most once a minute, so polling does not write each time)."""
    now = utcnow()
    if feed.last_fetched_at is None or now - feed.last_fetched_at > dt.timedelta(minutes=1):
        session.execute(sa.update(CalendarFeed).where(CalendarFeed.id == feed.id).values(last_fetched_at=now))


def list_for(session, user: User) -> list[CalendarFeed]:
    return list(session.scalars(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id)
                                .order_by(CalendarFeed.revoked_at.is_not(None), CalendarFeed.id.desc())))


# --- which shifts -------------------------------------------------------------------------------------

def _window(now: dt.datetime):
    return now - BACK, now + AHEAD


def _visible(stmt, now):
    start, end = _window(now)
    return stmt.where(Shift.starts_at >= start, Shift.starts_at <= end, sa.or_(
        Shift.status == ShiftStatus.SCHEDULED,
        sa.and_(Shift.status == ShiftStatus.CANCELLED, Shift.cancelled_at >= now - BACK)))


def _filtered(stmt, feed: CalendarFeed, user_id: int, now: dt.datetime):
    if feed.kind == FeedKind.MINE:
        stmt = stmt.join(Signup, Signup.shift_id == Shift.id).where(
            Signup.user_id == user_id, Signup.status == SignupStatus.CONFIRMED)
    elif feed.kind == FeedKind.OPEN:
        # Places free, later than now, activities whose qualifications the person holds,
        # and not already on it. (Sign-up applies every rule; the feed is a guide.)
        held = sa.select(UserQualification.qualification_id).where(UserQualification.user_id == user_id)
        missing = (sa.select(activity_qualification.c.activity_id)
                   .where(activity_qualification.c.activity_id == Shift.activity_id,
                          activity_qualification.c.qualification_id.not_in(held))
                   .correlate(Shift))
        mine = sa.select(Signup.shift_id).where(Signup.user_id == user_id,
                                                Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)))
        stmt = stmt.join(Activity, Activity.id == Shift.activity_id).where(
            Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > now, Activity.is_active.is_(True),
            Shift.confirmed_count < Shift.capacity_max, ~sa.exists(missing), Shift.id.not_in(mine))
    return _visible(stmt, now)


def fingerprint(session, feed: CalendarFeed, now: dt.datetime | None = None) -> str:
    """A cheap ETag: what changes whenever the feed's content does (one aggregate query)."""
    now = now or utcnow()
    row = session.execute(_filtered(sa.select(sa.func.count(Shift.id), sa.func.max(Shift.updated_at),
                                              sa.func.max(Shift.id), sa.func.sum(Shift.version),
                                              sa.func.sum(Shift.confirmed_count)), feed, feed.user_id, now)).one()
    user = session.get(User, feed.user_id)
    parts = [feed.id, feed.kind.value, user.locale, now.date().isoformat(), *row,
             current_app.config["BASE_URL"], current_app.config["ORG_NAME"]]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def shifts(session, feed: CalendarFeed, now: dt.datetime | None = None) -> list[Shift]:
    now = now or utcnow()
    stmt = _filtered(sa.select(Shift), feed, feed.user_id, now).options(
        joinedload(Shift.activity), joinedload(Shift.place)).order_by(Shift.starts_at, Shift.id)
    return list(session.scalars(stmt).unique())


# --- writing iCalendar -------------------------------------------------------------------------------------

def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> bytes:
    """One content line as bytes: at most 75 octets a line, broken between whole UTF-8
    characters (and never inside a backslash escape), continued with CRLF + space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    out, current, size, limit = [], [], 0, 75
    for char in line:
        n = len(char.encode("utf-8"))
        if size + n > limit:
            if current and current[-1] == "\\":
                current.pop()
                out.append("".join(current))
                current, size = ["\\"], 1
            else:
                out.append("".join(current))
                current, size = [], 0
            limit = 74  # continuation lines start with a space
        current.append(char)
        size += n
    out.append("".join(current))
    return "\r\n ".join(out).encode("utf-8") + b"\r\n"


def stamp(value: dt.datetime) -> str:
    return as_utc(value).strftime("%Y%m%dT%H%M%SZ")


def vevent(shift: Shift, base: str, domain: str, title: str) -> list[str]:
    where = ical.location(shift)
    cancelled = shift.status == ShiftStatus.CANCELLED
    modified = stamp(shift.updated_at or shift.created_at)
    lines = ["BEGIN:VEVENT", f"UID:shift-{shift.id}@{domain}", f"DTSTAMP:{modified}",
             f"DTSTART:{stamp(shift.starts_at)}", f"DTEND:{stamp(shift.ends_at)}",
             f"SEQUENCE:{shift.version}", f"LAST-MODIFIED:{modified}", f"SUMMARY:{escape(title)}"]
    if where:
        lines.append(f"LOCATION:{escape(where)}")
    lines += [f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}", f"URL:{base}/shifts/{shift.id}",
              f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}", "END:VEVENT"]
    return lines


def calendar_name(feed: CalendarFeed) -> str:
    org = current_app.config["ORG_NAME"]
    names = {FeedKind.MINE: _("%(org)s: my shifts", org=org), FeedKind.OPEN: _("%(org)s: open shifts", org=org),
             FeedKind.ALL: _("%(org)s: all shifts", org=org)}
    return feed.label or names[feed.kind]


def render(session, feed: CalendarFeed, now: dt.datetime | None = None) -> bytes:
    """The whole feed as bytes (text/calendar; charset=utf-8)."""
    now = now or utcnow()
    user = session.get(User, feed.user_id)
    base = current_app.config["BASE_URL"].rstrip("/")
    domain = ical._domain()
    with force_locale(user.locale or "en"):
        head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ical.PRODID}", "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(calendar_name(feed))}", f"NAME:{escape(calendar_name(feed))}",
                f"X-WR-TIMEZONE:{current_app.config['ORG_TIMEZONE']}",
                "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
                f"URL:{base}/shifts/mine"]
        parts = [fold(line) for line in head]
        titles: dict = {}
        for shift in shifts(session, feed, now):
            if shift.activity.is_discreet:
                title = ical.neutral_title(shift)
            else:
                title = titles.get(shift.activity_id) or titles.setdefault(shift.activity_id, shift.activity.name)
            parts.extend(fold(line) for line in vevent(shift, base, domain, title))
        parts.append(fold("END:VCALENDAR"))
    return b"".join(parts)
