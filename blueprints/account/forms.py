"""Forms for a person's own account: shape only; the rules are in logistics.people."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from blueprints.forms import MultiCheckboxField, OnceForm, options, phone_number  # noqa: F401 - re-exported
from logistics.people.passwords import MAX_LENGTH, MIN_LENGTH


class ProfileForm(OnceForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                            render_kw={"autocomplete": "name"})
    display_name = StringField(
        _l("Name others see"), validators=[Optional(), Length(max=60)],
        description=_l("Others on a shift see only this name. Leave it empty to use your first name."),
        render_kw={"autocomplete": "nickname"})
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=32), phone_number],
                     description=_l("Only coordinators and admins see it."),
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    locale = SelectField(_l("Language of this website"), choices=options([("en", "English"), ("da", "Dansk")]),
                         validators=[DataRequired()])
    languages = MultiCheckboxField(_l("Languages you speak"), choices=[], validate_choice=True)


class PasswordForm(OnceForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("New password"),
        description=_l("At least %(n)d characters. A few unrelated words make a good password.", n=MIN_LENGTH),
        validators=[DataRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class ConfirmPasswordForm(OnceForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class ButtonForm(OnceForm):
    """A form with nothing but its CSRF token, for one-button actions."""
