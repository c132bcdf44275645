"""People services used by the admin pages: erasure, retention, roles, qualifications, settings."""
import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock, mail, settings
from logistics.audit import queries as audit_queries
from logistics.audit.models import AuditEntry
from logistics.errors import DomainError
from logistics.people import queries, services, sessions
from logistics.people.models import Application, RecoveryCode, Role, User, UserLanguage, UserSession
from tests import factories


@pytest.fixture
def outbox_mode(app):
    """Mail goes to the instance outbox (MAIL_URL unset), as in the embedded set-up."""
    saved = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = None
    folder = mail.outbox_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.eml"):
        f.unlink()
    yield folder
    app.config["MAIL_URL"] = saved
    for f in folder.glob("*.eml"):
        f.unlink()


# --- erasure ---------------------------------------------------------------------------------

def test_erasure_leaves_no_personal_field(session, outbox_mode, run_jobs):
    admin = factories.user("admin", full_name="Astrid Admin")
    person = factories.user(full_name="Chioma Nwosu", email="chioma@example.org", phone="+45 31 41 59 26",
                            display_name="Chi", totp=True)
    person.languages = [UserLanguage(code="ig"), UserLanguage(code="da")]
    person.application = Application(availability="Mondays", motivation="I was helped once", reason="ok")
    services.update_profile(session, person, full_name="Chioma N. Nwosu", display_name="Chi",
                            phone="+45 99 88 77 66", locale="da", languages=["ig"], by=person)
    services.update_profile(session, person, full_name="Chioma Nwosu", display_name="Chi",
                            phone="+45 31 41 59 26", locale="da", languages=["ig", "da"], by=person)
    session.add(RecoveryCode(user_id=person.id, code_hash="x" * 64))
    sessions.create(session, person, "Firefox")
    services.request_erasure(session, person)
    other = services.invite(session, email="friend@example.org", full_name="Friend Person", role=Role.VOLUNTEER,
                            by=admin)
    session.commit()
    # an email to the person lands in the outbox, as do emails to others
    from logistics.people import jobs

    jobs.send_account_exists(person.id)
    run_jobs()
    files = list(outbox_mode.glob("*.eml"))
    assert any(b"chioma@example.org" in f.read_bytes() for f in files)

    services.erase(session, person, by=admin)
    session.commit()
    session.expire_all()

    row = session.get(User, person.id)
    personal = ("chioma", "nwosu", "Chi", "31 41 59 26", "99 88 77 66", "Chioma N.")
    for column in User.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, str):
            assert not any(p.lower() in value.lower() for p in personal), (column.key, value)
    assert row.phone is None and row.password_hash is None and row.totp_secret is None
    assert row.totp_enabled_at is None and not row.is_active and row.erased_at is not None
    assert row.languages == []
    assert row.application.availability == "" and row.application.motivation == "" and row.application.reason is None
    assert session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == person.id)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                          .where(UserSession.user_id == person.id, UserSession.ended_at.is_(None))) == 0
    # the outbox no longer holds the address (or the name); the other person's email is untouched
    for f in outbox_mode.glob("*.eml"):
        data = f.read_bytes().decode()
        assert "chioma@example.org" not in data and "Chioma" not in data
    assert any("friend@example.org" in f.read_text() for f in outbox_mode.glob("*.eml"))
    # no audit payload holds a personal value, neither the current nor an earlier one
    for entry in session.scalars(sa.select(AuditEntry)):
        text = str(entry.changes)
        assert not any(p.lower() in text.lower() for p in personal), (entry.action, text)
    assert session.get(User, other.id).email == "friend@example.org"
    assert session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "user.erased"


def test_erasure_refused_twice_and_for_oneself(session):
    admin = factories.user("admin")
    person = factories.user()
    with pytest.raises(DomainError):
        services.erase(session, admin, by=admin)
    services.erase(session, person, by=admin)
    with pytest.raises(DomainError):
        services.erase(session, person, by=admin)
    for change in (lambda: services.set_active(session, person, True, by=admin),
                   lambda: services.set_role(session, person, Role.STAFF, by=admin),
                   lambda: services.grant_qualification(session, person, factories.qualification(),
                                                        expires_on=None, by=admin)):
        with pytest.raises(DomainError):
            change()


