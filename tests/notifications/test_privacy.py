"""A person's notification data in "download my data", and what erasure does here."""
from __future__ import annotations

import json

from logistics.extensions import db
from logistics.notifications import feeds, preferences
from logistics.notifications.models import CalendarFeed, Preference
from logistics.people import export, services
from tests import factories


def test_export_has_settings_and_feeds_but_never_a_token(app):
    with app.app_context():
        v = factories.user()
        preferences.save(db.session, v, offsets=[60, 1440], quiet_start=None, quiet_end=None, wanted=["changes"],
                         by=v)
        _feed, token = feeds.create(db.session, v, "mine", "Phone", by=v)
        preferences.send_test(db.session, v)
        db.session.commit()
        data = export.export(db.session, v)
    text = json.dumps(data)
    assert token not in text and feeds.hash_token(token) not in text
    assert data["notification_settings"]["reminder_minutes_before"] == [1440, 60]
    assert data["notification_settings"]["calendar_feeds"][0]["label"] == "Phone"
    assert data["notifications"][0]["kind"] == "test"


def test_erasure_revokes_feeds_and_forgets_settings(app, client):
    with app.app_context():
        admin = factories.user("admin")
        v = factories.user()
        preferences.save(db.session, v, offsets=[60], quiet_start=None, quiet_end=None, wanted=[], by=v)
        _feed, token = feeds.create(db.session, v, "mine", by=v)
        db.session.commit()
        services.erase(db.session, v, by=admin)
        db.session.commit()
        assert db.session.get(Preference, v.id) is None
        assert db.session.query(CalendarFeed).one().revoked_at is not None
    assert client.get(f"/calendar/{token}.ics").status_code == 404
