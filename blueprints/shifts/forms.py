"""Shift forms: types and ranges only; the rules live in logistics.shifts (rules, signups, planning)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import TextInput

from blueprints.fields import DateField, DateTimeLocalField, IdField, InstantField, IntegerField, optional_id
from blueprints.forms import (
    NO_NAMES,
    NO_NAMES_KW,
    Form,
    MultiCheckboxField,
    OnceForm,
    QuickSelect,
    SubForm,
    danish_name_field,
    options,
)
from blueprints.shifts.labels import (
    ACTIVITY_KIND_LABELS,
    COLOUR_LABELS,
    MONTH_WEEK_LABELS,
    PLACE_KIND_LABELS,
    WEEKDAY_LABELS,
)
from logistics.i18n import format_number
from logistics.shifts.models import COLOURS


class ActionForm(OnceForm):
    """A button that changes something: only the CSRF token."""


class CancelRequestForm(OnceForm):
    reason = TextAreaField(_l("Why (optional; no names of the people we help)"),
                           validators=[Optional(), Length(max=500)])


class FilterForm(Form):
    """Open shifts: which activity, which days, and kinds the volunteer never takes. The
    activity and the hidden kinds are remembered (``filter`` marks a form that was sent)."""

    class Meta:
        csrf = False

    activity = SelectField(_l("Activity"), coerce=optional_id, default=0, validators=[Optional()],
                           widget=QuickSelect())
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    hide = MultiCheckboxField(_l("Hide shifts of these kinds"), choices=[], validate_choice=False)
    filter = HiddenField(default="1")


class CalendarFilterForm(Form):
    """The calendars' activity (remembered)."""

    class Meta:
        csrf = False

    activity = SelectField(_l("Activity"), coerce=optional_id, default=0, validators=[Optional()],
                           widget=QuickSelect())


class ActivityForm(OnceForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    name_da = danish_name_field(80)
    kind = SelectField(_l("Kind"), choices=options((k.value, label) for k, label in ACTIVITY_KIND_LABELS.items()))
    colour = RadioField(_l("Colour"), choices=options((c, COLOUR_LABELS[c]) for c in COLOURS), default="teal")
    briefing = TextAreaField(_l("Briefing"), validators=[Optional(), Length(max=5000)],
                             description=_l("Meeting point, what to bring, who to call. "
                                            "Never names of the people we help."))
    briefing_da = TextAreaField(_l("Briefing in Danish"), validators=[Optional(), Length(max=5000)],
                                description=_l("Optional: shown on Danish pages instead of the briefing."))
    qualifications = MultiCheckboxField(_l("Required qualifications"), coerce=optional_id, choices=[])
    capacity_min = IntegerField(_l("People needed"), default=1, validators=[InputRequired()])
    capacity_max = IntegerField(_l("Places (maximum)"), default=2, validators=[InputRequired()])
    cancel_cutoff_hours = IntegerField(_l("Volunteers can cancel until (hours before)"), default=24,
                                       validators=[InputRequired()])
    signup_opens_days = IntegerField(_l("Sign-up opens (days before)"), default=56, validators=[InputRequired()])
    is_discreet = BooleanField(_l("Discreet: calendars and reminders show a neutral title and no place"))
    is_active = BooleanField(_l("Active"), default=True)


class PlaceForm(OnceForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    name_da = danish_name_field(80)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=options((k.value, label) for k, label in PLACE_KIND_LABELS.items()))
    is_sensitive = BooleanField(_l("Sensitive: only coordinators and people on the shift see the address"))
    is_active = BooleanField(_l("Active"), default=True)


class ShiftForm(OnceForm):
    activity = SelectField(_l("Activity"), coerce=optional_id, validators=[InputRequired()])
    place = SelectField(_l("Place"), coerce=optional_id, default=0)
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    capacity_min = IntegerField(_l("People needed"), validators=[InputRequired()])
    capacity_max = IntegerField(_l("Places (maximum)"), validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)], description=NO_NAMES,
                       render_kw=NO_NAMES_KW)


class SeriesForm(OnceForm):
    activity = SelectField(_l("Activity"), coerce=optional_id, validators=[InputRequired()])
    place = SelectField(_l("Place"), coerce=optional_id, default=0)
    freq = RadioField(_l("Repeats"), default="weekly",
                      choices=options([("daily", _l("Daily")), ("weekly", _l("Weekly")),
                                       ("monthly", _l("Monthly, on weekdays"))]))
    interval = IntegerField(_l("Every"), default=1, validators=[InputRequired()],
                            description=_l("1 = every day/week/month, 2 = every other one, …"))
    #: "Show the next dates": the form comes back with the shifts it would make, unsaved.
    preview = StringField()
    weekdays = MultiCheckboxField(lazy_pgettext("weekdays", "On"), choices=options(WEEKDAY_LABELS))
    month_weeks = MultiCheckboxField(_l("Weeks of the month (monthly)"), choices=options(MONTH_WEEK_LABELS))
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()],
                         description=_l("An end before the start means the shift runs past midnight."))
    ends = RadioField(_l("Ends"), default="none",
                      choices=options([("none", _l("Keep going (shifts are made 12 weeks ahead)")),
                                       ("until", _l("On a date")), ("count", _l("After a number of shifts"))]))
    until = DateField(_l("Last day"), validators=[Optional()])
    count = IntegerField(_l("Number of shifts"), validators=[Optional()])
    #: Blank: the activity's numbers (filled in as the activity is chosen, with JavaScript).
    capacity_min = IntegerField(_l("People needed"), validators=[Optional()])
    capacity_max = IntegerField(_l("Places (maximum)"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)], description=NO_NAMES,
                       render_kw=NO_NAMES_KW)

    def validate(self, extra_validators=None) -> bool:
        """The last day or the number of shifts is required when "Ends" chooses it."""
        if not super().validate(extra_validators):
            return False
        if self.ends.data == "until" and self.until.data is None:
            self.until.errors.append(_("Give the last day."))
            return False
        if self.ends.data == "count" and not self.count.data:
            self.count.errors.append(_("The number of shifts must be at least 1."))
            return False
        return True


class AssignForm(OnceForm):
    #: The choices are the people the rules let take the shift (the view sets them); there is
    #: no default, so nobody is put on a shift by an unnoticed first name in a list.
    user_id = RadioField(_l("Person"), coerce=optional_id, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose who to put on the shift."))])
    over_capacity = BooleanField(_l("Over capacity: add them even if the shift is full"))


class HoursField(DecimalField):
    """A finite number typed as text, with a decimal point or comma ("2,5"); empty is None."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(",", ".")
        self.data = None
        if not raw:
            return
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise ValueError(_("Enter hours as a number, such as 3.5."))
        self.data = value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data, decimals=2, grouping=False)  # "3,5" on a Danish page


class AttendanceRow(SubForm):
    """One confirmed person; empty hours mean the shift's length."""

    signup_id = IdField(validators=[InputRequired()])
    attended = BooleanField()
    hours = HoursField(places=2)


class AttendanceForm(OnceForm):
    rows = FieldList(FormField(AttendanceRow))


class CoverForm(OnceForm):
    activity_id = IdField(validators=[InputRequired()])
    starts_at = InstantField(validators=[InputRequired()])
    ends_at = InstantField(validators=[InputRequired()])

