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
from logistics.clock import as_utc, org_tz, utcnow
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
    found = session.execute(sa.select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
                            .where(CalendarFeed.token_hash == hash_token(token))).first()
    if found is None:
        return None
    feed, user = found
    if feed.revoked_at is not None or not user.is_active or user.erased_at is not None:
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
    """The feed's ETag. It changes whenever what the feed shows may have: with the schedule
    revision (two Redis reads, :mod:`logistics.notifications.revision`), each day (the window
    moves) and, for open shifts, each hour (shifts that started leave). Without Redis, an
    aggregate over the feed's shifts stands in: the count, newest row and change, and the
    sums of versions and confirmed places."""
    now = now or utcnow()
    from logistics.notifications import revision

    current = revision.current()
    if current is not None:
        state = [current, now.strftime("%Y%m%d%H") if feed.kind == FeedKind.OPEN else now.date().isoformat()]
    else:
        row = session.execute(_filtered(sa.select(sa.func.count(Shift.id), sa.func.max(Shift.updated_at),
                                                  sa.func.max(Shift.id), sa.func.sum(Shift.version),
                                                  sa.func.sum(Shift.confirmed_count)), feed, feed.user_id, now)).one()
        state = [now.strftime("%Y%m%d%H"), *row]
    user = session.get(User, feed.user_id)
    parts = [feed.id, feed.kind.value, feed.label, user.locale, *state,
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
    if len(line) <= 75 and line.isascii():
        return line.encode() + b"\r\n"
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
    v = value if value.tzinfo is dt.UTC else as_utc(value)
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}Z"


def _stamp_sql(column, dialect: str):
    """The column as an iCalendar UTC stamp ("20261205T170000Z"), made by the database: a
    year of the whole schedule is 18,000 of them, too many to convert and format in Python."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYYMMDD"T"HH24MISS"Z"')
    return sa.func.strftime("%Y%m%dT%H%M%SZ", column)  # SQLite keeps naive UTC


def _rows(session, feed: CalendarFeed, now: dt.datetime):
    """The feed's shifts as plain rows (no ORM objects, times already as stamps)."""
    dialect = session.get_bind().dialect.name
    stmt = _filtered(sa.select(Shift.id, Shift.activity_id, Shift.place_id, Shift.status, Shift.version,
                               _stamp_sql(Shift.starts_at, dialect).label("start"),
                               _stamp_sql(Shift.ends_at, dialect).label("end"),
                               _stamp_sql(sa.func.coalesce(Shift.updated_at, Shift.created_at), dialect)
                               .label("modified")),
                     feed, feed.user_id, now).order_by(Shift.starts_at, Shift.id)
    return session.execute(stmt).all()


def _labels(session, rows) -> tuple[dict, dict]:
    """Each activity's (title or None when discreet) and each place's location text, once."""
    activity_ids = {r.activity_id for r in rows}
    place_ids = {r.place_id for r in rows if r.place_id is not None}
    activities = {a.id: (None if a.is_discreet else a.name)
                  for a in session.scalars(sa.select(Activity).where(Activity.id.in_(activity_ids)))} \
        if activity_ids else {}
    places = {}
    if place_ids:
        from logistics.shifts.models import Place

        for p in session.scalars(sa.select(Place).where(Place.id.in_(place_ids))):
            places[p.id] = p.name if p.is_sensitive else ", ".join(x for x in (p.name, p.address) if x)
    return activities, places


def vevent(row, base: str, domain: str, summary: bytes, location: bytes) -> bytes:
    """One VEVENT, as bytes; ``summary`` and ``location`` are their folded lines (b"": none)."""
    status, transp = ("CANCELLED", "TRANSPARENT") if row.status == ShiftStatus.CANCELLED else ("CONFIRMED", "OPAQUE")
    return (f"BEGIN:VEVENT\r\nUID:shift-{row.id}@{domain}\r\nDTSTAMP:{row.modified}\r\n"
            f"DTSTART:{row.start}\r\nDTEND:{row.end}\r\nSEQUENCE:{row.version}\r\n"
            f"LAST-MODIFIED:{row.modified}\r\n").encode() + summary + location + fold(f"URL:{base}/shifts/{row.id}") + (
        f"STATUS:{status}\r\nTRANSP:{transp}\r\nEND:VEVENT\r\n").encode()


def calendar_name(feed: CalendarFeed) -> str:
    org = current_app.config["ORG_NAME"]
    names = {FeedKind.MINE: _("%(org)s: my shifts", org=org), FeedKind.OPEN: _("%(org)s: open shifts", org=org),
             FeedKind.ALL: _("%(org)s: all shifts", org=org)}
    return feed.label or names[feed.kind]


def render(session, feed: CalendarFeed, now: dt.datetime | None = None) -> bytes:
    """The whole feed as bytes (text/calendar; charset=utf-8)."""
    from logistics.i18n import format_day, format_time

    now = now or utcnow()
    user = session.get(User, feed.user_id)
    base = current_app.config["BASE_URL"].rstrip("/")
    domain = ical._domain()
    language = user.locale if user.locale in ("en", "da") else "en"
    rows = _rows(session, feed, now)
    activities, places = _labels(session, rows)
    with force_locale(language):
        name = calendar_name(feed)
        neutral = _("%(org)s shift, %(day)s %(time)s")
    org = current_app.config["ORG_NAME"]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ical.PRODID}", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", f"NAME:{escape(name)}",
            f"X-WR-TIMEZONE:{current_app.config['ORG_TIMEZONE']}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", f"URL:{base}/shifts/mine"]
    parts = [fold(line) for line in head]
    tz = org_tz()
    summaries: dict[str, bytes] = {}  # the same titles and places recur: escape and fold each once
    locations: dict[int, bytes] = {}
    for row in rows:
        title = activities.get(row.activity_id)
        if title is None:  # discreet: "HopeNow shift, Tue 1 Dec 18:00", no place
            t = row.start
            local = dt.datetime(int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[9:11]), int(t[11:13]),
                                tzinfo=dt.UTC).astimezone(tz)
            title = neutral % {"org": org, "day": format_day(local.date(), language),
                               "time": format_time(local, language)}
            location = b""
        else:
            location = locations.get(row.place_id)
            if location is None:
                where = places.get(row.place_id)
                location = locations[row.place_id] = fold(f"LOCATION:{escape(where)}") if where else b""
        summary = summaries.get(title)
        if summary is None:
            summary = summaries[title] = fold(f"SUMMARY:{escape(title)}")
        parts.append(vevent(row, base, domain, summary, location))
    parts.append(fold("END:VCALENDAR"))
    return b"".join(parts)
