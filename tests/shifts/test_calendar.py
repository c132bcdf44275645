"""Pages for everyone: the calendars and the shift page, and what each role sees on them."""
from __future__ import annotations

from logistics.clock import to_local
from logistics.extensions import db
from logistics.shifts import signups
from logistics.shifts.models import Shift
from tests import factories
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
