"""Languages of the interface (English and Danish) and locale-aware formatting.

The catalogues live under ``translations/<area>/`` as ``.po`` files; they are compiled into
the instance folder when the app starts (only those whose ``.po`` changed), never into the
source tree.

Dates and times are written in ONE set of formats per language, all here (:data:`FORMATS`):
pages, messages from the domain, exports for people and emails call these functions (the
templates through the ``date``, ``day``, ``time``, ``datetime``, ``month`` and ``span``
filters), never Babel's "short"/"medium" styles or ``strftime``. English pages use British
conventions ("Thu 3 Dec", "3 Dec 2026", "16:00"); Danish ones the glossary's
("tors. 3. dec.", "3. dec. 2026", "16.00").
"""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.dates import get_day_names as _babel_day_names
from babel.numbers import format_decimal as _babel_decimal
from flask import Flask

from logistics.clock import to_local
from logistics.extensions import babel

#: The formats of each interface language: the Babel locale for names of days and months,
#: and the CLDR patterns. ``datetime`` joins a date and a time; ``span`` two times.
FORMATS: dict[str, dict[str, str]] = {
    "en": {"locale": "en_GB", "date": "d MMM y", "day": "EEE d MMM", "day_long": "EEEE d MMMM",
           "time": "HH:mm", "month": "MMMM y", "datetime": "{date}, {time}", "span": "{start}\u2013{end}",
           "month_short": "MMM", "month_short_year": "MMM yy"},
    "da": {"locale": "da_DK", "date": "d. MMM y", "day": "EEE d. MMM", "day_long": "EEEE d. MMMM",
           "time": "HH.mm", "month": "MMMM y", "datetime": "{date} kl. {time}", "span": "{start}\u2013{end}",
           "month_short": "MMM", "month_short_year": "MMM yy"},
}
LANGUAGES = tuple(FORMATS)


def babel_locale(language: str) -> str:
    """The Babel locale that formats pages in ``language`` ("en" → British English)."""
    return FORMATS.get(language, FORMATS["en"])["locale"]


def _babel_slot():
    """Flask-Babel's per-context slot (``g._flask_babel``: the locale and catalogue it chose),
    read through Flask's context variable: pages ask for the language and the catalogue
    hundreds of times (every ``_()``, every date), and each proxy lookup of ``g`` costs more
    than the answer. None outside an app context, or before Flask-Babel made the slot."""
    from flask.globals import _cv_app

    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.g.__dict__.get("_flask_babel")


def current_locale():
    """The Babel locale of the page (or email) being made (Flask-Babel's ``get_locale``, read
    from its slot when it has chosen)."""
    from flask_babel import get_locale

    return getattr(_babel_slot(), "babel_locale", None) or get_locale()


def current_language() -> str:
    """The language of the page (or email) being made: "en" or "da"."""
    from flask_babel import get_locale

    # The locale Flask-Babel chose (or ``force_locale`` set) for this context, when it has.
    locale = getattr(_babel_slot(), "babel_locale", None) or get_locale()
    language = locale.language if locale is not None else "en"
    return language if language in FORMATS else "en"


def localized(base, danish):
    """What an organisation named in two languages shows: ``danish`` on a Danish page (or
    email) when it is given, else ``base`` (the first, usually English, name). Outside a
    request or an app context (a script), ``base``."""
    if not danish:
        return base
    try:
        return danish if current_language() == "da" else base
    except RuntimeError:
        return base


@functools.lru_cache(maxsize=8192)
def _date(value: dt.date, kind: str, language: str) -> str:
    spec = FORMATS[language]
    return _babel_date(value, spec[kind], locale=spec["locale"])


@functools.lru_cache(maxsize=2048)
def _clock(hour: int, minute: int, language: str) -> str:
    spec = FORMATS[language]
    return _babel_time(dt.time(hour, minute), spec["time"], locale=spec["locale"])


