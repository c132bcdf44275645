"""axe-core in Chromium finds no serious or critical accessibility problem on the pages
each role uses, at phone size, in Danish (the longer strings; demo data loaded)."""
import pytest

from logistics import demo
from logistics.extensions import db

pytestmark = pytest.mark.browser

PAGES = {
    "volunteer": ["/", "/shifts/mine", "/shifts/open", "/shifts/calendar/week", "/shifts/calendar/month",
                  "/account/", "/account/security", "/account/password", "/reports/hours/mine",
                  "/reports/hours/mine/statement"],
    "staff": ["/", "/stock/", "/stock/outreach", "/stock/receive", "/stock/issue", "/stock/counts",
              "/stock/shopping-list", "/stock/expiring", "/stock/kits"],
    "coordinator": ["/", "/shifts/coverage", "/shifts/staffing", "/shifts/activities", "/people/applications",
                    "/admin/volunteers", "/admin/invite", "/shifts/new", "/shifts/series/new",
                    "/outreach/not-back", "/outreach/missing-tallies", "/outreach/partners", "/reports/annual",
                    "/reports/annual/print", "/reports/hours"],
    "admin": ["/", "/admin/users", "/admin/audit", "/admin/settings", "/admin/erasure", "/admin/qualifications"],
}
PASSWORDS = {"volunteer": "demo-volunteer-pass", "staff": "demo-staff-pass",
             "coordinator": "demo-coordinator-pass", "admin": "demo-admin-pass"}


@pytest.fixture
def demo_data(app):
    with app.app_context():
        demo.load(db.session)
        db.session.commit()


def _problems(page, axe) -> list[str]:
    result = axe.run(page)
    return [f"{page.url}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}: {v['help']}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_accessibility_problems(browser, live_server, demo_data):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    public = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    page = public.new_page()
    for path in ("/login", "/apply", "/forgot-password"):
        page.goto(path)
        problems += _problems(page, axe)
    public.close()
    for role, paths in PAGES.items():
        context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("button", name="Dansk").click()
        page.fill("#email", f"{role}@hopenow.example")
        page.fill("#password", PASSWORDS[role])
        page.locator("form.stack button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, f"{role} {path}: {response.status}"
            problems += _problems(page, axe)
        context.close()
    assert not problems, "\n".join(problems)
