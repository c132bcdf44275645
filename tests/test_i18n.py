"""Every user-facing string has a Danish translation, and the switch and dates work."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def _extracted() -> dict[str, tuple[str, int]]:
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "lazy_gettext": None,
                                                       "_l": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2)},
    ):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, (filename, lineno))
    return found


def _danish() -> dict[str, object]:
    merged = {}
    for po in sorted((ROOT / "translations").glob("*/da/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="da")
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for i, msgid in enumerate(ids):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                translated = strings[min(i, len(strings) - 1)] if strings else ""
                if translated and not message.fuzzy:
                    merged[msgid] = translated
    return merged


def missing_translations(extracted: dict, danish: dict) -> list[str]:
    return sorted(f"{where[0]}:{where[1]}: {msgid!r}" for msgid, where in extracted.items() if msgid not in danish)


def test_every_string_has_a_danish_translation():
    missing = missing_translations(_extracted(), _danish())
    assert not missing, "missing from the Danish catalogue:\n" + "\n".join(missing)


def test_placeholders_match():
    danish = _danish()
    wrong = [msgid for msgid in _extracted() if msgid in danish
             and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(danish[msgid]))]
    assert not wrong, f"placeholders differ in: {wrong}"


def test_the_check_reports_a_string_without_translation():
    extracted = dict(_extracted())
    extracted["A sentence nobody has translated yet"] = ("templates/new.html", 3)
    expected = ["templates/new.html:3: 'A sentence nobody has translated yet'"]
    assert missing_translations(extracted, _danish()) == expected


def test_language_switch_and_browser_language(client):
    assert b"Log in" in client.get("/login").data
    r = client.get("/login", headers={"Accept-Language": "da-DK,da;q=0.9"})
    assert b"Log ind" in r.data
    client.post("/language", data={"lang": "en", "next": "/login"})
    r = client.get("/login", headers={"Accept-Language": "da"})
    assert b"Log in" in r.data


def test_profile_language_wins(client, login, app):
    from logistics.extensions import db
    from tests import factories

    with app.app_context():
        user = factories.user("volunteer", locale="da", full_name="Dorte Dansk")
        db.session.commit()
    login(user)
    r = client.get("/", headers={"Accept-Language": "en"})
    assert b"Hej, Dorte" in r.data


def test_templates_look_the_catalogue_up_once_and_follow_force_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale

    from logistics import i18n

    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        assert render_template_string("{{ _('My shifts') }}") == "Mine vagter"
        first = i18n.translations()
        assert i18n.translations() is first
        with force_locale("en_GB"):
            assert render_template_string("{{ _('My shifts') }}") == "My shifts"
        assert render_template_string("{{ _('My shifts') }}") == "Mine vagter"
