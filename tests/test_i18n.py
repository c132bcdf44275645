"""Every user-facing string has a Danish translation, and the switch and dates work."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


#: The gettext functions of the code and templates, with where their context and strings are.
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "lazy_npgettext": ((1, "c"), 2, 3)}


def key(context: str | None, msgid: str) -> str:
    """One message as gettext names it: the msgid, or the context and the msgid joined by EOT."""
    return msgid if context is None else f"{context}\x04{msgid}"


def _extracted() -> dict[str, tuple[str, int]]:
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
    ):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(key(context, msgid), (filename, lineno))
    return found


def _catalogues() -> dict[str, dict[str, str]]:
    """Each area's Danish strings: {area: {key: translation}} (a plural's forms in order)."""
    areas = {}
    for po in sorted((ROOT / "translations").glob("*/da/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="da")
        strings = areas.setdefault(po.relative_to(ROOT / "translations").parts[0], {})
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            translated = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(translated):
                continue
            for i, msgid in enumerate(ids):
                strings[key(message.context, msgid)] = translated[min(i, len(translated) - 1)]
    return areas


def _danish() -> dict[str, object]:
    merged = {}
    for strings in _catalogues().values():
        merged.update(strings)
    return merged


def conflicting_translations(areas: dict[str, dict[str, str]]) -> list[str]:
    """Strings translated differently in two catalogues: Flask-Babel merges the catalogues and
    one silently wins on every page, so each msgid (within its context) has one Danish."""
    seen: dict[str, dict[str, str]] = {}
    for area, strings in areas.items():
        for msg, translated in strings.items():
            seen.setdefault(msg, {})[area] = translated
    return sorted(f"{msg!r}: " + "; ".join(f"{area}: {text!r}" for area, text in sorted(by_area.items()))
                  for msg, by_area in seen.items() if len(set(by_area.values())) > 1)


def missing_translations(extracted: dict, danish: dict) -> list[str]:
    return sorted(f"{where[0]}:{where[1]}: {msgid!r}" for msgid, where in extracted.items() if msgid not in danish)


def test_every_string_has_a_danish_translation():
    missing = missing_translations(_extracted(), _danish())
    assert not missing, "missing from the Danish catalogue:\n" + "\n".join(missing)


def test_one_translation_per_string_across_the_catalogues():
    conflicts = conflicting_translations(_catalogues())
    assert not conflicts, ("translated differently in two catalogues (use one wording, or a context "
                           "with pgettext where the word really differs):\n" + "\n".join(conflicts))


def test_the_conflict_check_reports_two_translations_and_respects_contexts():
    areas = {"shifts": {"Training": "Oplæring", key("weekdays", "On"): "På"},
             "stock": {"Training": "Undervisning", "On": "Til"}}
    assert conflicting_translations(areas) == ["'Training': shifts: 'Oplæring'; stock: 'Undervisning'"]


def test_contexts_are_extracted_and_translated():
    extracted, danish = _extracted(), _danish()
    assert key("weekdays", "On") in extracted
    assert danish[key("weekdays", "On")] == "På" and danish["On"] == "Til"


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
    assert b"Hej Dorte" in r.data


#: Words never used for the people the NGO helps (the glossary: "the people we help" / "de
#: mennesker, vi hjælper"), in the Danish strings and in the English msgids.
FORBIDDEN_DANISH = re.compile(r"\b(klient\w*|borger(e|en|ne)?|offer(et)?|ofre(ne)?)\b", re.IGNORECASE)
FORBIDDEN_ENGLISH = re.compile(r"\bclients?\b", re.IGNORECASE)
#: The glossary's one word per thing: an English word in a msgid → the Danish that must be in its translation.
GLOSSARY = [
    (re.compile(r"\bedit\b", re.I), re.compile(r"redigér|redigere", re.I)),
    (re.compile(r"\boptional\b", re.I), re.compile(r"valgfri", re.I)),
    (re.compile(r"\bstaff\b", re.I), re.compile(r"medarbejder", re.I)),
    (re.compile(r"\bexpiry\b|\buse by\b", re.I), re.compile(r"udløb", re.I)),
]
#: Danish the glossary rules out (an invented or misleading word for something it names).
NOT_DANISH = re.compile(r"\b(personalet|madpakke\w*|fortrydelse|frivilligt\b(?=,|\))|brug før)", re.IGNORECASE)


def forbidden_words(danish: dict[str, str]) -> list[str]:
    found = [f"Danish {text!r} (for {msgid!r})" for msgid, text in danish.items()
             if FORBIDDEN_DANISH.search(text) or NOT_DANISH.search(text)]
    found += [f"English msgid {msgid!r}" for msgid in danish if FORBIDDEN_ENGLISH.search(msgid)]
    return sorted(found)


def test_the_people_we_help_are_named_with_care():
    assert not forbidden_words(_danish()), "\n".join(forbidden_words(_danish()))
    assert not [msgid for msgid in _extracted() if FORBIDDEN_ENGLISH.search(msgid)]


def test_the_check_finds_clients_and_citizens():
    assert forbidden_words({"No names of clients.": "Ingen navne på klienter.",
                            "A citizen we help": "En borger, vi hjælper", "Victims": "Ofre"}) == [
        "Danish 'En borger, vi hjælper' (for 'A citizen we help')", "Danish 'Ingen navne på klienter.' (for "
        "'No names of clients.')", "Danish 'Ofre' (for 'Victims')", "English msgid 'No names of clients.'"]


def test_the_glossary_words_are_used():
    wrong = [f"{msgid!r} → {text!r}" for msgid, text in _danish().items()
             for english, danish in GLOSSARY if english.search(msgid) and not danish.search(text)]
    assert not wrong, "\n".join(wrong)


#: The review's worst strings (issue 14), as they read now.
CORRECTED = {
    "You are on it": "Tilmeldt",
    "Cancellation requested": "Har bedt om afmelding",
    "Erasure requested": "Har bedt om sletning",
    "Who is on it": "Hvem er på vagten",
    "Keep going (shifts are made 12 weeks ahead)": "Uden slutdato (vagter oprettes 12 uger frem)",
    "Undo of movement %(id)s": "Tilbageførsel af lagerbevægelse %(id)s",
    "Your sign-up is cancelled.": "Du er afmeldt.",
    "Finish the count? Differences become count movements.":
        "Vil du afslutte optællingen? Forskellene bliver til lagerbevægelser.",
    "The minimum cannot be above the maximum.": "Det mindste antal kan ikke være større end det højeste.",
    "Hello, %(name)s": "Hej %(name)s",
    "Use by": "Udløbsdato",
    "Edit qualification": "Redigér kvalifikation",
    "Repeat every 1 to 52 periods.": "Intervallet skal være fra 1 til 52 (dage, uger eller måneder).",
}


def test_the_worst_strings_are_corrected():
    danish = _danish()
    assert {msgid: danish.get(msgid) for msgid in CORRECTED} == CORRECTED
    assert "tæller kun som bemandet" in danish[
        "The next 14 days. Street outreach counts as staffed only with at least 2 people (a buddy)."]
    assert "koordinatoren finder" in danish[
        "It is too late to cancel yourself. Ask a coordinator to let you off; they will find cover."]
    once = [text for text in danish.values() if re.search(r"én gang i (en time|7 dage)", text)]
    assert not once, once  # "works once, for one hour" is not "once an hour"
    links = [danish[m] for m in danish if "works once, for" in m]
    assert links and all("kan bruges én gang og virker i" in text for text in links)


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
