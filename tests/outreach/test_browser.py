"""Chromium at 360 px: the end-of-shift flow on a phone (I'm back safe, the tally with a
referral, the bag return), and the annual report with its print view."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.outreach.models import Checkout, Tally
from logistics.stock import kits
from logistics.stock.models import Outreach
from tests import factories
from tests.conftest import browser_login
from tests.outreach.helpers import seeded_partners
from tests.reports.dataset import build
from tests.stock.conftest import build_link

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_the_end_of_shift_flow_on_a_phone(app, phone):
    with app.app_context():
        s = build_link()
        kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, shift=s.shift, by=s.staff)
        seeded_partners()
        db.session.commit()
        ends_at, volunteer = s.shift.ends_at, s.volunteer
    clock.freeze(ends_at + dt.timedelta(minutes=15))
    page = phone
    browser_login(page, volunteer)
    page.goto("/")
    page.get_by_role("link", name="Street outreach Vesterbro").first.click()
    page.get_by_role("heading", name="How did it go?").wait_for()
    _fits(page)
    page.get_by_role("button", name="I'm back safe").click()
    page.get_by_text("Good to know you are back safe").wait_for()
    page.get_by_label("Women", exact=True).fill("4")
    page.get_by_label("Men", exact=True).fill("1")
    page.get_by_label("Of these, new contacts").fill("2")
    page.get_by_label("Reden International").fill("1")
    assert page.get_by_text("No names, no identifying details").is_visible()
    page.get_by_role("button", name="Save the tally").click()
    page.get_by_text("Tally saved").wait_for()
    page.get_by_label("Paracetamol 500 mg").fill("10")
    page.get_by_role("button", name="Record the return").click()
    page.get_by_text("The bag return is recorded").wait_for()
    _fits(page)
    page.screenshot(path="/tmp/outreach-after-360.png", full_page=True)
    with app.app_context():
        tally = db.session.scalars(sa.select(Tally)).one()
        assert (tally.women, tally.men, tally.new_contacts, len(tally.referrals)) == (4, 1, 2, 1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1
        assert db.session.scalars(sa.select(Outreach)).one().returned_at is not None


def test_the_annual_report_and_its_print_view_on_a_phone(app, phone):
    with app.app_context():
        build()
        coordinator = factories.user("coordinator")
        db.session.commit()
    page = phone
    browser_login(page, coordinator)
    page.goto("/reports/annual?year=2026")
    page.get_by_role("img", name="Street outreach: Outreach shifts").wait_for()
    _fits(page)
    page.get_by_role("link", name="Printable version").click()
    page.wait_for_url("**/reports/annual/print*")
    page.emulate_media(media="print")
    assert page.locator("td", has_text="<5").count() > 0
    page.screenshot(path="/tmp/report-print-360.png", full_page=True)
