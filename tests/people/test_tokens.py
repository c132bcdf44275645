"""Single-use, expiring links: password reset (1 hour) and invitation (7 days)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from logistics import clock
from logistics.extensions import db
from logistics.people import services, tokens
from logistics.people.models import Role, User
from logistics.urls import external_url
from tests import factories
from tests.people.conftest import NEW_PASSWORD, error_for, path_of

T0 = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def _ask_reset(client, email):
    return client.post("/forgot-password", data={"email": email})


def _reset_link(mailbox, email) -> str:
    messages = mailbox.to(email)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    assert messages[0]["Subject"] == "Reset your password"
    return mailbox.link(messages[0])


def _set_password(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def _can_log_in(client, email, password=NEW_PASSWORD) -> bool:
    ok = client.post("/login", data={"email": email, "password": password}).status_code == 302
    if ok:
        client.post("/logout")
    return ok


# --- password reset ---------------------------------------------------------------------------

def test_reset_by_email(client, mailbox, run_jobs, make_user):
    user = make_user("volunteer")
    r = _ask_reset(client, user.email.upper())
    assert r.status_code == 200
    assert run_jobs() == 1
    link = _reset_link(mailbox, user.email)
    assert link.startswith("http://localhost/reset-password/")
    assert client.get(path_of(link)).status_code == 200
    r = _set_password(client, path_of(link))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert _can_log_in(client, user.email)
    assert not _can_log_in(client, user.email, factories.PASSWORD)


def test_a_reset_link_works_once(client, mailbox, run_jobs, make_user):
    user = make_user("volunteer")
    _ask_reset(client, user.email)
    run_jobs()
    path = path_of(_reset_link(mailbox, user.email))
    assert _set_password(client, path).status_code == 302
    for attempt in (client.get(path), _set_password(client, path, "another fine long password")):
        assert attempt.status_code == 400
        assert "already been used" in attempt.get_data(as_text=True)
    assert _can_log_in(client, user.email)


def test_a_reset_link_expires_after_an_hour(client, mailbox, run_jobs, make_user):
    clock.freeze(T0)
    user = make_user("volunteer")
    _ask_reset(client, user.email)
    run_jobs()
    path = path_of(_reset_link(mailbox, user.email))
    clock.freeze(T0 + dt.timedelta(minutes=59))
    assert client.get(path).status_code == 200
    clock.freeze(T0 + dt.timedelta(hours=1, seconds=1))
    r = client.get(path)
    assert r.status_code == 400 and "This link has expired" in r.get_data(as_text=True)
    assert _set_password(client, path).status_code == 400
    assert not _can_log_in(client, user.email)


@pytest.mark.parametrize("tamper", ["flip a character", "cut short", "garbage", "other purpose", "other key"])
def test_a_tampered_link_gets_a_400_page(client, app, make_user, tamper):
    user = make_user("volunteer")
    with app.app_context():
        person = db.session.get(User, user.id)
        token = tokens.make(person, tokens.PASSWORD_RESET)
        if tamper == "flip a character":
            i = len(token) // 2
            token = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        elif tamper == "cut short":
            token = token[:-5]
        elif tamper == "garbage":
            token = "not-a-token.at.all"
        elif tamper == "other purpose":
            token = tokens.make(person, tokens.INVITATION)
        else:
            from itsdangerous import URLSafeTimedSerializer

            token = URLSafeTimedSerializer("another key", salt="logistics.password-reset").dumps(
                {"u": user.id, "s": "x"})
    for r in (client.get(f"/reset-password/{token}"), _set_password(client, f"/reset-password/{token}")):
        assert r.status_code == 400
        html = r.get_data(as_text=True)
        assert "Link not valid" in html and "Traceback" not in html
    assert not _can_log_in(client, user.email)


def test_the_answer_never_reveals_whether_an_address_exists(client, mailbox, run_jobs, make_user):
    user = make_user("volunteer")
    known = _ask_reset(client, user.email)
    unknown = _ask_reset(client, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert CSRF_VALUE.sub("", known.get_data(as_text=True)) == CSRF_VALUE.sub("", unknown.get_data(as_text=True))
    run_jobs()
    assert len(mailbox) == 1 and mailbox.to("nobody-here@example.org") == []


@pytest.mark.parametrize("kind", ["pending applicant", "inactive", "erased"])
def test_no_reset_email_for_accounts_that_cannot_log_in(client, app, mailbox, run_jobs, make_user, kind):
    if kind == "pending applicant":
        user = make_user("volunteer", approved=False)
    elif kind == "inactive":
        user = make_user("volunteer", active=False)
    else:
        user = make_user("volunteer")
        admin = make_user("admin")
        with app.app_context():
            original = user.email
            services.erase(db.session, db.session.get(User, user.id), by=db.session.get(User, admin.id))
            db.session.commit()
        user.email = original
    r = _ask_reset(client, user.email)
    assert r.status_code == 200
    run_jobs()
    assert len(mailbox) == 0


def test_a_reset_link_dies_when_the_account_is_deactivated(client, app, mailbox, run_jobs, make_user):
    user = make_user("volunteer")
    admin = make_user("admin")
    _ask_reset(client, user.email)
    run_jobs()
    path = path_of(_reset_link(mailbox, user.email))
    with app.app_context():
        services.set_active(db.session, db.session.get(User, user.id), False, by=db.session.get(User, admin.id))
        services.set_active(db.session, db.session.get(User, user.id), True, by=db.session.get(User, admin.id))
        db.session.commit()
    assert client.get(path).status_code == 400


def test_the_reset_form_marks_bad_input(client, app, make_user):
    user = make_user("volunteer")
    with app.app_context():
        token = tokens.make(db.session.get(User, user.id), tokens.PASSWORD_RESET)
    r = client.post(f"/reset-password/{token}", data={"password": "", "confirm": ""})
    assert r.status_code == 422 and error_for(r.get_data(as_text=True), "password")


def test_the_reset_email_is_in_the_persons_language(client, mailbox, run_jobs, make_user):
    user = make_user("volunteer", locale="da")
    _ask_reset(client, user.email)
    run_jobs()
    msg = mailbox.to(user.email)[0]
    assert msg["Subject"] == "Nulstil din adgangskode"
    assert "Hej" in mailbox.body(msg)


def test_forgot_password_is_throttled_per_address(client, make_user):
    user = make_user("volunteer")
    for i in range(5):
        ip = f"10.1.0.{i + 1}"
        assert _ask_reset_from(client, user.email, ip).status_code == 200
    r = _ask_reset_from(client, user.email, "10.1.0.99")
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)
    assert _ask_reset_from(client, "someone.else@example.org", "10.1.0.99").status_code == 200


def test_forgot_password_is_throttled_per_ip_address(client):
    for i in range(20):
        assert _ask_reset_from(client, f"p{i}@example.org", "10.2.0.1").status_code == 200
    assert _ask_reset_from(client, "p99@example.org", "10.2.0.1").status_code == 429
    assert _ask_reset_from(client, "p99@example.org", "10.2.0.2").status_code == 200


def _ask_reset_from(client, email, ip):
    return client.post("/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


# --- invitations ---------------------------------------------------------------------------------

def _invite(app, email="invited@example.org", role=Role.STAFF, locale="en"):
    with app.app_context():
        coordinator = factories.user("coordinator")
        user = services.invite(db.session, email=email, full_name="Ivy Invited", role=role, by=coordinator,
                               locale=locale)
        db.session.commit()
        return user, coordinator


def _invitation_link(mailbox, email) -> str:
    messages = mailbox.to(email)
    assert len(messages) == 1, [m["Subject"] for m in messages]
    assert "set your password" in messages[0]["Subject"]
    return mailbox.link(messages[0])


def test_invitation_to_login(client, app, mailbox, run_jobs):
    user, _ = _invite(app)
    assert run_jobs() == 1
    link = _invitation_link(mailbox, "invited@example.org")
    assert link.startswith("http://localhost/invitation/")
    r = client.get(path_of(link))
    assert r.status_code == 200 and b"Welcome, Ivy" in r.data
    r = _set_password(client, path_of(link))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    r = client.post("/login", data={"email": "invited@example.org", "password": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user.id).role == Role.STAFF


def test_an_invitation_link_expires_after_7_days(client, app, mailbox, run_jobs):
    clock.freeze(T0)
    _invite(app)
    run_jobs()
    path = path_of(_invitation_link(mailbox, "invited@example.org"))
    clock.freeze(T0 + dt.timedelta(days=6, hours=23))
    assert client.get(path).status_code == 200
    clock.freeze(T0 + dt.timedelta(days=7, seconds=1))
    r = client.get(path)
    assert r.status_code == 400 and "This link has expired" in r.get_data(as_text=True)
    assert _set_password(client, path).status_code == 400


def test_an_invitation_link_works_once(client, app, mailbox, run_jobs):
    _invite(app)
    run_jobs()
    path = path_of(_invitation_link(mailbox, "invited@example.org"))
    assert _set_password(client, path).status_code == 302
    r = _set_password(client, path, "someone else's chosen password")
    assert r.status_code == 400
    assert _can_log_in(client, "invited@example.org")


def test_resending_an_invitation_kills_the_old_link(client, app, mailbox, run_jobs):
    user, coordinator = _invite(app)
    run_jobs()
    old = path_of(_invitation_link(mailbox, "invited@example.org"))
    mailbox.clear()
    with app.app_context():
        services.resend_invitation(db.session, db.session.get(User, user.id),
                                   by=db.session.get(User, coordinator.id))
        db.session.commit()
    run_jobs()
    new = path_of(_invitation_link(mailbox, "invited@example.org"))
    assert new != old
    assert client.get(old).status_code == 400
    assert _set_password(client, new).status_code == 302


def test_resending_after_the_password_is_set_is_refused(app):
    user, coordinator = _invite(app)
    with app.app_context():
        person = db.session.get(User, user.id)
        person.password_hash = "set"
        with pytest.raises(services.Conflict):
            services.resend_invitation(db.session, person, by=db.session.get(User, coordinator.id))
        db.session.rollback()


def test_inviting_a_known_address_is_refused(app, make_user):
    user = make_user("volunteer")
    with app.app_context():
        with pytest.raises(services.EmailTaken) as caught:
            services.invite(db.session, email=user.email.upper(), full_name="Twice", role=Role.VOLUNTEER,
                            by=factories.user("coordinator"))
        assert caught.value.field == "email"
        db.session.rollback()


def test_an_invitation_for_a_deactivated_account_is_not_sent(app, mailbox, run_jobs):
    user, _ = _invite(app)
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    run_jobs()
    assert len(mailbox) == 0


def test_an_invitation_writes_the_audit_trail(app):
    import sqlalchemy as sa

    from logistics.audit.models import AuditEntry

    user, coordinator = _invite(app)
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.invited"))
        assert entry.actor_id == coordinator.id and entry.entity_id == str(user.id)


# --- links in email ------------------------------------------------------------------------------

def test_links_follow_base_url_with_a_path(app):
    saved = app.config["BASE_URL"]
    try:
        app.config["BASE_URL"] = "https://example.org/hopenow"
        with app.app_context():
            assert external_url("auth.reset_password", token="abc") == "https://example.org/hopenow/reset-password/abc"
            assert external_url("auth.login") == "https://example.org/hopenow/login"
    finally:
        app.config["BASE_URL"] = saved


def test_links_are_built_without_server_name(app):
    saved = app.config["SERVER_NAME"]
    try:
        app.config["SERVER_NAME"] = None  # as in the worker, outside any request
        with app.app_context():
            assert external_url("auth.login") == "http://localhost/login"
    finally:
        app.config["SERVER_NAME"] = saved
