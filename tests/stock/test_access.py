"""Every stock endpoint is declared, and each role gets in (or not) as the matrix says."""
from __future__ import annotations

import pytest

from blueprints.access import PUBLIC, rule_for
from logistics.people.models import Role
from tests.stock.access_expectations import EXPECTED

ROLES = ["volunteer", "staff", "coordinator", "admin"]


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
