"""The login throttle: failures only, per account in the database with device cookies
(strangers cannot lock the owner out), per address behind a configured number of proxies,
and logins that keep working while Redis is down."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from logistics.extensions import db
from tests import factories
from tests.conftest import dispose_app, second_app

ROOT = Path(__file__).resolve().parents[2]
WRONG = "not the right password at all"


def _login(client, email, password=WRONG, ip="10.0.0.1", **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, **kwargs)


def test_successful_logins_are_not_counted(make_client, make_user):
    user = make_user("volunteer")
    for i in range(12):  # more than the 10 of LOGIN_LIMITS, from new browsers each time
        assert _login(make_client(), user.email, factories.PASSWORD, ip=f"10.2.{i}.1").status_code == 302


def test_strangers_guessing_do_not_lock_out_the_owner(make_client, make_user):
    user = make_user("volunteer")
    owner = make_client()
    assert _login(owner, user.email, factories.PASSWORD).status_code == 302  # the owner's phone
    owner.post("/logout")
    stranger = make_client()
    for i in range(10):
        assert _login(stranger, user.email, ip=f"10.3.{i}.1").status_code == 401
    assert _login(stranger, user.email, factories.PASSWORD, ip="10.3.99.1").status_code == 429
    assert _login(make_client(), user.email, factories.PASSWORD, ip="10.3.98.1").status_code == 429
    # The browser that has logged in as this account before is not throttled by them.
    r = _login(owner, user.email, factories.PASSWORD, ip="10.3.97.1")
    assert r.status_code == 302 and "/login" not in r.headers["Location"]


def test_a_known_device_that_guesses_wrong_is_throttled_on_its_own(make_client, make_user):
    user = make_user("volunteer")
    device = make_client()
    assert _login(device, user.email, factories.PASSWORD).status_code == 302
    device.post("/logout")
    for i in range(10):
        assert _login(device, user.email, ip=f"10.4.{i}.1").status_code == 401
    assert _login(device, user.email, factories.PASSWORD, ip="10.4.99.1").status_code == 429
    # Strangers have their own count, still empty.
    assert _login(make_client(), user.email, factories.PASSWORD, ip="10.4.98.1").status_code == 302


def test_a_forged_device_cookie_counts_as_a_stranger(make_client, make_user):
    user = make_user("volunteer")
    stranger = make_client()
    stranger.set_cookie("hn_device", "eyJuIjoieCIsInUiOlsxXX0.forged", domain="localhost")
    for i in range(10):
        assert _login(stranger, user.email, ip=f"10.5.{i}.1").status_code == 401
    assert _login(make_client(), user.email, factories.PASSWORD, ip="10.5.99.1").status_code == 429


def test_the_address_limit_counts_failures_only(make_client, make_user):
    users = [make_user("volunteer") for _ in range(5)]
    for user in users:  # five people logging in at the same office address
        assert _login(make_client(), user.email, factories.PASSWORD, ip="10.6.6.6").status_code == 302
    client = make_client()
    for i in range(30):
        assert _login(client, f"guess{i}@example.org", ip="10.6.6.6").status_code == 401
    assert _login(client, "guess99@example.org", ip="10.6.6.6").status_code == 429


@pytest.fixture
def proxied_app(app, tmp_path_factory):
    second = second_app(app, tmp_path_factory, TRUSTED_PROXIES=1)
    yield second
    dispose_app(second)


def _behind_proxy(client, email, forwarded_for):
    return client.post("/login", data={"email": email, "password": WRONG},
                       environ_base={"REMOTE_ADDR": "10.0.0.254"}, headers={"X-Forwarded-For": forwarded_for})


def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(proxied_app, client):
    from tests.conftest import Client

    proxied_app.test_client_class = Client
    proxied = proxied_app.test_client()
    for i in range(30):
        assert _behind_proxy(proxied, f"p{i}@example.org", "203.0.113.7").status_code == 401
    assert _behind_proxy(proxied, "p99@example.org", "203.0.113.7").status_code == 429
    # Everyone else behind the same proxy still gets in (the proxy's address is not the key).
    assert _behind_proxy(proxied, "p98@example.org", "203.0.113.8").status_code == 401
    # A client cannot add hops of its own: only the last one, set by the proxy, counts.
    assert _behind_proxy(proxied, "p97@example.org", "198.51.100.1, 203.0.113.7").status_code == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(client):
    for i in range(30):
        assert client.post("/login", data={"email": f"q{i}@example.org", "password": WRONG},
                           environ_base={"REMOTE_ADDR": "10.7.7.7"},
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code == 401
    r = client.post("/login", data={"email": "q99@example.org", "password": WRONG},
                    environ_base={"REMOTE_ADDR": "10.7.7.7"}, headers={"X-Forwarded-For": "198.51.100.200"})
    assert r.status_code == 429


REDIS_DOWN = textwrap.dedent("""
    import json, sys
    from logistics.app import create_app
    from tests.conftest import Client

    app = create_app({"TESTING": True, "PASSWORD_HASH_FAST": True, "SECRET_KEY": "s" * 32,
                      "SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": "redis://127.0.0.1:1/0",
                      "INSTANCE_PATH": sys.argv[2], "BASE_URL": "http://localhost"})
    app.test_client_class = Client
    c = app.test_client()
    out = {}
    out["login"] = c.post("/login", data={"email": sys.argv[3], "password": sys.argv[4]}).status_code
    out["home"] = c.get("/").status_code
    c.post("/logout")
    out["wrong"] = c.post("/login", data={"email": sys.argv[3], "password": "wrong wrong wrong"}).status_code
    out["forgot"] = c.post("/forgot-password", data={"email": sys.argv[3]}).status_code
    out["apply"] = c.post("/apply", data={"full_name": "Ada Applicant", "email": "ada.down@example.org",
                                          "availability": "Evenings", "motivation": "To help",
                                          "languages": ["en"], "consent": "y"}).status_code
    out["healthz"] = c.get("/healthz").status_code
    print("RESULT " + json.dumps(out))
""")


def test_logins_apply_and_reset_work_while_redis_is_down(app, tmp_path):
    with app.app_context():
        user = factories.user("volunteer", email="redis.down@example.org")
        db.session.commit()
    done = subprocess.run([sys.executable, "-c", REDIS_DOWN, app.config["SQLALCHEMY_DATABASE_URI"],
                           str(tmp_path), user.email, factories.PASSWORD],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, done.stdout[-2000:] + done.stderr[-4000:]
    result = json.loads(line[7:])
    assert result["login"] == 302 and result["home"] == 200
    assert result["wrong"] == 401
    assert result["forgot"] == 200  # "if the address is known, a link is on its way"
    assert result["apply"] == 302  # to the "thank you" page
    assert result["healthz"] == 503
