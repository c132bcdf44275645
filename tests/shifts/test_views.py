"""Shift pages: what each role sees, the actions, bad input, and query counts that do not grow."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import localize, to_local, utcnow
from logistics.extensions import db
from logistics.people.models import User
from logistics.shifts import queries as queries_
from logistics.shifts import signups
from logistics.shifts.models import CoverRequest, Series, Shift, ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h


def _local_input(value: dt.datetime) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def setup(app):
    """A volunteer with the hotline qualification and a few shifts."""
    with app.app_context():
        q = factories.qualification("hotline", name_en="Hotline training")
        hotline = h.activity("hotline", quals=[q], name="Hotline", capacity=(1, 2), colour="blue")
        packing = h.activity("packing", name="Packing food packs", colour="olive")
        prison = h.activity("prison_visit", name="Prison visit", discreet=True, colour="purple")
        jail = h.place("Vestre Fængsel", sensitive=True, kind="prison", address="Vigerslev Allé 1")
        v = factories.user(full_name="Vera Volunteer")
        factories.grant(v, q)
        ids = dict(
            v=v.id, hotline=hotline.id, packing=packing.id, prison=prison.id,
            hotline_shift=h.shift(hotline, in_days=2, capacity=(1, 2)).id,
            packing_shift=h.shift(packing, in_days=3, capacity=(2, 4)).id,
            prison_shift=h.shift(prison, in_days=4, capacity=(1, 2), place_=jail).id,
        )
        db.session.commit()
    return ids


def _user(app, uid):
    with app.app_context():
        return db.session.get(User, uid)


def test_open_shifts_lists_only_what_the_volunteer_may_take(app, client, login, setup):
    with app.app_context():
        needs_qual = h.activity("street_outreach", quals=[factories.qualification("outreach")], name="Outreach")
        h.shift(needs_qual, in_days=2)
        db.session.commit()
    login(_user(app, setup["v"]))
    r = client.get("/shifts/open")
    assert r.status_code == 200
    text = r.get_data(as_text=True).split('class="filters"')[1].split("</form>", 1)[1]  # the list, not the filter
    assert "Hotline" in text and "Packing food packs" in text
    assert "Outreach" not in text  # no qualification
    assert "Prison visit" not in text and "HopeNow shift" in text  # discreet: neutral title
    assert "Vestre Fængsel" not in text
    # Those needing people first: a full hotline shift goes after the packing one that needs people.
    assert text.index("Hotline") < text.index("Packing food packs")  # both need people: by time
    r = client.get(f"/shifts/open?activity={setup['packing']}")
    assert "Hotline" not in r.get_data(as_text=True).split('class="filters"')[1].split("</form>", 1)[1]


def test_sign_up_shows_in_my_shifts_then_cancel(app, client, login, setup):
    login(_user(app, setup["v"]))
    r = client.post(f"/shifts/{setup['packing_shift']}/signup")
    assert r.status_code == 302
    r = client.get("/shifts/mine")
    assert "Packing food packs" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{setup['packing_shift']}/cancel")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Signup.status)) == SignupStatus.CANCELLED


def test_refusal_reason_is_shown_and_nothing_saved(app, client, login, setup):
    login(_user(app, setup["v"]))
    client.post(f"/shifts/{setup['packing_shift']}/signup")
    r = client.post(f"/shifts/{setup['packing_shift']}/signup")
    assert r.status_code == 409
    assert "already signed up" in r.get_data(as_text=True)
    with app.app_context():
        past = h.shift(in_days=-1).id
        cancelled = h.shift(status=ShiftStatus.CANCELLED).id
        db.session.commit()
    r = client.post(f"/shifts/{past}/signup")
    assert r.status_code == 422 and "already started" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{cancelled}/signup")
    assert r.status_code == 422 and "cancelled" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Signup.id))) == 1


def test_volunteers_see_first_names_coordinators_see_contact(app, client, login, setup):
    with app.app_context():
        other = factories.user(full_name="Oskar Olsen", phone="+45 12 34 56 78")
        shift = db.session.get(Shift, setup["packing_shift"])
        signups.sign_up(db.session, shift, other, by=other)
        db.session.commit()
    login(_user(app, setup["v"]))
    text = client.get(f"/shifts/{setup['packing_shift']}").get_data(as_text=True)
    assert "Oskar" in text and "Olsen" not in text and "+45" not in text and other.email not in text
    client.post("/logout")
    login("coordinator")
    text = client.get(f"/shifts/{setup['packing_shift']}").get_data(as_text=True)
    assert "Oskar Olsen" in text and "+45 12 34 56 78" in text and other.email in text


def test_discreet_and_sensitive_shift_page(app, client, login, setup):
    login(_user(app, setup["v"]))
    text = client.get(f"/shifts/{setup['prison_shift']}").get_data(as_text=True)
    assert "HopeNow shift" in text and "Vestre Fængsel" not in text and "Vigerslev" not in text


def test_waitlist_and_cut_off_request(app, client, login, setup):
    with app.app_context():
        act = h.activity("packing", cutoff=48)
        soon = h.shift(act, in_days=1, capacity=(1, 1))
        full = h.shift(act, in_days=5, capacity=(1, 1))
        someone = factories.user()
        signups.sign_up(db.session, full, someone, by=someone)
        ids = soon.id, full.id
        db.session.commit()
    login(_user(app, setup["v"]))
    client.post(f"/shifts/{ids[1]}/signup")
    text = client.get("/shifts/mine").get_data(as_text=True)
    assert "Waitlist no. 1" in text
    client.post(f"/shifts/{ids[0]}/signup")
    r = client.post(f"/shifts/{ids[0]}/cancel")
    assert r.status_code == 422 and "cancellation request" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{ids[0]}/request-cancel", data={"reason": "Sick"})
    assert r.status_code == 302
    with app.app_context():
        c = factories.user("coordinator")
        db.session.commit()
    client.post("/logout")
    login(c)
    text = client.get("/shifts/fill").get_data(as_text=True)
    assert "Vera Volunteer" in text and "Sick" in text


def test_swap_through_the_pages(app, client, login, setup):
    with app.app_context():
        a = factories.user(full_name="Anna Swap")
        shift = db.session.get(Shift, setup["packing_shift"])
        offered = signups.sign_up(db.session, shift, a, by=a)
        signups.offer_swap(db.session, offered, by=a)
        offered_id = offered.id
        db.session.commit()
    login(_user(app, setup["v"]))
    assert "Take this shift" in client.get("/shifts/open").get_data(as_text=True)
    assert client.post(f"/shifts/swaps/{offered_id}/take").status_code == 302
    with app.app_context():
        mine = db.session.scalar(sa.select(Signup).where(Signup.user_id == setup["v"]))
        assert mine.status == SignupStatus.CONFIRMED


def test_calendar_week_and_month(app, client, login, setup):
    login(_user(app, setup["v"]))
    for url in ("/shifts/calendar/week", "/shifts/calendar/month",
                "/shifts/calendar/week?start=2027-03-29", "/shifts/calendar/month?month=2027-02",
                "/shifts/calendar/week?start=garbage", "/shifts/calendar/month?month=13-99"):
        assert client.get(url).status_code == 200, url
    with app.app_context():
        day = to_local(db.session.get(Shift, setup["prison_shift"]).starts_at).date()
    text = client.get(f"/shifts/calendar/week?start={day.isoformat()}").get_data(as_text=True)
    assert "HopeNow shift" in text and "Prison visit" not in text


# --- coordinators ----------------------------------------------------------------------------------

def test_coordinator_creates_activity_place_shift_and_bad_input(app, client, login):
    login("coordinator")
    r = client.post("/shifts/activities/new", data={
        "name": "Hotline", "kind": "hotline", "colour": "blue", "briefing": "", "capacity_min": "1",
        "capacity_max": "2", "cancel_cutoff_hours": "24", "signup_opens_days": "30", "is_active": "y"})
    assert r.status_code == 302
    r = client.post("/shifts/activities/new", data={
        "name": "Broken", "kind": "hotline", "colour": "blue", "capacity_min": "3", "capacity_max": "2",
        "cancel_cutoff_hours": "24", "signup_opens_days": "30"})
    assert r.status_code == 422 and "cannot be above" in r.get_data(as_text=True)
    r = client.post("/shifts/places/new", data={"name": "Office", "address": "Street 1", "kind": "office",
                                               "is_active": "y"})
    assert r.status_code == 302
    with app.app_context():
        from logistics.shifts.models import Activity, Place
        act = db.session.scalar(sa.select(Activity))
        place = db.session.scalar(sa.select(Place))
        ids = act.id, place.id
    start = utcnow() + dt.timedelta(days=2)
    good = {"activity": ids[0], "place": ids[1], "starts_at": _local_input(start),
            "ends_at": _local_input(start + dt.timedelta(hours=4)), "capacity_min": "1", "capacity_max": "2"}
    for bad, message in [({"ends_at": _local_input(start - dt.timedelta(hours=1))}, "after the start"),
                         ({"capacity_min": "0"}, "At least one"), ({"capacity_max": "-1"}, "at least 1"),
                         ({"capacity_min": "3"}, "cannot be above"), ({"starts_at": "tomorrow"}, "")]:
        r = client.post("/shifts/new", data={**good, **bad})
        assert r.status_code == 422 and message in r.get_data(as_text=True), bad
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0
    r = client.post("/shifts/new", data=good)
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 1


def test_coordinator_creates_and_edits_a_series(app, client, login):
    login("coordinator")
    with app.app_context():
        act = h.activity("hotline", capacity=(1, 2))
        db.session.commit()
        act_id = act.id
    base = {"activity": act_id, "place": "0", "freq": "monthly", "interval": "1", "weekdays": ["TU"],
            "month_weeks": ["2", "4"], "starts_on": (utcnow().date() + dt.timedelta(days=1)).isoformat(),
            "start_time": "22:00", "end_time": "02:00", "ends": "count", "count": "6",
            "capacity_min": "1", "capacity_max": "2"}
    r = client.post("/shifts/series/new", data={**base, "month_weeks": []})
    assert r.status_code == 422 and "which weeks" in r.get_data(as_text=True)
    r = client.post("/shifts/series/new", data={**base, "ends": "until",
                                                "until": utcnow().date().isoformat(), "count": ""})
    assert r.status_code == 422
    r = client.post("/shifts/series/new", data={**base, "ends": "until", "until": "", "count": ""})
    assert r.status_code == 422 and "Give the last day." in r.get_data(as_text=True)
    r = client.post("/shifts/series/new", data={**base, "ends": "count", "count": ""})
    assert r.status_code == 422 and "at least 1" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0
    r = client.post("/shifts/series/new", data=base)
    assert r.status_code == 302
    with app.app_context():
        series = db.session.scalar(sa.select(Series))
        shifts = db.session.scalars(sa.select(Shift).order_by(Shift.starts_at)).all()
        assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6" and series.duration_minutes == 240
        assert 1 <= len(shifts) <= 6
        assert all(to_local(s.starts_at).strftime("%a %H") == "Tue 22" for s in shifts)
        series_id = series.id
    assert client.get(f"/shifts/series/{series_id}").status_code == 200
    r = client.post(f"/shifts/series/{series_id}", data={**base, "start_time": "20:00", "end_time": "23:00"})
    assert r.status_code == 302
    with app.app_context():
        shifts = db.session.scalars(sa.select(Shift).where(Shift.status == ShiftStatus.SCHEDULED)).all()
        assert all(to_local(s.starts_at).hour == 20 for s in shifts)


def test_assign_over_capacity_needs_the_tick(app, client, login, setup):
    with app.app_context():
        full = h.shift(capacity=(1, 1))
        a, b = factories.user(), factories.user(full_name="Bo Extra")
        signups.sign_up(db.session, full, a, by=a)
        ids = full.id, b.id
        db.session.commit()
    login("coordinator")
    r = client.post(f"/shifts/{ids[0]}/assign", data={"user_id": ids[1]})
    assert r.status_code == 422 and "Over capacity" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{ids[0]}/assign", data={"user_id": ids[1], "over_capacity": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Shift, ids[0]).confirmed_count == 2


def test_fill_view_applies_the_buddy_rule(app, client, login):
    with app.app_context():
        outreach = h.activity("street_outreach", name="Street outreach", capacity=(1, 4))
        lone = h.shift(outreach, in_days=2, capacity=(1, 4), note="lone")
        v = factories.user()
        signups.sign_up(db.session, lone, v, by=v)
        staffed = h.shift(h.activity("packing", name="Packing"), in_days=2, capacity=(1, 3))
        w = factories.user()
        signups.sign_up(db.session, staffed, w, by=w)
        h.shift(h.activity("office", name="Office day"), in_days=20)  # beyond 14 days
        db.session.commit()
    login("coordinator")
    text = client.get("/shifts/fill").get_data(as_text=True)
    assert "Street outreach" in text and "needs a buddy" in text
    assert "Packing" not in text.split("Cancellation requests")[0]
    assert "Office day" not in text


def test_coverage_board_and_cover_request(app, client, login):
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 2))
        v = factories.user()
        start = localize(dt.datetime.combine(to_local(utcnow()).date() + dt.timedelta(days=1), dt.time(8)))
        covered = h.shift(hotline, start=start, hours=4)
        signups.sign_up(db.session, covered, v, by=v)
        db.session.commit()
        board = queries_.coverage(db.session)
        assert board.needed_7 in (7 * 24, 7 * 24 - 1, 7 * 24 + 1) and board.covered_7 == 4
        hotline_id = hotline.id
    login("coordinator")
    text = client.get("/shifts/coverage").get_data(as_text=True)
    assert "4 / " in text and "Request cover" in text and "Create shift" in text
    gap_start = start + dt.timedelta(hours=4)
    r = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": gap_start.isoformat(),
                                                      "ends_at": (gap_start + dt.timedelta(hours=4)).isoformat()})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CoverRequest.id))) == 1
    r = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": "x", "ends_at": "y"})
    assert r.status_code == 400
    r = client.get("/shifts/new", query_string={"activity": hotline_id, "starts_at": gap_start.isoformat(),
                                                "ends_at": (gap_start + dt.timedelta(hours=4)).isoformat()})
    assert _local_input(gap_start) in r.get_data(as_text=True)


def test_attendance_page(app, client, login):
    with app.app_context():
        shift = h.shift(in_days=-1, hours=3)
        v = factories.user(full_name="Hilde Hours")
        db.session.add(Signup(shift=shift, user_id=v.id, status=SignupStatus.CONFIRMED))
        shift.confirmed_count = 1
        db.session.flush()
        signup_id = db.session.scalar(sa.select(Signup.id))
        ids = shift.id, signup_id
        db.session.commit()
    login("coordinator")
    assert "Hilde Hours" in client.get(f"/shifts/{ids[0]}/attendance").get_data(as_text=True)
    def row(hours):
        return {"rows-0-signup_id": ids[1], "rows-0-attended": "y", "rows-0-hours": hours}

    r = client.post(f"/shifts/{ids[0]}/attendance", data=row("abc"))
    assert r.status_code == 422
    for bad, message in [("abc", "Enter hours as a number"), ("NaN", "Enter hours as a number"),
                         ("25", "Hours must be between 0 and 24."), ("-1", "Hours must be between 0 and 24.")]:
        r = client.post(f"/shifts/{ids[0]}/attendance", data=row(bad))
        text = r.get_data(as_text=True)
        assert r.status_code == 422 and message in text and "Please correct the marked fields." in text, bad
    with app.app_context():
        assert db.session.get(Signup, ids[1]).attended is None  # nothing saved
    r = client.post(f"/shifts/{ids[0]}/attendance", data=row("2,5"))
    assert r.status_code == 302
    with app.app_context():
        row = db.session.get(Signup, ids[1])
        assert row.attended is True and str(row.hours) == "2.50"


# --- query counts do not grow with data ---------------------------------------------------------------

def _grow(app, n):
    """n more shifts this week with sign-ups, hotline included."""
    with app.app_context():
        from logistics.shifts.models import Activity
        hotline = db.session.scalar(sa.select(Activity).where(Activity.name == "Hotline"))
        others = [factories.user() for _ in range(3)]
        v = db.session.scalar(sa.select(User).where(User.full_name == "Vera Volunteer"))
        for i in range(n):
            act = hotline if i % 2 else h.activity("packing")
            s = h.shift(act, start=(utcnow() + dt.timedelta(hours=30 + 5 * i)).replace(minute=0, second=0, microsecond=0),
                        hours=4, capacity=(1, 3), place_=h.place())
            for o in others:
                db.session.add(Signup(shift=s, user_id=o.id, status=SignupStatus.CONFIRMED))
            s.confirmed_count = 3
            if i % 3 == 0:
                db.session.add(Signup(shift=s, user_id=v.id, status=SignupStatus.CONFIRMED))
        db.session.commit()


@pytest.mark.parametrize("url,role", [("/shifts/mine", "v"), ("/shifts/open", "v"),
                                      ("/shifts/calendar/week", "v"), ("/shifts/calendar/month", "v"),
                                      ("/shifts/coverage", "coordinator"), ("/shifts/fill", "coordinator")])
def test_query_count_does_not_grow(app, client, login, queries, setup, url, role):
    _grow(app, 2)  # some of everything, so the small case is not an empty-page special case
    if role == "v":
        login(_user(app, setup["v"]))
    else:
        login("coordinator")
    client.get(url)
    with queries() as small:
        assert client.get(url).status_code == 200
    _grow(app, 12)
    with queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, "\n".join(
        ["SMALL:"] + [x[:150] for x in small.statements] + ["LARGE:"] + [x[:150] for x in large.statements])
