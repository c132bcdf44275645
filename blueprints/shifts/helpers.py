"""What the shift pages share: template globals and filters (registered in the package's
``__init__``), and the lookups that answer 404 for a missing shift or sign-up."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from logistics.clock import localize
from logistics.extensions import db
from logistics.people.models import Role
from logistics.shifts import queries, recurrence
from logistics.shifts.models import Place, Series, Shift, Signup

#: Where a place's address opens on a map (OpenStreetMap: no account, no tracking script).
MAP_SEARCH = "https://www.openstreetmap.org/search?"


def is_coordinator() -> bool:
    return current_user.has_role(Role.COORDINATOR)


def is_insider() -> bool:
    """Staff and up: inside the app they see discreet activities by their real name (staff
    pack the prison visit's kit). Discretion is for feeds, emails, lock screens and the
    volunteers who are not on the shift."""
    return current_user.has_role(Role.STAFF)


# --- template globals and filters ---------------------------------------------------------------

def shift_title(shift: Shift, mine: bool = False) -> str:
    """Discreet activities show a neutral title to volunteers who are not on the shift."""
    if shift.activity.is_discreet and not mine and not is_insider():
        return _("HopeNow shift")
    return shift.activity.name


def shift_title_of(activity) -> str:
    """An activity's name in a list of activities (a filter): neutral when it is discreet,
    for volunteers."""
    if activity.is_discreet and not is_insider():
        return _("HopeNow shift")
    return activity.name


def shows_place(shift: Shift, mine: bool = False) -> bool:
    """The activity's place (and colour) of a discreet shift: staff and up, and its people."""
    return not shift.activity.is_discreet or mine or is_insider()


def shows_address(shift: Shift, mine: bool = False) -> bool:
    return shift.place is not None and (not shift.place.is_sensitive or mine or is_coordinator()) \
        and shows_place(shift, mine)


def map_url(place: Place | None) -> str | None:
    """A map of the place's address, or None: never for a place marked sensitive (a map
    link would tell the map service which addresses are ours)."""
    if place is None or place.is_sensitive or not place.address.strip():
        return None
    return MAP_SEARCH + urlencode({"query": place.address})


def series_words(series: Series) -> str:
    """The series as people say it ("2nd and 4th Friday each month, 16:00–20:00")."""
    return recurrence.describe(series.rrule, start_time=series.start_time, duration_minutes=series.duration_minutes)


# --- lookups and parsing -----------------------------------------------------------------------

def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    return shift


def get_signup(signup_id: int) -> Signup:
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        abort(404)
    return signup


def own_signup(shift_id: int) -> Signup:
    """The current user's sign-up on the shift, whatever its status."""
    signup = queries.signup_of(db.session, shift_id, current_user.id)
    if signup is None:
        abort(404)
    return signup


def local_to_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A naive local time from a form as an aware UTC instant."""
    return None if value is None else localize(value)


