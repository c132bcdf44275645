"""Words for the shifts area's codes (activity kinds, place kinds, colours, weekdays), in one
place for every page that shows them, the stock area's kits included."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from logistics.shifts.models import ActivityKind, PlaceKind

ACTIVITY_KIND_LABELS = {
    ActivityKind.STREET_OUTREACH: _l("Street outreach"),
    ActivityKind.HOTLINE: _l("Hotline"),
    ActivityKind.FOOD_DISTRIBUTION: _l("Food distribution"),
    ActivityKind.PACKING: _l("Packing"),
    ActivityKind.COMMUNAL_COOKING: _l("Communal cooking"),
    ActivityKind.PRISON_VISIT: _l("Prison visit"),
    ActivityKind.OFFICE: _l("Office"),
    ActivityKind.TRAINING: _l("Training"),
    ActivityKind.OTHER: _l("Other"),
}
PLACE_KIND_LABELS = {
    PlaceKind.OFFICE: _l("Office"),
    PlaceKind.STREET: _l("Street or area"),
    PlaceKind.PARK: _l("Park"),
    PlaceKind.CHURCH: _l("Church"),
    PlaceKind.PRISON: _l("Prison"),
    PlaceKind.OTHER: _l("Other"),
}
COLOUR_LABELS = {
    "teal": _l("Teal"), "blue": _l("Blue"), "indigo": _l("Indigo"), "purple": _l("Purple"),
    "magenta": _l("Magenta"), "red": _l("Red"), "orange": _l("Orange"), "olive": _l("Olive"),
    "green": _l("Green"), "grey": _l("Grey"),
}
WEEKDAY_LABELS = [("MO", _l("Monday")), ("TU", _l("Tuesday")), ("WE", _l("Wednesday")), ("TH", _l("Thursday")),
                  ("FR", _l("Friday")), ("SA", _l("Saturday")), ("SU", _l("Sunday"))]
MONTH_WEEK_LABELS = [("1", _l("1st")), ("2", _l("2nd")), ("3", _l("3rd")), ("4", _l("4th")), ("5", _l("5th")),
                     ("-1", _l("Last"))]


def activity_kind_label(kind) -> str:
    """The words for an activity kind (an ActivityKind or its value)."""
    try:
        return str(ACTIVITY_KIND_LABELS[ActivityKind(kind)])
    except ValueError:
        return str(kind)


def place_kind_label(kind) -> str:
    try:
        return str(PLACE_KIND_LABELS[PlaceKind(kind)])
    except ValueError:
        return str(kind)


def colour_label(colour) -> str:
    return str(COLOUR_LABELS.get(colour, colour))
