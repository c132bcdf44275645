"""Every string on the account and admin pages has a Danish translation with the same placeholders."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["blueprints/account", "blueprints/admin", "templates/account", "templates/admin",
           "logistics/people/queries.py", "logistics/audit/queries.py"]
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _msgids():
    for source in SOURCES:
        path = ROOT / source
        if path.is_file():
            from babel.messages.extract import extract_from_file

            found = ((str(path), *m) for m in extract_from_file("python", str(path), keywords=KEYWORDS))
        else:
            found = extract_from_dir(str(path), METHODS, keywords=KEYWORDS)
        for _filename, _lineno, message, _comments, _context in found:
            yield (message[0] if isinstance(message, tuple) else message), message


def test_every_string_has_a_danish_translation():
    with open(ROOT / "translations/account/da/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    missing, mismatched = [], []
    found = list(_msgids())
    assert len(found) > 200  # the extraction really ran
    for msgid, _message in found:
        entry = catalog.get(msgid)
        if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(msgid)):
                mismatched.append(msgid)
    assert not missing, missing
    assert not mismatched, mismatched
