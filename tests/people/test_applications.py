"""Applying to volunteer and the coordinators' decisions: services, pages and the whole way
from the public form to the first login."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from logistics.audit.models import AuditEntry
from logistics.errors import Conflict, DomainError
from logistics.extensions import db
from logistics.people import queries, services
from logistics.people.models import Application, ApplicationStatus, User
from tests import factories
from tests.people.conftest import NEW_PASSWORD, error_for, path_of

FORM = {
    "full_name": "Grace Okafor",
    "email": "grace@example.org",
    "phone": "+45 12 34 56 78",
    "languages": ["en", "pcm", "yo"],
    "availability": "Weekday evenings\nOne Saturday a month",
    "motivation": "I know how hard the first months are.",
    "consent": "y",
}


def _submit(session, **overrides):
    data = {"full_name": "Grace Okafor", "email": "grace@example.org", "phone": None,
            "languages": ["en"], "availability": "Evenings", "motivation": "To help", **overrides}
    return services.submit_application(session, **data)


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


# --- services ---------------------------------------------------------------------------------

def test_submit_makes_a_pending_volunteer(session):
    user = _submit(session, email="  Grace@Example.ORG ", full_name=" Grace Okafor ", phone="+45 1234 5678",
                   languages=["yo", "en", "xx", "en"], locale="da")
    session.commit()
    assert user.email == "grace@example.org" and user.full_name == "Grace Okafor"
    assert user.display_name == "Grace" and user.locale == "da" and user.phone == "+45 1234 5678"
    assert not user.is_approved and user.password_hash is None and user.role.value == "volunteer"
    assert sorted(lang.code for lang in user.languages) == ["en", "yo"]  # unknown codes and repeats dropped
    assert user.application.status == ApplicationStatus.PENDING
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "application.submitted"))
    assert entry.entity_id == str(user.id) and entry.actor_id is None


def test_a_known_address_creates_nothing_and_tells_the_owner(session, mailbox, run_jobs):
    owner = factories.user("volunteer", email="grace@example.org", full_name="Grace Owner")
    session.commit()
    assert _submit(session, email="GRACE@example.org", full_name="Someone Else") is None
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert session.get(User, owner.id).full_name == "Grace Owner"
    session.commit()  # end the read so the worker's connection may write (SQLite)
    assert run_jobs() == 1
    [msg] = mailbox.to("grace@example.org")
    assert msg["Subject"] == "You already have an account"
    assert "http://localhost/login" in mailbox.body(msg)


def test_a_pending_applicant_cannot_log_in(session):
    _submit(session)
    session.commit()
    with pytest.raises(services.InvalidCredentials):
        services.authenticate(session, "grace@example.org", factories.PASSWORD)


def test_approve(session, mailbox, run_jobs):
    coordinator = factories.user("coordinator")
    user = _submit(session)
    session.commit()
    services.decide_application(session, user.application, approve=True, reason=None, by=coordinator)
    session.commit()
    application = session.get(Application, user.application.id)
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by_id == coordinator.id and application.decided_at is not None
    assert user.is_approved
    session.commit()
    run_jobs()
    [msg] = mailbox.to("grace@example.org")
    assert "set your password" in msg["Subject"] and "http://localhost/invitation/" in mailbox.body(msg)


def test_reject_needs_a_reason(session, mailbox, run_jobs):
    coordinator = factories.user("coordinator")
    user = _submit(session)
    session.commit()
    with pytest.raises(DomainError) as caught:
        services.decide_application(session, user.application, approve=False, reason="   ", by=coordinator)
    assert caught.value.field == "reason"
    session.rollback()
    assert session.get(Application, user.application.id).status == ApplicationStatus.PENDING
    session.commit()
    run_jobs()
    assert len(mailbox) == 0


def test_reject_keeps_the_reason_and_sends_a_polite_email(session, mailbox, run_jobs):
    coordinator = factories.user("coordinator")
    user = _submit(session)
    session.commit()
    services.decide_application(session, user.application, approve=False,
                                reason="Lives too far away for weekly shifts", by=coordinator)
    session.commit()
    application = session.get(Application, user.application.id)
    assert application.status == ApplicationStatus.REJECTED
    assert application.reason == "Lives too far away for weekly shifts"
    assert not session.get(User, user.id).is_approved
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "application.rejected"))
    assert entry.actor_id == coordinator.id and entry.changes["reason"] == "Lives too far away for weekly shifts"
    session.commit()
    run_jobs()
    [msg] = mailbox.to("grace@example.org")
    assert msg["Subject"] == "Your application to volunteer"
    body = mailbox.body(msg)
    assert "Thank you" in body and "too far away" not in body  # the reason stays with the coordinators
    with pytest.raises(services.InvalidCredentials):
        services.authenticate(session, "grace@example.org", factories.PASSWORD)


def test_an_application_is_decided_once(session):
    coordinator = factories.user("coordinator")
    user = _submit(session)
    services.decide_application(session, user.application, approve=True, reason=None, by=coordinator)
    with pytest.raises(Conflict):
        services.decide_application(session, user.application, approve=False, reason="No", by=coordinator)


def test_erased_applicants_leave_the_pending_list(session):
    admin = factories.user("admin")
    keep = _submit(session, email="keep@example.org")
    gone = _submit(session, email="gone@example.org")
    services.erase(session, gone, by=admin)
    session.commit()
    assert [a.user_id for a in queries.pending_applications(session)] == [keep.id]


# --- the public form ------------------------------------------------------------------------------

def test_the_form_lists_languages_by_name(client):
    html = client.get("/apply").get_data(as_text=True)
    for name in ("English", "Danish", "Nigerian Pidgin", "Yoruba", "Edo (Bini)", "Tigrinya"):
        assert f">{name}</label>" in html, name
    assert "Privacy note" in html and "erase" in html
    da = client.get("/apply", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert ">Nigeriansk pidgin</label>" in da and ">Dansk</label>" in da


def test_apply(client, app):
    r = client.post("/apply", data=FORM)
    assert r.status_code == 302 and r.headers["Location"] == "/apply/thanks"
    assert b"Thank you for applying" in client.get("/apply/thanks").data
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "grace@example.org"))
        assert user.full_name == "Grace Okafor" and user.phone == "+45 12 34 56 78"
        assert sorted(lang.code for lang in user.languages) == ["en", "pcm", "yo"]
        assert user.application.availability == "Weekday evenings\nOne Saturday a month"
        assert user.application.status == ApplicationStatus.PENDING and not user.is_approved


def test_applying_in_danish_keeps_danish_for_emails(client, app):
    client.post("/apply", data=FORM, headers={"Accept-Language": "da"})
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.email == "grace@example.org")) == "da"


def test_a_known_address_gets_the_same_answer(client, app, make_user, mailbox, run_jobs):
    make_user("volunteer", email="grace@example.org", full_name="Grace Owner")
    known = client.post("/apply", data=FORM)
    new = client.post("/apply", data={**FORM, "email": "someone.new@example.org"})
    assert (known.status_code, known.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert _users(app) == 2
    run_jobs()
    assert [m["Subject"] for m in mailbox.to("grace@example.org")] == ["You already have an account"]
    assert mailbox.to("someone.new@example.org") == []


def test_applying_twice_creates_one_application(client, app, mailbox, run_jobs):
    client.post("/apply", data=FORM)
    client.post("/apply", data=FORM)
    assert _users(app) == 1
    run_jobs()
    assert len(mailbox.to("grace@example.org")) == 1


@pytest.mark.parametrize("changes,field", [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "x" * 121}, "full_name"),
    ({"email": ""}, "email"),
    ({"email": "grace@"}, "email"),
    ({"email": "grace example.org"}, "email"),
    ({"email": "a" * 250 + "@example.org"}, "email"),
    ({"phone": "call me maybe"}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"phone": "1" * 21}, "phone"),
    ({"phone": "+45 1234 5678 ext. 9"}, "phone"),
    ({"availability": ""}, "availability"),
    ({"availability": "x" * 1001}, "availability"),
    ({"motivation": "  "}, "motivation"),
    ({"motivation": "x" * 2001}, "motivation"),
    ({"consent": ""}, "consent"),
    ({"languages": ["en", "klingon"]}, "languages"),
])
def test_bad_input_is_marked_and_nothing_is_saved(client, app, mailbox, run_jobs, changes, field):
    data = {k: v for k, v in {**FORM, **changes}.items() if v != ""}
    r = client.post("/apply", data=data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert error_for(html, field), f"no message next to {field}"
    assert "Please correct the marked fields." in html
    assert _users(app) == 0
    assert run_jobs() == 0


def test_the_form_keeps_what_was_typed(client):
    r = client.post("/apply", data={**FORM, "email": "not an address"})
    html = r.get_data(as_text=True)
    assert 'value="Grace Okafor"' in html and "I know how hard the first months are." in html
    assert re.search(r'<input[^>]*checked[^>]*value="pcm"|<input[^>]*value="pcm"[^>]*checked', html)


def test_phone_is_optional_and_accepts_usual_forms(client, app):
    for i, phone in enumerate(["", "+45 12 34 56 78", "(+234) 803-123-4567", "004512345678"]):
        r = client.post("/apply", data={**FORM, "email": f"p{i}@example.org", "phone": phone})
        assert r.status_code == 302, (phone, error_for(r.get_data(as_text=True), "phone"))
    with app.app_context():
        assert db.session.scalar(sa.select(User.phone).where(User.email == "p0@example.org")) is None


def test_messages_in_danish(client):
    r = client.post("/apply", data={**FORM, "phone": "123", "consent": ""}, headers={"Accept-Language": "da"})
    html = r.get_data(as_text=True)
    assert error_for(html, "phone") == ("Skriv et telefonnummer med 6 til 20 cifre; kun cifre, mellemrum, +, - og "
                                        "parenteser er tilladt.")
    assert error_for(html, "consent") == "Vi kan kun behandle din ansøgning, hvis du giver dit samtykke."


def test_applying_is_throttled_per_address(client):
    for i in range(10):
        r = client.post("/apply", data={**FORM, "email": f"a{i}@example.org"}, environ_base={"REMOTE_ADDR": "10.7.0.1"})
        assert r.status_code == 302
    r = client.post("/apply", data={**FORM, "email": "a99@example.org"}, environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)
    r = client.post("/apply", data={**FORM, "email": "a99@example.org"}, environ_base={"REMOTE_ADDR": "10.7.0.2"})
    assert r.status_code == 302


# --- the coordinators' page ------------------------------------------------------------------------

def _pending(app, n=1, **overrides):
    with app.app_context():
        users = [_submit(db.session, email=f"applicant{i}@example.org", full_name=f"Applicant Number{i}",
                         **overrides) for i in range(n)]
        db.session.commit()
        return [(u.id, u.application.id) for u in users]


def test_the_page_shows_everything_a_coordinator_needs(client, app, login):
    login("coordinator")
    client.post("/apply", data=FORM)
    html = client.get("/people/applications").get_data(as_text=True)
    for text in ("Grace Okafor", "grace@example.org", "+45 12 34 56 78", "English", "Nigerian Pidgin", "Yoruba",
                 "Weekday evenings", "I know how hard the first months are.", "1 waiting"):
        assert text in html, text
    assert re.search(r"<dd>\d{1,2} \w{3} \d{4}</dd>", html)  # the date applied (en_GB)


def test_the_nav_shows_applications_to_coordinators_only(make_client, make_user):
    coordinator, staff = make_client(), make_client()
    user = make_user("coordinator")
    coordinator.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    coordinator.post("/login/code", data={"code": factories.totp_code(user)})
    assert 'href="/people/applications"' in coordinator.get("/").get_data(as_text=True)
    user = make_user("staff")
    staff.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert 'href="/people/applications"' not in staff.get("/").get_data(as_text=True)


def test_empty_page(client, login):
    login("coordinator")
    html = client.get("/people/applications").get_data(as_text=True)
    assert "No applications are waiting" in html and "No application has been decided yet" in html
    assert "waiting</span>" not in html


def test_approve_on_the_page(client, app, login, mailbox, run_jobs):
    coordinator = login("coordinator")
    [(user_id, application_id)] = _pending(app)
    r = client.post(f"/people/applications/{application_id}", data={"decision": "approve", "reason": ""})
    assert r.status_code == 302 and r.headers["Location"] == "/people/applications"
    html = client.get("/people/applications").get_data(as_text=True)
    assert "Applicant Number0 is approved" in html
    assert "No applications are waiting" in html and "Approved" in html and coordinator.full_name in html
    run_jobs()
    assert len(mailbox.to("applicant0@example.org")) == 1
    with app.app_context():
        assert db.session.get(User, user_id).is_approved


def test_reject_without_reason_is_marked_next_to_the_field(client, app, login, run_jobs, mailbox):
    login("coordinator")
    [(user_id, application_id), _other] = _pending(app, 2)
    r = client.post(f"/people/applications/{application_id}", data={"decision": "reject", "reason": " "})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert error_for(html, f"reason-{application_id}") == (
        "Give a reason for the rejection; it is kept for the coordinators.")
    assert not error_for(html, f"reason-{_other[1]}")
    with app.app_context():
        assert db.session.get(Application, application_id).status == ApplicationStatus.PENDING
    run_jobs()
    assert len(mailbox) == 0


def test_reject_on_the_page_keeps_the_reason(client, app, login, mailbox, run_jobs):
    coordinator = login("coordinator")
    [(user_id, application_id)] = _pending(app)
    r = client.post(f"/people/applications/{application_id}",
                    data={"decision": "reject", "reason": "No evenings free at all"})
    assert r.status_code == 302
    html = client.get("/people/applications").get_data(as_text=True)
    assert "No evenings free at all" in html and "Rejected" in html and coordinator.full_name in html
    run_jobs()
    [msg] = mailbox.to("applicant0@example.org")
    assert "No evenings" not in mailbox.body(msg)


def test_deciding_twice_says_so(client, app, login):
    login("coordinator")
    [(_user_id, application_id)] = _pending(app)
    client.post(f"/people/applications/{application_id}", data={"decision": "approve"})
    r = client.post(f"/people/applications/{application_id}", data={"decision": "reject", "reason": "late"})
    assert r.status_code == 409 and "already been decided" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).status == ApplicationStatus.APPROVED


@pytest.mark.parametrize("data", [{"decision": "maybe"}, {}])
def test_an_unknown_decision_changes_nothing(client, app, login, data):
    login("coordinator")
    [(_user_id, application_id)] = _pending(app)
    r = client.post(f"/people/applications/{application_id}", data=data)
    assert r.status_code == 422 and "Choose approve or reject." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Application, application_id).status == ApplicationStatus.PENDING


def test_an_unknown_application_is_404(client, login):
    login("coordinator")
    assert client.post("/people/applications/999999", data={"decision": "approve"}).status_code == 404


def test_the_decided_list_is_paged(client, app, login):
    coordinator = login("coordinator")
    ids = _pending(app, 27)
    with app.app_context():
        by = db.session.get(User, coordinator.id)
        for _user_id, application_id in ids:
            services.decide_application(db.session, db.session.get(Application, application_id), approve=False,
                                        reason=f"reason {application_id}", by=by)
        db.session.commit()
    first = client.get("/people/applications").get_data(as_text=True)
    second = client.get("/people/applications?page=2").get_data(as_text=True)
    assert first.count('<span class="badge badge-bad">') == 25
    assert second.count('<span class="badge badge-bad">') == 2
    assert "Page 1 of 2" in first and 'href="/people/applications?page=2"' in first
    assert client.get("/people/applications?page=abc").status_code == 200


def test_the_page_does_not_query_per_application(client, app, login, queries):
    login("coordinator")
    _pending(app, 2, languages=["en", "da"])
    client.get("/people/applications")
    with queries() as few:
        client.get("/people/applications")
    _pending_more_applications(app, 12)
    with queries() as many:
        client.get("/people/applications")
    assert many.count == few.count, many.statements


def _pending_more_applications(app, n):
    with app.app_context():
        for i in range(n):
            _submit(db.session, email=f"more{i}@example.org", full_name=f"More Person{i}", languages=["fr"])
        db.session.commit()


def test_staff_cannot_see_applications(client, login):
    login("staff")
    assert client.get("/people/applications").status_code == 403


# --- end to end ------------------------------------------------------------------------------------

def test_from_application_to_first_login(app, make_client, make_user, mailbox, run_jobs):
    applicant, coordinator_browser = make_client(), make_client()
    assert applicant.post("/apply", data=FORM).status_code == 302
    # Not yet: the approval gate.
    assert applicant.post("/login", data={"email": "grace@example.org", "password": NEW_PASSWORD}).status_code == 401

    coordinator = make_user("coordinator")
    coordinator_browser.post("/login", data={"email": coordinator.email, "password": factories.PASSWORD})
    coordinator_browser.post("/login/code", data={"code": factories.totp_code(coordinator)})
    page = coordinator_browser.get("/people/applications").get_data(as_text=True)
    application_id = re.search(r'action="/people/applications/(\d+)"', page).group(1)
    r = coordinator_browser.post(f"/people/applications/{application_id}", data={"decision": "approve"})
    assert r.status_code == 302

    run_jobs()
    [invitation] = mailbox.to("grace@example.org")
    link = mailbox.link(invitation)
    assert b"Welcome, Grace" in applicant.get(path_of(link)).data
    r = applicant.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert r.status_code == 302
    r = applicant.post("/login", data={"email": "grace@example.org", "password": NEW_PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert b"Hello, Grace" in applicant.get("/").data


def test_a_rejected_applicant_never_gets_in(app, client, login, mailbox, run_jobs):
    login("coordinator")
    [(_user_id, application_id)] = _pending(app)
    client.post(f"/people/applications/{application_id}", data={"decision": "reject", "reason": "Not now"})
    client.post("/logout")
    client.post("/forgot-password", data={"email": "applicant0@example.org"})
    run_jobs()
    assert [m["Subject"] for m in mailbox.to("applicant0@example.org")] == ["Your application to volunteer"]


def test_applying_again_while_pending_says_the_application_is_there(session, mailbox, run_jobs):
    first = _submit(session, email="again@example.org")
    session.commit()
    assert _submit(session, email="again@example.org", full_name="Again Applicant") is None
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    session.commit()  # end the read so the worker's connection may write (SQLite)
    assert run_jobs() == 1
    [msg] = mailbox.to("again@example.org")
    assert msg["Subject"] == "We already have your application"
    assert "you do not need to apply again" in mailbox.body(msg)
    assert "/login" not in mailbox.body(msg)  # they cannot log in yet
    assert first.application.status == ApplicationStatus.PENDING
