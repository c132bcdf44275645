"""Pages for everyone: the calendars and the shift page, and what each role sees on them."""
from __future__ import annotations

from logistics.clock import to_local
from logistics.extensions import db
from logistics.people.models import User
from logistics.shifts import signups
from logistics.shifts.models import Activity, Shift
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import get_user


def test_volunteers_see_first_names_coordinators_see_contact(app, client, login, setup):
    with app.app_context():
        other = factories.user(full_name="Oskar Olsen", phone="+45 12 34 56 78")
        shift = db.session.get(Shift, setup["packing_shift"])
        signups.sign_up(db.session, shift, other, by=other)
        db.session.commit()
    login(get_user(app, setup["v"]))
    text = client.get(f"/shifts/{setup['packing_shift']}").get_data(as_text=True)
    assert "Oskar" in text and "Olsen" not in text and "+45" not in text and other.email not in text
    client.post("/logout")
    login("coordinator")
    text = client.get(f"/shifts/{setup['packing_shift']}").get_data(as_text=True)
    assert "Oskar Olsen" in text and "+45 12 34 56 78" in text and other.email in text


def test_discreet_and_sensitive_shift_page(app, client, login, setup):
    login(get_user(app, setup["v"]))
    text = client.get(f"/shifts/{setup['prison_shift']}").get_data(as_text=True)
    assert "HopeNow shift" in text and "Vestre Fængsel" not in text and "Vigerslev" not in text


def test_calendar_week_and_month(app, client, login, setup):
    login(get_user(app, setup["v"]))
    for url in ("/shifts/calendar/week", "/shifts/calendar/month",
                "/shifts/calendar/week?start=2027-03-29", "/shifts/calendar/month?month=2027-02",
                "/shifts/calendar/week?start=garbage", "/shifts/calendar/month?month=13-99"):
        assert client.get(url).status_code == 200, url
    with app.app_context():
        day = to_local(db.session.get(Shift, setup["prison_shift"]).starts_at).date()
    text = client.get(f"/shifts/calendar/week?start={day.isoformat()}").get_data(as_text=True)
    assert "HopeNow shift" in text and "Prison visit" not in text


def test_a_place_address_is_a_map_link_unless_the_place_is_sensitive(app, client, login, setup):
    with app.app_context():
        office = h.place("HopeNow office", address="Nørrebrogade 100, 2200 København N")
        shift = h.shift(db.session.get(Activity, setup["packing"]), in_days=5, place_=office)
        db.session.commit()
        office_shift = shift.id
    login("coordinator")
    html = client.get(f"/shifts/{office_shift}").get_data(as_text=True)
    assert ('href="https://www.openstreetmap.org/search?query=N%C3%B8rrebrogade+100%2C+2200+K%C3%B8benhavn+N"'
            in html)
    assert 'rel="noopener noreferrer"' in html
    # The prison is sensitive: its address is shown to a coordinator, but never as a map link.
    html = client.get(f"/shifts/{setup['prison_shift']}").get_data(as_text=True)
    assert "Vigerslev Allé 1" in html and "openstreetmap" not in html


def test_the_calendar_says_waitlist_number_not_you_for_a_waitlisted_volunteer(app, client, login, setup):
    with app.app_context():
        shift = db.session.get(Shift, setup["hotline_shift"])
        for name in ("Ann", "Bo"):
            person = factories.user(full_name=f"{name} Hansen")
            factories.grant(person, shift.activity.qualifications[0])
            signups.sign_up(db.session, shift, person, by=person)
        vera = db.session.get(User, setup["v"])
        assert signups.sign_up(db.session, shift, vera, by=vera).position == 1
        day = to_local(shift.starts_at).date()
        db.session.commit()
    login(get_user(app, setup["v"]))
    text = client.get(f"/shifts/calendar/week?start={day.isoformat()}").get_data(as_text=True)
    chip = text[text.index("is-waiting"):]
    chip = chip[:chip.index("</a>")]
    assert "waitlist no. 1" in chip and "· you" not in chip and "2/2" in chip


def test_staff_see_discreet_activities_by_name_on_calendars_and_shift_pages(app, client, login, setup):
    with app.app_context():
        day = to_local(db.session.get(Shift, setup["prison_shift"]).starts_at).date()
    login("staff")
    assert "Prison visit" in client.get(f"/shifts/calendar/week?start={day.isoformat()}").get_data(as_text=True)
    text = client.get(f"/shifts/{setup['prison_shift']}").get_data(as_text=True)
    assert "Prison visit" in text and "Vestre Fængsel" in text and "HopeNow shift" not in text
    # The sensitive address stays for coordinators and the people on the shift.
    assert "Vigerslev" not in text


def test_calendar_days_are_the_shifts_starting_on_each_local_day_as_rows(app_ctx):
    """The calendars read their shifts as rows (calendar.ShiftRow), grouped by the local day
    they start on: around midnight and on the day the clocks go back (25 hours)."""
    import datetime as dt

    from logistics.shifts import calendar
    from logistics.shifts.models import ShiftStatus

    packing = h.activity("packing", name="Packing")
    hotline = h.activity("hotline", name="Hotline")
    before = h.shift(packing, start=h.local(2026, 10, 23, 22), hours=4)  # began the day before
    late = h.shift(packing, start=h.local(2026, 10, 24, 23, 30), hours=1)
    night = h.shift(hotline, start=h.local(2026, 10, 25, 0), hours=25)  # the 25-hour day
    last = h.shift(packing, start=h.local(2026, 10, 25, 23, 59), hours=1, status=ShiftStatus.CANCELLED)
    h.shift(packing, start=h.local(2026, 10, 26, 0), hours=1)  # the day after the window
    by_day, shifts = calendar.calendar_days(db.session, dt.date(2026, 10, 24), 2,
                                           activities={packing.id: packing})  # the hotline read by id
    assert {day: [s.id for s in rows] for day, rows in by_day.items()} == {
        dt.date(2026, 10, 24): [late.id], dt.date(2026, 10, 25): [night.id, last.id]}
    assert before.id not in [s.id for s in shifts]
    assert shifts[1].activity is hotline and shifts[2].is_cancelled and not shifts[0].is_cancelled
    only_hotline, _ = calendar.calendar_days(db.session, dt.date(2026, 10, 24), 2, activity_id=hotline.id)
    assert [s.id for s in only_hotline[dt.date(2026, 10, 25)]] == [night.id]
