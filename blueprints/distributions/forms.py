"""Distribution forms: shapes only. The per-recipe and per-line numbers (``packs-<id>``,
``handed-<id>``) and the picked days are drawn by hand in the templates and read with
:func:`number` and :func:`days`; the services say what is wrong with them."""
from __future__ import annotations

import datetime as dt
import re

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TimeField
from wtforms.validators import InputRequired, Optional

from blueprints.fields import IntegerField, in_range, optional_id
from blueprints.forms import Form, OnceForm, options

_WHOLE = re.compile(r"^-?[0-9]{1,9}$")


def number(name: str):
    """A posted whole number: None when blank, an int, or the text itself when it is not one
    (the service then answers "enter a whole number")."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    return int(raw) if _WHOLE.match(raw) else raw[:20]


def days(name: str = "days") -> list[dt.date]:
    out = []
    for raw in request.form.getlist(name)[:400]:
        try:
            day = dt.date.fromisoformat(raw.strip()) if len(raw.strip()) == 10 else None
        except ValueError:
            day = None
        if day is not None and in_range(day):
            out.append(day)
    return out


class PatternForm(Form):
    """The GET form that proposes days."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Days"), choices=options([("monthly", _l("Weekdays of the month")),
                                            ("weekly", _l("Every few weeks")),
                                            ("dates", _l("Pick days on the calendar"))]), default="monthly")
    weekday = SelectField(_l("Weekday"), coerce=optional_id, validate_choice=False, default=1)
    first = SelectField(_l("Which weeks"), choices=options([("2,4", _l("2nd and 4th")), ("1,3", _l("1st and 3rd")),
                                                    ("1,3,5", _l("1st, 3rd and 5th")),
                                                    ("1,2,3,4", _l("1st to 4th")), ("-1", _l("Last")),
                                                    ("1,2,3,4,5", _l("Every week"))]), default="2,4")
    interval = IntegerField(_l("Every … weeks"), [Optional()], minimum=1, maximum=8, default=2)
    start = SelectField(_l("From"), validate_choice=False)
    months = IntegerField(_l("Months ahead"), [Optional()], minimum=1, maximum=12, default=2)


class PlanForm(OnceForm):
    location_id = SelectField(_l("Packed at"), [InputRequired(message=_l("Choose one."))], coerce=optional_id,
                              validate_choice=False)
    place_id = SelectField(_l("Place"), [Optional()], coerce=optional_id, validate_choice=False)
    handout_start = TimeField(_l("Hand-out starts"), [InputRequired(message=_l("Give a time."))],
                              default=dt.time(14, 0))
    handout_minutes = IntegerField(_l("Hand-out lasts (minutes)"), [InputRequired(message=_l("Give a number."))],
                                   minimum=15, maximum=720, default=180)
    packing_start = TimeField(_l("Packing the day before starts"), [InputRequired(message=_l("Give a time."))],
                              default=dt.time(16, 0))
    packing_minutes = IntegerField(_l("Packing lasts (minutes)"), [InputRequired(message=_l("Give a number."))],
                                   minimum=15, maximum=720, default=120)


class ActionForm(OnceForm):
    """Pack, hand-out, cancel: the numbers are read by hand (see :func:`number`)."""


class RecipeForm(OnceForm):
    pack_item_id = SelectField(_l("Pack"), [InputRequired(message=_l("Choose one."))], coerce=optional_id,
                               validate_choice=False)
