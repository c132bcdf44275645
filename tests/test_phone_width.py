"""No page scrolls sideways on a 360 px phone: Chromium walks every page of every role (and the
public pages) with the demo data, in Danish (the longer words), and fails on any page wider
than the screen, naming the elements that stick out.

The pages are the app's own GET endpoints, read from its URL map, so a new page is walked
without being added here; one whose URL needs an id must get it in :func:`_params` (the test
says so), and the few that are not pages (CSV, JSON) or cannot be reached in a walk are listed
in NOT_PAGES with the reason."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.access import PUBLIC, rule_for
from logistics import demo
from logistics.clock import utcnow
from logistics.extensions import db
from logistics.people import tokens
from logistics.people.models import Role, User

pytestmark = pytest.mark.browser

WIDTH = 360
PASSWORDS = {"volunteer": "demo-volunteer-pass", "staff": "demo-staff-pass",
             "coordinator": "demo-coordinator-pass", "admin": "demo-admin-pass"}
RANK = {"public": 0, "volunteer": 1, "staff": 2, "coordinator": 3, "admin": 4}
NOT_PAGES = {
    "static": "files",
    "main.healthz": "JSON for monitors",
    "account.my_data": "a JSON download",
    "stock.shopping_list_csv": "a CSV download", "stock.export_on_hand": "a CSV download",
    "stock.export_movements": "a CSV download",
    "admin.outbox_message": "needs an email file in the outbox; the tests send mail over SMTP",
    "auth.login_code": "only during a login with two-factor (the demo switches it off)",
    "auth.enrol_2fa": "only during a login with two-factor (the demo switches it off)",
    "shifts.fill": "the old address of shifts.staffing: a redirect",
    "reports.annual_csv": "a CSV download", "reports.hours_csv": "a CSV download",
    "notifications.feed": "an iCalendar feed", "notifications.shift_ics": "an iCalendar download",
}
#: Elements sticking out past the right edge, and not inside something that scrolls.
OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth, out = [], hidden = [];
  const name = (el) => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
                                                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= w + 1 || r.width === 0) continue;
    let p = el.parentElement, clipped = false;
    while (p) {
      if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) {
        clipped = true;
        break;
      }
      p = p.parentElement;
    }
    (clipped ? hidden : out).push(name(el) + ' right=' + Math.round(r.right));
  }
  return (out.length ? out : hidden).slice(0, 6);
}"""


@pytest.fixture
def demo_data(app):
    with app.app_context():
        demo.load(db.session)
        db.session.commit()


