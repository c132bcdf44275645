"""Languages of the interface (English and Danish) and locale-aware formatting.

The catalogues live under ``translations/<area>/`` as ``.po`` files; they are compiled into
the instance folder when the app starts (only those whose ``.po`` changed), never into the
source tree.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from logistics.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
#: One catalogue folder per area under translations/, merged by Flask-Babel.
TRANSLATION_ROOT = ROOT / "translations"


def compile_catalogues(target: Path) -> list[str]:
    """Compile every ``translations/<area>/<lang>/LC_MESSAGES/messages.po`` into ``target``
    (same layout) when its ``.mo`` is missing or older; return the catalogue folders."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folders = set()
    for po in sorted(TRANSLATION_ROOT.glob("*/*/LC_MESSAGES/messages.po")):
        relative = po.relative_to(TRANSLATION_ROOT)
        mo = (target / relative).with_suffix(".mo")
        folders.add(str(target / relative.parts[0]))
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(f".mo.{id(catalog)}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)  # atomic: a second process starting at the same moment reads a whole file
    return sorted(folders)


def init_app(app: Flask, locale_selector=None) -> None:
    folders = compile_catalogues(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(folders))
    babel.init_app(app, locale_selector=locale_selector)
