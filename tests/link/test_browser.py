"""In Chromium at phone size: staff open the stock check from an upcoming outreach shift,
pack the bag for it, and the shift page then shows it packed; the volunteer on the shift
opens the kit from My shifts."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.stock.models import Outreach
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_staff_packs_the_bag_for_an_outreach_shift(app, page, web_link, data):
    link = web_link
    browser_login(page, link.staff)
    page.goto("/stock/outreach")
    shifts = page.locator("section.kit-shifts")
    shifts.get_by_text("Not packed").wait_for()
    shifts.get_by_role("link", name="Street outreach Vesterbro").click()
    page.get_by_text("Packing for").wait_for()
    page.get_by_label("Pack from").select_option(label="Storeroom")
    page.get_by_label("Into").select_option(label="Outreach bag")
    page.get_by_role("button", name="Check").click()
    assert page.locator("table.check tbody tr").count() == 2 and page.locator("tr.check-green").count() == 2
    page.get_by_role("button", name="Pack the bag for this shift").click()
    page.wait_for_url("**/stock/outreach/*")
    assert "The bag is packed" in page.content()
    page.screenshot(path="/tmp/hn_link_packed_375.png", full_page=True)

    page.locator("#main").get_by_role("link", name="Street outreach Vesterbro").click()
    page.wait_for_url(f"**/shifts/{link.shift.id}")
    kit = page.locator("section.shift-kit")
    kit.get_by_text("Packed by").wait_for()
    assert "Outreach bag" in kit.inner_text() and "Not packed" not in kit.inner_text()
    page.screenshot(path="/tmp/hn_link_shift_staff_375.png", full_page=True)
    with data(link) as s:
        outreach = db.session.scalar(sa.select(Outreach))
        assert outreach.shift_id == s.shift.id and outreach.returned_at is None

    page.context.clear_cookies()
    browser_login(page, link.volunteer)
    page.goto("/shifts/mine")
    page.locator("#main").get_by_role("link", name="Kit").click()
    page.wait_for_url(f"**/shifts/{link.shift.id}/kit")
    rows = page.locator("table.kit-table tbody tr")
    assert rows.count() == 2
    assert "Paracetamol 500 mg" in rows.first.inner_text() or "Paracetamol 500 mg" in rows.last.inner_text()
    page.screenshot(path="/tmp/hn_link_kit_375.png", full_page=True)
