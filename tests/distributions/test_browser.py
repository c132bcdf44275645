"""Chromium at phone size: the coordinator plans next month (2nd and 4th Tuesday), sees the
shortfall, staff receive stock, pack the first distribution and record its hand-out."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics.distributions.models import Distribution, DistributionStatus
from logistics.extensions import db
from tests.conftest import browser_login
from tests.distributions.conftest import stock_up

pytestmark = pytest.mark.browser


def test_plan_next_month_see_the_shortfall_pack_and_hand_out(app, page, web, data):
    browser_login(page, web.coordinator)
    page.goto("/distributions/plan")
    page.get_by_label("Days").select_option(label="Weekdays of the month")
    page.get_by_label("Weekday").select_option(label="Tuesday")
    page.get_by_label("Which weeks").select_option(label="2nd and 4th")
    page.get_by_label("From").select_option(label="December 2026")
    page.get_by_label("Months ahead").fill("1")
    page.get_by_role("button", name="Propose days").click()
    page.wait_for_url("**/distributions/plan?*")
    assert page.locator("input[name=days]:checked").count() == 2
    page.get_by_label("Food pack (standard)").fill("10")
    page.get_by_label("Food pack (family)").fill("")
    page.get_by_label("Packed at").select_option(label="Storeroom")
    page.get_by_role("button", name="Create distributions and shifts").click()
    page.wait_for_url("**/distributions/")
    assert "2 distributions planned with their shifts." in page.content()
    assert page.get_by_text("Short of 2 items").count() == 2
    page.screenshot(path="/tmp/hn_distributions_planned.png", full_page=True)

    page.locator("#main").get_by_role("link", name="Tue 8 Dec").first.click()
    page.get_by_text("Not enough stock for this distribution").wait_for()
    assert "20 kg short" in page.content()
    with data(web) as s:
        stock_up(s, rice=25, oil=12)
    page.context.clear_cookies()
    browser_login(page, web.staff)
    with data(web):
        d_id = db.session.scalar(sa.select(Distribution.id).order_by(Distribution.day).limit(1))
    page.goto(f"/distributions/{d_id}")
    assert "Not enough stock for this distribution" not in page.content()
    page.get_by_role("button", name="Pack").click()
    page.get_by_text("Packed.").wait_for()
    page.get_by_label("Packs of Food pack (standard) handed out (10 packed)").fill("8")
    page.get_by_label("Women").fill("6")
    page.get_by_label("Not stated").fill("2")
    page.get_by_role("button", name="Save the hand-out").click()
    page.get_by_text("Hand-out recorded. The distribution is completed.").wait_for()
    page.screenshot(path="/tmp/hn_distribution_completed.png", full_page=True)
    with data(web):
        d = db.session.get(Distribution, d_id)
        assert d.status == DistributionStatus.COMPLETED and d.lines[0].handed_out_packs == 8 and d.women == 6
