"""Every form that changes something records once: identical requests at the same moment
(a double click, a resent form) make one change, and two people saving the same name at
once get a clear 409 or 422, never a 500 and never two rows."""
from __future__ import annotations

import datetime as dt
import secrets
import threading

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.clock import utcnow
from logistics.extensions import db
from logistics.once import FormToken
from logistics.people.models import Qualification
from logistics.shifts.models import Activity, CoverRequest, Place, Shift
from logistics.stock.models import Item, Location, ProductGroup
from tests import factories
from tests.conftest import Auth
from tests.shifts.helpers import local_input

pytestmark = pytest.mark.concurrency


def _clients(app, make_client, user, n):
    """``n`` browsers logged in as ``user`` (each two-factor code in its own 30-second step:
    a code works once)."""
    clients = []
    for i in range(n):
        c = make_client()
        with clock.frozen(utcnow() + dt.timedelta(seconds=31 * i)):
            assert Auth(c).login(user).status_code == 302
        clients.append(c)
    return clients


def _at_once(clients, url, datas) -> list[int]:
    """POST ``datas[i]`` from ``clients[i]``, all at the same moment; the status codes."""
    barrier = threading.Barrier(len(clients))
    statuses: list = [None] * len(clients)

    def run(i):
        barrier.wait()
        try:
            statuses[i] = clients[i].post(url, data=datas[i]).status_code
        except Exception as exc:  # noqa: BLE001 - a 500 in tests is raised: record it
            statuses[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def coordinator(app):
    with app.app_context():
        user = factories.user("coordinator")
        db.session.commit()
        return user


def test_five_identical_new_shift_posts_make_one_shift(app, make_client, coordinator):
    with app.app_context():
        activity = Activity(name="Office day", kind="office", capacity_min=1, capacity_max=2)
        db.session.add(activity)
        db.session.commit()
        activity_id = activity.id
    start = utcnow() + dt.timedelta(days=3)
    form = {"activity": activity_id, "place": 0, "starts_at": local_input(start),
            "ends_at": local_input(start + dt.timedelta(hours=3)), "capacity_min": "1", "capacity_max": "2",
            "once": secrets.token_urlsafe(24)}
    statuses = _at_once(_clients(app, make_client, coordinator, 5), "/shifts/new", [form] * 5)
    assert sorted(statuses) == [302, 409, 409, 409, 409], statuses
    assert _count(app, Shift) == 1
    with app.app_context():  # the token is spent once, and remembers where the first submit went
        token = db.session.get(FormToken, form["once"])
        assert token is not None and token.next_url and token.next_url.startswith("/shifts/")


def test_five_identical_cover_requests_make_one(app, make_client, coordinator):
    with app.app_context():
        hotline = Activity(name="Hotline", kind="hotline", capacity_min=1, capacity_max=2)
        db.session.add(hotline)
        db.session.commit()
        hotline_id = hotline.id
    start = (utcnow() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    form = {"activity_id": hotline_id, "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "once": secrets.token_urlsafe(24)}
    statuses = _at_once(_clients(app, make_client, coordinator, 5), "/shifts/coverage/request", [form] * 5)
    assert sorted(statuses) == [302, 409, 409, 409, 409], statuses
    assert _count(app, CoverRequest) == 1
    assert _count(app, Shift) == 1  # the shiftless gap got its shift once


NAMED = [
    ("/shifts/activities/new", Activity, lambda: {"name": "Same name", "kind": "office", "colour": "teal",
                                                  "capacity_min": "1", "capacity_max": "2",
                                                  "cancel_cutoff_hours": "24", "signup_opens_days": "30",
                                                  "is_active": "y"}),
    ("/shifts/places/new", Place, lambda: {"name": "Same place", "address": "", "kind": "office", "is_active": "y"}),
    ("/stock/items/new", Item, lambda: {"name": "Soap", "category": "hygiene", "unit": "piece",
                                        "product_group_id": "", "fit": "", "size": "", "notes": "",
                                        "is_active": "y"}),
    ("/stock/locations/new", Location, lambda: {"name": "Cellar", "is_active": "y"}),
    ("/stock/groups/new", ProductGroup, lambda: {"name": "Winter jacket", "notes": ""}),
    ("/admin/qualifications/new", Qualification, lambda: {"code": "same_code", "name_en": "Same", "name_da": "Samme",
                                                          "is_active": "y"}),
]


@pytest.mark.parametrize(("url", "model", "form"), NAMED, ids=[n[0] for n in NAMED])
def test_two_people_saving_the_same_name_at_once(app, make_client, url, model, form):
    """Different forms (their own tokens), the same name: one row, and a clear answer."""
    with app.app_context():
        user = factories.user("admin")
        db.session.commit()
    datas = [{**form(), "once": secrets.token_urlsafe(24)} for _ in range(4)]
    statuses = _at_once(_clients(app, make_client, user, 4), url, datas)
    assert statuses.count(302) == 1, statuses
    assert all(s in (302, 409, 422) for s in statuses), statuses
    assert _count(app, model) == 1


def test_once_forms_hidden_tag_is_flask_wtfs_html(app):
    """OnceForm.hidden_tag writes the inputs itself; the HTML is Flask-WTF's (tokens aside)."""
    import re

    from flask_wtf import FlaskForm

    from blueprints.forms import OnceForm

    with app.test_request_context("/"):
        form = OnceForm()
        fast = str(form.hidden_tag())
        slow = str(FlaskForm.hidden_tag(form))
        assert fast.count("<input") == 2 and 'name="csrf_token"' in fast and 'name="once"' in fast

        def shape(html):
            return re.sub(r'(name="once" type="hidden" value=")[^"]+', r"\1X", html)

        assert shape(fast) == shape(slow)
        assert str(form.hidden_tag()) != fast  # a fresh one-time token each time it is drawn
