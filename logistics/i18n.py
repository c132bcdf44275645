"""Languages of the interface (English and Danish) and locale-aware formatting."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from logistics.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
#: One catalogue folder per area under translations/, merged by Flask-Babel.
TRANSLATION_ROOT = ROOT / "translations"


def translation_directories() -> list[str]:
    return sorted(str(p) for p in TRANSLATION_ROOT.iterdir() if p.is_dir()) if TRANSLATION_ROOT.exists() else []


def compile_catalogues() -> None:
    """Compile every ``messages.po`` to ``messages.mo`` when the .mo is missing or older."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATION_ROOT.glob("*/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)


def init_app(app: Flask, locale_selector=None) -> None:
    compile_catalogues()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=locale_selector)
