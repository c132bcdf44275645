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


def test_demo_mode_banner_only_for_signed_in_coordinators_and_admins(client, login, app, make_client):
    """The banner says two-factor login is off: that concerns coordinators and admins, and
    visitors on the login and apply pages must not be told."""
    from logistics import settings

    login("coordinator")
    assert b"Demo mode" not in client.get("/").data
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", False)
        db.session.commit()
    assert b"Demo mode" in client.get("/").data and b"Demo mode" in client.get("/shifts/mine").data
    client.post("/logout")
    for path in ("/login", "/apply", "/forgot-password"):
        assert b"Demo mode" not in client.get(path).data, path
    for role, shown in (("volunteer", False), ("staff", False), ("admin", True)):
        other = make_client()
        with app.app_context():
            user = factories.user(role)
            db.session.commit()
        from tests.conftest import Auth

        Auth(other).login(user)
        assert (b"Demo mode" in other.get("/").data) is shown, role


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


def test_the_administration_pages_share_one_menu(client, login, make_client, app):
    login("admin")
    html = client.get("/").get_data(as_text=True)
    menu = html[html.index("<summary>Administration</summary>"):]
    menu = menu[:menu.index("</details>")]
    for path in ("/admin/users", "/admin/audit", "/admin/settings", "/admin/outbox"):
        assert f'href="{path}"' in menu, path
    # The current page's menu is marked.
    assert 'class="is-current"' in client.get("/admin/settings").get_data(as_text=True)
    other = make_client()
    with app.app_context():
        coordinator = factories.user("coordinator")
        db.session.commit()
    from tests.conftest import Auth

    Auth(other).login(coordinator)
    html = other.get("/").get_data(as_text=True)
    assert "<summary>Administration</summary>" not in html
    # The coordinators' own menus: their shift pages, and the reports.
    for summary, paths in (("Coordination", ("/shifts/staffing", "/shifts/coverage", "/outreach/not-back")),
                           ("Reports", ("/reports/annual", "/reports/hours"))):
        menu = html[html.index(f"<summary>{summary}</summary>"):]
        menu = menu[:menu.index("</details>")]
        for path in paths:
            assert f'href="{path}' in menu, (summary, path)


@pytest.mark.browser
def test_the_admin_navigation_is_one_line_at_1366_px(app, browser, live_server):
    """Every entry and "Log out" on one line on a laptop, in English and in Danish."""
    with app.app_context():
        admin = factories.user("admin", full_name="Astrid Admin")
        db.session.commit()
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 800})
    page = context.new_page()
    browser_login(page, admin)  # once: a two-factor code is used once
    for language in ("en", "da"):
        page.get_by_role("button", name="Dansk" if language == "da" else "English").click()
        page.wait_for_load_state()
        tops = page.evaluate("[...document.querySelectorAll('#site-nav > ul > li, .nav-user > *')]"
                             ".map(e => Math.round(e.getBoundingClientRect().top))")
        assert len(tops) >= 10 and max(tops) - min(tops) <= 8, (language, tops)
        logout = page.locator(".nav-user .link-button")
        assert logout.bounding_box()["height"] < 32, "Log out broke onto two lines"
        admin_menu = page.locator(".nav-group").filter(has_text="Administration")
        admin_menu.locator("summary").click()
        admin_menu.get_by_role("link", name="Indstillinger" if language == "da" else "Settings").click()
        page.wait_for_url("**/admin/settings")
    context.close()


def test_static_files_are_fingerprinted_and_kept_a_year(client, login):
    import re

    login("volunteer")
    page = client.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert urls and all(re.search(r"\?v=[0-9a-f]{10}$", u) for u in urls), urls
    css = next(u for u in urls if "app.css" in u)
    r = client.get(css)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Another (old) fingerprint or none: the file, but not promised for a year.
    for stale in ("/static/css/app.css?v=0000000000", "/static/css/app.css"):
        r = client.get(stale)
        assert r.status_code == 200 and "immutable" not in r.headers.get("Cache-Control", ""), stale
