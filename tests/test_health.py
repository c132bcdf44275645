"""GET /healthz names the database and the queue; 503 when either is down."""
import pytest

from logistics.app import create_app
from tests.conftest import _stop_embedded_redis


def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}


@pytest.fixture
def app_without_queue(app, tmp_path):
    # Nothing listens on port 1: the queue's Redis is down.
    broken = create_app({
        "INSTANCE_PATH": str(tmp_path), "TESTING": True, "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": "redis://127.0.0.1:1/0", "RATELIMIT_ENABLED": False,
    })
    yield broken


def test_healthz_503_when_queue_down(app_without_queue):
    r = app_without_queue.test_client().get("/healthz")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["queue"] != "ok" and "Connection" in body["queue"]


def test_healthz_503_when_database_down(app, tmp_path):
    broken = create_app({
        "INSTANCE_PATH": str(tmp_path), "TESTING": True, "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-folder/db.sqlite",
        "REDIS_URL": app.config.get("REDIS_URL") or None, "RATELIMIT_ENABLED": False,
    })
    try:
        r = broken.test_client().get("/healthz")
        assert r.status_code == 503
        assert r.get_json()["database"] != "ok"
    finally:
        _stop_embedded_redis(broken)
