"""Two-factor login: enrolment when the role requires it, single-use codes, recovery codes,
and the pending state between password and code expiring after 5 minutes."""
from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from logistics import clock, settings
from logistics.extensions import db
from logistics.people import totp
from logistics.people.models import User
from tests import factories
from tests.people.conftest import error_for

T0 = dt.datetime(2026, 12, 1, 9, 0, 10, tzinfo=dt.UTC)  # 10 s into a 30 s step
REFUSED = "That code is not right, or it has been used already."


def _password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": factories.PASSWORD})


def _code_step(client, code):
    return client.post("/login/code", data={"code": code})


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def _require_2fa(app, value: bool) -> None:
    with app.app_context():
        settings.set_value(db.session, "require_2fa_privileged", value)
        db.session.commit()


# --- enrolment ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_privileged_roles_enrol_at_first_login(client, app, make_user, role):
    user = make_user(role, totp=False)
    r = _password_step(client, user)
    assert r.status_code == 302 and r.headers["Location"] == "/login/two-factor-setup"
    assert client.get("/").status_code == 302  # not logged in before the code is confirmed
    page = client.get("/login/two-factor-setup")
    assert page.status_code == 200 and b"<svg" in page.data
    with client.session_transaction() as sess:
        secret = sess["enrol_secret"]
    assert secret.encode() in page.data  # the key, for people who cannot scan

    r = client.post("/login/two-factor-setup", data={"code": "000000"})
    assert r.status_code == 422 and error_for(r.get_data(as_text=True), "code")

    r = client.post("/login/two-factor-setup", data={"code": pyotp.TOTP(secret).at(clock.utcnow())})
    assert r.status_code == 200
    codes = re.findall(r"\b[0-9a-f]{6}-[0-9a-f]{6}\b", r.get_data(as_text=True))
    assert len(set(codes)) == totp.RECOVERY_CODES
    assert _logged_in(client)
    with app.app_context():
        person = db.session.get(User, user.id)
        assert person.has_totp and person.totp_secret == secret
        assert totp.remaining_recovery_codes(db.session, person) == totp.RECOVERY_CODES


def test_enrolment_is_not_asked_when_the_setting_is_off(client, app, make_user):
    _require_2fa(app, False)
    user = make_user("coordinator", totp=False)
    r = _password_step(client, user)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert _logged_in(client)


def test_volunteers_and_staff_are_never_asked(client, make_user):
    for role in ("volunteer", "staff"):
        user = make_user(role)
        assert _password_step(client, user).headers["Location"] == "/"
        client.post("/logout")


def test_switching_the_setting_on_sends_a_logged_in_coordinator_to_enrol(client, app, make_user):
    _require_2fa(app, False)
    user = make_user("coordinator", totp=False)
    _password_step(client, user)
    assert _logged_in(client)
    _require_2fa(app, True)
    r = client.get("/people/applications")
    assert r.status_code == 302 and r.headers["Location"] == "/login/two-factor-setup"
    assert client.get("/login/two-factor-setup").status_code == 200


def test_a_person_with_2fa_is_asked_for_the_code_even_when_not_required(client, app, make_user):
    _require_2fa(app, False)
    user = make_user("volunteer", totp=True)
    assert _password_step(client, user).headers["Location"] == "/login/code"
    assert not _logged_in(client)


# --- codes ---------------------------------------------------------------------------------------

def test_the_right_code_logs_in(client, make_user):
    user = make_user("coordinator")
    assert _password_step(client, user).headers["Location"] == "/login/code"
    r = _code_step(client, factories.totp_code(user))
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert _logged_in(client)


def test_a_wrong_code_is_refused(client, make_user):
    user = make_user("coordinator")
    _password_step(client, user)
    wrong = f"{(int(factories.totp_code(user)) + 1) % 1_000_000:06d}"
    r = _code_step(client, wrong)
    assert r.status_code == 422 and error_for(r.get_data(as_text=True), "code") == REFUSED
    assert not _logged_in(client)


def test_superscript_digits_are_a_wrong_code_not_an_error(client, make_user):
    """"²" is a digit to str.isdigit(); hmac.compare_digest raised on it (a 500 at login)."""
    user = make_user("coordinator")
    _password_step(client, user)
    r = _code_step(client, "²²²²²²")
    assert r.status_code == 422 and error_for(r.get_data(as_text=True), "code") == REFUSED
    assert not _logged_in(client)


