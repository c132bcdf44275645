"""Distribution pages through the client: plan a month (pattern, grid, counts), the detail
page with its shortfall, packing (refused as a whole, then done), the packing list, the
hand-out and cancelling; bad input answers with a message, never a 500; query counts."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.distributions.models import Distribution, DistributionStatus
from logistics.extensions import db
from logistics.shifts.models import Shift
from tests.distributions.conftest import TIMES, plan, stock_up
from tests.stock.conftest import attached


def _plan_form(ns, days, packs="10", **extra):
    return {"days": [d.isoformat() for d in days], f"packs-{ns.recipe.id}": packs, "location_id": ns.storeroom.id,
            "place_id": "", "handout_start": "14:00", "handout_minutes": "180", "packing_start": "16:00",
            "packing_minutes": "120", **extra}


def test_plan_page_proposes_the_second_and_fourth_tuesday_and_creates_them(app, client, auth, web):
    auth.login(web.coordinator)
    page = client.get("/distributions/plan?kind=monthly&weekday=1&first=2,4&start=2026-12&months=2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for day in ("2026-12-08", "2026-12-22", "2027-01-12", "2027-01-26"):
        assert f'value="{day}" checked' in html
    assert 'value="2026-12-15" checked' not in html
    response = client.post("/distributions/plan", data=_plan_form(web, [dt.date(2026, 12, 8), dt.date(2026, 12, 22)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Distribution)) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Shift)) == 4
    # The same month again: refused, nothing saved.
    response = client.post("/distributions/plan", data=_plan_form(web, [dt.date(2026, 12, 15)]))
    assert response.status_code == 409 or response.status_code == 422
    assert "just been planned by someone else" in response.get_data(as_text=True)


@pytest.mark.parametrize("days, packs, message", [
    ([dt.date(2026, 11, 20)], "10", "too soon"),
    ([], "10", "at least one day"),
    ([dt.date(2026, 12, 8)], "0", "at least one pack"),
    ([dt.date(2026, 12, 8)], "-4", "whole number"),
    ([dt.date(2026, 12, 8)], "ten", "whole number"),
    ([dt.date(2026, 12, 8)], "99999999999", "whole number"),
])
def test_bad_plans_answer_with_a_message(app, client, auth, web, days, packs, message):
    auth.login(web.coordinator)
    response = client.post("/distributions/plan", data=_plan_form(web, days, packs))
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Distribution)) == 0


def test_pack_refused_as_a_whole_then_packed_then_handed_out(app, client, auth, web):
    with attached(app)(web) as s:
        stock_up(s, rice=10, oil=20)
        d_id = plan(s, [dt.date(2026, 12, 8)])[0].id
    auth.login(web.staff)
    page = client.get(f"/distributions/{d_id}").get_data(as_text=True)
    assert "Not enough stock for this distribution" in page and "10 kg short" in page
    with app.app_context():
        line_id = db.session.get(Distribution, d_id).lines[0].id
    response = client.post(f"/distributions/{d_id}/pack", data={f"packs-{line_id}": "10"})
    assert response.status_code == 422 and "Rice: 10 kg short" in response.get_data(as_text=True)
    for bad in ("-1", "abc", "11"):
        assert client.post(f"/distributions/{d_id}/pack", data={f"packs-{line_id}": bad}).status_code == 422
    assert client.post(f"/distributions/{d_id}/pack", data={f"packs-{line_id}": "5"}).status_code == 302
    listing = client.get(f"/distributions/{d_id}/packing-list").get_data(as_text=True)
    assert "Take first from lot" in listing
    response = client.post(f"/distributions/{d_id}/hand-out", data={f"handed-{line_id}": "6"})
    assert response.status_code == 422 and "Only 5 packs" in response.get_data(as_text=True)
    response = client.post(f"/distributions/{d_id}/hand-out", data={f"handed-{line_id}": "4", "women": "3",
                                                                    "not_stated": "1"})
    assert response.status_code == 302
    with app.app_context():
        d = db.session.get(Distribution, d_id)
        assert d.status == DistributionStatus.COMPLETED and (d.women, d.not_stated) == (3, 1)


def test_cancel_is_for_coordinators_and_cancels_the_shifts(app, client, auth, web):
    with attached(app)(web) as s:
        d_id = plan(s, [dt.date(2026, 12, 8)])[0].id
    auth.login(web.staff)
    assert client.post(f"/distributions/{d_id}/cancel").status_code == 403
    auth.logout()
    auth.login(web.coordinator)
    assert client.post(f"/distributions/{d_id}/cancel").status_code == 302
    with app.app_context():
        d = db.session.get(Distribution, d_id)
        assert d.status == DistributionStatus.CANCELLED and d.handout_shift.is_cancelled


def test_recipe_form_refuses_a_component_twice_and_none(app, client, auth, web):
    auth.login(web.coordinator)
    base = {"pack_item_id": web.hygiene.id}
    response = client.post("/distributions/recipes/new", data=base)
    assert response.status_code == 422 and "at least one component" in response.get_data(as_text=True)
    response = client.post("/distributions/recipes/new", data={**base, "item-0": web.soap.id, "qty-0": "1",
                                                               "item-1": web.soap.id, "qty-1": "2"})
    assert response.status_code == 422 and "twice" in response.get_data(as_text=True)
    response = client.post("/distributions/recipes/new", data={**base, "item-0": "99999999999999", "qty-0": "1"})
    assert response.status_code == 422
    response = client.post("/distributions/recipes/new", data={**base, "item-0": web.soap.id, "qty-0": "2"})
    assert response.status_code == 302
    assert "Hygiene pack" in client.get("/distributions/recipes").get_data(as_text=True)


def _grow(app, ns, n, start):
    with attached(app)(ns) as s:
        for i in range(n):
            from logistics.distributions import plans
            plans.add_distribution(db.session, day=start + dt.timedelta(days=i), recipes=[(s.recipe, 5),
                                                                                          (s.family_recipe, 2)],
                                   location=s.storeroom, handout_activity=s.handout_activity,
                                   packing_activity=s.packing_activity, place=None, times=TIMES, by=s.coordinator)


@pytest.mark.parametrize("url", ["/distributions/", "/distributions/sufficiency", "/distributions/recipes",
                                 "/distributions/forecast", "/stock/shopping-list", "/stock/shopping-list.csv",
                                 "/distributions/plan", "/distributions/{id}", "/distributions/{id}/packing-list"])
def test_query_counts_do_not_grow(app, client, auth, queries, web, url):
    with attached(app)(web) as s:
        stock_up(s)
    _grow(app, web, 2, dt.date(2026, 12, 1))
    with app.app_context():
        first = db.session.scalar(sa.select(Distribution.id).order_by(Distribution.id))
    url = url.format(id=first)
    auth.login(web.coordinator)
    client.get(url)
    with queries() as small:
        assert client.get(url).status_code == 200
    _grow(app, web, 12, dt.date(2026, 12, 10))
    with queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, (small.count, large.count)


def test_shift_pages_calendar_and_start_page_show_the_distribution(app, client, auth, web):
    with attached(app)(web) as s:
        d = plan(s, [dt.date(2026, 12, 8)])[0]
        ids = (d.id, d.handout_shift_id, d.packing_shift_id)
    auth.login(web.coordinator)
    for shift_id in ids[1:]:
        page = client.get(f"/shifts/{shift_id}").get_data(as_text=True)
        assert "Food-pack distribution" in page and f"/distributions/{ids[0]}" in page
    assert "packing the day before" in client.get(f"/shifts/{ids[2]}").get_data(as_text=True)
    week = client.get("/shifts/calendar/week?start=2026-12-07").get_data(as_text=True)
    assert f"/distributions/{ids[0]}" in week
    month = client.get("/shifts/calendar/month?month=2026-12&day=2026-12-08").get_data(as_text=True)
    assert f"/distributions/{ids[0]}" in month
    home = client.get("/").get_data(as_text=True)
    assert "distribution in the next 8 weeks lacks stock" in home  # nothing is in stock


def test_coordinator_changes_the_planned_packs(app, client, auth, web):
    with attached(app)(web) as s:
        d = plan(s, [dt.date(2026, 12, 8)])[0]
        d_id, line_id = d.id, d.lines[0].id
    auth.login(web.coordinator)
    for bad in ("0", "-5", "abc", "99999999999"):
        assert client.post(f"/distributions/{d_id}/planned", data={f"planned-{line_id}": bad}).status_code == 422
    assert client.post(f"/distributions/{d_id}/planned", data={f"planned-{line_id}": "14"}).status_code == 302
    with app.app_context():
        assert db.session.get(Distribution, d_id).lines[0].planned_packs == 14
