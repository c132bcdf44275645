"""Helpers for the people and auth tests."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from logistics.extensions import db
from tests import factories

#: A password that passes every rule and is not the factories' one.
NEW_PASSWORD = "lanterns drift over the harbour"


@pytest.fixture
def make_user(app):
    """Create and commit a user (see factories.user); return it."""

    def make(role="volunteer", **kwargs):
        with app.app_context():
            user = factories.user(role, **kwargs)
            db.session.commit()
            return user

    return make


def path_of(link: str) -> str:
    """The path of an absolute link from an email, for the test client."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def error_for(html: str, field_id: str) -> str:
    """The error text shown next to the field ``field_id`` ('' when there is none)."""
    found = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return None if cookie is None else cookie.value


def put_session_cookie(client, value: str) -> None:
    client.set_cookie("session", value, domain="localhost")
