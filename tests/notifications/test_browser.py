"""In Chromium at phone size: a volunteer sets reminders and quiet hours, makes a calendar
feed, copies its address, sees the feed work, and revokes it."""
from __future__ import annotations

import urllib.request

import pytest

from logistics.extensions import db
from logistics.notifications.models import Preference
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_notification_settings_and_feeds(app, page, live_server):
    with app.app_context():
        user = factories.user(full_name="Vera Volunteer")
        db.session.commit()
    browser_login(page, user)
    page.goto("/account/notifications")
    page.get_by_label("1 hour before").check()
    page.get_by_label("24 hours before").uncheck()
    page.get_by_label("Quiet hours from").select_option("23:00")
    page.get_by_label("Quiet hours until").select_option("07:00")
    page.get_by_label("Requests to cover a gap").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your notification settings are saved.").wait_for()
    with app.app_context():
        pref = db.session.get(Preference, user.id)
        assert pref.offsets == [60] and pref.quiet_start.hour == 23 and "cover_requests" in pref.muted
    assert page.get_by_label("1 hour before").is_checked()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.get_by_label("Name of the feed").fill("My phone")
    page.get_by_role("button", name="Make a feed").click()
    address = page.get_by_label("Your new feed address (shown only now):").input_value()
    assert address.startswith("http://localhost/calendar/") and address.endswith(".ics")
    page.get_by_role("img", name="QR").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    path = address[len("http://localhost"):]
    with urllib.request.urlopen(live_server + path) as response:
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert b"X-WR-CALNAME:My phone" in response.read()
    page.goto("/account/notifications")
    page.get_by_text("Last read by a calendar").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("The feed is revoked").wait_for()
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(live_server + path)
    assert gone.value.code == 404
