"""Every stock endpoint is declared, and each role gets in (or not) as the matrix says; every
stock page renders for staff, and volunteers see none."""
from __future__ import annotations

import pytest

from blueprints.access import PUBLIC, rule_for
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import catalogue
from tests.stock.access_expectations import EXPECTED
from tests.stock.conftest import make_item, receive

ROLES = ["volunteer", "staff", "coordinator", "admin"]


@pytest.fixture
def stock(web_stock):
    """Built in its own app context: client requests must not share the test's ``g``."""
    return web_stock


def test_every_stock_endpoint_is_in_the_matrix_and_declared(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("stock.")}
    assert endpoints == set(EXPECTED)
    for endpoint, (least, _params) in EXPECTED.items():
        rule = rule_for(app, endpoint)
        assert rule is not None and rule != PUBLIC
        assert rule == Role(least), endpoint


def _methods(app, endpoint):
    return next(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint)


@pytest.mark.parametrize("role", ROLES)
def test_roles_below_the_least_role_are_refused(app, client, login, role):
    login(role)
    for endpoint, (least, params) in EXPECTED.items():
        url = app.url_map.bind("localhost").build(endpoint, params)
        method = "get" if "GET" in _methods(app, endpoint) else "post"
        response = getattr(client, method)(url)
        response.close()  # CSV downloads stream until closed
        if Role(role).at_least(Role(least)):
            assert response.status_code != 403, (endpoint, role)
        else:
            assert response.status_code == 403, (endpoint, role, response.status_code)


def test_anonymous_is_sent_to_login(client):
    assert client.get("/stock/").status_code == 302
    assert "/login" in client.get("/stock/").headers["Location"]


def test_pages_render_for_staff(client, login, stock, data, movements_count):
    with data(stock) as s:
        lot_id = receive(s, s.pills, 10, code="A", days=20).lot_id
        receive(s, s.soap, 3)
        catalogue.set_min_level(db.session, s.soap, "5", by=s.coordinator)
        group = catalogue.create_product_group(db.session, name="Winter jacket", by=s.staff)
        make_item("Winter jacket", "clothing", expiry=False, product_group_id=group.id, size="M", fit="women",
                  by=s.staff)
    login(stock.staff)
    for url in ["/stock/", f"/stock/items/{stock.pills.id}", "/stock/receive", "/stock/issue", "/stock/transfer",
                "/stock/discard", f"/stock/lots/{lot_id}", "/stock/locations", "/stock/groups",
                f"/stock/groups/{group.id}", "/stock/counts", "/stock/expiring", "/stock/expired",
                "/stock/shopping-list", "/stock/export", "/stock/kits", "/stock/outreach", "/stock/items/new",
                f"/stock/items/{stock.pills.id}/edit", f"/stock/issue?item_id={stock.pills.id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'style="' not in response.data, url  # the CSP forbids inline styles
    overview = client.get("/stock/").get_data(as_text=True)
    assert "Paracetamol" in overview and "Below minimum" in overview
    found = client.get("/stock/?q=soap").get_data(as_text=True)
    assert f"/stock/items/{stock.soap.id}\"" in found and f"/stock/items/{stock.pills.id}\"" not in found
    grid = client.get(f"/stock/groups/{group.id}").get_data(as_text=True)
    assert "women" in grid and ">M<" in grid


def test_volunteer_sees_no_stock(client, login, stock, data, movements_count):
    login("volunteer")
    assert client.get("/stock/").status_code == 403
    assert b"/stock/" not in client.get("/").data  # no nav entry
