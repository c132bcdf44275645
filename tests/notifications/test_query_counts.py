"""The notification pages make the same number of queries with few rows or many."""
from __future__ import annotations

from logistics.extensions import db
from logistics.notifications import feeds, preferences
from tests import factories


def _count(queries, client, url) -> int:
    with queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_settings_page(client, login, queries, app):
    user = login("volunteer")
    with app.app_context():
        feeds.create(db.session, user, "mine", "one", by=user)
        db.session.commit()
    few = _count(queries, client, "/account/notifications")
    with app.app_context():
        for i in range(10):
            feeds.create(db.session, user, "open", f"feed {i}", by=user)
        db.session.commit()
    assert _count(queries, client, "/account/notifications") == few


def test_admin_page(client, login, queries, app):
    login("admin")
    with app.app_context():
        preferences.send_test(db.session, factories.user())
        db.session.commit()
    few = _count(queries, client, "/admin/notifications")
    with app.app_context():
        for _ in range(20):
            preferences.send_test(db.session, factories.user())
        db.session.commit()
    assert _count(queries, client, "/admin/notifications") == few
