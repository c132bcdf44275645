"""Every account and admin endpoint against anonymous / volunteer / staff / coordinator / admin."""
import importlib

import pytest
from flask import url_for

from blueprints.access import rule_for
from logistics.extensions import db
from logistics.people.models import Role
from tests import factories

EXPECTED = {}
for module in ("tests.account.access_expectations", "tests.admin.access_expectations"):
    EXPECTED.update(importlib.import_module(module).EXPECTED)

ROLES = ["volunteer", "staff", "coordinator", "admin"]


def test_every_endpoint_has_an_expectation(app):
    mine = {e for e in app.view_functions if e.startswith(("account.", "admin."))}
    assert mine == set(EXPECTED)
    for endpoint, (least, _params) in EXPECTED.items():
        assert rule_for(app, endpoint) == Role(least), endpoint


def _requests(app):
    out = []
    with app.test_request_context():
        for endpoint, (least, params) in EXPECTED.items():
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            method = "GET" if "GET" in rule.methods else "POST"
            out.append((endpoint, least, method, url_for(endpoint, **params)))
    return out


def test_anonymous_is_sent_to_login(app, client):
    for endpoint, _least, method, url in _requests(app):
        r = client.open(url, method=method, data={"csrf_token": client.csrf_token()} if method == "POST" else None)
        assert r.status_code == 302 and "/login" in r.headers["Location"], endpoint


@pytest.mark.parametrize("role", ROLES)
def test_roles(app, make_client, role):
    from tests.conftest import Auth, Client

    with app.app_context():
        user = factories.user(role)
        factories.qualification()
        db.session.commit()
    c = make_client()
    assert isinstance(c, Client)
    r = Auth(c).login(user)
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    for endpoint, least, method, url in _requests(app):
        r = c.open(url, method=method, data={"csrf_token": c.csrf_token()} if method == "POST" else None)
        if Role(role).at_least(Role(least)):
            assert r.status_code not in (403, 500), (endpoint, r.status_code)
            assert "/login" not in r.headers.get("Location", ""), endpoint
        else:
            assert r.status_code == 403, (endpoint, role, r.status_code)
