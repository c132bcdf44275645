"""Notification rows: events become rows, a job claims and sends its row once, temporary
SMTP errors are retried with back-off, permanent ones fail, nothing leaves before commit."""
from __future__ import annotations

import datetime as dt
import smtplib

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.notifications import collect, send
from logistics.notifications.models import Kind, Notification, Status
from logistics.shifts import planning, signups
from logistics.shifts.models import Shift, Signup
from tests import factories
from tests.shifts import helpers as h


def _rows(kind=None):
    stmt = sa.select(Notification).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def test_signup_confirmation_is_sent_once_with_an_invitation(app, on_shift, sweep, mailbox):
    sweep()
    sweep()  # again: nothing new
    msgs = mailbox.to("vera@example.org")
    assert len(msgs) == 1
    msg = msgs[0]
    assert msg["Subject"] == "You are signed up: Packing food packs"
    assert msg["Message-ID"].startswith("<notification-")
    parts = {p.get_content_type(): p for p in msg.walk()}
    cal = parts["text/calendar"]
    assert cal.get_param("method") == "REQUEST"
    body = cal.get_content()
    assert "METHOD:REQUEST" in body and "SEQUENCE:1" in body and f"UID:shift-{on_shift['shift']}@localhost" in body
    assert "application/ics" in parts
    with app.app_context():
        row = _rows(Kind.SIGNUP_CONFIRMED)[0]
        assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None
        assert row.message_id == msg["Message-ID"]


def test_record_event_queues_a_sweep_only_after_commit(app, queued):
    with app.app_context():
        v = factories.user()
        shift = h.shift()
        db.session.commit()
        signups.sign_up(db.session, shift, v, by=v)
        db.session.flush()
        assert queued() == []  # not before the commit
        db.session.rollback()
        assert queued() == []  # and not at all after a rollback
        shift = db.session.get(Shift, shift.id)
        signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
    assert "logistics.notifications.jobs.sweep" in queued()


def test_danish_recipient_gets_danish_email(app, sweep, mailbox):
    with app.app_context():
        v = factories.user(email="dorte@example.org", locale="da")
        shift = h.shift(h.activity(name="Pakning"))
        signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
    sweep()
    msg = mailbox.to("dorte@example.org")[0]
    assert msg["Subject"].startswith("Du er tilmeldt")
    assert msg["Content-Language"] == "da"


def test_discreet_activity_is_neutral_everywhere(app, sweep, mailbox):
    with app.app_context():
        v = factories.user(email="disc@example.org")
        act = h.activity("prison_visit", name="Prison visit", discreet=True)
        jail = h.place("Vestre Fængsel", sensitive=True, kind="prison", address="Vigerslev Allé 1")
        shift = h.shift(act, place_=jail)
        signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
    sweep()
    msg = mailbox.to("disc@example.org")[0]
    raw = msg.as_string()
    assert "Prison" not in raw and "Vestre" not in raw and "Vigerslev" not in raw
    assert "HopeNow shift" in msg["Subject"]


def test_cancellation_sends_method_cancel(app, on_shift, sweep, mailbox):
    sweep()
    mailbox.clear()
    with app.app_context():
        coordinator = factories.user("coordinator")
        planning.cancel_shift(db.session, db.session.get(Shift, on_shift["shift"]), by=coordinator)
        db.session.commit()
    sweep()
    msg = mailbox.to("vera@example.org")[0]
    assert msg["Subject"].startswith("Cancelled:")
    cal = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    assert cal.get_param("method") == "CANCEL"
    body = cal.get_content()
    assert "METHOD:CANCEL" in body and "STATUS:CANCELLED" in body and "SEQUENCE:2" in body


def test_claim_is_conditional(app, on_shift, sweep):
    with app.app_context():
        collect.sweep(db.session)
        db.session.commit()
        row = _rows()[0]
        assert send.claim(db.session, row.id) is True
        assert send.claim(db.session, row.id) is False  # a second job leaves it alone
        db.session.commit()
        # Stuck in "sending" (its worker died): claimable again after STUCK_AFTER.
        with clock.frozen(clock.utcnow() + send.STUCK_AFTER + dt.timedelta(seconds=1)):
            assert send.claim(db.session, row.id) is True
        db.session.rollback()


def test_a_retried_job_does_not_send_twice(app, on_shift, sweep, mailbox):
    from logistics.notifications import jobs

    sweep()
    with app.app_context():
        row = _rows()[0]
        assert jobs.send(row.id) is None  # already sent: not claimed
    assert len(mailbox.to("vera@example.org")) == 1


def test_skipped_when_the_signup_no_longer_stands(app, on_shift, sweep, mailbox):
    with app.app_context():
        collect.sweep(db.session)  # the row exists, its job waits
        db.session.commit()
        signup = db.session.get(Signup, on_shift["signup"])
        signups.cancel(db.session, signup, by=signup.user)
        db.session.commit()
    sweep()
    assert mailbox.to("vera@example.org") == []
    with app.app_context():
        row = _rows(Kind.SIGNUP_CONFIRMED)[0]
        assert row.status == Status.SKIPPED and "no longer" in row.last_error


class _Refusing:
    def __init__(self, exc):
        self.exc = exc

    def __call__(self, url, msg):
        raise self.exc


