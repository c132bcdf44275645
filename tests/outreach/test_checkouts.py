"""Back safe: check-out per member, the alert once at the right time by moving the clock, not
when everyone checked out, never for a cancelled shift; clearing with a reason."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from logistics import clock, settings
from logistics.clock import utcnow
from logistics.errors import DomainError, PermissionDenied
from logistics.notifications import collect, send
from logistics.notifications.models import Kind, Notification, Status
from logistics.outreach import checkouts, queries
from logistics.outreach.models import Alert, Checkout
from logistics.shifts.models import ShiftStatus
from tests import factories
from tests.outreach.helpers import ended_shift


def _coordinator():
    return factories.user("coordinator", full_name="Cora Coordinator", email="cora@example.org")


def test_members_check_out_and_a_second_tap_changes_nothing(session):
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(minutes=5))
    first = checkouts.back_safe(session, shift, by=a)
    again = checkouts.back_safe(session, shift, by=a)
    assert first.id == again.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1


def test_someone_not_on_the_shift_cannot_check_out(session):
    shift, _ = ended_shift()
    stranger = factories.user("volunteer")
    with pytest.raises(PermissionDenied):
        checkouts.back_safe(session, shift, by=stranger)
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 0


def test_only_street_outreach_checks_out(session):
    shift, (a, _b) = ended_shift("hotline")
    with pytest.raises(DomainError, match="Only street outreach"):
        checkouts.back_safe(session, shift, by=a)


def test_the_alert_fires_once_after_the_grace_by_moving_the_clock(session, run_jobs, mailbox):
    _coordinator()
    a, b = factories.user(full_name="Amara Back"), factories.user(full_name="Blessing Late")
    shift, _ = ended_shift(ended_ago=dt.timedelta(minutes=0), members=[a, b])
    checkouts.back_safe(session, shift, by=a)
    session.commit()
    end = shift.ends_at
    with clock.frozen(end + dt.timedelta(minutes=29)):
        assert checkouts.alert_due(session) == 0
    with clock.frozen(end + dt.timedelta(minutes=31)):
        assert checkouts.alert_due(session) == 1
        session.commit()
        run_jobs()
        assert checkouts.alert_due(session) == 0  # once per shift
        session.commit()
    with clock.frozen(end + dt.timedelta(hours=3)):
        assert checkouts.alert_due(session) == 0
    sent = mailbox.to("cora@example.org")
    assert len(sent) == 1
    body = mailbox.body(sent[0])
    assert b.first_name in body and a.first_name not in body
    assert session.get(Alert, shift.id).missing == 1


def test_the_grace_is_a_setting(session):
    settings.set_value(session, "outreach_checkout_grace_minutes", 60)
    shift, _ = ended_shift(ended_ago=dt.timedelta(minutes=45))
    assert checkouts.alert_due(session) == 0
    with clock.frozen(utcnow() + dt.timedelta(minutes=20)):
        assert checkouts.alert_due(session) == 1


def test_no_alert_when_everyone_checked_out(session):
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(minutes=5))
    checkouts.back_safe(session, shift, by=a)
    checkouts.back_safe(session, shift, by=b)
    with clock.frozen(utcnow() + dt.timedelta(hours=1)):
        assert checkouts.alert_due(session) == 0
        assert queries.not_back_safe(session) == []


def test_never_for_a_cancelled_shift(session):
    shift, _ = ended_shift(ended_ago=dt.timedelta(hours=2))
    shift.status = ShiftStatus.CANCELLED
    session.flush()
    assert checkouts.alert_due(session) == 0
    assert queries.not_back_safe(session) == []


def _alert_rows(session):
    """The alert rows as they are now, as plain values; the read ends its transaction (on SQLite
    an open one would keep the worker's writes waiting)."""
    rows = [SimpleNamespace(id=n.id, user_id=n.user_id, shift_id=n.shift_id, status=n.status, attempts=n.attempts,
                            last_error=n.last_error)
            for n in session.scalars(sa.select(Notification).where(Notification.kind == Kind.NOT_BACK)
                                     .order_by(Notification.id).execution_options(populate_existing=True))]
    session.commit()
    return rows


def test_the_alert_is_a_notification_row_per_coordinator_sent_by_the_send_job(session, run_jobs, mailbox):
    cora = _coordinator()
    factories.user("coordinator", full_name="Dina Duty", email="dina@example.org")
    factories.user("admin", email="root@example.org")  # admins hear only when there is no coordinator
    shift, (a, _b) = ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    assert len(mailbox) == 0  # nothing before the commit
    session.commit()
    rows = _alert_rows(session)
    assert [r.shift_id for r in rows] == [shift.id, shift.id] and rows[0].user_id == cora.id
    assert all(r.status == Status.PENDING for r in rows)
    run_jobs()
    assert {r.status for r in _alert_rows(session)} == {Status.SENT}
    [msg] = mailbox.to("cora@example.org")
    assert msg["Subject"] == "Not back safe from a shift" and msg["Message-ID"].startswith("<notification-")
    assert a.first_name in mailbox.body(msg)
    assert len(mailbox.to("dina@example.org")) == 1 and mailbox.to("root@example.org") == []
    # A second sweep (or a sweep of the notification area) sends nothing again.
    assert checkouts.alert_due(session) == 0
    session.commit()
    collect.sweep(session)
    session.commit()
    run_jobs()
    assert len(mailbox) == 2


def test_the_job_sends_nothing_when_they_checked_out_meanwhile(session, run_jobs, mailbox):
    _coordinator()
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    checkouts.back_safe(session, shift, by=a)
    checkouts.back_safe(session, shift, by=b)
    session.commit()
    run_jobs()
    assert len(mailbox) == 0
    [row] = _alert_rows(session)
    assert row.status == Status.SKIPPED and row.last_error == "everyone back safe or cleared"


def test_the_job_sends_nothing_when_a_coordinator_cleared_them_meanwhile(session, run_jobs, mailbox):
    coordinator = _coordinator()
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    checkouts.back_safe(session, shift, by=a)
    checkouts.clear(session, shift, b, reason="Called her, she is home", by=coordinator)
    session.commit()
    run_jobs()
    assert len(mailbox) == 0
    assert _alert_rows(session)[0].status == Status.SKIPPED


def test_the_email_names_only_who_is_still_missing_when_it_leaves(session, run_jobs, mailbox):
    _coordinator()
    a, b = factories.user(full_name="Amara Back"), factories.user(full_name="Blessing Late")
    shift, _ = ended_shift(ended_ago=dt.timedelta(hours=1), members=[a, b])
    assert checkouts.alert_due(session) == 1
    checkouts.back_safe(session, shift, by=a)
    session.commit()
    run_jobs()
    body = mailbox.body(mailbox.to("cora@example.org")[0])
    assert "Blessing" in body and "Amara" not in body


def test_a_lost_alert_job_is_sent_by_the_notification_sweep(app, session, run_jobs, mailbox):
    from logistics import queue

    _coordinator()
    ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    session.commit()
    queue.state(app).connection.flushdb()  # the job is lost in Redis: the row is the truth
    assert run_jobs() == 0 and len(mailbox) == 0
    collect.sweep(session)
    session.commit()
    run_jobs()
    assert len(mailbox.to("cora@example.org")) == 1


def test_an_smtp_server_that_is_down_is_retried_and_the_alert_still_leaves(app, session, run_jobs, mailbox):
    import socket

    _coordinator()
    ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    session.commit()
    with socket.socket() as s:  # a real refusal: nothing listens on this port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    old = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        run_jobs()
    finally:
        app.config["MAIL_URL"] = old
    [row] = _alert_rows(session)
    assert row.status == Status.PENDING and row.attempts == 1 and row.last_error == "ConnectionRefusedError"
    assert len(mailbox) == 0
    with clock.frozen(utcnow() + send.BACKOFF[0]):
        collect.sweep(session)
        session.commit()
        run_jobs()
        [row] = _alert_rows(session)
    assert row.status == Status.SENT and row.attempts == 2
    assert len(mailbox.to("cora@example.org")) == 1


def test_a_coordinator_clears_with_a_reason(session):
    coordinator = _coordinator()
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(hours=1))
    [row] = queries.not_back_safe(session)
    assert {p.id for p in row.people} == {a.id, b.id}
    with pytest.raises(DomainError, match="Say why"):
        checkouts.clear(session, shift, a, reason="  ", by=coordinator)
    checkouts.clear(session, shift, a, reason="Called her, she is home", by=coordinator)
    checkouts.back_safe(session, shift, by=b)
    assert queries.not_back_safe(session) == []
    assert queries.not_back_shift_ids(session) == set()


def test_the_data_export_holds_ones_own_checkouts(session):
    from logistics.outreach import export

    shift, (a, b) = ended_shift()
    checkouts.back_safe(session, shift, by=a)
    [row] = export.checkouts(session, a)
    assert row["cleared_by_a_coordinator"] is False and export.checkouts(session, b) == []
