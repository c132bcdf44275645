"""The application form and the coordinators' decision, once, in a real phone-sized browser."""
from __future__ import annotations

import pytest

from logistics.extensions import db
from logistics.people.models import ApplicationStatus, User
from tests import factories
from tests.conftest import browser_login


@pytest.mark.browser
def test_apply_and_approve_in_the_browser(app, page):
    page.goto("/apply")
    page.get_by_role("button", name="Send my application").click()
    assert page.locator("#full_name-error").inner_text() == "This field is required."
    page.get_by_label("Full name").fill("Grace Okafor")
    page.get_by_label("Email address").fill("grace.browser@example.org")
    page.get_by_label("Phone number").fill("+45 12 34 56 78")
    page.get_by_label("Nigerian Pidgin").check()
    page.get_by_label("English").check()
    page.get_by_label("When can you help?").fill("Weekday evenings")
    page.get_by_label("Why do you want to volunteer with us?").fill("I want to help.")
    page.get_by_label("I have read the privacy note").check()
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url("**/apply/thanks")
    assert "Thank you for applying" in page.content()
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    with app.app_context():
        coordinator = factories.user("coordinator", full_name="Camilla Coordinator")
        db.session.commit()
    page.context.clear_cookies()
    browser_login(page, coordinator)
    page.goto("/people/applications")
    card = page.locator("article.application", has_text="Grace Okafor")
    assert "Nigerian Pidgin" in card.inner_text() and "+45 12 34 56 78" in card.inner_text()
    card.get_by_role("button", name="Approve and invite").click()
    page.wait_for_url("**/people/applications")
    assert "Grace Okafor is approved" in page.content()
    with app.app_context():
        user = db.session.query(User).filter_by(email="grace.browser@example.org").one()
        assert user.application.status == ApplicationStatus.APPROVED


@pytest.mark.browser
def test_reject_asks_for_confirmation(app, page):
    with app.app_context():
        from logistics.people import services

        services.submit_application(db.session, full_name="Rita Reject", email="rita@example.org", phone=None,
                                    languages=[], availability="Never", motivation="None")
        coordinator = factories.user("coordinator")
        db.session.commit()
    browser_login(page, coordinator)
    page.goto("/people/applications")
    card = page.locator("article.application", has_text="Rita Reject")
    card.get_by_label("Reason or note").fill("No time available")
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    card.get_by_role("button", name="Reject").click()
    assert dialogs and "Rita Reject" in dialogs[0]
    page.once("dialog", lambda d: d.accept())
    card.get_by_role("button", name="Reject").click()
    page.wait_for_url("**/people/applications")
    assert "Rita Reject is rejected" in page.content()
    assert "No time available" in page.locator("table").inner_text()
