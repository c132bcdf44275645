"""Morning digests at 07:00, the nightly ledger check, and the admins' notifications page."""
from __future__ import annotations

import smtplib

import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.notifications import digests
from logistics.notifications.models import Kind, Notification, Status
from logistics.shifts import signups
from logistics.stock.models import Balance
from tests import factories
from tests.conftest import local_instant
from tests.shifts import helpers as h
from tests.stock.conftest import build_stock, receive


def _run(app, func, run_jobs):
    with app.app_context():
        made = func(db.session)
        db.session.commit()
    run_jobs()
    return made


def test_digests_go_at_seven_once_with_each_roles_sections(app, run_jobs, mailbox):
    clock.freeze(local_instant("2026-11-26T06:59"))
    with app.app_context():
        ns = build_stock()
        ns.rice.min_level = 5  # none on hand: below minimum
        factories.user("staff", email="stella@example.org")
        factories.user("coordinator", email="cora@example.org", totp=False)
        factories.user("volunteer", email="val@example.org")
        h.shift(h.activity(name="Packing", capacity=(2, 3)), in_days=2, capacity=(2, 3))  # understaffed
        db.session.commit()
    assert _run(app, digests.make_digests, run_jobs) == 0  # not before 07:00
    clock.freeze(local_instant("2026-11-26T07:00"))
    assert _run(app, digests.make_digests, run_jobs) > 0
    assert _run(app, digests.make_digests, run_jobs) == 0  # once a day
    staff = mailbox.to("stella@example.org")
    coord = mailbox.to("cora@example.org")
    assert len(staff) == 1 and len(coord) == 1 and mailbox.to("val@example.org") == []
    staff_body, coord_body = mailbox.body(staff[0]), mailbox.body(coord[0])
    assert "Understaffed shifts" not in staff_body and "Stock below minimum" in staff_body and "Rice" in staff_body
    assert "Understaffed shifts in the next 7 days" in coord_body and "Packing" in coord_body
    assert "Hotline gaps" not in coord_body or "–" in coord_body


def test_nothing_to_report_is_skipped(app, run_jobs, mailbox):
    clock.freeze(local_instant("2026-11-26T07:05"))
    with app.app_context():
        factories.user("staff", email="calm@example.org")
        db.session.commit()
    _run(app, digests.make_digests, run_jobs)
    assert mailbox.to("calm@example.org") == []
    with app.app_context():
        row = db.session.scalar(sa.select(Notification))
        assert row.status == Status.SKIPPED and row.last_error == "nothing to report"


def test_ledger_drift_alerts_admins(app, run_jobs, mailbox):
    with app.app_context():
        ns = build_stock()
        receive(ns, ns.soap, 10)
        factories.user("admin", email="ada@example.org")
        db.session.commit()
    assert _run(app, digests.check_ledger, run_jobs) == 0  # all well: nothing
    assert mailbox.to("ada@example.org") == []
    with app.app_context():
        db.session.execute(sa.update(Balance).values(qty=Balance.qty + 1))  # a drift behind the ledger's back
        db.session.commit()
    assert _run(app, digests.check_ledger, run_jobs) == 1
    msg = mailbox.to("ada@example.org")[0]
    assert "differ from the ledger" in str(msg["Subject"])
    assert _run(app, digests.check_ledger, run_jobs) == 0  # once a day


def test_admin_page_lists_and_retries_a_failed_notification(app, client, login, sweep, mailbox, monkeypatch):
    from logistics import mail

    def refuse(url, msg):
        raise smtplib.SMTPRecipientsRefused({"x": (550, b"no")})

    with app.app_context():
        v = factories.user(email="fail@example.org")
        signups.sign_up(db.session, h.shift(), v, by=v)
        db.session.commit()
    monkeypatch.setattr(mail, "_send_smtp", refuse)
    sweep()
    monkeypatch.undo()
    login("admin")
    page = client.get("/admin/notifications?status=failed")
    assert page.status_code == 200 and b"SMTPRecipientsRefused 550" in page.data and b"Send again" in page.data
    assert client.get("/admin/notifications?status=nonsense&page=x").status_code == 200
    with app.app_context():
        nid = db.session.scalar(sa.select(Notification.id).where(Notification.kind == Kind.SIGNUP_CONFIRMED))
    assert client.post(f"/admin/notifications/{nid}/retry").status_code == 302
    sweep()
    assert len(mailbox.to("fail@example.org")) == 1
    with app.app_context():
        assert db.session.get(Notification, nid).status == Status.SENT
    # A sent one cannot be "retried"; an unknown one is a 404.
    assert client.post(f"/admin/notifications/{nid}/retry").status_code == 302
    assert client.post("/admin/notifications/99999999/retry").status_code == 404
