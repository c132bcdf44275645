"""The account pages: profile, password, sessions, two-factor login, export, erasure."""
import json

import pytest
import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.extensions import db
from logistics.people.models import RecoveryCode, User, UserSession
from tests import factories
from tests.conftest import Auth


@pytest.fixture
def browser_as(app, make_client):
    """A fresh, logged-in browser for ``user``. Tests with several browsers use only these:
    the ``client`` fixture keeps its last request context pushed, which a second client's
    requests would then share (``g``, the database session)."""

    def make(user):
        c = make_client()
        r = Auth(c).login(user)
        assert r.status_code == 302 and "/login" not in r.headers["Location"]
        return c

    return make


def _new_user(app, role="volunteer", **kwargs):
    with app.app_context():
        user = factories.user(role, **kwargs)
        db.session.commit()
        return user


def _reload(app, user_id):
    """The user as stored now, with languages loaded (usable after the context ends)."""
    with app.app_context():
        u = db.session.get(User, user_id, populate_existing=True)
        u.languages  # noqa: B018 - load them
        return u


# --- profile ---------------------------------------------------------------------------------

def test_profile_shows_details_and_qualifications(app, client, login):
    with app.app_context():
        user = factories.user(full_name="Amara Okafor", phone="+45 12 34 56 78")
        q = factories.qualification(name_en="Hotline training")
        factories.grant(user, q)
        db.session.commit()
    login(user)
    r = client.get("/account/")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Amara Okafor" in page and "+45 12 34 56 78" in page
    assert "Hotline training" in page and "Does not expire" in page
    assert "Nigerian Pidgin" in page and "Edo (Bini)" in page


def test_profile_edit_saves_everything(app, client, login):
    user = login("volunteer")
    r = client.post("/account/", data={"full_name": "Grace Obi", "display_name": "Gracie",
                                       "phone": "+45 (20) 30-40-50", "locale": "da",
                                       "languages": ["en", "pcm", "yo"]})
    assert r.status_code == 302
    u = _reload(app, user.id)
    assert (u.full_name, u.display_name, u.phone, u.locale) == ("Grace Obi", "Gracie", "+45 (20) 30-40-50", "da")
    with app.app_context():
        assert sorted(lang.code for lang in db.session.get(User, user.id).languages) == ["en", "pcm", "yo"]
    # the next page is in Danish
    assert "Din profil er gemt." in client.get("/account/").get_data(as_text=True)


def test_profile_unchecking_every_language_clears_them(app, client, login):
    user = login("volunteer")
    client.post("/account/", data={"full_name": "A B", "locale": "en", "languages": ["en"]})
    client.post("/account/", data={"full_name": "A B", "locale": "en"})
    with app.app_context():
        assert db.session.get(User, user.id).languages == []


@pytest.mark.parametrize("data, field, message", [
    ({"full_name": ""}, "full_name", "This field is required."),
    ({"full_name": "x" * 121}, "full_name", "Field cannot be longer than 120 characters."),
    ({"display_name": "y" * 61}, "display_name", "Field cannot be longer than 60 characters."),
    ({"phone": "call me maybe"}, "phone", "Write a phone number with 6 to 20 digits"),
    ({"phone": "12345"}, "phone", "Write a phone number with 6 to 20 digits"),
    ({"phone": "1" * 21}, "phone", "Write a phone number with 6 to 20 digits"),
    ({"phone": "+45 1234 5678 ext. 9"}, "phone", "Write a phone number with 6 to 20 digits"),
    ({"languages": ["klingon"]}, "languages", "not a valid choice"),
    ({"locale": "fr"}, "locale", "Not a valid choice"),
])
def test_profile_bad_input_saves_nothing(app, client, login, data, field, message):
    user = login("volunteer", full_name="Original Name", phone="+45 11 22 33 44")
    form = {"full_name": "New Name", "display_name": "", "phone": "+45 99 88 77 66", "locale": "en",
            "languages": ["da"], **data}
    r = client.post("/account/", data=form)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    u = _reload(app, user.id)
    assert (u.full_name, u.phone, u.languages) == ("Original Name", "+45 11 22 33 44", [])


