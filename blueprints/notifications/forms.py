"""Forms of the notification pages (types and ranges only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from blueprints.forms import MultiCheckboxField, OnceForm, options

OFFSET_LABELS = {
    7 * 24 * 60: _l("1 week before"), 2 * 24 * 60: _l("2 days before"), 24 * 60: _l("24 hours before"),
    3 * 60: _l("3 hours before"), 60: _l("1 hour before"),
}
GROUP_LABELS = {
    "confirmations": _l("Confirmations when I sign up or move up from the waitlist"),
    "changes": _l("Changes, cancellations and removals"),
    "cover_requests": _l("Requests to cover a gap"),
    "digests": _l("The morning summary (staff and coordinators)"),
}
NO_QUIET = "none"


def _hours():
    return options([(NO_QUIET, _l("No quiet hours"))] + [(f"{h:02d}:00", f"{h:02d}:00") for h in range(24)])


class SettingsForm(OnceForm):
    offsets = MultiCheckboxField(_l("Remind me"), coerce=int, choices=options(OFFSET_LABELS.items()))
    quiet_start = SelectField(_l("Quiet hours from"), choices=_hours())
    quiet_end = SelectField(_l("Quiet hours until"), choices=_hours())
    wanted = MultiCheckboxField(_l("Emails I want"), choices=options(GROUP_LABELS.items()))


class FeedForm(OnceForm):
    label = StringField(_l("Name of the feed"), validators=[Length(max=80)],
                        description=_l("For you to recognise it, e.g. \"Phone\"."))
    kind = SelectField(_l("Shifts in the feed"), validators=[InputRequired()])


class ConfirmForm(OnceForm):
    """One button."""
