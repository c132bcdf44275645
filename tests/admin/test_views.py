"""Admin and coordinator pages: users, one person, qualifications, audit trail, settings,
outbox, invitations and the volunteers directory."""
import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock, mail, settings
from logistics.audit.models import AuditEntry
from logistics.extensions import db
from logistics.people import services
from logistics.people.models import Role, User, UserLanguage
from tests import factories
from tests.conftest import Auth


@pytest.fixture
def admin(app, make_client):
    """A logged-in admin browser (``admin.user`` is the admin)."""
    with app.app_context():
        user = factories.user("admin", full_name="Astrid Admin")
        db.session.commit()
    c = make_client()
    assert Auth(c).login(user).status_code == 302
    c.user = user
    return c


def _user(app, role="volunteer", **kwargs):
    with app.app_context():
        u = factories.user(role, **kwargs)
        db.session.commit()
        return u


def _get(app, user_id):
    with app.app_context():
        u = db.session.get(User, user_id, populate_existing=True)
        u.qualifications  # noqa: B018
        return u


def _actions(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- users list ------------------------------------------------------------------------------

def test_users_search_filter_and_paging(app, admin):
    _user(app, full_name="Blessing Eze", email="blessing@example.org")
    _user(app, "staff", full_name="Søren Staff")
    _user(app, full_name="Gone Away", active=False)
    _user(app, full_name="Pending Person", approved=False)
    _user(app, full_name="Wants Out", erasure_requested_at=clock.utcnow())
    page = admin.get("/admin/users?q=BLESSING").get_data(as_text=True)
    assert "Blessing Eze" in page and "Søren" not in page
    page = admin.get("/admin/users?q=blessing@ex").get_data(as_text=True)
    assert "Blessing Eze" in page
    page = admin.get("/admin/users?role=staff").get_data(as_text=True)
    assert "Søren Staff" in page and "Blessing" not in page
    for status, name in [("inactive", "Gone Away"), ("pending", "Pending Person"), ("erasure", "Wants Out")]:
        page = admin.get(f"/admin/users?status={status}").get_data(as_text=True)
        assert name in page and "Blessing" not in page, status
    page = admin.get("/admin/users?q=nobody-like-this").get_data(as_text=True)
    assert "Nobody matches this search." in page
    assert admin.get("/admin/users?role=emperor&status=x&page=-3").status_code == 200


def test_users_paging(app, admin):
    with app.app_context():
        for i in range(55):
            factories.user(full_name=f"Person {i:02d}")
        db.session.commit()
    first = admin.get("/admin/users?role=volunteer").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Person 00" in first and "Person 54" not in first
    second = admin.get("/admin/users?role=volunteer&page=2").get_data(as_text=True)
    assert "Person 54" in second and "Person 00" not in second


def _count(queries, client, url, n):
    with queries() as q:
        assert client.get(url).status_code == 200
    return q.count


def test_users_list_query_count_does_not_grow(app, admin, queries):
    def add(n):
        with app.app_context():
            qual = factories.qualification()
            for _ in range(n):
                u = factories.user()
                factories.grant(u, qual)
            db.session.commit()

    add(2)
    few = _count(queries, admin, "/admin/users", 2)
    add(20)
    assert _count(queries, admin, "/admin/users", 22) == few


# --- one person ------------------------------------------------------------------------------

def test_user_page_shows_contact_details_and_history(app, admin):
    person = _user(app, full_name="Ngozi Uche", phone="+45 12 12 12 12", email="ngozi@example.org")
    with app.app_context():
        services.set_role(db.session, db.session.get(User, person.id), Role.STAFF,
                          by=db.session.get(User, admin.user.id))
        db.session.commit()
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    for text in ("Ngozi Uche", "+45 12 12 12 12", "ngozi@example.org", "Astrid Admin changed the role of Ngozi Uche",
                 '<span class="before">Volunteer</span>', '<span class="after">Staff</span>', "data-confirm"):
        assert text in page
    assert "user.role_changed" not in page
    assert admin.get("/admin/users/999999").status_code == 404


def test_role_change(app, admin):
    person = _user(app)
    r = admin.post(f"/admin/users/{person.id}/role", data={"role": "coordinator"})
    assert r.status_code == 302
    assert _get(app, person.id).role == Role.COORDINATOR
    r = admin.post(f"/admin/users/{person.id}/role", data={"role": "emperor"})
    assert r.status_code == 422 and _get(app, person.id).role == Role.COORDINATOR
    assert _actions(app)[-1] == "user.role_changed"


def test_deactivation_logs_the_person_out_and_reactivation(app, admin, make_client):
    person = _user(app)
    theirs = make_client()
    Auth(theirs).login(person)
    assert theirs.get("/account/").status_code == 200
    assert admin.post(f"/admin/users/{person.id}/deactivate").status_code == 302
    r = theirs.get("/account/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert Auth(make_client()).login(person).status_code == 401
    admin.post(f"/admin/users/{person.id}/reactivate")
    assert _get(app, person.id).is_active
    assert _actions(app)[-2:] == ["user.deactivated", "user.activated"]


def test_admin_cannot_deactivate_themselves(app, admin):
    r = admin.post(f"/admin/users/{admin.user.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in r.get_data(as_text=True)
    assert _get(app, admin.user.id).is_active


def test_resend_invitation_only_without_password(app, admin, queued):
    invited = _user(app, password=False)
    page = admin.get(f"/admin/users/{invited.id}").get_data(as_text=True)
    assert "Send the invitation again" in page
    admin.post(f"/admin/users/{invited.id}/resend-invitation")
    assert "logistics.notifications.jobs.send" in queued()  # an account email is a notification row
    person = _user(app)
    assert "Send the invitation again" not in admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    r = admin.post(f"/admin/users/{person.id}/resend-invitation", follow_redirects=True)
    assert "already set a password" in r.get_data(as_text=True)


def test_grant_and_revoke_qualification(app, admin):
    person = _user(app)
    with app.app_context():
        q = factories.qualification(name_en="Hotline training")
        db.session.commit()
    yesterday = clock.today() - dt.timedelta(days=1)
    r = admin.post(f"/admin/users/{person.id}/qualifications",
                   data={"qualification": q.id, "expires_on": yesterday.isoformat()})
    assert r.status_code == 422
    assert 'id="expires_on-error"' in r.get_data(as_text=True)
    assert "The expiry date is in the past." in r.get_data(as_text=True)
    assert _get(app, person.id).qualifications == []
    r = admin.post(f"/admin/users/{person.id}/qualifications",
                   data={"qualification": q.id, "expires_on": "2099-06-30"})
    assert r.status_code == 302
    [held] = _get(app, person.id).qualifications
    assert held.expires_on == dt.date(2099, 6, 30) and held.granted_by_id == admin.user.id
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Hotline training" in page and "valid until 30 Jun 2099" in page
    r = admin.post(f"/admin/users/{person.id}/qualifications", data={"qualification": "", "expires_on": "x"})
    assert r.status_code == 422
    admin.post(f"/admin/users/{person.id}/qualifications/{q.id}/revoke")
    assert _get(app, person.id).qualifications == []
    assert _actions(app)[-2:] == ["user.qualification_granted", "user.qualification_revoked"]


def test_erase_from_the_user_page(app, admin):
    person = _user(app, full_name="Funmi Ade", email="funmi@example.org")
    r = admin.post(f"/admin/users/{person.id}/erase", follow_redirects=True)
    assert "The account is erased." in r.get_data(as_text=True)
    u = _get(app, person.id)
    assert u.erased_at is not None and "funmi" not in u.email
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Funmi" not in page and "Erase this account" not in page


def test_admin_switches_off_a_lost_phone(app, admin):
    person = _user(app, "coordinator")
    admin.post(f"/admin/users/{person.id}/two-factor-off")
    assert not _get(app, person.id).has_totp
    assert _actions(app)[-1] == "user.2fa_disabled"


def test_erasure_page_lists_requests_and_inactive_accounts(app, admin):
    now = clock.utcnow()
    _user(app, full_name="Asks Erasure", erasure_requested_at=now)
    _user(app, full_name="Long Gone", last_login_at=now - dt.timedelta(days=800))
    _user(app, full_name="Recent Visitor", last_login_at=now - dt.timedelta(days=400))
    page = admin.get("/admin/erasure").get_data(as_text=True)
    assert "Asks Erasure" in page and "Long Gone" in page and "Recent Visitor" not in page
    assert "not used for 24 months" in page
    admin.post("/admin/settings", data={"require_2fa_privileged": "y", "retention_months": "12"})
    page = admin.get("/admin/erasure").get_data(as_text=True)
    assert "Recent Visitor" in page and "not used for 12 months" in page


# --- qualifications ------------------------------------------------------------------------------

def test_qualification_create_and_edit(app, admin):
    r = admin.post("/admin/qualifications/new", data={"code": "first_aid", "name_en": "First aid",
                                                      "name_da": "Førstehjælp", "is_active": "y"})
    assert r.status_code == 302
    r = admin.post("/admin/qualifications/new", data={"code": "first_aid", "name_en": "Again",
                                                      "name_da": "Igen"})
    assert r.status_code == 422 and "Another qualification already has this code." in r.get_data(as_text=True)
    r = admin.post("/admin/qualifications/new", data={"code": "has space", "name_en": "", "name_da": "x" * 81})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and all(f'id="{f}-error"' in page for f in ("code", "name_en", "name_da"))
    with app.app_context():
        from logistics.people.models import Qualification

        q = db.session.scalar(sa.select(Qualification))
    admin.post(f"/admin/qualifications/{q.id}", data={"code": "first_aid", "name_en": "First aid course",
                                                      "name_da": "Førstehjælp", "description": "Red Cross"})
    page = admin.get("/admin/qualifications").get_data(as_text=True)
    assert "First aid course" in page and "Not in use" in page
    assert _actions(app) == ["qualification.created", "qualification.changed"]


# --- audit trail ---------------------------------------------------------------------------------

def test_audit_trail_filters_and_before_after(app, admin):
    person = _user(app, full_name="Mette Jensen")
    admin.post(f"/admin/users/{person.id}/role", data={"role": "staff"})
    admin.post("/admin/settings", data={"retention_months": "18"})
    page = admin.get("/admin/audit").get_data(as_text=True)
    role = "Astrid Admin changed the role of Mette Jensen"
    setting = "Astrid Admin changed the setting “Retention period in months”"
    assert role in page and setting in page and "→" in page
    trail = page.split('<ol class="list audit-list">')[1]
    assert "user.role_changed" not in trail and "setting.changed" not in trail  # words, not codes
    assert '<option value="user.role_changed">Role changed</option>' in page
    assert '<option value="setting">Settings</option>' in page
    page = admin.get("/admin/audit?entity=setting").get_data(as_text=True)
    assert setting in page and role not in page
    page = admin.get("/admin/audit?action=user.role_changed&actor=astrid").get_data(as_text=True)
    assert role in page and setting not in page
    page = admin.get("/admin/audit?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    assert "No changes match these filters." in page
    assert admin.get("/admin/audit?date_from=not-a-date&action=nonsense").status_code == 200


def test_audit_trail_query_count_does_not_grow(app, admin, queries):
    def add(n):
        with app.app_context():
            a = db.session.get(User, admin.user.id)
            for _ in range(n):
                u = factories.user()
                services.set_role(db.session, u, Role.STAFF, by=a)
            db.session.commit()

    add(2)
    few = _count(queries, admin, "/admin/audit", 2)
    add(20)
    assert _count(queries, admin, "/admin/audit", 22) == few


# --- settings ------------------------------------------------------------------------------------

def test_settings_changes_are_audited(app, admin):
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="24"' in page
    r = admin.post("/admin/settings", data={"retention_months": "0"})
    assert r.status_code == 422 and 'id="retention_months-error"' in r.get_data(as_text=True)
    r = admin.post("/admin/settings", data={"retention_months": "36"})  # checkbox unticked: 2FA off
    assert r.status_code == 302
    with app.app_context():
        assert settings.get(db.session, "retention_months") == 36
        assert settings.get(db.session, "require_2fa_privileged") is False
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "setting")
                                     .order_by(AuditEntry.entity_id)).all()
        assert [(e.entity_id, e.changes, e.actor_id) for e in entries] == [
            ("require_2fa_privileged", {"require_2fa_privileged": [True, False]}, admin.user.id),
            ("retention_months", {"retention_months": [24, 36]}, admin.user.id)]


# --- outbox ----------------------------------------------------------------------------------------

def test_outbox_lists_and_shows_messages(app, admin, run_jobs):
    saved = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = None
    try:
        for f in mail.outbox_dir(app).glob("*.eml"):
            f.unlink()
        assert "The outbox is empty." in admin.get("/admin/outbox").get_data(as_text=True)
        admin.post("/admin/invite", data={"email": "newbie@example.org", "full_name": "New Bie",
                                          "role": "volunteer", "locale": "en"})
        run_jobs()
        page = admin.get("/admin/outbox").get_data(as_text=True)
        assert "newbie@example.org" in page
        [name] = [f.name for f in mail.outbox_dir(app).glob("*.eml")]
        page = admin.get(f"/admin/outbox/{name}").get_data(as_text=True)
        assert "/invitation/" in page and "newbie@example.org" in page
        assert admin.get("/admin/outbox/..%2Fsecret_key").status_code == 404
        assert admin.get("/admin/outbox/nope.eml").status_code == 404
    finally:
        app.config["MAIL_URL"] = saved
        for f in mail.outbox_dir(app).glob("*.eml"):
            f.unlink()
    assert "sent through the mail server" in admin.get("/admin/outbox").get_data(as_text=True)


# --- invitations and the volunteers directory -------------------------------------------------------

def test_invite_and_duplicate_email(app, admin, mailbox, run_jobs):
    r = admin.post("/admin/invite", data={"email": "Kim@Example.org", "full_name": "Kim Lund",
                                          "role": "coordinator", "locale": "da"})
    assert r.status_code == 302
    run_jobs()
    assert len(mailbox.to("kim@example.org")) == 1
    r = admin.post("/admin/invite", data={"email": "kim@example.org ", "full_name": "Kim Again",
                                          "role": "volunteer", "locale": "en"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="email-error"' in page and "Someone already uses this email" in page
    for data, field in [({"email": "not an email"}, "email"), ({"full_name": ""}, "full_name"),
                        ({"full_name": "x" * 121}, "full_name"), ({"email": "a" * 250 + "@x.dk"}, "email")]:
        form = {"email": "fresh@example.org", "full_name": "Fresh", "role": "volunteer", "locale": "en", **data}
        r = admin.post("/admin/invite", data=form)
        assert r.status_code == 422 and f'id="{field}-error"' in r.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_coordinator_invites_volunteers_and_staff_only(app, make_client):
    coordinator = _user(app, "coordinator")
    c = make_client()
    Auth(c).login(coordinator)
    page = c.get("/admin/invite").get_data(as_text=True)
    assert 'value="staff"' in page and 'value="admin"' not in page
    r = c.post("/admin/invite", data={"email": "boss@example.org", "full_name": "Boss", "role": "admin",
                                      "locale": "en"})
    assert r.status_code == 422
    r = c.post("/admin/invite", data={"email": "helper@example.org", "full_name": "Helper", "role": "staff",
                                      "locale": "en"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/volunteers")


def test_volunteers_directory_for_coordinators(app, make_client):
    coordinator = _user(app, "coordinator")
    with app.app_context():
        v = factories.user(full_name="Esther Bello", phone="+45 40 40 40 40", email="esther@example.org")
        v.languages = [UserLanguage(code="yo")]
        factories.grant(v, factories.qualification(name_en="Food hygiene certificate"),
                        expires_on=dt.date(2000, 1, 1))
        factories.user(full_name="Inactive Ivan", active=False)
        db.session.commit()
    c = make_client()
    Auth(c).login(coordinator)
    page = c.get("/admin/volunteers").get_data(as_text=True)
    for text in ("Esther Bello", "+45 40 40 40 40", "esther@example.org", "Yoruba", "Food hygiene certificate",
                 "expired"):
        assert text in page
    assert "Inactive Ivan" not in page
    page = c.get("/admin/volunteers?language=da").get_data(as_text=True)
    assert "Esther" not in page and "No volunteer matches this search." in page


def test_volunteers_directory_query_count_does_not_grow(app, make_client, queries):
    coordinator = _user(app, "coordinator")
    c = make_client()
    Auth(c).login(coordinator)

    def add(n):
        with app.app_context():
            q = factories.qualification()
            for _ in range(n):
                v = factories.user()
                v.languages = [UserLanguage(code="en"), UserLanguage(code="da")]
                factories.grant(v, q)
            db.session.commit()

    add(2)
    few = _count(queries, c, "/admin/volunteers", 2)
    add(20)
    assert _count(queries, c, "/admin/volunteers", 22) == few


def test_the_wellbeing_limits_are_settings_on_the_settings_page(app, admin):
    """The README calls the weekly hotline hours and the rest after a night shift settings:
    the settings page shows and changes them, within bounds, and the sign-up rules use them."""
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Most hotline hours per volunteer in one week" in page and 'value="12"' in page
    assert "Hours of rest after a night shift" in page and 'value="11"' in page
    r = admin.post("/admin/settings", data={"retention_months": "24", "shifts_hotline_max_hours_per_week": "200"})
    assert r.status_code == 422 and "Enter a number from 1 to 168." in r.get_data(as_text=True)
    r = admin.post("/admin/settings", data={
        "require_2fa_privileged": "y", "retention_months": "24", "shifts_hotline_max_hours_per_week": "8",
        "shifts_rest_after_night_hours": "0", "shifts_hotline_staff_needed": "2", "stock_expiry_warning_days": "14"})
    assert r.status_code == 302
    with app.app_context():
        assert settings.get(db.session, "shifts_hotline_max_hours_per_week") == 8
        assert settings.get(db.session, "shifts_rest_after_night_hours") == 0
        assert settings.get(db.session, "shifts_hotline_staff_needed") == 2
        assert settings.get(db.session, "stock_expiry_warning_days") == 14
        changed = {e.entity_id for e in db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "setting.changed"))}
        assert {"shifts_hotline_max_hours_per_week", "shifts_rest_after_night_hours"} <= changed