def test_a_code_is_accepted_once(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    code = factories.totp_code(user)
    _password_step(client, user)
    assert _code_step(client, code).status_code == 302
    client.post("/logout")
    _password_step(client, user)
    r = _code_step(client, code)  # the same code again, in the same 30 seconds
    assert r.status_code == 422 and REFUSED in r.get_data(as_text=True)
    assert not _logged_in(client)


def test_a_code_from_the_previous_step_is_accepted_once(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    previous = factories.totp_code(user, -1)
    _password_step(client, user)
    assert _code_step(client, previous).status_code == 302
    client.post("/logout")
    _password_step(client, user)
    assert _code_step(client, previous).status_code == 422
    # The current step is still newer than the one used, so it works.
    assert _code_step(client, factories.totp_code(user)).status_code == 302


def test_an_older_code_is_refused(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    _password_step(client, user)
    assert _code_step(client, factories.totp_code(user, -2)).status_code == 422


def test_once_a_newer_code_is_used_an_older_one_is_refused(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    _password_step(client, user)
    assert _code_step(client, factories.totp_code(user)).status_code == 302
    client.post("/logout")
    _password_step(client, user)
    assert _code_step(client, factories.totp_code(user, -1)).status_code == 422


def test_a_recovery_code_works_once(client, app, make_user):
    user = make_user("coordinator")
    with app.app_context():
        codes = totp.new_recovery_codes(db.session, db.session.get(User, user.id))
        db.session.commit()
    _password_step(client, user)
    assert _code_step(client, codes[0].upper()).status_code == 302  # typed in capitals: still fine
    with app.app_context():
        assert totp.remaining_recovery_codes(db.session, db.session.get(User, user.id)) == totp.RECOVERY_CODES - 1
    client.post("/logout")
    _password_step(client, user)
    r = _code_step(client, codes[0])
    assert r.status_code == 422 and REFUSED in r.get_data(as_text=True)
    assert _code_step(client, codes[1]).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, app, make_user):
    user = make_user("coordinator")
    with app.app_context():
        old = totp.new_recovery_codes(db.session, db.session.get(User, user.id))
        totp.new_recovery_codes(db.session, db.session.get(User, user.id))
        db.session.commit()
    _password_step(client, user)
    assert _code_step(client, old[0]).status_code == 422


def test_the_code_step_needs_the_password_step(client, make_user):
    user = make_user("coordinator")
    r = _code_step(client, factories.totp_code(user))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert not _logged_in(client)


def test_the_pending_login_expires_after_5_minutes(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    _password_step(client, user)
    clock.freeze(T0 + dt.timedelta(minutes=5, seconds=1))
    r = _code_step(client, factories.totp_code(user))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "the time for the code ran out" in client.get("/login").get_data(as_text=True)
    assert not _logged_in(client)


def test_the_pending_login_holds_for_almost_5_minutes(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator")
    _password_step(client, user)
    clock.freeze(T0 + dt.timedelta(minutes=4, seconds=50))
    assert _code_step(client, factories.totp_code(user)).status_code == 302
    assert _logged_in(client)


def test_enrolment_also_expires_with_the_pending_login(client, make_user):
    clock.freeze(T0)
    user = make_user("coordinator", totp=False)
    _password_step(client, user)
    clock.freeze(T0 + dt.timedelta(minutes=6))
    r = client.get("/login/two-factor-setup")
    assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_a_deactivated_account_cannot_finish_the_code_step(client, app, make_user):
    user = make_user("coordinator")
    _password_step(client, user)
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    r = _code_step(client, factories.totp_code(user))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert not _logged_in(client)


def test_guessing_codes_is_throttled(client, make_user):
    user = make_user("coordinator")
    _password_step(client, user)
    for _ in range(10):
        assert _code_step(client, "000000").status_code == 422
    r = _code_step(client, factories.totp_code(user))
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)


def test_the_next_page_survives_the_code_step(client, make_user):
    user = make_user("coordinator")
    client.post("/login?next=/people/applications", data={"email": user.email, "password": factories.PASSWORD})
    r = _code_step(client, factories.totp_code(user))
    assert r.headers["Location"] == "/people/applications"


def test_disabling_2fa_removes_secret_and_codes(app, make_user):
    user = make_user("coordinator")
    with app.app_context():
        person = db.session.get(User, user.id)
        totp.new_recovery_codes(db.session, person)
        totp.disable(db.session, person, by=person)
        db.session.commit()
        assert person.totp_secret is None and not person.has_totp
        assert totp.remaining_recovery_codes(db.session, person) == 0
