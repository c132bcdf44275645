"""Volunteer hours per person and month from attended sign-ups (the coordinator's recorded
hours win over the shift's length); one's own page and statement; the coordinators' CSV;
volunteers never see others' hours."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from logistics.extensions import db
from logistics.people.models import User
from logistics.reports import hours
from logistics.reports.months import Period
from tests.reports.dataset import build


def _user(name):
    return db.session.scalar(sa.select(User).where(User.full_name == name))


def test_hours_per_person_and_month(session):
    build()
    ada = _user("Ada One")
    months = hours.person_months(session, ada.id, Period.year(2026))
    # Ada: 10 Jan 3 h, 20 Jan 2.5 h (recorded), 1 Feb hotline 6 h; the cancelled shift does not count.
    assert [(m.shifts, m.hours) for m in months[:3]] == [(2, Decimal("5.5")), (1, Decimal("6.0")), (0, Decimal("0"))]
    assert hours.year_total(session, ada.id, 2026) == Decimal("11.5")
    people = {p.name: p for p in hours.everyone(session, Period.year(2026))}
    assert {n: p.total for n, p in people.items()} == {"Ada One": Decimal("11.5"), "Bea Two": Decimal("7.0"),
                                                      "Cleo Three": Decimal("4.5")}


def test_my_hours_page_and_statement(app, client, login):
    with app.app_context():
        build()
        ada = _user("Ada One")
    login(ada)
    page = client.get("/reports/hours/mine?year=2026").get_data(as_text=True)
    assert "11.5" in page and "Bea" not in page
    statement = client.get("/reports/hours/mine/statement?year=2026").get_data(as_text=True)
    assert "Ada One volunteered with HopeNow in 2026: 11.5 hours on 3 shifts." in statement
    assert client.get("/reports/hours").status_code == 403
    assert client.get("/reports/hours.csv").status_code == 403


def test_the_coordinators_csv(app, client, login):
    with app.app_context():
        build()
    login("coordinator")
    text = client.get("/reports/hours.csv?year=2026").get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0].startswith("Name,Email,2026-01,2026-02")
    ada = next(line for line in lines if line.startswith("Ada One"))
    assert ada.split(",")[2:4] == ["5.5", "6.0"] and ada.split(",")[-2:] == ["11.5", "3"]
    assert "Cleo Three" in client.get("/reports/hours?year=2026").get_data(as_text=True)
