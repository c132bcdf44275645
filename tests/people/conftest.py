"""Helpers for the people and auth tests."""
from __future__ import annotations

import os
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


def _second_app(app, tmp_path_factory, **overrides):
    """Another app on the same database, Redis and SMTP server as the test app."""
    from logistics import queue
    from logistics.app import create_app

    config = {
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance2")),
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "MAIL_URL": app.config["MAIL_URL"],
        # One Redis for both apps: the limiter object is shared between them.
        "REDIS_URL": app.config["REDIS_URL"] or f"unix://{queue.state(app).embedded.socket_file}",
        "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        **overrides,
    }
    if not os.environ.get("DATABASE_URL"):  # as tests/conftest.py: the same SQLite file
        config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    return create_app(config)


def _dispose(second) -> None:
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def https_app(app, tmp_path_factory):
    """The app as deployed behind https (BASE_URL decides HSTS and Secure cookies)."""
    second = _second_app(app, tmp_path_factory, BASE_URL="https://example.org")
    yield second
    _dispose(second)


@pytest.fixture(scope="session")
def error_app(app, tmp_path_factory):
    """An app that shows its 500 page in tests, with a test-only route that fails."""
    from blueprints.access import public

    second = _second_app(app, tmp_path_factory, BASE_URL="http://localhost", SHOW_ERROR_PAGES=True)

    @second.route("/test-only/boom")
    @public
    def boom():
        raise RuntimeError("a secret detail")

    @second.route("/test-only/busy")
    @public
    def busy():
        import sqlite3

        from sqlalchemy.exc import OperationalError

        raise OperationalError("UPDATE stock_balance …", {}, sqlite3.OperationalError("database is locked"))

    yield second
    _dispose(second)
