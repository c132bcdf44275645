"""In Chromium: a volunteer finds an open shift, signs up, sees it in My shifts, cancels."""
from __future__ import annotations

import pytest

from logistics.extensions import db
from tests import factories
from tests.conftest import browser_login
from tests.shifts import helpers as h

pytestmark = pytest.mark.browser


def test_volunteer_signs_up_and_cancels(app, page):
    with app.app_context():
        act = h.activity("packing", name="Packing food packs", capacity=(2, 4))
        h.shift(act, in_days=4, capacity=(2, 4))
        user = factories.user(full_name="Vera Volunteer")
        db.session.commit()
    browser_login(page, user)
    page.get_by_role("button", name="Menu").click()
    page.locator("#site-nav").get_by_role("link", name="Open shifts").click()
    page.get_by_role("button", name="Sign up: Packing food packs").click()
    page.get_by_text("You are signed up. Thank you!").wait_for()
    page.get_by_role("button", name="Menu").click()
    page.locator("#site-nav").get_by_role("link", name="My shifts").click()
    page.locator("#main").get_by_role("link", name="Packing food packs").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel my sign-up").click()
    page.get_by_text("Your sign-up is cancelled.").wait_for()
    assert "You have no coming shifts." in page.content()


def test_month_on_a_phone_is_one_screen_and_a_tap_shows_the_day(app, page):
    """A compact month: the whole grid fits a phone screen, the hotline is a strip, and a tap
    on a day lists that day's shifts under it."""
    import datetime as dt

    from logistics.clock import localize, today

    day = today() + dt.timedelta(days=2)
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 2), colour="blue")
        packing = h.activity("packing", name="Packing food packs", capacity=(2, 4), colour="olive")
        for hour in range(0, 24, 4):
            h.shift(hotline, start=localize(dt.datetime.combine(day, dt.time(hour))), hours=4, capacity=(1, 2))
        h.shift(packing, start=localize(dt.datetime.combine(day, dt.time(16))), hours=3, capacity=(2, 4))
        user = factories.user(full_name="Vera Volunteer")
        db.session.commit()
    browser_login(page, user)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/shifts/calendar/month?month={day.strftime('%Y-%m')}")
    grid = page.locator("ol.mgrid")
    box = grid.bounding_box()
    assert box["height"] < 520 and box["width"] <= 360, box  # the month on one screen, no list of chips
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    cell = page.locator(f"a[href*='day={day.isoformat()}']")
    assert cell.locator("svg.strip").count() == 1  # one strip, not six blocks
    assert "hotline covered 0 of 24 hours" in cell.get_attribute("aria-label")
    cell.click()
    page.wait_for_url(f"**day={day.isoformat()}#day")
    panel = page.locator("section.day-panel")
    assert panel.locator(".shift-chip").count() == 7 and "Packing food packs" in panel.inner_text()
    assert page.locator("li.mday.is-chosen").count() == 1
    page.screenshot(path="/tmp/hn_month_phone_360.png", full_page=True)


def test_open_shifts_by_day_and_hiding_a_kind_is_remembered(app, page):
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 2))
        packing = h.activity("packing", name="Packing food packs", capacity=(2, 4))
        for days in (1, 2, 3):
            h.shift(hotline, in_days=days, capacity=(1, 2))
            h.shift(packing, in_days=days + 0.2, capacity=(2, 4))
        user = factories.user(full_name="Vera Volunteer")
        db.session.commit()
    browser_login(page, user)
    page.goto("/shifts/open")
    headings = page.locator("h2.day-title")
    assert headings.count() == 3
    dates = page.locator("h2.day-title").evaluate_all("hs => hs.map(h => h.id)")
    assert dates == sorted(dates)
    assert page.locator(".open-list .shift-title", has_text="Hotline").count() == 3
    assert page.locator("li.shift-item.needs-people").count() == 6
    page.get_by_text("Choose what to see").click()
    page.get_by_role("checkbox", name="Hotline").check()
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Hidden: Hotline.").wait_for()
    assert page.locator(".open-list .shift-title", has_text="Hotline").count() == 0
    assert page.locator(".open-list .shift-title", has_text="Packing food packs").count() == 3
    page.goto("/shifts/open")  # remembered
    assert page.locator(".open-list .shift-title", has_text="Hotline").count() == 0
    page.screenshot(path="/tmp/hn_open_shifts_375.png", full_page=True)


