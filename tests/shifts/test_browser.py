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
