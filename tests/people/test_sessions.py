"""Server-side sessions: a new id at every login, real logout, idle and absolute timeouts,
and every session ending when the account is deactivated or the password changes."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.people import services, sessions
from logistics.people.models import User, UserSession
from tests import factories
from tests.people.conftest import NEW_PASSWORD, put_session_cookie, session_cookie

T0 = dt.datetime(2026, 12, 1, 9, 0, 10, tzinfo=dt.UTC)


def _token_in(client, app) -> str | None:
    """The server-side session token the cookie carries."""
    with client.session_transaction() as sess:
        return sess.get("_user_id")


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def _live_sessions(app, user_id) -> int:
    with app.app_context():
        return len(sessions.active(db.session, user_id))


def test_login_gives_a_new_session_id(client, app, login, make_user):
    client.get("/login")
    before = session_cookie(client)
    user = login("volunteer")
    first = _token_in(client, app)
    assert session_cookie(client) != before and first
    client.post("/logout")
    login(user)
    second = _token_in(client, app)
    assert second and second != first


def test_a_session_cookie_planted_before_login_stays_anonymous(app, make_client, make_user):
    """Session fixation: an attacker who set the victim's cookie does not share the login."""
    user = make_user("volunteer")
    # Two independent browsers (the `client` fixture keeps its last request context, which
    # another client's request would share).
    client, attacker = make_client(), make_client()
    attacker.get("/login")
    planted = session_cookie(attacker)
    put_session_cookie(client, planted)
    r = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert r.status_code == 302 and _logged_in(client)
    assert session_cookie(client) != planted
    assert attacker.get("/").status_code == 302
    assert not _logged_in(attacker)


def test_the_cookie_holds_no_personal_data(client, app, login):
    user = login("volunteer", email="private.person@example.org", full_name="Private Person")
    payload = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))
    assert set(payload) <= {"_user_id", "_fresh", "_permanent", "csrf_token", "_flashes", "lang"}
    text = str(payload)
    assert "private.person" not in text and "Private" not in text and str(user.id) != payload["_user_id"]
    with app.app_context():
        # Only a hash of the token is stored: a copy of the database gives no sessions away.
        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
        assert row.token_hash != payload["_user_id"] and len(row.token_hash) == 64


def test_an_old_session_token_no_longer_works_after_logout(app, make_client, make_user):
    user = make_user("volunteer")
    client, other = make_client(), make_client()
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    cookie = session_cookie(client)
    assert other.get("/").status_code == 302
    put_session_cookie(other, cookie)
    assert other.get("/").status_code == 200  # a copied live cookie works (it is the session)
    client.post("/logout")
    put_session_cookie(other, cookie)
    assert other.get("/").status_code == 302


def test_idle_timeout(client, app, login):
    clock.freeze(T0)
    user = login("volunteer")
    clock.freeze(T0 + dt.timedelta(minutes=29))
    assert _logged_in(client)  # activity moves the idle clock on
    clock.freeze(T0 + dt.timedelta(minutes=58))
    assert _logged_in(client)
    clock.freeze(T0 + dt.timedelta(minutes=58 + 31))
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert _live_sessions(app, user.id) == 0  # the timed-out session is ended, not just ignored
    clock.freeze(T0 + dt.timedelta(minutes=58 + 32))
    assert not _logged_in(client)


def test_absolute_timeout(client, app, login):
    clock.freeze(T0)
    login("volunteer")
    now = T0
    while now < T0 + dt.timedelta(hours=11, minutes=40):
        now += dt.timedelta(minutes=20)
        clock.freeze(now)
        assert _logged_in(client), f"logged out early at {now - T0}"
    clock.freeze(T0 + dt.timedelta(hours=12, minutes=1))
    assert not _logged_in(client)


def test_touch_is_written_at_most_once_a_minute(client, app, login, queries):
    clock.freeze(T0)
    user = login("volunteer")
    clock.freeze(T0 + dt.timedelta(seconds=30))
    with queries() as q:
        client.get("/")
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in q.statements)
    clock.freeze(T0 + dt.timedelta(minutes=2))
    client.get("/")
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
        assert row.last_seen_at == T0 + dt.timedelta(minutes=2)


def test_deactivation_ends_every_session(app, make_client, make_user):
    user = make_user("volunteer")
    admin = make_user("admin")
    phone, laptop = make_client(), make_client()
    for browser in (phone, laptop):
        browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert browser.get("/").status_code == 200
    with app.app_context():
        services.set_active(db.session, db.session.get(User, user.id), False, by=db.session.get(User, admin.id))
        db.session.commit()
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 302
    assert _live_sessions(app, user.id) == 0


def test_a_session_ends_when_the_account_is_deactivated_behind_its_back(app, client, login):
    """Even a change that skips the service (a direct update) is caught on the next request."""
    user = login("volunteer")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(is_active=False))
        db.session.commit()
    assert not _logged_in(client)


def test_password_change_ends_every_session(app, make_client, make_user):
    user = make_user("volunteer")
    phone, laptop = make_client(), make_client()
    for browser in (phone, laptop):
        browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    with app.app_context():
        services.change_password(db.session, db.session.get(User, user.id), current=factories.PASSWORD,
                                 new=NEW_PASSWORD)
        db.session.commit()
    assert phone.get("/").status_code == 302 and laptop.get("/").status_code == 302
    # The new password works, the old one not.
    assert phone.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 401
    assert phone.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_password_change_needs_the_current_password(app, make_user):
    user = make_user("volunteer")
    with app.app_context():
        person = db.session.get(User, user.id)
        try:
            services.change_password(db.session, person, current="not my password at all", new=NEW_PASSWORD)
        except services.DomainError as exc:
            assert exc.field == "current_password"
        else:
            raise AssertionError("a wrong current password was accepted")


def test_a_password_reset_ends_every_session(app, make_client, make_user):
    from logistics.people import tokens

    user = make_user("volunteer")
    client, other = make_client(), make_client()
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert _logged_in(client)
    with app.app_context():
        token = tokens.make(db.session.get(User, user.id), tokens.PASSWORD_RESET)
    other.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _logged_in(client)


def test_end_all_can_keep_one(app, make_user):
    user = make_user("volunteer")
    with app.app_context():
        person = db.session.get(User, user.id)
        sessions.create(db.session, person)
        sessions.create(db.session, person)
        keep = sessions.active(db.session, user.id)[0]
        assert sessions.end_all(db.session, user.id, except_id=keep.id) == 1
        assert [s.id for s in sessions.active(db.session, user.id)] == [keep.id]
        db.session.rollback()


def test_browser_descriptions_name_no_one(app_ctx):
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
    assert sessions.describe_agent(iphone) == "Safari on iPhone"
    assert sessions.describe_agent("Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile") == "Chrome on Android"
    assert sessions.describe_agent(None) == "Browser"
