"""Cooking pages through the client: plan an event (its shift made), take ingredients, record
diners; bad input answers with a message; use-soon lots on the form and the event page;
query counts do not grow."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import frozen
from logistics.cooking.models import CookingEvent, CookingStatus
from logistics.extensions import db
from tests.cooking.conftest import make_event
from tests.stock.conftest import attached, receive


def _form(ns, **kw):
    return {"title": "Jollof night", "menu": "Rice", "place_id": ns.place.id, "starts_at": "2026-12-03T17:00",
            "ends_at": "2026-12-03T20:00", "expected_diners": "12", "location_id": ns.kitchen.id, **kw}


def test_plan_draw_and_diners(app, client, auth, web):
    with attached(app)(web) as s:
        receive(s, s.rice, 10, code="SOON", days=4, location=s.kitchen)
    auth.login(web.coordinator)
    form_page = client.get("/cooking/new").get_data(as_text=True)
    assert "Use soon" in form_page and "Rice" in form_page
    for bad in ({"expected_diners": "-2"}, {"title": ""}, {"starts_at": "2026-11-01T10:00",
                                                          "ends_at": "2026-11-01T12:00"}, {"starts_at": "x"}):
        assert client.post("/cooking/new", data=_form(web, **bad)).status_code == 422
    response = client.post("/cooking/new", data=_form(web))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(CookingEvent))
        event_id, shift_id = event.id, event.shift_id
    assert shift_id is not None
    page = client.get(f"/cooking/{event_id}").get_data(as_text=True)
    assert "Use soon" in page and f"/shifts/{shift_id}" in page
    assert f"/cooking/{event_id}" in client.get(f"/shifts/{shift_id}").get_data(as_text=True)
    response = client.post(f"/cooking/{event_id}/draw", data={"item-0": web.rice.id, "qty-0": "11"})
    assert response.status_code == 422 and "Only 10" in response.get_data(as_text=True)
    assert client.post(f"/cooking/{event_id}/draw", data={"item-0": web.rice.id, "qty-0": "abc"}).status_code == 422
    assert client.post(f"/cooking/{event_id}/draw", data={"item-0": web.rice.id, "qty-0": "4"}).status_code == 302
    assert client.post(f"/cooking/{event_id}/diners", data={"actual_diners": "9"}).status_code == 422  # not started


def test_diners_after_the_start(app, client, auth, web):
    with attached(app)(web) as s:
        event_id = make_event(s).id
    with frozen(dt.datetime(2026, 12, 3, 19, tzinfo=dt.UTC)):
        auth.login(web.staff)
        assert client.post(f"/cooking/{event_id}/diners", data={"actual_diners": "-1"}).status_code == 422
        assert client.post(f"/cooking/{event_id}/diners", data={"actual_diners": "14"}).status_code == 302
    with app.app_context():
        event = db.session.get(CookingEvent, event_id)
        assert event.status == CookingStatus.COMPLETED and event.actual_diners == 14


@pytest.mark.parametrize("url", ["/cooking/", "/cooking/new", "/cooking/{id}"])
def test_query_counts_do_not_grow(app, client, auth, queries, web, url):
    def grow(n, start):
        with attached(app)(web) as s:
            for i in range(n):
                event = make_event(s, day=start + dt.timedelta(days=i), title=f"Meal {start.day + i}")
                receive(s, s.rice, 1, code=f"L{start.day + i}", days=3 + i, location=s.kitchen)
                from logistics.cooking import events
                events.draw_ingredients(db.session, event, [(s.rice.id, "1")], by=s.staff)
    grow(2, dt.date(2026, 12, 1))
    with app.app_context():
        first = db.session.scalar(sa.select(CookingEvent.id).order_by(CookingEvent.id))
    url = url.format(id=first)
    auth.login(web.coordinator)
    client.get(url)
    with queries() as small:
        assert client.get(url).status_code == 200
    grow(8, dt.date(2026, 12, 10))
    with queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, (small.count, large.count)
