"""Input bounded once, at the boundary: ids within the database's integer range, numbers of
ASCII digits within stated ranges, finite decimals, dates within sane years, no NUL bytes.

Every form uses the field types here instead of WTForms' own (a test fails on a bare
``wtforms.IntegerField``); every route's ``<int:…>`` goes through :class:`IdConverter`; query
strings are read with :func:`int_arg`, :func:`date_arg` and :func:`page_arg`. Whatever a
browser or an attacker sends, a page answers with a message on the form or a 4xx, never a
500 from the database or the calendar arithmetic.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import wtforms
from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from logistics.i18n import format_number

#: PostgreSQL's ``integer`` (SQLite's is wider): every id column, every count we store.
MAX_ID = 2**31 - 1
#: Dates people plan with: outside these years a date is a typo (or an attack).
MIN_YEAR, MAX_YEAR = 2000, 2100
#: Pages of a paged list.
MAX_PAGE = 10_000

_DIGITS = re.compile(r"^[+-]?[0-9]{1,12}$")
_ALL_DIGITS = re.compile(r"^[+-]?[0-9]+$")


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 to the database's largest id, else the route does not
    match (404) instead of reaching the database (``integer out of range``)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_int(raw: str | None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """``raw`` as a whole number within [minimum, maximum] (ASCII digits only), else None."""
    if raw is None:
        return None
    raw = raw.strip()
    if not _DIGITS.match(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def in_range(day: dt.date | None) -> bool:
    return day is None or MIN_YEAR <= day.year <= MAX_YEAR


def int_arg(name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole-number query-string argument (an id, by default), or None when absent or bad."""
    return parse_int(request.args.get(name), minimum=minimum, maximum=maximum)


def page_arg(name: str = "page") -> int:
    return int_arg(name, maximum=MAX_PAGE) or 1


def date_arg(name: str, default: dt.date | None = None) -> dt.date | None:
    """An ISO date (``2026-12-01``) in the query string within sane years, else ``default``."""
    raw = (request.args.get(name) or "").strip()
    try:
        day = dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    return day if day is not None and in_range(day) else default


def datetime_arg(name: str) -> dt.datetime | None:
    """An ISO date and time in the query string (aware, or naive UTC) within sane years."""
    raw = (request.args.get(name) or "").strip()
    try:
        value = dt.datetime.fromisoformat(raw) if 10 <= len(raw) <= 40 else None
    except ValueError:
        value = None
    return value if value is not None and in_range(value.date()) else None


def month_arg(name: str, default: dt.date) -> dt.date:
    """A month (``2026-12``) in the query string as its first day, else ``default``."""
    raw = (request.args.get(name) or "").strip()
    try:
        day = dt.date.fromisoformat(raw + "-01") if len(raw) == 7 else None
    except ValueError:
        day = None
    return day if day is not None and in_range(day) else default


# --- form fields ------------------------------------------------------------------------------

def optional_id(value) -> int | None:
    """``coerce`` for a choice of rows: "" is no choice (None), a bounded id is an int, and
    anything else is 0, an id no row has (so the service says "does not exist", and the
    database never sees 2^63 or "abc")."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_ID else 0
    parsed = parse_int(str(value), minimum=0)
    return 0 if parsed is None else parsed


class IntegerField(wtforms.IntegerField):
    """A whole number of ASCII digits within ``[minimum, maximum]`` (by default the database's
    integer range: the shape; the rule that says "at most 500 people" lives in the service,
    with its own words)."""

    def __init__(self, label=None, validators=None, *, minimum: int = -MAX_ID, maximum: int = MAX_ID, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        render_kw = dict(self.render_kw or {})
        if minimum != -MAX_ID:
            render_kw.setdefault("min", minimum)
        if maximum != MAX_ID:
            render_kw.setdefault("max", maximum)
        render_kw.setdefault("inputmode", "numeric")
        self.render_kw = render_kw

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in (None, ""):
            self.data = None
            return
        value = parse_int(valuelist[0], minimum=-MAX_ID, maximum=MAX_ID)
        if value is None:
            # Not a number, or beyond anything the database holds: no data at all, so even a
            # view that reads the field without validating never passes it on.
            self.data = None
            raise ValueError(str(_l("Enter a number from %(min)d to %(max)d.", min=self.minimum, max=self.maximum))
                             if _ALL_DIGITS.match(valuelist[0].strip()) else str(_l("Enter a whole number.")))
        self.data = value
        if isinstance(self, IdField) and not self.minimum <= value <= self.maximum:
            self.data = None
            raise ValueError(str(_l("Reload the page and try again.")))

    def pre_validate(self, form):
        if self.data is not None and not self.minimum <= self.data <= self.maximum:
            raise ValidationError(str(_l("Enter a number from %(min)d to %(max)d.",
                                         min=self.minimum, max=self.maximum)))


class IdField(IntegerField):
    """The id of a row (hidden inputs of line forms, choices posted as numbers)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", wtforms.widgets.HiddenInput())
        super().__init__(label, validators, minimum=1, maximum=MAX_ID, **kwargs)


