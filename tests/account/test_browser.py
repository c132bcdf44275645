"""A volunteer walks through the account pages in a phone-sized Chromium."""
import pytest

from logistics.extensions import db
from tests import factories
from tests.conftest import browser_login


@pytest.mark.browser
def test_profile_and_erasure_request(app, page):
    with app.app_context():
        user = factories.user(full_name="Blessing Eze")
        db.session.commit()
    browser_login(page, user)
    page.goto("/account/")
    page.get_by_label("Phone").fill("12")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#phone-error").is_visible()
    page.get_by_label("Phone").fill("+45 20 30 40 50")
    page.get_by_label("Yoruba").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Your profile is saved.").is_visible()
    assert page.get_by_label("Yoruba").is_checked()

    page.get_by_role("link", name="My data").click()
    page.once("dialog", lambda dialog: dialog.dismiss())  # the confirmation, declined first
    page.get_by_role("button", name="Ask for erasure").click()
    assert page.get_by_role("button", name="Ask for erasure").is_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ask for erasure").click()
    assert page.get_by_role("button", name="Withdraw my request").is_visible()
