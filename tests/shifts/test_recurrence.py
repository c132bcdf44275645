"""Recurring series in plain words, in both languages: the rule the form builds, read back as
people say it (the activities page listed raw RRULEs such as FREQ=MONTHLY;BYDAY=2FR,4FR)."""
from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from logistics.shifts.recurrence import build_rrule, describe, parse_rrule

CASES = [
    (dict(freq="monthly", weekdays=["FR"], month_weeks=["2", "4"], until=dt.date(2027, 2, 28)),
     "2nd and 4th Friday each month, 16:00–20:00, until 28 Feb 2027",
     "2. og 4. fredag i måneden kl. 16.00–20.00, til og med 28. feb. 2027"),
    (dict(freq="monthly", weekdays=["SA"], month_weeks=["-1"]),
     "Last Saturday each month, 16:00–20:00", "Sidste lørdag i måneden kl. 16.00–20.00"),
    (dict(freq="monthly", weekdays=["SU"], month_weeks=["1", "-1"], interval=2),
     "1st and last Sunday every 2 months, 16:00–20:00", "1. og sidste søndag hver 2. måned kl. 16.00–20.00"),
    (dict(freq="weekly", weekdays=["TU", "SA"]),
     "Every Tuesday and Saturday, 16:00–20:00", "Hver tirsdag og lørdag kl. 16.00–20.00"),
    (dict(freq="weekly", weekdays=["MO", "TU", "WE", "TH", "FR"]),
     "Every weekday, Monday to Friday, 16:00–20:00", "Alle hverdage, mandag til fredag kl. 16.00–20.00"),
    (dict(freq="weekly", weekdays=["MO"], interval=2, count=10),
     "Every 2 weeks on Monday, 16:00–20:00, 10 times", "Mandag hver 2. uge kl. 16.00–20.00, 10 gange"),
    (dict(freq="daily"), "Every day, 16:00–20:00", "Hver dag kl. 16.00–20.00"),
    (dict(freq="daily", interval=3, count=1),
     "Every 3 days, 16:00–20:00, 1 time", "Hver 3. dag kl. 16.00–20.00, 1 gang"),
]


@pytest.mark.parametrize("choices,english,danish", CASES)
def test_a_series_in_plain_words_in_english_and_danish(app, choices, english, danish):
    rule = build_rrule(**choices)
    with app.test_request_context():
        with force_locale("en_GB"):
            assert describe(rule, start_time=dt.time(16), duration_minutes=240) == english
        with force_locale("da_DK"):
            assert describe(rule, start_time=dt.time(16), duration_minutes=240) == danish


def test_without_times_and_across_midnight(app):
    rule = build_rrule(freq="weekly", weekdays=["FR"])
    with app.test_request_context(), force_locale("en_GB"):
        assert describe(rule) == "Every Friday"
        assert describe(rule, start_time=dt.time(22), duration_minutes=240) == "Every Friday, 22:00–02:00"
        assert describe(rule, start_time=dt.time(9, 30)) == "Every Friday, 09:30"


def test_the_words_read_what_the_form_built():
    rule = build_rrule(freq="monthly", weekdays=["TU"], month_weeks=["2", "4"], count=6)
    assert parse_rrule(rule) == dict(freq="monthly", interval=1, weekdays=["TU"], month_weeks=[2, 4], until=None,
                                     count=6)


def test_the_activities_page_lists_series_in_words(app, client, login):
    from logistics.extensions import db
    from logistics.shifts import planning
    from tests import factories
    from tests.shifts import helpers as h

    with app.app_context():
        coordinator = factories.user("coordinator")
        cooking = h.activity("communal_cooking", name="Communal cooking")
        planning.create_series(db.session, activity=cooking, place=None, freq="monthly", weekdays=["FR"],
                               month_weeks=["2", "4"], starts_on=dt.date(2026, 12, 1), start_time=dt.time(16),
                               duration_minutes=240, until=dt.date(2027, 2, 28), capacity_min=2, capacity_max=4,
                               by=coordinator)
        db.session.commit()
    login(coordinator)
    html = client.get("/shifts/activities").get_data(as_text=True)
    assert "2nd and 4th Friday each month, 16:00–20:00, until 28 Feb 2027" in html
    assert "FREQ=" not in html
