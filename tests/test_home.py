"""The start page: next shifts for everyone, stock and coordination counts by role."""
import datetime as dt

import pytest

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.people import services as people
from logistics.shifts import signups
from logistics.shifts.models import Activity, ActivityKind, Shift
from tests import factories


def _shift(activity, days=2, capacity_min=2, capacity_max=3):
    start = (utcnow() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    shift = Shift(activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=4),
                  capacity_min=capacity_min, capacity_max=capacity_max)
    db.session.add(shift)
    db.session.flush()
    return shift


@pytest.fixture
def activity(app_ctx):
    act = Activity(name="Food distribution", kind=ActivityKind.FOOD_DISTRIBUTION)
    db.session.add(act)
    db.session.commit()
    return act


def test_volunteer_sees_next_shifts_and_no_stock(client, login, app, activity):
    user = login("volunteer", full_name="Vera Volunteer")
    with app.app_context():
        act = db.session.get(Activity, activity.id)
        shifts = [_shift(act, days=d) for d in (1, 2, 3, 4)]
        vol = db.session.get(type(user), user.id)
        for s in shifts:
            signups.sign_up(db.session, s, vol, by=vol)
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Your next shifts" in html and html.count("Food distribution") == 3
    assert "1 more in My shifts" in html
    assert "Stock that needs attention" not in html and "To coordinate" not in html


def test_empty_state_points_to_open_shifts(client, login):
    login("volunteer")
    html = client.get("/").get_data(as_text=True)
    assert "You are not on any coming shift." in html and "/shifts/open" in html


def test_coordinator_sees_counts(client, login, app, activity):
    login("coordinator")
    with app.app_context():
        _shift(db.session.get(Activity, activity.id), days=3)  # nobody on it: understaffed
        people.submit_application(db.session, full_name="Ada Applicant", email="ada@example.org", phone=None,
                                  languages=["en"], availability="Evenings", motivation="To help")
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "To coordinate" in html and "Stock that needs attention" in html
    assert "1</strong> shift needs people in the next 7 days" in html
    assert "1</strong> application waits for a decision" in html


def test_home_query_count_does_not_grow(client, login, app, activity, queries):
    login("coordinator")
    with app.app_context():
        _shift(db.session.get(Activity, activity.id), days=1)
        db.session.commit()
    with queries() as few:
        assert client.get("/").status_code == 200
    with app.app_context():
        act = db.session.get(Activity, activity.id)
        for d in range(1, 12):
            s = _shift(act, days=d)
            vol = factories.user("volunteer")
            signups.sign_up(db.session, s, vol, by=vol)
        db.session.commit()
    with queries() as many:
        assert client.get("/").status_code == 200
    assert many.count == few.count, [s[:90] for s in many.statements if s not in few.statements]
    # Issue 19: the counts folded into one SELECT each, "need you" a lean query (was 22).
    assert many.count <= 14, [s[:90] for s in many.statements]


def test_volunteer_home_statements(client, login, queries):
    login("volunteer")
    client.get("/")
    with queries() as q:
        assert client.get("/").status_code == 200
    # Issue 19: "open shifts that need you" without the whole Open shifts machinery (was 10).
    assert q.count <= 8, [s[:90] for s in q.statements]
