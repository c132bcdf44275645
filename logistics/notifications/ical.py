"""iCalendar for invitations and feeds: times in UTC, stable UIDs, SEQUENCE = the shift's
version. A discreet activity is a neutral "HopeNow shift" with no place."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from logistics.clock import as_utc, to_local, utcnow
from logistics.i18n import format_day, format_time
from logistics.shifts.models import Shift, ShiftStatus
from logistics.urls import external_url

PRODID = "-//HopeNow//Logistics//EN"


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "hopenow.invalid"


def uid(shift_id: int) -> str:
    """The same UID in every invitation and feed, so calendars update one event."""
    return f"shift-{shift_id}@{_domain()}"


def neutral_title(shift: Shift) -> str:
    """'HopeNow shift, Tuesday 18:00' (for discreet activities)."""
    return _("%(org)s shift, %(day)s %(time)s", org=current_app.config["ORG_NAME"],
             day=format_day(to_local(shift.starts_at)), time=format_time(shift.starts_at))


def title(shift: Shift, *, insider: bool = False) -> str:
    if shift.activity.is_discreet and not insider:
        return neutral_title(shift)
    return shift.activity.name


def location(shift: Shift, *, insider: bool = False) -> str | None:
    if shift.place is None or (shift.activity.is_discreet and not insider):
        return None
    if shift.place.is_sensitive and not insider:
        return shift.place.name
    return ", ".join(p for p in (shift.place.name, shift.place.address) if p)


def event(shift: Shift, *, insider: bool = False, cancelled: bool = False, stamp: dt.datetime | None = None) -> Event:
    ev = Event()
    ev.add("uid", uid(shift.id))
    ev.add("dtstamp", as_utc(stamp or utcnow()))
    ev.add("dtstart", as_utc(shift.starts_at))
    ev.add("dtend", as_utc(shift.ends_at))
    ev.add("sequence", shift.version)
    ev.add("last-modified", as_utc(shift.updated_at or shift.created_at))
    ev.add("summary", title(shift, insider=insider))
    where = location(shift, insider=insider)
    if where:
        ev.add("location", where)
    ev.add("status", "CANCELLED" if cancelled or shift.status == ShiftStatus.CANCELLED else "CONFIRMED")
    ev.add("url", external_url("shifts.shift", shift_id=shift.id))
    ev.add("transp", "OPAQUE")
    return ev


def invitation(shift: Shift, *, method: str, attendee: str | None = None, insider: bool = False) -> bytes:
    """One shift as an invitation (METHOD:REQUEST, or CANCEL), for an email or a download."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    ev = event(shift, insider=insider, cancelled=method == "CANCEL")
    if method and attendee:
        # Mail clients only treat an invitation as one with an organizer and the recipient.
        organizer = current_app.config["MAIL_FROM"]
        address = organizer[organizer.find("<") + 1:organizer.rfind(">")] if "<" in organizer else organizer
        ev.add("organizer", f"mailto:{address}", parameters={"CN": current_app.config["ORG_NAME"]})
        ev.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
    cal.add_component(ev)
    return cal.to_ical()
