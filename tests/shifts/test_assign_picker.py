"""The coordinators' assign picker: only active volunteers the sign-up rules let take the shift
(the rules of logistics.shifts.rules, not a copy), each with qualified / free then / hours this
week, searchable, with no one chosen by default; the others with the reason."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from logistics import settings
from logistics.clock import localize
from logistics.extensions import db
from logistics.shifts import queries, signups
from logistics.shifts.models import Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h

#: A Wednesday next week, so the week's hours are all in the future.
DAY = dt.date(2026, 12, 2)


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return localize(dt.datetime.combine(day, dt.time(hour)))


def confirm(shift, user):
    db.session.add(Signup(shift=shift, user_id=user.id, status=SignupStatus.CONFIRMED))
    shift.confirmed_count += 1
    db.session.flush()


@pytest.fixture
def picker_setup(app_ctx):
    q = factories.qualification("hotline", name_en="Hotline training")
    hotline = h.activity("hotline", quals=[q], name="Hotline", capacity=(1, 3))
    packing = h.activity("packing", name="Packing")
    shift = h.shift(hotline, start=at(16), hours=4, capacity=(1, 3))
    people = {name: factories.user(full_name=f"{name} Hansen") for name in
              ("Anna", "Bo", "Cai", "Dina", "Eva", "Finn", "Gry")}
    for name in ("Anna", "Bo", "Cai", "Dina", "Eva", "Gry"):
        factories.grant(people[name], q)
    confirm(h.shift(packing, start=at(15), hours=3), people["Bo"])  # busy then
    for day in (0, 1, 3):  # 12 hotline hours already this week
        confirm(h.shift(hotline, start=at(8, DAY + dt.timedelta(days=day - 2)), hours=4), people["Cai"])
    confirm(h.shift(packing, start=at(9), hours=3), people["Dina"])  # 3 hours, no clash
    confirm(shift, people["Eva"])  # already on it
    night = h.shift(hotline, start=at(0), hours=6)  # ends 06:00: 11 hours' rest means not before 17:00
    confirm(night, people["Gry"])
    # Not offered at all: other roles, not activated, inactive, not yet approved, erased.
    factories.user("staff", full_name="Sten Staff")
    factories.user("admin", full_name="Ada Admin")
    factories.user(full_name="Ny Applicant", password=False)
    factories.user(full_name="Ivan Inactive", active=False)
    factories.user(full_name="Una Unapproved", approved=False)
    gone = factories.user(full_name="Erik Erased")
    gone.erased_at = at(1)
    db.session.commit()
    return shift, people


def test_candidates_are_active_volunteers_checked_against_the_sign_up_rules(picker_setup):
    shift, people = picker_setup
    found = {c.user.full_name: c for c in queries.assign_candidates(db.session, shift)}
    assert set(found) == {"Anna Hansen", "Bo Hansen", "Cai Hansen", "Dina Hansen", "Finn Hansen", "Gry Hansen"}
    assert [n for n, c in found.items() if c.may_take] == ["Anna Hansen", "Dina Hansen"]
    assert found["Bo Hansen"].reason == "busy" and found["Bo Hansen"].busy and found["Bo Hansen"].qualified
    assert found["Cai Hansen"].reason == "hotline_hours" and found["Cai Hansen"].hours_week == 12
    assert found["Finn Hansen"].reason == "qualification" and found["Finn Hansen"].refusal.names == ["Hotline training"]
    assert found["Gry Hansen"].reason == "rest"
    assert found["Dina Hansen"].hours_week == 3 and found["Anna Hansen"].hours_week == 0
    # The same rules as signing up: what the picker refuses, sign-up refuses too.
    for name in ("Bo", "Cai", "Finn", "Gry"):
        with pytest.raises(signups.rules.SignupRefused):
            signups.rules.check_eligibility(db.session, shift, people[name])
    # A search narrows by name; the settings move the limits.
    assert [c.user.full_name for c in queries.assign_candidates(db.session, shift, search="din")] == ["Dina Hansen"]
    settings.set_value(db.session, "shifts_hotline_max_hours_per_week", 20)
    settings.set_value(db.session, "shifts_rest_after_night_hours", 0)
    found = {c.user.full_name: c for c in queries.assign_candidates(db.session, shift)}
    assert found["Cai Hansen"].may_take and found["Gry Hansen"].may_take


def test_a_waitlisted_volunteer_is_offered_with_their_place_in_line(picker_setup):
    shift, people = picker_setup
    shift.capacity_max = 1
    signups.sign_up(db.session, shift, people["Anna"], by=people["Anna"])
    found = {c.user.full_name: c for c in queries.assign_candidates(db.session, shift)}
    assert found["Anna Hansen"].waitlisted == 1 and found["Anna Hansen"].may_take


def test_the_picker_on_the_shift_page(app, client, login, picker_setup):
    shift, people = picker_setup
    shift_id, bo = shift.id, people["Bo"].id
    login("coordinator")
    html = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    picker = html[html.index('id="assign-list"'):html.index("</fieldset>", html.index('id="assign-list"'))]
    assert re.findall(r'<span class="assign-name">([^<]+)</span>', picker) == ["Anna Hansen", "Dina Hansen"]
    assert " checked" not in picker  # nobody chosen by default
    assert "qualified" in picker and "free then" in picker and "3 h this week" in picker
    for absent in ("Sten Staff", "Ada Admin", "Ny Applicant", "Ivan Inactive", "Una Unapproved", "Erik Erased"):
        assert absent not in html
    others = html[html.index('class="assign-others"'):]
    assert "Who cannot take it, and why" in others and "not qualified: Hotline training" in others
    assert "on another shift then" in others and "would go over 12 hotline hours this week" in others
    assert "too little rest around a night shift" in others
    searched = client.get(f"/shifts/{shift_id}?person=dina").get_data(as_text=True)
    assert "Dina Hansen" in searched and 'class="assign-name">Anna Hansen' not in searched
    # Nobody chosen: a message, not the first name in a list.
    r = client.post(f"/shifts/{shift_id}/assign", data={})
    assert r.status_code == 422 and "Choose who to put on the shift." in r.get_data(as_text=True)
    # Someone the rules refuse is refused with the reason, whatever the form sent.
    r = client.post(f"/shifts/{shift_id}/assign", data={"user_id": bo})
    assert r.status_code == 422 and "You are already on another shift at that time" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{shift_id}/assign", data={"user_id": people["Anna"].id})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(type(shift), shift_id).confirmed_count == 2


def test_the_picker_costs_the_same_queries_for_5_or_50_volunteers(app, client, login, picker_setup, queries):
    shift, _people = picker_setup
    shift_id = shift.id
    login("coordinator")
    client.get(f"/shifts/{shift_id}")
    with queries() as small:
        client.get(f"/shifts/{shift_id}")
    with app.app_context():
        q = db.session.scalar(db.select(factories.Qualification).where(factories.Qualification.code == "hotline"))
        for i in range(45):
            person = factories.user(full_name=f"Extra {i:02d}")
            factories.grant(person, q)
            confirm(h.shift(h.activity("packing"), start=at(8 + i % 6, DAY - dt.timedelta(days=1)), hours=1), person)
        db.session.commit()
    with queries() as large:
        html = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    assert "7 more: search by name to find them." in html  # 47 may take it: 40 shown
    assert large.count == small.count
