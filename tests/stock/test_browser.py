"""Chromium at phone size: staff receive a lot, run the outreach check and pack the bag; staff
open the check from an upcoming outreach shift and pack the bag for it, the shift page then
shows it packed, and the volunteer on the shift opens the kit from My shifts."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import today
from logistics.extensions import db
from logistics.stock import kits, ledger
from logistics.stock.models import Movement, MovementKind, Outreach
from logistics.stock.queries.ledger import on_hand_by_item
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_staff_receives_checks_and_packs_the_bag(app, page, web_stock, data):
    stock = web_stock
    with data(stock) as s:
        kits.save_kit(db.session, "street_outreach", {s.pills.id: "10", s.soap.id: "2"}, by=s.coordinator)
        ledger.receive(db.session, item=s.soap, quantity=5, location=s.storeroom, by=s.staff)
    browser_login(page, stock.staff)
    page.goto("/stock/receive")
    page.get_by_label("Item").select_option(label="Paracetamol 500 mg")
    page.get_by_label("Quantity").fill("12")
    page.get_by_label("Location").select_option(label="Storeroom")
    page.get_by_label("Lot number").fill("PX-77")
    page.get_by_label("Expiry date").fill((today() + dt.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Receive", exact=True).click()
    page.wait_for_url("**/stock/items/*")
    assert "Received 12 pcs of Paracetamol 500 mg at Storeroom." in page.content()

    page.goto("/stock/outreach")
    page.get_by_label("Pack from").select_option(label="Storeroom")
    page.get_by_label("Into").select_option(label="Outreach bag")
    page.get_by_role("button", name="Check").click()
    rows = page.locator("table.check tbody tr")
    assert rows.count() == 2 and page.locator("tr.check-green").count() == 2
    page.get_by_role("button", name="Pack the bag").click()
    page.wait_for_url("**/stock/outreach/*")
    assert "The bag is packed" in page.content()
    page.screenshot(path="/tmp/stock-packed.png", full_page=True)
    with data(stock):
        packed = db.session.scalars(sa.select(Movement).where(Movement.kind == MovementKind.PACK)).all()
        assert sorted((m.item_id, m.quantity) for m in packed) == sorted([(stock.pills.id, 10), (stock.soap.id, 2)])
        assert on_hand_by_item(db.session, stock.bag.id) == {stock.pills.id: 10, stock.soap.id: 2}


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


def test_the_bag_return_starts_from_what_was_packed_and_shows_what_was_handed_out(app, page, web_link, data):
    """Saving without counting records nothing as handed out; a changed count shows its
    'handed out' before saving; a return before the shift asks why."""
    link = web_link
    with data(link) as s:
        outreach_id = kits.pack_bag(db.session, from_location=s.storeroom, bag=s.bag, shift=s.shift,
                                    by=s.staff).outreach.id
    browser_login(page, link.staff)
    page.goto(f"/stock/outreach/{outreach_id}")
    back = page.get_by_label("Paracetamol 500 mg")
    assert back.input_value() == "12" and page.get_by_label("Soap").input_value() == "4"
    summary = page.locator(".return-summary")
    assert summary.inner_text() == "Nothing is recorded as handed out: everything came back."
    assert not page.get_by_role("button", name="Show what was handed out").is_visible()  # JavaScript shows it live
    back.fill("9")
    out = page.locator(f"output[for='{back.get_attribute('id')}']")
    assert out.inner_text() == "3" and summary.inner_text() == "One item is recorded as handed out; the rest came back."
    back.fill("13")
    assert out.inner_text() == "?"
    back.fill("9")
    assert page.get_by_text("This shift has not started yet").is_visible()
    page.get_by_role("button", name="Record the return").click()
    page.get_by_text("Say why the bag is back already.").wait_for()
    assert page.get_by_label("Paracetamol 500 mg").input_value() == "9"  # the counts are kept
    page.get_by_label("Why is the bag back before the shift?").fill("The outreach was moved to Friday")
    page.get_by_role("button", name="Record the return").click()
    page.get_by_text("Return recorded").wait_for()
    page.screenshot(path="/tmp/hn_bag_returned_375.png", full_page=True)
    with data(link) as s:
        issued = db.session.scalars(sa.select(Movement).where(Movement.kind == MovementKind.ISSUE)).all()
        assert [(m.item_id, m.quantity) for m in issued] == [(s.pills.id, 3)]
        assert on_hand_by_item(db.session, s.bag.id) == {s.pills.id: 0, s.soap.id: 0}
