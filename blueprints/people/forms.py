"""Forms for applying to volunteer and for deciding on applications (shape only)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from blueprints.forms import MultiCheckboxField, OnceForm, phone_number
from logistics.people.queries import language_choices


class ApplicationForm(OnceForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    phone = StringField(
        _l("Phone number"),
        description=_l("Optional. Only coordinators see it."),
        filters=[lambda v: v.strip() if v else v],
        validators=[Optional(), Length(max=32), phone_number],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    languages = MultiCheckboxField(_l("Languages you speak"), choices=[], validate_choice=True)
    availability = TextAreaField(
        _l("When can you help?"),
        description=_l("For example: weekday evenings, one Saturday a month, not in July."),
        validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 3},
    )
    motivation = TextAreaField(
        _l("Why do you want to volunteer with us?"),
        validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 5},
    )
    consent = BooleanField(
        _l("I have read the privacy note and agree that you keep these details to handle my application."),
        validators=[DataRequired(message=_l("We can only handle your application with your consent."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices(str(get_locale()))


class DecisionForm(OnceForm):
    decision = StringField(validators=[DataRequired(), AnyOf(["approve", "reject"])])
    reason = TextAreaField(
        _l("Reason or note"),
        description=_l("Required to reject. Kept for the coordinators; the applicant does not see it."),
        validators=[Length(max=1000)], render_kw={"rows": 2},
    )
