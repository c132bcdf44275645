"""Shift pages, cut the way logistics.shifts is: ``calendar`` (week, month, the shift page and
its kit: everyone), ``signups`` (a volunteer's own shifts and actions), ``staffing`` (the
coordinators' people on shifts: assign, remove, cancellation requests, attendance, fill,
coverage) and ``planning`` (activities, places, shifts, series)."""
from __future__ import annotations

from flask import Blueprint

from blueprints.shifts import helpers, labels, rows

bp = Blueprint("shifts", __name__, url_prefix="/shifts")


bp.add_app_template_global(helpers.shift_title, "shift_title")
bp.add_app_template_global(helpers.shows_place, "shows_place")
bp.add_app_template_global(helpers.shows_address, "shows_address")
bp.add_app_template_global(helpers.is_insider, "is_insider")
bp.add_app_template_global(helpers.map_url, "map_url")
bp.add_app_template_global(helpers.series_words, "series_words")
bp.add_app_template_global(helpers.shift_title_of, "shift_title_of")
bp.add_app_template_global(labels.activity_kind_label, "activity_kind_label")
bp.add_app_template_global(labels.place_kind_label, "place_kind_label")
bp.add_app_template_global(labels.colour_label, "colour_label")
bp.add_app_template_global(rows.page, "shift_rows")  # the list pages' rows, drawn in Python

# The view modules add their routes to bp.
from blueprints.shifts import calendar, planning, signups, staffing  # noqa: E402,F401