def _local(value):
    """A date stays a date; an aware datetime is shown in the organisation's zone (a naive
    one is already a local wall-clock time)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return to_local(value)
    return value


def _as_date(value) -> dt.date:
    value = _local(value)
    return value.date() if isinstance(value, dt.datetime) else value


def format_date(value, language: str | None = None) -> str:
    """"3 Dec 2026" / "3. dec. 2026"."""
    if value is None:
        return ""
    return _date(_as_date(value), "date", language or current_language())


def format_day(value, language: str | None = None) -> str:
    """A weekday and date without the year: "Thu 3 Dec" / "tors. 3. dec."."""
    if value is None:
        return ""
    return _date(_as_date(value), "day", language or current_language())


def format_day_long(value, language: str | None = None) -> str:
    """A day as a heading: "Thursday 3 December" / "torsdag 3. december"."""
    if value is None:
        return ""
    return _date(_as_date(value), "day_long", language or current_language())


def format_month(value, language: str | None = None) -> str:
    """"December 2026" / "december 2026"."""
    if value is None:
        return ""
    return _date(_as_date(value).replace(day=1), "month", language or current_language())


def format_month_short(value, language: str | None = None, *, with_year: bool = False) -> str:
    """"Dec" / "dec." (a chart's or a table's month column); "Dec 26" ``with_year``."""
    if value is None:
        return ""
    return _date(_as_date(value).replace(day=1), "month_short_year" if with_year else "month_short",
                 language or current_language())


def format_time(value, language: str | None = None) -> str:
    """The time of day: "16:00" / "16.00" (a datetime in the organisation's zone)."""
    if value is None:
        return ""
    value = _local(value)
    return _clock(value.hour, value.minute, language or current_language())


def format_datetime(value, language: str | None = None) -> str:
    """An instant: "3 Dec 2026, 16:00" / "3. dec. 2026 kl. 16.00"."""
    if value is None:
        return ""
    language = language or current_language()
    return FORMATS[language]["datetime"].format(date=format_date(value, language), time=format_time(value, language))


def format_span(start, end, language: str | None = None) -> str:
    """From one time to another: "16:00–20:00" / "16.00–20.00"."""
    language = language or current_language()
    return FORMATS[language]["span"].format(start=format_time(start, language), end=format_time(end, language))


def weekday_names(language: str | None = None, *, width: str = "abbreviated") -> list[str]:
    """Weekday names, Monday first: short for a calendar's columns ("Mon" / "man."), or
    "wide" in a sentence ("Friday" / "fredag")."""
    names = _babel_day_names(width, locale=babel_locale(language or current_language()))
    return [names[i] for i in range(7)]


def format_hours(value, language: str | None = None) -> str:
    """A number of hours with at most one decimal: "3.5" / "3,5"."""
    if value is None:
        return ""
    return _babel_decimal(round(float(value), 1), "0.#", locale=babel_locale(language or current_language()))


def format_number(value, language: str | None = None, *, decimals: int = 3, grouping: bool = True) -> str:
    """A number a person reads, in the page's locale: "1,234.5" / "1.234,5" (at most
    ``decimals`` decimals, no trailing zeros). Without ``grouping`` for a form's input
    ("1234,5"): a thousands separator would read back as a decimal sign."""
    if value is None:
        return ""
    pattern = ("#,##0" if grouping else "0") + ("." + "#" * decimals if decimals else "")
    return _babel_decimal(Decimal(str(value)), pattern, locale=babel_locale(language or current_language()))


def format_day_span(start, end, language: str | None = None) -> str:
    """A shift's day and times: "Thu 3 Dec, 16:00–20:00" / "tors. 3. dec. kl. 16.00–20.00"."""
    language = language or current_language()
    return FORMATS[language]["datetime"].format(date=format_day(start, language),
                                                time=format_span(start, end, language))

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


def translations():
    """The page's catalogue, looked up once per app context: kept in Flask-Babel's own slot
    (``babel_translations``), which ``force_locale`` and ``refresh`` reset, so an email in
    another language still gets its own. Templates call it for every ``_()``."""
    from flask.globals import _cv_app
    from flask_babel import get_translations

    cached = getattr(_babel_slot(), "babel_translations", None)
    if cached is None:
        cached = get_translations()
        if _cv_app.get(None) is not None:  # get_translations made the slot
            _babel_slot().babel_translations = cached
    return cached


def init_app(app: Flask, locale_selector=None) -> None:
    folders = compile_catalogues(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(folders))
    babel.init_app(app, locale_selector=locale_selector)
    # Flask-Babel's template callables look the catalogue up on every call (context, domain,
    # locale); these use the one looked up for the page.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