def test_profile_errors_in_danish(app, client, login):
    login("volunteer", locale="da")
    r = client.post("/account/", data={"full_name": "A", "phone": "abc", "locale": "da"})
    assert r.status_code == 422
    assert "Skriv et telefonnummer med 6 til 20 cifre" in r.get_data(as_text=True)


# --- password --------------------------------------------------------------------------------

NEW_PASSWORD = "purple elephants dance quietly"


def test_password_change_ends_other_sessions_and_keeps_this_one(app, make_client, browser_as):
    user = _new_user(app)
    client, other = browser_as(user), browser_as(user)
    assert other.get("/account/").status_code == 200

    r = client.post("/account/password", data={"current_password": factories.PASSWORD,
                                               "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    assert client.get("/account/").status_code == 200  # still logged in here
    r = other.get("/account/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # logged out there
    with app.app_context():
        live = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id,
                                                               UserSession.ended_at.is_(None))).all()
        assert len(live) == 1
    # the new password works, the old one does not
    fresh = make_client()
    assert Auth(fresh).login(user, password=factories.PASSWORD).status_code == 401
    assert Auth(fresh).login(user, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("data, field", [
    ({"current_password": "wrong wrong wrong"}, "current_password"),
    ({"password": "short", "confirm": "short"}, "password"),
    ({"confirm": "something else entirely"}, "confirm"),
    ({"password": "password1234", "confirm": "password1234"}, "password"),
])
def test_password_change_refused(app, client, login, data, field):
    user = login("volunteer")
    before = _reload(app, user.id).password_hash
    form = {"current_password": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **data}
    r = client.post("/account/password", data=form)
    assert r.status_code == 422
    assert f'id="{field}-error"' in r.get_data(as_text=True)
    assert _reload(app, user.id).password_hash == before
    assert client.get("/account/").status_code == 200


# --- sessions --------------------------------------------------------------------------------

def _session_ids(app, user_id):
    with app.app_context():
        return [s.id for s in db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .order_by(UserSession.id))]


def test_security_lists_sessions_and_marks_this_device(app, browser_as):
    user = _new_user(app)
    client, _other = browser_as(user), browser_as(user)
    page = client.get("/account/security", headers={"User-Agent": "Mozilla/5.0 (Android) Firefox/120"})
    text = page.get_data(as_text=True)
    assert text.count("This device") == 1
    assert "Log out all other sessions" in text


def test_end_one_session(app, browser_as):
    user = _new_user(app)
    client, other = browser_as(user), browser_as(user)
    mine, theirs = _session_ids(app, user.id)
    r = client.post(f"/account/sessions/{theirs}/end")
    assert r.status_code == 302
    assert other.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200
    assert _session_ids(app, user.id) == [mine]


def test_cannot_end_someone_elses_session(app, browser_as):
    stranger = _new_user(app)
    other = browser_as(stranger)
    [theirs] = _session_ids(app, stranger.id)
    client = browser_as(_new_user(app))
    client.post(f"/account/sessions/{theirs}/end")
    assert _session_ids(app, stranger.id) == [theirs]
    assert other.get("/account/").status_code == 200


def test_end_all_other_sessions(app, browser_as):
    user = _new_user(app)
    client = browser_as(user)
    others = [browser_as(user) for _ in range(2)]
    assert len(_session_ids(app, user.id)) == 3
    r = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "2 sessions ended" in r.get_data(as_text=True)
    assert len(_session_ids(app, user.id)) == 1
    assert all(c.get("/account/").status_code == 302 for c in others)
    assert client.get("/account/").status_code == 200


# --- two-factor login --------------------------------------------------------------------------

def test_new_recovery_codes_replace_the_old(app, client, login):
    user = login("volunteer", totp=True)
    with app.app_context():
        old = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    r = client.post("/account/security/recovery-codes")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert page.count("<li>") >= 10
    with app.app_context():
        new = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
        assert len(new) == 10 and not (old & new)
        assert db.session.scalar(sa.select(AuditEntry.action).where(
            AuditEntry.action == "user.recovery_codes_renewed"))


def test_volunteer_switches_two_factor_off_with_password(app, client, login):
    user = login("volunteer", totp=True)
    r = client.post("/account/security/two-factor-off", data={"password": "not my password"})
    assert r.status_code == 422 and 'id="password-error"' in r.get_data(as_text=True)
    assert _reload(app, user.id).has_totp
    r = client.post("/account/security/two-factor-off", data={"password": factories.PASSWORD})
    assert r.status_code == 302
    u = _reload(app, user.id)
    assert not u.has_totp and u.totp_secret is None


def test_coordinator_cannot_switch_two_factor_off(app, client, login):
    user = login("coordinator")
    page = client.get("/account/security").get_data(as_text=True)
    assert "cannot be switched off" in page
    r = client.post("/account/security/two-factor-off", data={"password": factories.PASSWORD})
    assert r.status_code == 200
    assert _reload(app, user.id).has_totp


def test_security_offers_enrolment_when_off(client, login):
    login("volunteer")
    page = client.get("/account/security").get_data(as_text=True)
    assert "/login/two-factor-setup" in page


# --- export ----------------------------------------------------------------------------------

def test_export_contains_everything_about_me_and_nothing_about_others(app, client, make_client, login):
    with app.app_context():
        granter = factories.user("coordinator", full_name="Camilla Granter", email="camilla@hopenow.example")
        bystander = factories.user(full_name="Bertil Bystander", email="bertil@example.org", phone="+45 99999999")
        me = factories.user(full_name="Ifeoma Adeyemi", email="ifeoma@example.org", phone="+45 20 30 40 50")
        from logistics.people import services
        from logistics.people.models import Application, UserLanguage

        me.languages = [UserLanguage(code="ig"), UserLanguage(code="en")]
        me.application = Application(availability="Weekends", motivation="I speak Igbo")
        q = factories.qualification(name_en="First aid")
        services.grant_qualification(db.session, me, q, expires_on=None, by=granter)
        services.set_role(db.session, me, "staff", by=granter)
        services.grant_qualification(db.session, bystander, q, expires_on=None, by=granter)
        db.session.commit()
    login(me)
    r = client.get("/account/my-data.json")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="hopenow-my-data.json"'
    raw = r.get_data(as_text=True)
    data = json.loads(raw)
    assert data["profile"]["email"] == "ifeoma@example.org"
    assert data["profile"]["full_name"] == "Ifeoma Adeyemi"
    assert data["profile"]["phone"] == "+45 20 30 40 50"
    assert data["profile"]["languages_spoken"] == ["en", "ig"]
    assert data["application"]["motivation"] == "I speak Igbo"
    assert [q["qualification"] for q in data["qualifications"]] == ["First aid"]
    assert len(data["sessions"]) == 1
    actions = [e["action"] for e in data["changes_to_my_account"]]
    assert "user.qualification_granted" in actions and "user.role_changed" in actions
    assert {e["by"] for e in data["changes_to_my_account"]} <= {"you", "system", "coordinator"}
    for other in ("Camilla", "Granter", "camilla@hopenow.example", "Bertil", "bertil@example.org", "99999999"):
        assert other not in raw


# --- erasure ---------------------------------------------------------------------------------

def test_ask_for_erasure_and_withdraw(app, client, login):
    user = login("volunteer")
    page = client.get("/account/erasure").get_data(as_text=True)
    assert "Ask for erasure" in page and "data-confirm" in page
    client.post("/account/erasure")
    assert _reload(app, user.id).erasure_requested_at is not None
    page = client.get("/account/erasure").get_data(as_text=True)
    assert "Withdraw my request" in page
    client.post("/account/erasure/withdraw")
    assert _reload(app, user.id).erasure_requested_at is None
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["user.erasure_requested", "user.erasure_request_withdrawn"]
