"""Forms for administration: shape only; the rules are in logistics.people and settings."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from blueprints.account.forms import options
from blueprints.account.labels import ROLE_LABELS, STATUS_LABELS
from blueprints.fields import DateField, IntegerField, optional_id
from blueprints.forms import Form, OnceForm
from logistics.people.models import Role


def strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices(roles=tuple(Role)):
    return options((r.value, ROLE_LABELS[r]) for r in roles)


class UserFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField(_l("Name or email"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=options([("", _l("All roles"))]) + role_choices(), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=options([
        ("", _l("All but erased")), ("active", STATUS_LABELS["active"]), ("inactive", STATUS_LABELS["inactive"]),
        ("pending", STATUS_LABELS["pending"]), ("erasure", STATUS_LABELS["erasure"]),
        ("erased", STATUS_LABELS["erased"])]))


class DirectoryFilterForm(Form):
    class Meta:
        csrf = False

    q = SearchField(_l("Name, email or phone"), validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Speaks"), choices=[], validators=[Optional()])
    qualification = SelectField(_l("Qualification"), choices=[], coerce=optional_id, validators=[Optional()])


class RoleForm(OnceForm):
    role = SelectField(_l("Role"), choices=role_choices(), validators=[DataRequired()])


class GrantForm(OnceForm):
    qualification = SelectField(_l("Qualification"), coerce=optional_id, choices=[], validators=[DataRequired()])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()],
                           description=_l("The last day it holds. Leave empty if it does not expire."))


class QualificationForm(OnceForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40),
                                               Regexp(r"^[a-zA-Z0-9_-]+$", message=_l(
                                                   "Use only letters a-z, digits, - and _."))],
                       description=_l("A short key without spaces, e.g. first_aid."))
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=80)])
    name_da = StringField(_l("Name in Danish"), validators=[DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=500)])
    is_active = BooleanField(_l("In use"), default=True,
                             description=_l("Qualifications no longer in use cannot be granted; "
                                            "people keep those they hold."))


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = SearchField(_l("Made by"), validators=[Optional(), Length(max=100)],
                        render_kw={"placeholder": _l("name, email or \"system\"")})
    entity = SelectField(_l("Kind of thing"), choices=[], validators=[Optional()])
    entity_id = StringField(_l("Its number"), validators=[Optional(), Length(max=40)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class SettingsForm(OnceForm):
    require_2fa_privileged = BooleanField(
        _l("Coordinators and admins must use two-factor login"),
        description=_l("They see volunteers' contact details. Switch this off only for a demo."))
    retention_months = IntegerField(
        _l("Retention period in months"),
        description=_l("Accounts without a login for longer than this are listed for an admin to erase."),
        validators=[InputRequired()], minimum=1, maximum=240)
    # Wellbeing limits the sign-up rules apply (logistics.shifts.rules), and hotline cover.
    shifts_hotline_max_hours_per_week = IntegerField(
        _l("Most hotline hours per volunteer in one week"),
        description=_l("Sign-up refuses a hotline shift that would take someone over this."),
        validators=[Optional()], minimum=1, maximum=168)
    shifts_rest_after_night_hours = IntegerField(
        _l("Hours of rest after a night shift"),
        description=_l("No shift this soon after one that touches 00:00–05:00 (0: no rest rule)."),
        validators=[Optional()], minimum=0, maximum=48)
    shifts_hotline_staff_needed = IntegerField(
        _l("People needed on the hotline at every hour"),
        description=_l("The hotline coverage board counts an hour as covered from this many people."),
        validators=[Optional()], minimum=1, maximum=20)
    stock_expiry_warning_days = IntegerField(
        _l("Warn about stock expiring within (days)"),
        description=_l("The expiring list and the start page show lots that expire this soon."),
        validators=[Optional()], minimum=1, maximum=365)
    outreach_checkout_grace_minutes = IntegerField(
        _l("Minutes after street outreach before coordinators hear that someone is not back safe"),
        description=_l("Everyone on a street outreach shift taps \"I'm back safe\" when they are home."),
        validators=[Optional()], minimum=5, maximum=720)

    #: The settings of the shifts and stock areas on this form (blank: left as they are).
    AREA_SETTINGS = ("shifts_hotline_max_hours_per_week", "shifts_rest_after_night_hours",
                     "shifts_hotline_staff_needed", "stock_expiry_warning_days",
                     "outreach_checkout_grace_minutes")


class InviteForm(OnceForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    role = SelectField(_l("Role"), choices=role_choices(), validators=[DataRequired()])
    locale = SelectField(_l("Language of the email"), choices=options([("da", "Dansk"), ("en", "English")]),
                         validators=[DataRequired()])
