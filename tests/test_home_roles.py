"""The start page per role (issue 12): the volunteer's end-of-shift flow, open shifts that
need them and their hours; staff's outreach today and tomorrow with the bag; the
coordinator's not-back and missing tallies; the admin's system card; bounded query counts."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from logistics.clock import utcnow
from logistics.extensions import db
from logistics.shifts.models import Signup, SignupStatus
from tests import factories
from tests.outreach.helpers import ended_shift
from tests.shifts import helpers as h


def _grow(app, volunteer_id, n):
    """n more of everything the page lists."""
    with app.app_context():
        for _ in range(n):
            ended_shift(ended_ago=dt.timedelta(hours=2))  # not back safe, then missing tallies later
            ended_shift("hotline", ended_ago=dt.timedelta(days=3))
            s, _m = ended_shift(ended_ago=dt.timedelta(hours=1), members=[factories.user()])
            db.session.add(Signup(shift_id=s.id, user_id=volunteer_id, status=SignupStatus.CONFIRMED,
                                  attended=True, hours=Decimal("2")))
            h.shift(h.activity("street_outreach"), start=utcnow() + dt.timedelta(hours=20), capacity=(2, 4))
            h.shift(h.activity("packing"), in_days=2, capacity=(2, 4))
        db.session.commit()
        _failed_notification(volunteer_id)


def test_the_volunteer_sees_need_me_and_hours(app, client, login):
    user = login("volunteer")
    with app.app_context():
        h.shift(h.activity("packing", name="Packing night"), in_days=2, capacity=(2, 4))
        s, _ = ended_shift(members=[user])
        db.session.get(Signup, 1).attended = True
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Open shifts that need you" in html and "Packing night" in html
    assert "My hours this year" in html and "How did it go?" in html


def test_staff_see_outreach_with_the_bag_status(app, client, login):
    login("staff")
    with app.app_context():
        h.shift(h.activity("street_outreach", name="Night walk"), start=utcnow() + dt.timedelta(hours=5))
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "Street outreach today and tomorrow" in html and "Night walk" in html
    assert "stock not checked, bag not packed" in html


def test_the_admin_sees_the_system(app, client, login):
    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "System" in html and "Database" in html and "Last sweep" in html


def test_query_counts_do_not_grow(app, client, login, queries):
    for role in ("admin",):
        user = login(role)
        _grow(app, user.id, 1)
        client.get("/")
        with queries() as few:
            assert client.get("/").status_code == 200
        _grow(app, user.id, 6)
        with queries() as many:
            html = client.get("/").get_data(as_text=True)
        assert "Not back safe" in html and "How did it go?" in html
        assert "emails failed to send in the last 7 days" in html
        assert many.count == few.count, [s[:100] for s in many.statements]


def _failed_notification(user_id, n=1):
    from logistics.notifications.models import Kind, Notification, Status

    for _ in range(n):
        db.session.add(Notification(key=f"test:{uuid.uuid4()}",
                                    kind=Kind.TEST, user_id=user_id, status=Status.FAILED, attempts=1,
                                    last_error="SMTPRecipientsRefused 550"))
    db.session.commit()


def test_coordinators_see_failed_notifications_without_the_admins_link(app, client, login):
    user = login("coordinator")
    with app.app_context():
        _failed_notification(user.id, 2)
    html = client.get("/").get_data(as_text=True)
    assert "emails failed to send in the last 7 days" in html
    assert "(an administrator can send them again)" in html
    with app.test_request_context():
        from flask import url_for

        assert url_for("notifications.admin_list") not in html


def test_admins_see_failed_notifications_linking_to_their_page(app, client, login):
    user = login("admin")
    with app.app_context():
        _failed_notification(user.id)
        from flask import url_for

        with app.test_request_context():
            link = url_for("notifications.admin_list", status="failed")
    html = client.get("/").get_data(as_text=True)
    assert f'href="{link}"' in html and "email failed to send in the last 7 days" in html
    assert "(an administrator can send them again)" not in html
    assert client.get(link).status_code == 200


def test_the_admin_sees_the_worker_heartbeat(app, client, login):
    from rq import Worker
    from rq.utils import utcformat

    from logistics import queue

    login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "no worker running" in html and "badge-warn" in html
    state = queue.state(app)
    worker = Worker(list(state.queues.values()), connection=state.connection)
    worker.register_birth()
    try:
        state.connection.hset(worker.key, "last_heartbeat", utcformat(utcnow() - dt.timedelta(seconds=30)))
        html = client.get("/").get_data(as_text=True)
        assert "1 worker running" in html and "no worker running" not in html and "Last heartbeat" in html
        # A worker silent for longer than queue.STALE_AFTER is not running, whatever its key says.
        state.connection.hset(worker.key, "last_heartbeat", utcformat(utcnow() - dt.timedelta(minutes=10)))
        html = client.get("/").get_data(as_text=True)
        assert "no worker running" in html and "stale" in html
    finally:
        worker.register_death()
        state.connection.delete(worker.key)
