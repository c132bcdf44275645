"""WTForms' own messages (a required field, a date or number that is not one, an email
address, a choice) come in the page's language: WTForms ships no Danish, so our catalogue
(translations/forms/) has them, and every form takes its translations from the catalogues."""
from __future__ import annotations

import glob
import inspect
import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import validators as v

import blueprints
from blueprints.forms import Form, SubForm, options

ROOT = Path(__file__).resolve().parent.parent


def _wtforms_messages() -> set[str]:
    pot = glob.glob(str(Path(wtforms.__file__).parent / "locale" / "wtforms.pot"))[0]
    with open(pot, "rb") as fh:
        ids = {m for message in read_po(fh) if message.id
               for m in (message.id if isinstance(message.id, tuple) else (message.id,))}
    return ids | {"The CSRF token is missing.", "The CSRF session token is missing.", "The CSRF token has expired.",
                  "The CSRF token is invalid.", "The CSRF tokens do not match."}


ENGLISH = _wtforms_messages()
#: An English message, even with its numbers filled in ("Field cannot be longer than 5 characters.").
LOOKS_ENGLISH = re.compile(r"\b(field|valid|invalid|must|number|choice|value|token|required|characters?)\b", re.I)


def test_the_catalogue_has_every_wtforms_message():
    with open(ROOT / "translations/forms/da/LC_MESSAGES/messages.po", "rb") as fh:
        danish = {msgid for m in read_po(fh) if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,))
                  for msgid in (m.id if isinstance(m.id, tuple) else (m.id,))}
    assert not ENGLISH - danish, sorted(ENGLISH - danish)


class Everything(Form):
    class Meta:
        csrf = False

    name = wtforms.StringField("Name", [v.DataRequired()])
    short = wtforms.StringField("Short", [v.Length(min=3, max=5)])
    email = wtforms.EmailField("Email", [v.Email()])
    whole = wtforms.IntegerField("Whole")
    decimal = wtforms.DecimalField("Decimal")
    floating = wtforms.FloatField("Float")
    ranged = wtforms.IntegerField("Ranged", [v.NumberRange(min=1, max=9)])
    day = wtforms.DateField("Day")
    time = wtforms.TimeField("Time")
    when = wtforms.DateTimeLocalField("When", format="%Y-%m-%dT%H:%M")
    choice = wtforms.SelectField("Choice", choices=options([("a", "A"), ("b", "B")]))
    choices = wtforms.SelectMultipleField("Choices", choices=options([("a", "A")]))
    numbers = wtforms.SelectField("Numbers", coerce=int, choices=options([(1, "1")]))
    radio = wtforms.RadioField("Radio", choices=options([("a", "A")]))
    one_of = wtforms.StringField("One of", [v.AnyOf(["x", "y"])])
    url = wtforms.StringField("URL", [v.URL()])
    same = wtforms.StringField("Same", [v.EqualTo("name")])
    required = wtforms.StringField("Required", [v.InputRequired()])


BAD = MultiDict([("name", ""), ("short", "abcdefgh"), ("email", "not-an-email"), ("whole", "zwölf"),
                 ("decimal", "x"), ("floating", "y"), ("ranged", "50"), ("day", "2026-13-45"), ("time", "25:99"),
                 ("when", "tomorrow"), ("choice", "z"), ("choices", "q"), ("choices", "r"), ("numbers", "abc"),
                 ("radio", "zz"), ("one_of", "z"), ("url", "nope"), ("same", "other")])


def _errors(form) -> list[str]:
    form.validate()
    return [str(e) for errors in form.errors.values() for e in errors]


def test_every_built_in_message_is_danish_on_a_danish_page(app):
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        errors = _errors(Everything(formdata=BAD))
    assert len(errors) >= 17, errors
    english = [e for e in errors if e in ENGLISH or LOOKS_ENGLISH.search(e)]
    assert not english, english
    assert "Dette felt skal udfyldes." in errors and "E-mailadressen er ikke gyldig." in errors
    assert "Skriv et helt tal." in errors and "Skriv en gyldig dato." in errors


def test_english_pages_keep_wtforms_english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        errors = _errors(Everything(formdata=BAD))
    assert "This field is required." in errors and "Not a valid integer value." in errors


def test_rows_of_a_field_list_are_translated_too(app):
    class Row(SubForm):
        amount = wtforms.IntegerField("Amount", [v.InputRequired()])

    class Rows(Form):
        class Meta:
            csrf = False

        rows = wtforms.FieldList(wtforms.FormField(Row), min_entries=1)

    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        errors = Rows(formdata=MultiDict([("rows-0-amount", "ti")]))
        errors.validate()
    assert errors.errors == {"rows": [{"amount": ["Skriv et helt tal."]}]}


def test_every_form_of_the_app_is_translated():
    """A page's form subclasses blueprints.forms.Form (or SubForm for rows), not FlaskForm or
    wtforms.Form directly, so its built-in messages are translated."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(blueprints.__path__, "blueprints."):
        importlib.import_module(module.name)
    untranslated = []
    for base, ours in ((FlaskForm, Form), (wtforms.Form, (Form, SubForm))):
        todo = list(base.__subclasses__())
        while todo:
            cls = todo.pop()
            todo.extend(cls.__subclasses__())
            if cls.__module__.startswith("blueprints.") and not issubclass(cls, ours):
                untranslated.append(f"{inspect.getmodule(cls).__name__}.{cls.__name__}")
    assert not untranslated, untranslated


def test_a_danish_volunteer_sees_danish_errors_from_a_real_form(client):
    response = client.post("/login", data={"email": "not-an-email", "password": ""},
                           headers={"Accept-Language": "da"})
    assert response.status_code in (200, 400, 422)
    text = response.get_data(as_text=True)
    assert "E-mailadressen er ikke gyldig." in text or "Dette felt skal udfyldes." in text
    assert not [msg for msg in ENGLISH if msg in text]


@pytest.mark.parametrize("path,data", [
    ("/shifts/activities/new", {"name": "", "kind": "nonsense", "capacity_min": "x", "capacity_max": "",
                                "cancel_cutoff_hours": "", "signup_opens_days": "2"}),
    ("/stock/receive", {"item_id": "abc", "quantity": "", "location_id": "", "expires_on": "2026-02-31",
                        "source_kind": "thief"}),
])
def test_a_danish_coordinator_sees_danish_errors(client, login, path, data):
    login("coordinator", locale="da")
    response = client.post(path, data=data)
    assert response.status_code in (200, 400, 422), response.status_code
    text = response.get_data(as_text=True)
    assert not [msg for msg in ENGLISH if msg in text]
    assert not re.search(r"Not a valid|This field|Invalid|[Mm]ust be|CSRF", text)
    assert "Dette felt skal udfyldes." in text or "Skriv et helt tal." in text or "Vælg en af mulighederne." in text

