"""Shared form helpers for all blueprints."""
from __future__ import annotations

import secrets

import wtforms
from flask import flash
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectMultipleField, ValidationError
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, Select

from logistics.errors import DomainError
from logistics.people.services import phone_problem

#: Help text on every free-text field that could be misused for details of the people we help; the field
#: macro shows it as a visible warning (the privacy rule: no identities of the people we help anywhere).
NO_NAMES = _l("No names or details of the people we help.")
NO_NAMES_KW = {"data-no-names": "1"}


class CatalogueTranslations:
    """WTForms' and Flask-WTF's own messages ("This field is required.", "Not a valid date
    value.", the CSRF refusals) in the page's language, from our catalogues
    (``translations/forms/``): WTForms ships no Danish. English pages get them unchanged."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = CatalogueTranslations()


class _Meta:
    def get_translations(self, form):
        return TRANSLATIONS


class Form(FlaskForm):
    """The base of every form of a page (a GET filter form too): its built-in messages are
    translated. A test fails on a form that subclasses ``FlaskForm`` directly."""

    Meta = _Meta


class SubForm(wtforms.Form):
    """The rows of a ``FieldList(FormField(...))``: translated like the form they are in."""

    Meta = _Meta


class OnceField(HiddenField):
    """The form's one-time token: a fresh one each time the form is drawn (a form shown
    again after an error can be sent again), required when it is sent. The request hook in
    blueprints/once.py claims it before the view runs."""

    def _value(self) -> str:
        return secrets.token_urlsafe(24)

    def pre_validate(self, form) -> None:
        if not self.data:
            raise ValidationError(str(_l("The form is incomplete. Reload the page and try again.")))


#: Hidden fields with no attributes but id, name and value (OnceForm.hidden_tag writes them).
_PLAIN_HIDDEN = (OnceField, CSRFTokenField)


class OnceForm(Form):
    """Every form that changes something: CSRF and a one-time token, so a double click, a
    resent form or identical requests at once record one change, not several."""

    once = OnceField()

    def hidden_tag(self, *fields):
        """Flask-WTF's hidden_tag, the same HTML, with the CSRF and one-time token inputs
        written directly (pages with a form per row, as Open shifts, draw it dozens of times
        and the widget machinery was a tenth of the page's time)."""
        if fields:
            return super().hidden_tag(*fields)
        parts = []
        for f in self:
            if type(f) in _PLAIN_HIDDEN:
                parts.append(f'<input id="{escape(f.id)}" name="{escape(f.name)}" type="hidden" '
                             f'value="{escape(f._value())}">')
            elif isinstance(f.widget, HiddenInput):
                parts.append(Markup(str(f)))
        return Markup("\n".join(parts))


#: The optional Danish name of something an organisation names (an activity, place, item,
#: location or product group): shown on Danish pages instead of the name when it is set.
NAME_DA_HELP = _l("Optional: shown on Danish pages instead of the name.")


def danish_name_field(max_length: int):
    """The optional "Name in Danish" field of a form that names something."""
    from wtforms import StringField
    from wtforms.validators import Length, Optional

    return StringField(_l("Name in Danish"), [Optional(), Length(max=max_length)], description=NAME_DA_HELP)


def show_stored(form, obj, *names: str) -> None:
    """Fill ``names`` with what is stored (the first name), not what the page's language
    shows (``bilingual`` attributes): the form edits the stored value."""
    if obj is not None:
        for name in names:
            getattr(form, name).data = getattr(obj, f"{name}_en")


def options(pairs) -> list[SelectChoice]:
    """Form choices from (value, label) pairs (WTForms 3.3 wants SelectChoice objects)."""
    return [SelectChoice(value, label) for value, label in pairs]


class QuickSelect(Select):
    """WTForms' select with its plain options written directly (the same HTML: ``selected``
    before ``value``, both escaped) rather than through ``html_params`` for each: the pages
    that show a filter on every view (open shifts, the calendars) list every activity."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (the ``field`` macro draws them as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def phone_number(form, field) -> None:
    """A phone number we can use (the rule lives in logistics.people.services)."""
    problem = phone_problem(field.data)
    if problem:
        raise ValidationError(problem)


def apply_error(form, exc: DomainError) -> None:
    """Put a domain error on its field, or flash it when it belongs to the whole form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)
        flash(exc.message, "error")
