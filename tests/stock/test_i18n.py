"""Every string of the stock area has a Danish translation with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue():
    merged = {}
    for po in (ROOT / "translations").glob("*/da/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string:
                    merged[message.id if isinstance(message.id, str) else message.id[0]] = message.string
    return merged


def _extracted():
    found = {}
    sources = (("logistics/stock", "python"), ("blueprints/stock", "python"), ("templates/stock", "jinja2"))
    for folder, method in sources:
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                ROOT / folder, method_map=[(pattern, method)], keywords=KEYWORDS,
                options_map={pattern: {}} if method == "python" else {pattern: {"extensions": "jinja2.ext.i18n"}}):
            key = message if isinstance(message, str) else message[0]
            found[key] = message
    return found


def test_every_stock_string_has_a_danish_translation():
    da = _catalogue()
    extracted = _extracted()
    assert len(extracted) > 200
    missing = sorted(k for k in extracted if k not in da)
    assert not missing, missing
    for key, message in extracted.items():
        translated = da[key]
        originals = [message] if isinstance(message, str) else list(message)
        targets = [translated] if isinstance(translated, str) else list(translated)
        for original, target in zip(originals, targets, strict=False):
            assert set(PLACEHOLDER.findall(original)) == set(PLACEHOLDER.findall(target)), key
