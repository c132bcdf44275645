"""The month calendar: per day the activities with counts, the hotline as one coverage strip
(not six blocks), the person's own shifts marked; only the chosen day's shifts as shifts, so
the page does not grow with the shifts of six weeks; the activity filter remembered."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from logistics.clock import localize
from logistics.extensions import db
from logistics.shifts import month as month_queries
from logistics.shifts import queries, signups
from logistics.shifts.models import Activity, Shift, ShiftFilter
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import get_user


def at(day: dt.date, hour: int) -> dt.datetime:
    return localize(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def december(app_ctx):
    """Hotline on 3 Dec in six 4-hour blocks, two of them covered; packing twice that day."""
    day = dt.date(2026, 12, 3)
    hotline = h.activity("hotline", name="Hotline", capacity=(1, 2), colour="blue")
    packing = h.activity("packing", name="Packing food packs", capacity=(2, 4), colour="olive")
    vera = factories.user(full_name="Vera Volunteer")
    blocks = [h.shift(hotline, start=at(day, hour), hours=4, capacity=(1, 2)) for hour in range(0, 24, 4)]
    for block in (blocks[2], blocks[3]):  # 08–16 covered
        other = factories.user()
        signups.sign_up(db.session, block, other, by=other)
    morning = h.shift(packing, start=at(day, 9), hours=3, capacity=(2, 4))
    h.shift(packing, start=at(day, 14), hours=3, capacity=(2, 4))
    signups.sign_up(db.session, morning, vera, by=vera)
    full = h.shift(packing, start=at(day + dt.timedelta(days=1), 9), hours=3, capacity=(1, 1))
    someone = factories.user()
    signups.sign_up(db.session, full, someone, by=someone)
    signups.sign_up(db.session, full, vera, by=vera)  # waitlisted
    db.session.commit()
    return dict(day=day, vera=vera, hotline=hotline, packing=packing)


def test_a_day_has_counts_per_activity_and_the_hotline_as_one_strip(december):
    d = december
    month = month_queries.month(db.session, dt.date(2026, 12, 1), d["vera"])
    assert month.days[0].date == dt.date(2026, 11, 30) and len(month.days) == 35 and month.days[0].date.weekday() == 0
    day = next(x for x in month.days if x.date == d["day"])
    assert [(a.activity.name, a.shifts, a.needing) for a in day.activities] == [
        ("Packing food packs", 2, 2), ("Hotline", 6, 4)]
    assert [(a.activity.name) for a in day.others] == ["Packing food packs"]
    assert [(s.start, s.end, s.state) for s in day.strip] == [(0, 8, "none"), (8, 16, "ok"), (16, 24, "none")]
    assert day.covered == 8 and day.hours == 24 and day.mine == 1 and day.waiting == 0
    nextday = next(x for x in month.days if x.date == d["day"] + dt.timedelta(days=1))
    assert nextday.waiting == 1 and nextday.mine == 0
    # The chosen day's "my status" comes with the marks, the same as the calendars' own query.
    ids = list(db.session.scalars(sa.select(Shift.id)))
    assert {k: tuple(r) for k, r in queries.my_status(db.session, d["vera"], ids).items()} == {
        k: (r.shift_id, r.status, r.position) for k, r in month.my_status(ids).items()}
    assert sorted((r.status.value, r.position) for r in month.my_status(ids).values()) == [
        ("confirmed", None), ("waitlisted", 1)]
    # Filtered by activity: its counts only, and no strip unless it is the hotline.
    packing_only = month_queries.month(db.session, dt.date(2026, 12, 1), d["vera"], activity_id=d["packing"].id)
    day = next(x for x in packing_only.days if x.date == d["day"])
    assert [a.activity.name for a in day.activities] == ["Packing food packs"] and day.strip == []


def test_the_day_the_clocks_go_back_has_25_hours(app_ctx):
    hotline = h.activity("hotline", name="Hotline")
    vera = factories.user()
    h.shift(hotline, start=at(dt.date(2026, 10, 25), 0), hours=25, capacity=(1, 2))
    month = month_queries.month(db.session, dt.date(2026, 10, 1), vera)
    day = next(x for x in month.days if x.date == dt.date(2026, 10, 25))
    assert day.hours == 25 and day.strip[-1].end == 25


@pytest.mark.parametrize(("first", "starts"), [
    # Around midnight, where the UTC date is the day before; the days the clocks change.
    (dt.date(2026, 12, 1), [dt.datetime(2026, 12, 3, 0, 30), dt.datetime(2026, 12, 3, 23, 30)]),
    (dt.date(2026, 10, 1), [dt.datetime(2026, 10, 25, 0, 30), dt.datetime(2026, 10, 25, 23, 30)]),
    (dt.date(2026, 3, 1), [dt.datetime(2026, 3, 29, 0, 30), dt.datetime(2026, 3, 29, 23, 30)]),
])
def test_a_shift_counts_on_its_local_day(app_ctx, first, starts):
    """The counts' day is the start's date in Copenhagen (PostgreSQL works it out in the
    database, SQLite between the local midnights), not its date in UTC."""
    packing = h.activity("packing", name="Packing food packs")
    for start in starts:
        h.shift(packing, start=localize(start), hours=1)
    db.session.commit()
    month = month_queries.month(db.session, first, factories.user())
    counted = {day.date: day.shifts for day in month.days if day.shifts}
    assert counted == {starts[0].date(): 2}


def test_the_month_page_shows_one_day_of_shifts_not_every_chip(app, client, login, december):
    d = december
    login(get_user(app, d["vera"].id))
    html = client.get("/shifts/calendar/month?month=2026-12&day=2026-12-03").get_data(as_text=True)
    assert "Thursday 3 December" in html
    assert html.count('class="shift-chip') == 8  # that day's shifts only: 6 hotline blocks and 2 packing
    assert html.count('<svg class="strip"') >= 1 and 'class="seg-ok"' in html
    link = html.index('href="/shifts/calendar/month?month=2026-12&amp;day=2026-12-03#day"')
    cell = html[html.rindex('<li class="mday', 0, link):]
    cell = cell[:cell.index("</li>")]
    assert "is-mine" in cell and "2 shifts" not in cell  # the aria label counts all: 8 shifts
    assert "8 shifts" in cell and "6 need people" in cell and "hotline covered 8 of 24 hours" in cell
    assert "you are on a shift" in cell
    other = client.get("/shifts/calendar/month?month=2026-12&day=2026-12-04").get_data(as_text=True)
    assert "waitlist no. 1" in other and html.count("Packing food packs") >= 1
    # Not every shift of six weeks: many more shifts elsewhere, the same chips for this day.
    with app.app_context():
        packing = db.session.get(Activity, d["packing"].id)
        for i in range(40):
            h.shift(packing, start=at(dt.date(2026, 12, 10) + dt.timedelta(days=i % 14), 8 + i % 10), hours=1)
        db.session.commit()
    again = client.get("/shifts/calendar/month?month=2026-12&day=2026-12-03").get_data(as_text=True)
    assert again.count('class="shift-chip') == 8


def test_the_calendar_activity_is_remembered_for_month_and_week(app, client, login, december):
    d = december
    login(get_user(app, d["vera"].id))
    html = client.get(f"/shifts/calendar/month?month=2026-12&day=2026-12-03&activity={d['packing'].id}")
    html = html.get_data(as_text=True)
    assert html.count('class="shift-chip') == 2 and 'class="strip"' not in html
    with app.app_context():
        assert db.session.get(ShiftFilter, d["vera"].id).calendar_activity_id == d["packing"].id
    week = client.get("/shifts/calendar/week?start=2026-12-03").get_data(as_text=True)
    assert "Hotline" not in week.split("</form>", 2)[-1] and "Packing food packs" in week
    assert re.search(rf'<option selected value="{d["packing"].id}"', week)
    client.get("/shifts/calendar/month?activity=0")
    with app.app_context():
        assert db.session.get(ShiftFilter, d["vera"].id).calendar_activity_id is None
