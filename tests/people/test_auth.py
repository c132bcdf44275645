"""Logging in and out: the same answer for every failure, the approval gate, password rules,
CSRF, security headers and friendly error pages."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.people import passwords, services, tokens
from logistics.people.models import Role, User, UserSession
from tests import factories
from tests.people.conftest import NEW_PASSWORD, error_for, put_session_cookie, session_cookie

WRONG = "The email address or password is not right."


def _login(client, email, password=factories.PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


# --- logging in -------------------------------------------------------------------------------

def test_login_with_the_right_password(client, make_user):
    user = make_user("volunteer", full_name="Vera Volunteer")
    r = _login(client, user.email)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert b"Hello, Vera" in client.get("/").data


def test_email_is_matched_whatever_the_case(client, make_user):
    make_user("volunteer", email="mixed.case@example.org")
    assert _login(client, "  Mixed.Case@Example.ORG ").status_code == 302


@pytest.mark.parametrize("case", ["bad password", "unknown email", "inactive", "pending applicant",
                                  "no password yet"])
def test_every_failure_gets_the_same_answer(client, make_user, case):
    if case == "bad password":
        email, password = make_user("volunteer").email, "not the right password at all"
    elif case == "unknown email":
        email, password = "nobody@example.org", factories.PASSWORD
    elif case == "inactive":
        email, password = make_user("volunteer", active=False).email, factories.PASSWORD
    elif case == "pending applicant":
        email, password = make_user("volunteer", approved=False).email, factories.PASSWORD
    else:
        email, password = make_user("volunteer", password=False).email, factories.PASSWORD
    r = _login(client, email, password)
    assert r.status_code == 401
    assert error_for(r.get_data(as_text=True), "password") == WRONG
    assert client.get("/").status_code == 302  # not logged in


def test_an_applicant_cannot_log_in_until_approved(client, app, mailbox, run_jobs):
    """The approval gate: an application makes an account that cannot log in, even with a password."""
    with app.app_context():
        user = services.submit_application(
            db.session, full_name="Ada Applicant", email="ada@example.org", phone=None, languages=["en"],
            availability="Evenings", motivation="I want to help")
        user.password_hash = passwords.hash_password(factories.PASSWORD)  # as if a password leaked in
        db.session.commit()
        # No reset link either: nothing would let a pending applicant in.
        services.request_password_reset(db.session, "ada@example.org")
        db.session.commit()
    run_jobs()
    assert mailbox.to("ada@example.org") == []
    r = _login(client, "ada@example.org")
    assert r.status_code == 401 and WRONG in r.get_data(as_text=True)


def test_an_erased_person_cannot_log_in(client, app, make_user):
    admin = make_user("admin")
    user = make_user("volunteer", email="erase.me@example.org")
    with app.app_context():
        services.erase(db.session, db.session.get(User, user.id), by=db.session.get(User, admin.id))
        db.session.commit()
    r = _login(client, "erase.me@example.org")
    assert r.status_code == 401 and WRONG in r.get_data(as_text=True)


def test_missing_fields_are_marked(client):
    r = client.post("/login", data={"email": "", "password": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert error_for(html, "email") and error_for(html, "password")


def test_next_goes_to_the_same_site_only(client, make_user):
    user = make_user("volunteer")
    r = client.post("/login?next=/account/", data={"email": user.email, "password": factories.PASSWORD})
    assert r.headers["Location"] == "/account/"
    client.post("/logout")
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.post(f"/login?next={evil}", data={"email": user.email, "password": factories.PASSWORD})
        assert r.headers["Location"] == "/", evil
        client.post("/logout")


def test_logged_in_person_is_sent_home_from_the_login_page(client, login):
    login("volunteer")
    r = client.get("/login")
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_a_login_records_a_session_and_the_time(client, app, make_user):
    user = make_user("volunteer")
    _login(client, user.email, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0"})
    with app.app_context():
        rows = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()
        assert len(rows) == 1 and rows[0].user_agent == "Firefox on Linux"
        assert db.session.get(User, user.id).last_login_at is not None


# --- logging out ------------------------------------------------------------------------------

def test_logout_ends_the_server_session(client, app, login):
    user = login("volunteer")
    cookie = session_cookie(client)
    r = client.post("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
        assert row.ended_at is not None
    # Replaying the cookie from before the logout does not log anyone in.
    put_session_cookie(client, cookie)
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_logout_needs_a_post(client, login):
    login("volunteer")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


# --- password rules ---------------------------------------------------------------------------

def _invite(app, **kwargs):
    with app.app_context():
        admin = factories.user("admin")
        user = services.invite(db.session, email=kwargs.get("email", "new.person@example.org"),
                               full_name=kwargs.get("full_name", "New Person"), role=Role.VOLUNTEER, by=admin)
        token = tokens.make(user, tokens.INVITATION)
        db.session.commit()
        return user, f"/invitation/{token}"


@pytest.mark.parametrize("password,message", [
    ("short words", "Field must be between 12 and 128 characters long."),
    ("x" * 129, "Field must be between 12 and 128 characters long."),
    ("qwerty123456", "This password is too common. Choose another one."),
    ("aaaaaaaaaaaaaaaa", "This password is too common. Choose another one."),
    ("margrethe.hansen1", "Do not build the password from your name or email address."),
    ("Margrethe Hansen!", "Do not build the password from your name or email address."),
])
def test_password_rules_show_next_to_the_field(client, app, password, message):
    user, path = _invite(app, email="margrethe.hansen@example.org", full_name="Margrethe Hansen")
    r = client.post(path, data={"password": password, "confirm": password})
    assert r.status_code == 422
    assert error_for(r.get_data(as_text=True), "password") == message
    with app.app_context():
        assert db.session.get(User, user.id).password_hash is None  # nothing saved


def test_the_two_passwords_must_match(client, app):
    _user, path = _invite(app)
    r = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert r.status_code == 422
    assert error_for(r.get_data(as_text=True), "confirm") == "The two passwords differ."


def test_password_rules_in_danish(client, app):
    _user, path = _invite(app)
    r = client.post(path, data={"password": "qwerty123456", "confirm": "qwerty123456"},
                    headers={"Accept-Language": "da"})
    assert r.status_code == 422
    assert error_for(r.get_data(as_text=True), "password") != "This password is too common. Choose another one."


@pytest.mark.parametrize("password,ok", [
    (NEW_PASSWORD, True),
    ("a" * 11, False),
    ("correct horse battery staple " * 4 + "x" * 17, False),  # 129 characters
    ("1qaz2wsx3edc", False),
    ("TELECHARGEMENT", False),  # the list is compared case-insensitively
    ("abcabcabcabcab", False),  # fewer than 4 different characters
    ("kirsten@example.org", False),
    ("kirsten@example.org and a long tail", True),  # the address is only a small part
])
def test_password_problem(app_ctx, password, ok):
    reason = passwords.problem(password, email="kirsten@example.org", name="Kirsten Holm")
    assert (reason is None) == ok, reason


def test_passwords_are_hashed_with_argon2id(app_ctx):
    hashed = passwords.hash_password(NEW_PASSWORD)
    assert hashed.startswith("$argon2id$") and NEW_PASSWORD not in hashed
    assert passwords.verify(hashed, NEW_PASSWORD)
    assert not passwords.verify(hashed, NEW_PASSWORD + "!")
    assert not passwords.verify(None, NEW_PASSWORD)
    assert not passwords.verify("not a hash", NEW_PASSWORD)


# --- CSRF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/forgot-password", "/apply", "/language"])
def test_a_post_without_csrf_token_is_refused(client, path):
    r = client.post(path, data={"email": "someone@example.org", "password": "whatever it is"}, csrf=False)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "The form has expired" in html and "Traceback" not in html


def test_logout_without_csrf_token_keeps_the_session(client, login):
    login("volunteer")
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/").status_code == 200


def test_a_forged_csrf_token_is_refused(client, make_user):
    user = make_user("volunteer")
    r = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 400
    assert client.get("/").status_code == 302


# --- security headers, cookies ------------------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def _check_headers(response) -> None:
    csp = _csp(response)
    script = csp.get("script-src", csp.get("default-src"))
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert csp["base-uri"] in (["'none'"], ["'self'"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("method,path", [
    ("GET", "/login"), ("GET", "/apply"), ("GET", "/"), ("GET", "/healthz"),
    ("GET", "/static/css/app.css"), ("GET", "/no-such-page"), ("POST", "/login"),
])
def test_security_headers_on_every_response(client, method, path):
    r = client.open(path, method=method, data={} if method == "POST" else None)
    _check_headers(r)
    assert "Strict-Transport-Security" not in r.headers  # plain http: no HSTS


def test_pages_are_not_cached(client, login):
    login("volunteer")
    r = client.get("/")
    assert r.headers["Cache-Control"] == "no-store"


def _set_cookie_headers(response) -> list[str]:
    return [v for k, v in response.headers.items() if k.lower() == "set-cookie" and v.startswith("session=")]


def test_session_cookie_flags_on_http(client, make_user):
    user = make_user("volunteer")
    r = _login(client, user.email)
    cookies = _set_cookie_headers(r)
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        assert "Expires=" not in cookie  # a browser-session cookie: gone when the browser closes


def test_https_app_sends_hsts_and_secure_cookies(https_app):
    with https_app.app_context():
        user = factories.user("volunteer")
        db.session.commit()
    client = https_app.test_client()
    r = client.get("/login", base_url="https://example.org")
    _check_headers(r)
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Over https Flask-WTF also wants a same-site Referer, as a browser sends.
    r = client.post("/login", base_url="https://example.org", headers={"Referer": "https://example.org/login"}, data={
        "email": user.email, "password": factories.PASSWORD, "csrf_token": _csrf(client, https_app)})
    assert r.status_code == 302, r.get_data(as_text=True)
    cookies = _set_cookie_headers(r)
    assert cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def _csrf(client, app) -> str:
    import hashlib
    import os

    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction(base_url="https://example.org") as sess:
        raw = sess.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


# --- friendly error pages -----------------------------------------------------------------------

def _friendly(response, title: str) -> str:
    html = response.get_data(as_text=True)
    assert title in html
    assert "Traceback" not in html and "File &#34;" not in html and "werkzeug" not in html.lower()
    assert '<html lang="en">' in html  # the site's own page, not a bare server message
    return html


def test_404_page(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    _friendly(r, "Page not found")


def test_403_page(client, login):
    login("volunteer")
    r = client.get("/people/applications")
    assert r.status_code == 403
    _friendly(r, "Not allowed")


def test_429_page(client):
    for _ in range(10):
        client.post("/apply", data={})
    r = client.post("/apply", data={})
    assert r.status_code == 429
    assert r.headers["Retry-After"]
    html = _friendly(r, "Too many attempts")
    assert "Wait a few minutes" in html


def test_500_page(error_app):
    client = error_app.test_client()
    r = client.get("/test-only/boom")
    assert r.status_code == 500
    html = _friendly(r, "Something went wrong")
    assert "a secret detail" not in html and "RuntimeError" not in html


def test_json_callers_get_json_errors(client):
    r = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.get_json()["error"] == "Page not found"


def test_error_pages_in_danish(client):
    r = client.get("/no-such-page", headers={"Accept-Language": "da"})
    assert r.status_code == 404
    assert '<html lang="da">' in r.get_data(as_text=True)
    assert "Page not found" not in r.get_data(as_text=True)


def test_the_login_page_has_no_inline_script_or_style(client):
    html = client.get("/login").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html


# --- throttling ---------------------------------------------------------------------------------

def _login_from(client, email, ip, password="not the right password at all"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_failed_logins_for_one_account_are_throttled_from_any_address(client, make_user):
    user = make_user("volunteer")
    for i in range(10):
        assert _login_from(client, user.email, f"10.0.{i}.1").status_code == 401
    r = _login_from(client, user.email.upper(), "10.0.99.1", password=factories.PASSWORD)
    assert r.status_code == 429
    html = _friendly(r, "Too many attempts")
    assert "Wait a few minutes" in html
    assert client.get("/").status_code == 302  # even the right password waits
    # Another account from the same addresses is not affected.
    other = make_user("volunteer")
    assert _login_from(client, other.email, "10.0.99.1", password=factories.PASSWORD).status_code == 302


def test_many_accounts_from_one_address_are_throttled(client):
    for i in range(30):
        assert _login_from(client, f"guess{i}@example.org", "10.9.9.9").status_code == 401
    assert _login_from(client, "guess99@example.org", "10.9.9.9").status_code == 429
    assert _login_from(client, "guess99@example.org", "10.9.9.10").status_code == 401



def test_guessing_passwords_on_one_link_is_throttled_per_link(client):
    """Set-password posts on one reset or invitation link are limited whatever the address."""
    for path in ("/reset-password/some-link-token", "/invitation/another-link-token"):
        for i in range(10):
            r = client.post(path, data={"password": "x", "confirm": "x"}, environ_base={"REMOTE_ADDR": f"10.1.{i}.1"})
            assert r.status_code == 400  # the link is not valid: a clear page, not a 500
        r = client.post(path, data={"password": "x", "confirm": "x"}, environ_base={"REMOTE_ADDR": "10.1.99.1"})
        assert r.status_code == 429


def test_a_busy_database_answers_503_try_again(error_app):
    """A lock timeout or deadlock is not the user's fault and not a 500: 503 with Retry-After."""
    r = error_app.test_client().get("/test-only/busy")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    html = r.get_data(as_text=True)
    assert "Busy, please try again" in html and "Send it again in a moment." in html
    assert "stock_balance" not in html  # no SQL shown


def test_a_dropped_database_connection_answers_503_try_again(error_app):
    r = error_app.test_client().get("/test-only/disconnect")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert "Busy, please try again" in r.get_data(as_text=True)
