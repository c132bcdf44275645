"""The page shell: login, home, navigation by role, phone-sized pages in Chromium."""
import pytest

from logistics.extensions import db
from tests import factories
from tests.conftest import browser_login


def test_login_and_home(client, login):
    login("volunteer", full_name="Vera Volunteer")
    r = client.get("/")
    assert r.status_code == 200
    assert b"Hello, Vera" in r.data


def test_demo_mode_banner_on_every_page(client, login, app):
    from logistics import settings

    login("volunteer")
    assert b"Demo mode" not in client.get("/").data
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", False)
        db.session.commit()
    assert b"Demo mode" in client.get("/").data
    client.post("/logout")
    assert b"Demo mode" in client.get("/login").data


@pytest.mark.browser
def test_phone_sized_shell(app, page):
    with app.app_context():
        user = factories.user("coordinator", full_name="Camilla Coordinator")
        db.session.commit()
    browser_login(page, user)
    assert "Hello, Camilla" in page.content()
    # The menu folds away on a phone and opens with the button.
    nav = page.locator("#site-nav")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    assert "You are logged out." in page.content()


def test_downloads_are_never_cached(client, login):
    """Personal JSON and CSV downloads say no-store, like the pages."""
    login("staff")
    for url in ("/account/my-data.json", "/stock/export/on-hand.csv", "/healthz"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Cache-Control"] == "no-store", url


def test_static_files_may_be_cached(client):
    r = client.get("/static/css/app.css")
    assert r.status_code == 200 and r.headers.get("Cache-Control") != "no-store"
