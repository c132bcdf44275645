"""Back safe: check-out per member, the alert once at the right time by moving the clock, not
when everyone checked out, never for a cancelled shift; clearing with a reason."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock, settings
from logistics.clock import utcnow
from logistics.errors import DomainError, PermissionDenied
from logistics.outreach import checkouts, jobs, queries
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


def test_the_job_sends_nothing_when_they_checked_out_meanwhile(session, mailbox):
    _coordinator()
    shift, (a, b) = ended_shift(ended_ago=dt.timedelta(hours=1))
    assert checkouts.alert_due(session) == 1
    checkouts.back_safe(session, shift, by=a)
    checkouts.back_safe(session, shift, by=b)
    session.commit()
    assert jobs.send_not_back_alert(shift.id) == 0
    assert len(mailbox) == 0


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
