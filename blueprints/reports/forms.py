"""The report's filter (a GET form): a year, or a first and last day; and the deliberate
choice to show small counts exactly in print and CSV."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import Optional

from blueprints.fields import DateField, IntegerField
from blueprints.forms import Form


class PeriodForm(Form):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), [Optional()], minimum=2000, maximum=2100)
    start = DateField(_l("Or from"), [Optional()])
    end = DateField(_l("to"), [Optional()])
    exact = BooleanField(_l("Show counts of 1 to 4 exactly in print and CSV"),
                         description=_l("Off by default: a count of one can identify a person. Turn it on only "
                                        "for a reader who may see it; the audit trail notes each such copy."))
