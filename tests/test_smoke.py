from tests.conftest import browser_login
from tests import factories
from logistics.extensions import db


def test_healthz_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_login_and_home(client, login):
    login("volunteer", full_name="Vera Volunteer")
    r = client.get("/")
    assert r.status_code == 200
    assert b"Hello, Vera" in r.data


def test_coordinator_logs_in_with_code(client, login):
    login("coordinator")
    assert client.get("/").status_code == 200


def test_browser_login(app, page):
    with app.app_context():
        user = factories.user("coordinator", full_name="Camilla Coordinator")
        db.session.commit()
    browser_login(page, user)
    assert "Hello, Camilla" in page.content()
    page.screenshot(path="/tmp/home.png", full_page=True)
