"""Every page reads the settings and the signed-in person once, however many places ask."""
from __future__ import annotations

import pytest

from logistics import settings
from logistics.extensions import db


def _setting_reads(statements):
    return [s for s in statements if "FROM setting" in s]


@pytest.mark.parametrize("role,url", [("coordinator", "/"), ("admin", "/"), ("volunteer", "/"),
                                      ("coordinator", "/shifts/coverage")])
def test_settings_and_user_read_once_per_request(app, client, login, queries, role, url):
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", False)
        db.session.commit()
    login(role)
    client.get(url)
    with queries() as q:
        assert client.get(url).status_code == 200
    assert len(_setting_reads(q.statements)) <= 1, q.statements
    assert len([s for s in q.statements if "FROM user_session" in s]) == 1, q.statements
    # The person comes with their session: no statement reads the user table by id alone.
    assert not [s for s in q.statements if s.lstrip().startswith("SELECT user.") or
                s.lstrip().startswith('SELECT "user".')], q.statements


def test_a_changed_setting_is_seen_by_the_next_request(app, client, login):
    login("admin")
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", False)
        db.session.commit()
    assert "Demo mode: two-factor login" in client.get("/").get_data(as_text=True)
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", True)
        db.session.commit()
    assert "Demo mode: two-factor login" not in client.get("/").get_data(as_text=True)


def test_outside_a_request_settings_are_read_each_time(app_ctx):
    assert settings.get(db.session, "retention_months") == 24
    settings.set_value(db.session, "retention_months", 12)
    assert settings.get(db.session, "retention_months") == 12
    db.session.rollback()