def test_inactive_accounts_by_retention(session):
    now = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    with clock.frozen(now):
        recent = factories.user(last_login_at=now - dt.timedelta(days=300))
        old = factories.user(last_login_at=now - dt.timedelta(days=800))
        never = factories.user()
        never.created_at = now - dt.timedelta(days=400)
        erased = factories.user(last_login_at=now - dt.timedelta(days=900), erased_at=now)
        session.flush()
        assert [u.id for u in services.inactive_accounts(session, 24)] == [old.id]
        assert [u.id for u in services.inactive_accounts(session, 12)] == [old.id, never.id]
        assert recent.id in [u.id for u in services.inactive_accounts(session, 9)]
        assert erased.id not in [u.id for u in services.inactive_accounts(session, 1)]


# --- roles, deactivation, qualifications --------------------------------------------------------

def test_role_change_is_audited_and_own_role_refused(session):
    admin = factories.user("admin")
    person = factories.user()
    services.set_role(session, person, Role.STAFF, by=admin)
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.role_changed"))
    assert entry.changes == {"role": ["volunteer", "staff"]} and entry.actor_id == admin.id
    with pytest.raises(DomainError) as exc:
        services.set_role(session, admin, Role.VOLUNTEER, by=admin)
    assert exc.value.field == "role"


def test_grant_with_expiry_and_past_expiry_refused(session):
    admin = factories.user("admin")
    person = factories.user()
    q = factories.qualification(code="first_aid")
    with clock.frozen(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)):
        with pytest.raises(DomainError) as exc:
            services.grant_qualification(session, person, q, expires_on=dt.date(2026, 11, 28), by=admin)
        assert exc.value.field == "expires_on"
        held = services.grant_qualification(session, person, q, expires_on=dt.date(2026, 11, 29), by=admin)
        assert held.expires_on == dt.date(2026, 11, 29) and held.granted_by_id == admin.id
        services.grant_qualification(session, person, q, expires_on=None, by=admin)  # renews, no duplicate
        assert len(person.qualifications) == 1 and person.qualifications[0].expires_on is None
        services.revoke_qualification(session, person, q, by=admin)
        assert person.qualifications == []
    actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user.qualification_granted", "user.qualification_granted", "user.qualification_revoked"]


def test_inactive_qualification_cannot_be_granted(session):
    admin = factories.user("admin")
    q = factories.qualification(is_active=False)
    with pytest.raises(DomainError):
        services.grant_qualification(session, factories.user(), q, expires_on=None, by=admin)


def test_qualification_catalogue(session):
    admin = factories.user("admin")
    q = services.create_qualification(session, code="Driver", name_en="Driver", name_da="Chauffør", by=admin)
    assert q.code == "driver"
    with pytest.raises(DomainError) as exc:
        services.create_qualification(session, code="driver", name_en="x", name_da="y", by=admin)
    assert exc.value.field == "code"
    services.update_qualification(session, q, code="driver", name_en="Van driver", name_da="Chauffør",
                                  description=None, is_active=False, by=admin)
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "qualification.changed"))
    assert entry.changes == {"name_en": ["Driver", "Van driver"], "is_active": [True, False]}


def test_invite_rules(session):
    coordinator = factories.user("coordinator")
    admin = factories.user("admin")
    factories.user(email="taken@example.org")
    with pytest.raises(DomainError) as exc:
        services.invite(session, email="TAKEN@example.org ", full_name="X Y", role=Role.VOLUNTEER, by=admin)
    assert exc.value.field == "email"
    with pytest.raises(DomainError) as exc:
        services.invite(session, email="new@example.org", full_name="X Y", role=Role.COORDINATOR, by=coordinator)
    assert exc.value.field == "role"
    user = services.invite(session, email="new@example.org", full_name="X Y", role=Role.STAFF, by=coordinator)
    assert user.role == Role.STAFF and user.is_approved and user.password_hash is None
    services.invite(session, email="boss@example.org", full_name="B C", role=Role.ADMIN, by=admin)