class DecimalField(wtforms.StringField):
    """A finite decimal within ``[minimum, maximum]`` (a decimal comma is fine): no NaN, no
    infinity, no 1e30 that breaks formatting later."""

    def __init__(self, label=None, validators=None, *, minimum: Decimal, maximum: Decimal, places: int = 2,
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.places = Decimal(minimum), Decimal(maximum), places
        render_kw = dict(self.render_kw or {})
        render_kw.setdefault("inputmode", "decimal")
        self.render_kw = render_kw

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        raw = raw.strip().replace(",", ".")
        if not raw:
            self.data = None
            return
        try:
            value = Decimal(raw) if len(raw) <= 30 else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.data = None
            raise ValueError(str(_l("Enter a number, such as 2.5.")))
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data, decimals=self.places, grouping=False)  # "2,5" on a Danish page

    def pre_validate(self, form):
        if self.data is None:
            return
        if not self.minimum <= self.data <= self.maximum:
            raise ValidationError(str(_l("Enter a number from %(min)s to %(max)s.",
                                         min=format_number(self.minimum), max=format_number(self.maximum))))
        if self.data != self.data.quantize(Decimal(1).scaleb(-self.places)):
            raise ValidationError(str(_l("Use at most %(n)d decimals.", n=self.places)))


class InstantField(wtforms.HiddenField):
    """An instant carried in a hidden input as ISO 8601 (``2026-12-01T17:00:00+00:00``),
    read back as aware UTC within sane years."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if not raw:
            return
        try:
            value = dt.datetime.fromisoformat(raw.strip()) if len(raw) <= 40 else None
        except ValueError:
            value = None
        if value is None or not in_range(value.date()):
            raise ValueError(str(_l("Reload the page and try again.")))
        self.data = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        self.data = self.data.astimezone(dt.UTC)

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, dt.datetime) else (self.data or "")


class _YearBound:
    def pre_validate(self, form):
        value = self.data
        if value is not None and not in_range(value if isinstance(value, dt.date) else value.date()):
            raise ValidationError(str(_l("Enter a date between %(first)d and %(last)d.",
                                         first=MIN_YEAR, last=MAX_YEAR)))


class DateField(_YearBound, wtforms.DateField):
    """A date between 2000 and 2100."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"min": f"{MIN_YEAR}-01-01", "max": f"{MAX_YEAR}-12-31"})
        super().__init__(label, validators, **kwargs)


class DateTimeLocalField(_YearBound, wtforms.DateTimeLocalField):
    """A local date and time between 2000 and 2100."""


# --- the request as a whole -------------------------------------------------------------------

def _has_nul(multidict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in multidict.lists())


def init_app(app: Flask) -> None:
    """Bound ``<int:…>`` route arguments, and refuse NUL bytes anywhere in a request (the
    database refuses them too, with an error page instead of a message)."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_nul_bytes():
        if "\x00" in request.path or _has_nul(request.args):
            abort(400)
        if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
            abort(400)
        return None