def test_temporary_smtp_error_is_retried_with_backoff(app, on_shift, sweep, mailbox, monkeypatch):
    from logistics import mail

    monkeypatch.setattr(mail, "_send_smtp", _Refusing(smtplib.SMTPResponseException(451, b"try later")))
    sweep()
    with app.app_context():
        row = _rows()[0]
        assert row.status == Status.PENDING and row.attempts == 1 and row.last_error == "SMTPResponseException 451"
        assert row.due_at == clock.utcnow() + send.BACKOFF[0]
    sweep()  # not yet due: nothing
    with app.app_context():
        assert _rows()[0].attempts == 1
    monkeypatch.undo()
    with clock.frozen(clock.utcnow() + send.BACKOFF[0]):
        sweep()
    assert len(mailbox.to("vera@example.org")) == 1
    with app.app_context():
        row = _rows()[0]
        assert row.status == Status.SENT and row.attempts == 2


def test_connection_refused_is_temporary(app, on_shift, sweep, mailbox):
    # A real refusal: nothing listens on this port.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    old = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        sweep()
    finally:
        app.config["MAIL_URL"] = old
    with app.app_context():
        row = _rows()[0]
        assert row.status == Status.PENDING and row.last_error == "ConnectionRefusedError"


def test_permanent_smtp_error_fails_at_once(app, on_shift, sweep, monkeypatch):
    from logistics import mail

    refused = smtplib.SMTPRecipientsRefused({"vera@example.org": (550, b"no such user vera@example.org")})
    monkeypatch.setattr(mail, "_send_smtp", _Refusing(refused))
    sweep()
    with app.app_context():
        row = _rows()[0]
        assert row.status == Status.FAILED and row.attempts == 1
        assert "vera" not in row.last_error  # no address in the recorded error


def test_gives_up_after_the_last_attempt(app, on_shift, sweep, monkeypatch):
    from logistics import mail

    monkeypatch.setattr(mail, "_send_smtp", _Refusing(smtplib.SMTPServerDisconnected("gone")))
    at = clock.utcnow()
    for _ in range(send.MAX_ATTEMPTS):
        with clock.frozen(at):
            sweep()
        at += dt.timedelta(hours=4)
    with app.app_context():
        row = _rows()[0]
        assert row.status == Status.FAILED and row.attempts == send.MAX_ATTEMPTS


def test_a_lost_job_is_queued_again_by_the_sweep(app, on_shift, sweep, mailbox):
    from logistics import queue

    with app.app_context():
        collect.sweep(db.session)
        db.session.commit()
    q = queue.get_queue(app=app)
    for job in q.get_jobs():
        job.delete()  # lost in Redis
    assert mailbox.to("vera@example.org") == []
    sweep()
    assert len(mailbox.to("vera@example.org")) == 1


def test_test_email_and_settings_page(client, login, app, run_jobs, mailbox):
    user = login("volunteer", email="tess@example.org")
    page = client.get("/account/notifications")
    assert page.status_code == 200 and b"Send me a test email" in page.data
    assert client.post("/account/notifications/test").status_code == 302
    run_jobs()
    assert mailbox.to("tess@example.org")[0]["Subject"].startswith("Test email")
    assert user.id


def test_muted_notices_are_skipped(client, login, app, sweep, mailbox):
    user = login("volunteer", email="quiet@example.org")
    r = client.post("/account/notifications", data={"offsets": ["1440"], "quiet_start": "22:00",
                                                    "quiet_end": "08:00", "wanted": ["changes"]})
    assert r.status_code == 302
    with app.app_context():
        shift = h.shift()
        signups.sign_up(db.session, shift, db.session.get(type(user), user.id), by=user)
        db.session.commit()
    sweep()
    assert mailbox.to("quiet@example.org") == []
    with app.app_context():
        assert _rows()[0].status == Status.SKIPPED


@pytest.mark.parametrize("data", [
    {"offsets": ["999"], "quiet_start": "22:00", "quiet_end": "08:00"},
    {"offsets": ["x"], "quiet_start": "25:00", "quiet_end": "\x00"},
    {"offsets": ["60"], "quiet_start": "none", "quiet_end": "none", "wanted": ["nonsense"]},
])
def test_bad_settings_input_never_500(client, login, data):
    login("volunteer")
    assert client.post("/account/notifications", data=data).status_code in (302, 400, 422)


def test_account_emails_are_rows_and_a_lost_invitation_is_still_delivered(app, sweep, mailbox):
    from logistics import queue
    from logistics.people import services
    from logistics.people.models import Role

    with app.app_context():
        admin = factories.user("admin")
        services.invite(db.session, email="newbie@example.org", full_name="New Person", role=Role.VOLUNTEER,
                        by=admin)
        db.session.commit()
        row = _rows(Kind.ACCOUNT)[0]
        assert row.data == {"job": "send_invitation"} and row.status == Status.PENDING
    for job in queue.get_queue(app=app).get_jobs():
        job.delete()  # the queued job is lost in Redis
    sweep()
    msgs = mailbox.to("newbie@example.org")
    assert len(msgs) == 1 and "/invitation/" in mailbox.body(msgs[0])
    with app.app_context():
        row = _rows(Kind.ACCOUNT)[0]
        assert row.status == Status.SENT and msgs[0]["Message-ID"] == row.message_id


def test_an_account_email_that_no_longer_applies_is_skipped(app, sweep, mailbox):
    from logistics.notifications import accounts

    with app.app_context():
        user = factories.user(email="has.password@example.org")  # has a password: no invitation
        accounts.record(db.session, "send_invitation", user)
        db.session.commit()
    sweep()
    assert mailbox.to("has.password@example.org") == []
    with app.app_context():
        assert _rows(Kind.ACCOUNT)[0].status == Status.SKIPPED
