"""The access matrix: every endpoint is declared, and each role gets what the table says.

The table is the union of ``tests/**/access_expectations.py``; it is written by hand, so it
checks the declarations on the views instead of repeating them.
"""
from __future__ import annotations

import importlib
import pathlib

import pytest

from blueprints.access import PUBLIC, rule_for
from logistics.people.models import Role

ROLES = ["anonymous", "volunteer", "staff", "coordinator", "admin"]
RANK = {"public": 0, "volunteer": 1, "staff": 2, "coordinator": 3, "admin": 4}


def _expectations() -> tuple[dict, set]:
    expected, ends_at_login = {}, set()
    root = pathlib.Path(__file__).parent
    for path in sorted(root.rglob("access_expectations.py")):
        module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
        table = module.EXPECTED
        overlap = set(expected) & set(table)
        assert not overlap, f"{path} repeats {overlap}"
        expected.update(table)
        # Endpoints whose own flow sends the browser to the login page (logging out, the
        # code step without a pending login): a redirect there is not a refusal.
        ends_at_login |= set(getattr(module, "ENDS_AT_LOGIN", ()))
    return expected, ends_at_login


EXPECTED, ENDS_AT_LOGIN = _expectations()


def test_every_endpoint_is_declared(app):
    missing = sorted(e for e in app.view_functions if rule_for(app, e) is None)
    assert not missing, f"endpoints without an access declaration: {missing}"


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = set(app.view_functions)
    undeclared = sorted(endpoints - set(EXPECTED))
    assert not undeclared, f"add to an access_expectations.py: {undeclared}"
    assert not sorted(set(EXPECTED) - endpoints), f"stale entries: {sorted(set(EXPECTED) - endpoints)}"


def test_declarations_match_the_table(app):
    """The decorator on each view says the same as the hand-written table."""
    for endpoint, (least, _params) in EXPECTED.items():
        rule = rule_for(app, endpoint)
        declared = "public" if rule == PUBLIC else Role(rule).value
        assert declared == least, f"{endpoint}: declared {declared}, table says {least}"


def _cases():
    for endpoint, (least, params) in sorted(EXPECTED.items()):
        for role in ROLES:
            yield pytest.param(endpoint, least, params, role, id=f"{endpoint}-{role}")


@pytest.mark.parametrize("endpoint,least,params,role", list(_cases()))
def test_matrix(app, client, login, endpoint, least, params, role):
    """Anonymous → redirect to login; too low a role → 403; enough → anything but those."""
    if role != "anonymous":
        login(role)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **params)
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    response = client.open(url, method=method, data={"csrf_token": client.csrf_token()} if method != "GET" else None)
    location = response.headers.get("Location", "")
    to_login = response.status_code == 302 and "/login" in location
    if endpoint in ENDS_AT_LOGIN and not (role == "anonymous" and least != "public"):
        to_login = False
    if least == "public":
        assert response.status_code != 403 and not to_login, f"{endpoint} should be public"
    elif role == "anonymous":
        assert to_login, f"{endpoint}: anonymous got {response.status_code} {location}"
    elif RANK[role] < RANK[least]:
        assert response.status_code == 403, f"{endpoint}: {role} got {response.status_code}"
    else:
        assert response.status_code not in (401, 403) and not to_login, (
            f"{endpoint}: {role} got {response.status_code} {location}")
        assert response.status_code < 500