def _params(app) -> dict[str, dict]:
    """Real ids from the demo data for every page whose URL needs one."""
    from logistics.clock import today
    from logistics.cooking.models import CookingEvent
    from logistics.distributions.models import Distribution
    from logistics.outreach.models import Partner, Tally
    from logistics.shifts.models import Activity, Place, Series, Shift, ShiftStatus, Signup, SignupStatus
    from logistics.stock import counts
    from logistics.stock.models import Kit, Location, Lot, Movement, Outreach, ProductGroup

    with app.app_context():
        s = db.session
        first = lambda model, *where: s.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))  # noqa: E731
        volunteer = s.scalar(sa.select(User).where(User.email == "volunteer@hopenow.example"))
        outreach = s.scalar(sa.select(Outreach).where(Outreach.returned_at.is_(None)).limit(1))
        # A coming shift the demo volunteer is confirmed on (their kit page), else the bag's shift.
        theirs = s.scalar(sa.select(Signup.shift_id).join(Shift).where(
            Signup.user_id == volunteer.id, Signup.status == SignupStatus.CONFIRMED,
            Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > utcnow()).order_by(Shift.starts_at).limit(1))
        storeroom = first(Location, Location.name == "Storeroom")
        take = counts.start_stocktake(s, s.get(Location, first(Location, Location.name == "Fridge")), by=None)
        lot = s.scalar(sa.select(Lot).where(Lot.code != "").order_by(Lot.id).limit(1))
        params = {
            "shifts.shift": {"shift_id": outreach.shift_id}, "shifts.kit": {"shift_id": theirs or outreach.shift_id},
            "shifts.shift_edit": {"shift_id": outreach.shift_id}, "shifts.attendance": {"shift_id": outreach.shift_id},
            "shifts.activity_edit": {"activity_id": first(Activity)},
            "shifts.activity_place_edit": {"place_id": first(Place, Place.is_sensitive.is_(True))},
            "shifts.series_edit": {"series_id": first(Series)},
            "stock.item": {"item_id": lot.item_id}, "stock.item_edit": {"item_id": lot.item_id},
            "stock.item_minimum": {"item_id": lot.item_id}, "stock.lot": {"lot_id": lot.id},
            "stock.location_edit": {"location_id": storeroom}, "stock.group": {"group_id": first(ProductGroup)},
            "stock.count": {"stocktake_id": take.id}, "stock.kit_edit": {"kind": "street_outreach"},
            "stock.outreach_detail": {"outreach_id": outreach.id}, "stock.undo": {"movement_id": first(Movement)},
            "admin.user": {"user_id": volunteer.id}, "admin.qualification_edit": {"qualification_id": 1},
            "distributions.detail": {"distribution_id": first(Distribution, Distribution.day >= today())},
            "distributions.packing_list": {"distribution_id": first(Distribution, Distribution.day >= today())},
            "distributions.recipe_edit": {"recipe_id": first(Kit, Kit.pack_item_id.is_not(None))},
            "cooking.detail": {"event_id": first(CookingEvent)},
            "outreach.after": {"shift_id": s.scalar(sa.select(Tally.shift_id).order_by(Tally.id.desc()).limit(1))},
            "outreach.partner_edit": {"partner_id": first(Partner)},
        }
        invited = User(email="invited@example.org", full_name="Ines Invited", display_name="Ines",
                       role=Role.VOLUNTEER, approved_at=utcnow())
        s.add(invited)
        s.flush()
        params["auth.accept_invitation"] = {"token": tokens.make(invited, tokens.INVITATION)}
        params["auth.reset_password"] = {"token": tokens.make(volunteer, tokens.PASSWORD_RESET)}
        from logistics.notifications import replies

        mine = s.scalar(sa.select(Signup).where(Signup.user_id == volunteer.id, Signup.status == SignupStatus.CONFIRMED)
                        .order_by(Signup.id).limit(1))
        if mine is not None:
            params["notifications.reply"] = {"answer": "cannot",
                                             "token": replies.make_token("cannot", mine.id, volunteer.id)}
        # A cover request the demo does not have: the page says kindly that the link does not work.
        params["notifications.take_cover"] = {"token": replies.make_token("take", 999999, volunteer.id)}
        s.commit()
    return params


def _pages(app, params) -> dict[str, list[str]]:
    """Every page's URL, by the least role that may see it."""
    from flask import url_for

    pages: dict[str, list[str]] = {}
    missing = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            if rule.arguments and rule.endpoint not in params:
                missing.append(rule.endpoint)
                continue
            declared = rule_for(app, rule.endpoint)
            least = "public" if declared == PUBLIC else Role(declared).value
            pages.setdefault(least, []).append(url_for(rule.endpoint, **params.get(rule.endpoint, {})))
    assert not missing, f"give these pages an id in _params (or a reason in NOT_PAGES): {missing}"
    return pages


def _too_wide(page, url: str) -> str | None:
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url}: {response.status if response else 'no answer'}"
    if "text/html" not in (response.headers.get("content-type") or ""):
        return None
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= WIDTH:
        return None
    return f"{url} is {width} px wide: {', '.join(page.evaluate(OVERFLOW_JS)) }"


def test_no_page_of_any_role_scrolls_sideways_at_360_px(app, browser, live_server, demo_data):
    params = _params(app)
    pages = _pages(app, params)
    assert sum(len(urls) for urls in pages.values()) > 60
    problems, walked = [], 0
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740}, locale="da-DK")
    page = context.new_page()
    page.goto("/login")
    page.get_by_role("button", name="Dansk").click()
    for url in pages.get("public", []):
        problems.append(_too_wide(page, url))
        walked += 1
    context.close()
    for role in ("volunteer", "staff", "coordinator", "admin"):
        context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740}, locale="da-DK")
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", f"{role}@hopenow.example")
        page.fill("#password", PASSWORDS[role])
        page.locator("form.stack button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.get_by_role("button", name="Dansk").click()  # the profile's language: Danish, the longer words
        page.wait_for_load_state()
        for least, urls in pages.items():
            if least != "public" and RANK[least] <= RANK[role]:
                for url in urls:
                    problems.append(_too_wide(page, url))
                    walked += 1
        # The menu opened on a phone fits as well.
        page.goto("/")
        page.get_by_role("button", name="Menu").click()
        for summary in page.locator(".nav-group summary").all():  # every menu open at once
            summary.click()
        if page.evaluate("document.documentElement.scrollWidth") > WIDTH:
            problems.append(f"{role}: the open menu is wider than the screen")
        context.close()
    problems = [p for p in problems if p]
    assert walked > 150
    assert not problems, "pages wider than a 360 px phone:\n" + "\n".join(problems)
