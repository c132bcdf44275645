"""The report pages: exact on screen; "<5" for counts of 1–4 in print and CSV unless the
coordinator turns it off, which goes into the audit trail; charts with text alternatives; bad
periods; a bounded query count."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.extensions import db
from logistics.people.models import User
from tests import factories
from tests.conftest import Auth
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


# --- exact copies in the audit trail --------------------------------------------------------------

def _entries(app):
    with app.app_context():
        return [(e.actor_id, e.action, e.entity, e.entity_id, e.changes) for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == "report").order_by(AuditEntry.id))]


@pytest.mark.parametrize(("url", "fmt"), [("/reports/annual/print", "print"), ("/reports/annual.csv", "csv")])
def test_an_exact_copy_goes_into_the_audit_trail(app, client, login, url, fmt):
    _build(app)
    coordinator = login("coordinator")
    assert client.get(f"{url}?year=2026&exact=y").status_code == 200
    year = {"first": "2026-01-01", "last": "2026-12-31", "format": fmt}
    assert _entries(app) == [(coordinator.id, "report.exact_export", "report", None, year)]
    assert client.get(f"{url}?start=2026-03-01&end=2026-05-31&exact=y").status_code == 200
    spring = {"first": "2026-03-01", "last": "2026-05-31", "format": fmt}
    assert [e[-1] for e in _entries(app)] == [year, spring]


def test_copies_with_small_counts_hidden_and_the_screen_are_not_audited(app, client, login):
    _build(app)
    login("coordinator")
    for url in ("/reports/annual/print?year=2026", "/reports/annual.csv?year=2026",
                "/reports/annual?year=2026", "/reports/annual?year=2026&exact=y"):
        assert client.get(url).status_code == 200, url
    for bad in ("/reports/annual/print?start=2026-03-01&end=2026-01-01&exact=y",
                "/reports/annual.csv?year=abc&exact=y"):
        assert client.get(bad).status_code == 422, bad
    assert _entries(app) == []


def test_the_audit_trail_tells_an_exact_copy_in_english_and_danish(app, client, login, make_client):
    with app.app_context():
        carla = factories.user("coordinator", full_name="Carla Coordinator")
        admin = factories.user("admin", full_name="Astrid Admin")
        db.session.commit()
    login(carla)
    assert client.get("/reports/annual.csv?year=2026&exact=y").status_code == 200
    reader = make_client()
    assert Auth(reader).login(admin).status_code == 302
    page = reader.get("/admin/audit").get_data(as_text=True)
    assert ("Carla Coordinator made a copy of the annual report for 1 Jan 2026 – 31 Dec 2026 with counts of 1 "
            "to 4 shown exactly") in page
    trail = page.split('<ol class="list audit-list">')[1].split("</ol>")[0]
    assert "CSV file" in trail and "report.exact_export" not in trail  # words, not codes
    assert '<option value="report.exact_export">Report with exact small counts</option>' in page
    with app.app_context():
        db.session.get(User, admin.id).locale = "da"
        db.session.commit()
    page = reader.get("/admin/audit").get_data(as_text=True)
    assert ("Carla Coordinator lavede en kopi af årsrapporten for 1. jan. 2026 – 31. dec. 2026 med antal fra 1 "
            "til 4 vist præcist") in page
    assert "CSV-fil" in page
