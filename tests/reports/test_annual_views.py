"""The report pages: exact on screen; "<5" for counts of 1–4 in print and CSV unless the
coordinator turns it off; charts with text alternatives; bad periods; a bounded query count."""
from __future__ import annotations

import csv
import io

from tests.reports.dataset import build

HIDDEN_CELL = '<td class="num">&lt;5</td>'


def _build(app):
    with app.app_context():
        build()


def _csv(client, query):
    r = client.get(f"/reports/annual.csv?{query}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    return {(row[0], row[1]): row[2:] for row in csv.reader(io.StringIO(r.get_data(as_text=True)))}


def test_the_screen_is_exact_with_charts_and_text_alternatives(app, client, login):
    _build(app)
    login("coordinator")
    page = client.get("/reports/annual?year=2026").get_data(as_text=True)
    assert '<svg class="chart report-chart"' in page and "<desc" in page
    assert "Outreach shifts by month: Jan 2, Feb 0" in page
    assert 'id="chart-cooking"' in page or "chart-cooking" in page
    assert HIDDEN_CELL not in page and '<td class="num">1</td>' in page


def test_small_counts_are_hidden_in_print_and_csv_unless_turned_off(app, client, login):
    _build(app)
    login("coordinator")
    rows = _csv(client, "year=2026")
    # January: 7 women (shown), 1 man (hidden), 2 outreach shifts (hidden); 54 food packs in total.
    assert rows[("Contacts by gender", "Women")][0] == "7"
    assert rows[("Contacts by gender", "Men")][0] == "<5" and rows[("Contacts by gender", "Men")][-1] == "<5"
    assert rows[("Street outreach", "Outreach shifts")][0] == "<5"
    assert rows[("Food packs", "Food packs handed out")][0] == "39"
    assert rows[("Food packs", "Food packs handed out")][4] == "<5"
    assert rows[("Food packs", "Food packs handed out")][-1] == "54"
    # Cooking: 2 events in January and 3 in the year (hidden), 17 + 18 diners (shown).
    assert rows[("Communal cooking", "Cooking events")][0] == "<5"
    assert rows[("Communal cooking", "Cooking events")][-1] == "<5"
    assert rows[("Communal cooking", "Diners")][0] == "17" and rows[("Communal cooking", "Diners")][-1] == "35"
    assert rows[("Hotline", "Hours covered")][1] == "10.0"  # hours are not counts of people
    assert rows[("Referrals by partner", "CMM")][0] == "7"
    exact = _csv(client, "year=2026&exact=y")
    assert exact[("Contacts by gender", "Men")][0] == "1"
    printed = client.get("/reports/annual/print?year=2026").get_data(as_text=True)
    assert HIDDEN_CELL in printed and "is-hidden-count" in printed
    printed_exact = client.get("/reports/annual/print?year=2026&exact=y").get_data(as_text=True)
    assert HIDDEN_CELL not in printed_exact and "is-hidden-count" not in printed_exact


def test_a_period_ending_before_it_starts_gets_a_message(app, client, login):
    login("coordinator")
    r = client.get("/reports/annual?start=2026-03-01&end=2026-01-01")
    assert r.status_code == 422 and "The period ends before it starts." in r.get_data(as_text=True)
    assert client.get("/reports/annual.csv?start=2026-03-01&end=2026-01-01").status_code == 422
    assert client.get("/reports/annual?year=abc").status_code == 422


def test_the_query_count_does_not_grow_with_the_data(app, client, login, queries):
    login("coordinator")
    client.get("/reports/annual?year=2026")
    with queries() as empty:
        assert client.get("/reports/annual?year=2026").status_code == 200
    _build(app)
    with queries() as full:
        assert client.get("/reports/annual?year=2026").status_code == 200
    assert full.count == empty.count