def test_phone_rule():
    assert services.phone_problem("+45 12 34 56 78") is None
    assert services.phone_problem("(+45) 1234-5678") is None
    assert services.phone_problem("") is None
    for bad in ("12345", "1" * 21, "+45 1234 5678 x9", "tlf. 12345678"):
        assert services.phone_problem(bad)


# --- settings and the audit trail --------------------------------------------------------------

def test_settings_changes_are_audited(session):
    admin = factories.user("admin")
    settings.set_many(session, {"retention_months": 12, "require_2fa_privileged": True}, by=admin)
    entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity == "setting")).all()
    assert [(e.entity_id, e.changes) for e in entries] == [("retention_months", {"retention_months": [24, 12]})]
    assert settings.get(session, "retention_months") == 12


def test_audit_search_filters(session):
    admin = factories.user("admin", full_name="Astrid Admin")
    coordinator = factories.user("coordinator", full_name="Camilla Coordinator")
    person = factories.user()
    with clock.frozen(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)):
        services.set_role(session, person, Role.STAFF, by=admin)
    with clock.frozen(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
        services.set_active(session, person, False, by=coordinator)
        settings.set_value(session, "retention_months", 6, by=admin)

    def actions(**filters):
        rows, total = audit_queries.search(session, **filters)
        assert total == len(rows)
        return [r.action for r in rows]

    assert actions(action="user.") == ["user.deactivated", "user.role_changed"]
    assert actions(actor="astrid") == ["setting.changed", "user.role_changed"]
    assert actions(actor="system") == []
    assert actions(entity="setting") == ["setting.changed"]
    assert actions(entity="user", entity_id=str(person.id)) == ["user.deactivated", "user.role_changed"]
    assert actions(date_from=dt.date(2026, 2, 1)) == ["setting.changed", "user.deactivated"]
    assert actions(date_to=dt.date(2026, 1, 10)) == ["user.role_changed"]
    assert actions(date_from=dt.date(2026, 1, 11), date_to=dt.date(2026, 3, 9)) == []


def test_volunteer_directory_lists_active_volunteers_only(session):
    q = factories.qualification()
    shown = factories.user(full_name="Amara Okafor", phone="+45 11 11 11 11")
    shown.languages = [UserLanguage(code="pcm")]
    factories.grant(shown, q)
    factories.user(full_name="Gone Away", active=False)
    factories.user(full_name="Not Yet", approved=False)
    factories.user("staff", full_name="Søren Staff")
    rows, total = queries.volunteer_directory(session)
    assert [u.full_name for u in rows] == ["Amara Okafor"] and total == 1
    assert queries.volunteer_directory(session, language="pcm")[1] == 1
    assert queries.volunteer_directory(session, language="da")[1] == 0
    assert queries.volunteer_directory(session, qualification_id=q.id)[1] == 1
    assert queries.volunteer_directory(session, q="11 11")[1] == 1
    assert queries.volunteer_directory(session, q="100%")[1] == 0


def test_invitation_link_is_built_outside_any_request(app, session, mailbox, run_jobs):
    """The worker has no request and no SERVER_NAME: links come from BASE_URL."""
    admin = factories.user("admin")
    services.invite(session, email="link@example.org", full_name="Link Person", role=Role.VOLUNTEER, by=admin)
    session.commit()
    saved = app.config["SERVER_NAME"]
    app.config["SERVER_NAME"] = None
    try:
        run_jobs()
    finally:
        app.config["SERVER_NAME"] = saved
    [msg] = mailbox.to("link@example.org")
    assert mailbox.link(msg).startswith(app.config["BASE_URL"] + "/invitation/")