def test_the_assign_picker_offers_only_who_may_take_it_and_searches(app, page):
    with app.app_context():
        q = factories.qualification("hotline", name_en="Hotline training")
        hotline = h.activity("hotline", name="Hotline", quals=[q], capacity=(1, 2))
        shift = h.shift(hotline, in_days=3, capacity=(1, 2))
        for name in ("Anna Berg", "Dina Dahl", "Anders And"):
            factories.grant(factories.user(full_name=name), q)
        factories.user(full_name="Finn Fisk")  # not qualified
        factories.user("staff", full_name="Sten Staff")
        coordinator = factories.user("coordinator", full_name="Camilla Coordinator")
        db.session.commit()
        shift_id = shift.id
    browser_login(page, coordinator)
    page.goto(f"/shifts/{shift_id}")
    options = page.locator("#assign-list .assign-name")
    assert options.all_inner_texts() == ["Anders And", "Anna Berg", "Dina Dahl"]
    assert page.locator("#assign-list input:checked").count() == 0
    page.get_by_label("Find a person").fill("an")
    assert page.locator("#assign-list li:not([hidden]) .assign-name").all_inner_texts() == ["Anders And", "Anna Berg"]
    page.get_by_role("button", name="Add to shift").click()
    page.get_by_text("Choose who to put on the shift.").first.wait_for()
    page.locator("label", has_text="Dina Dahl").click()
    page.get_by_role("button", name="Add to shift").click()
    page.get_by_text("Dina Dahl is on the shift.").wait_for()
    page.get_by_text("Who cannot take it, and why").click()
    assert "not qualified: Hotline training" in page.locator(".assign-others").inner_text()
    assert "Sten Staff" not in page.content()


def test_the_series_form_shows_what_applies_and_previews_the_dates(app, page):
    with app.app_context():
        h.activity("communal_cooking", name="Communal cooking", capacity=(3, 6))
        coordinator = factories.user("coordinator", full_name="Camilla Coordinator")
        db.session.commit()
    browser_login(page, coordinator)
    page.goto("/shifts/series/new")
    page.get_by_label("Activity").select_option(label="Communal cooking")
    assert page.get_by_label("People needed").input_value() == "3"  # from the activity
    assert page.get_by_label("Places (maximum)").input_value() == "6"
    page.get_by_label("Weekly").check()
    assert not page.get_by_text("Weeks of the month").is_visible()
    assert not page.get_by_label("Last day").is_visible()
    assert not page.get_by_label("Number of shifts", exact=True).is_visible()
    page.get_by_label("Monthly, on weekdays").check()
    assert page.get_by_text("Weeks of the month").is_visible()
    page.get_by_label("Friday").check()
    page.get_by_label("2nd").check()
    page.get_by_label("4th").check()
    page.get_by_label("First day").fill("2026-12-01")
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("End time").fill("20:00")
    page.get_by_label("On a date").check()
    assert page.get_by_label("Last day").is_visible()
    assert not page.get_by_label("Number of shifts", exact=True).is_visible()
    page.get_by_label("Last day").fill("2027-02-28")
    page.get_by_role("button", name="Show the next dates").click()
    preview = page.locator("section.series-preview")
    preview.wait_for()
    assert "2nd and 4th Friday each month, 16:00–20:00, until 28 Feb 2027" in preview.inner_text()
    assert preview.locator("ol.preview-dates li").first.inner_text() == "Fri 11 Dec, 16:00–20:00"
    preview.get_by_role("button", name="Save the series").click()
    page.get_by_text("The series is saved").wait_for()
    page.screenshot(path="/tmp/hn_series_saved_375.png", full_page=True)
