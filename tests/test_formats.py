"""One set of date and time formats per language, in one place (logistics.i18n.FORMATS):
British English and the glossary's Danish, used by every page and message."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from logistics import i18n

ROOT = Path(__file__).resolve().parent.parent
#: 3 Dec 2026 16:00 in Copenhagen (winter, UTC+1); 2 Jul 2026 09:05 (summer, UTC+2).
WINTER = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 2, 7, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize("language,expected", [
    ("en", ("3 Dec 2026", "Thu 3 Dec", "16:00", "3 Dec 2026, 16:00", "December 2026", "Thu 3 Dec, 16:00–20:00")),
    ("da", ("3. dec. 2026", "tors. 3. dec.", "16.00", "3. dec. 2026 kl. 16.00", "december 2026",
            "tors. 3. dec. kl. 16.00–20.00")),
])
def test_the_formats_of_each_language(app_ctx, language, expected):
    end = WINTER + dt.timedelta(hours=4)
    assert (i18n.format_date(WINTER, language), i18n.format_day(WINTER, language), i18n.format_time(WINTER, language),
            i18n.format_datetime(WINTER, language), i18n.format_month(WINTER, language),
            i18n.format_day_span(WINTER, end, language)) == expected


def test_instants_are_shown_in_copenhagen_time_summer_and_winter(app_ctx):
    assert i18n.format_datetime(SUMMER, "en") == "2 Jul 2026, 09:05"
    assert i18n.format_time(WINTER, "da") == "16.00"
    # A date, and a naive (already local) wall-clock time, are taken as they are.
    assert i18n.format_date(dt.date(2027, 2, 28), "en") == "28 Feb 2027"
    assert i18n.format_time(dt.datetime(2026, 12, 3, 21, 30), "en") == "21:30"
    assert i18n.format_date(None) == "" and i18n.format_datetime(None) == ""


def test_the_page_language_is_used_when_none_is_given(app):
    with app.test_request_context(), force_locale("da_DK"):
        assert i18n.format_day(WINTER) == "tors. 3. dec."
    with app.test_request_context(), force_locale("en_GB"):
        assert i18n.format_day(WINTER) == "Thu 3 Dec"


def test_filters_render_the_same_formats(app):
    with app.test_request_context(), force_locale("en_GB"):
        env = app.jinja_env
        out = env.from_string("{{ t|date }}|{{ t|day }}|{{ t|time }}|{{ t|datetime }}|{{ t|month }}|"
                              "{{ day_span(t, e) }}").render(t=WINTER, e=WINTER + dt.timedelta(hours=4))
    assert out == "3 Dec 2026|Thu 3 Dec|16:00|3 Dec 2026, 16:00|December 2026|Thu 3 Dec, 16:00–20:00"


def test_no_page_or_module_formats_dates_its_own_way():
    """Templates pass no style to the date filters; only logistics/i18n.py calls Babel's date
    functions (a style such as "short" gave "08/12/2026" beside "29 Aug 2026")."""
    styled = re.compile(r"\|\s*(date|datetime|time|day|month)\s*\(")
    bad = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.*")
           if p.suffix in (".html", ".txt") and styled.search(p.read_text(encoding="utf-8"))]
    babel_dates = re.compile(r"import.*\bformat_(date|datetime|time|skeleton)\b|from babel\.dates import")
    for package in ("logistics", "blueprints"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "i18n.py" and path.parent.name == "logistics":
                continue
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines():
                if babel_dates.search(line) and "logistics.i18n" not in line and "email.utils" not in line:
                    bad.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not bad, "format dates through logistics.i18n:\n" + "\n".join(bad)
