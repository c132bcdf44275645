"""Forms of the outreach pages: types and ranges only (the rules live in logistics.outreach)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.fields import IntegerField
from blueprints.forms import OnceForm

#: The warning above the tally's note; the field macro shows it in the "no names" style.
NOTE_WARNING = _l("No names, no identifying details: nothing that could tell who someone is.")


def _count(label):
    return IntegerField(label, [Optional()], minimum=0, maximum=10_000)


class BackSafeForm(OnceForm):
    """The one button "I'm back safe"."""


class TallyForm(OnceForm):
    women = _count(_l("Women"))
    men = _count(_l("Men"))
    transgender = _count(_l("Transgender"))
    not_stated = _count(_l("Not stated"))
    new_contacts = _count(_l("Of these, new contacts"))
    calls = _count(_l("Calls taken"))
    visits = _count(_l("Visits made"))
    note = TextAreaField(_l("Note (optional)"), [Optional(), Length(max=1000)], description=NOTE_WARNING,
                         render_kw={"data-no-names": "1", "rows": 3})


class ClearForm(OnceForm):
    reason = StringField(_l("Why do you clear this person?"), [DataRequired(), Length(max=300)],
                         description=_l("For example: called her, she is home."),
                         render_kw={"data-no-names": "1"})


class PartnerForm(OnceForm):
    name = StringField(_l("Name"), [DataRequired(), Length(max=120)])
    position = IntegerField(_l("Order in the list"), [Optional()], minimum=0, maximum=1000)
    is_active = BooleanField(_l("In use"), default=True)
