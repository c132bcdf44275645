"""The sign-up rules: account, window, open shift, qualifications on the day, overlap, weekly hotline hours,
rest around a night shift."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import settings
from logistics.clock import frozen, utcnow
from logistics.shifts import queries, rules, signups
from logistics.shifts.models import ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import local


def test_inactive_or_unapproved_refused(session):
    shift = h.shift()
    for user in (factories.user(active=False), factories.user(approved=False)):
        with pytest.raises(rules.AccountNotActive):
            signups.sign_up(session, shift, user, by=user)
    assert session.scalar(sa.select(sa.func.count(Signup.id))) == 0


def test_qualification_required_and_unexpired_on_the_day(session):
    q = factories.qualification("hotline")
    act = h.activity("hotline", quals=[q])
    shift = h.shift(act, in_days=10)
    v = factories.user()
    with pytest.raises(rules.MissingQualification) as exc:
        signups.sign_up(session, shift, v, by=v)
    assert "Qualification" in exc.value.message
    factories.grant(v, q, expires_on=(utcnow() + dt.timedelta(days=5)).date())  # expires before the shift
    session.refresh(v)
    with pytest.raises(rules.MissingQualification):
        signups.sign_up(session, shift, v, by=v)
    v.qualifications[0].expires_on = (utcnow() + dt.timedelta(days=30)).date()
    session.flush()
    assert signups.sign_up(session, shift, v, by=v).status == SignupStatus.CONFIRMED


@pytest.mark.at("2026-11-25T10:00")  # daytime shifts: at night the rest rule would refuse first
def test_overlap_with_another_confirmed_shift_refused(session):
    v = factories.user()
    a = h.shift(in_days=3, hours=4)
    b = h.shift(start=a.starts_at + dt.timedelta(hours=2))
    signups.sign_up(session, a, v, by=v)
    with pytest.raises(rules.Overlap):
        signups.sign_up(session, b, v, by=v)
    back_to_back = h.shift(start=a.ends_at)
    assert signups.sign_up(session, back_to_back, v, by=v).status == SignupStatus.CONFIRMED


def test_sign_up_window(session):
    act = h.activity(opens=14)
    far = h.shift(act, in_days=20)
    v = factories.user()
    with pytest.raises(rules.SignupNotOpen):
        signups.sign_up(session, far, v, by=v)
    near = h.shift(act, in_days=10)
    assert signups.sign_up(session, near, v, by=v).status == SignupStatus.CONFIRMED


def test_open_shifts_offer_a_shift_once_its_sign_up_opens(session):
    act = h.activity(opens=14)
    far, near = h.shift(act, in_days=20), h.shift(act, in_days=10)
    offered = [s.id for s in queries.open_shifts(session, factories.user()).shifts]
    assert near.id in offered and far.id not in offered


def test_cancelled_and_past_shifts_refused(session):
    v = factories.user()
    cancelled = h.shift(status=ShiftStatus.CANCELLED)
    with pytest.raises(rules.ShiftCancelled):
        signups.sign_up(session, cancelled, v, by=v)
    past = h.shift(in_days=-1)
    with pytest.raises(rules.ShiftPast):
        signups.sign_up(session, past, v, by=v)
    assert session.scalar(sa.select(sa.func.count(Signup.id))) == 0


def test_double_sign_up_refused(session):
    shift = h.shift(capacity=(1, 1))
    v, w = factories.user(), factories.user()
    signups.sign_up(session, shift, v, by=v)
    with pytest.raises(rules.AlreadySignedUp):
        signups.sign_up(session, shift, v, by=v)
    signups.sign_up(session, shift, w, by=w)
    with pytest.raises(rules.AlreadySignedUp, match="waitlist"):
        signups.sign_up(session, shift, w, by=w)
    assert shift.confirmed_count == 1 and shift.waitlist_count == 1


def test_weekly_hotline_limit(session):
    act = h.activity("hotline", capacity=(1, 2))
    monday = local(2027, 3, 1, 8)  # a Monday
    v = factories.user()
    with frozen(monday - dt.timedelta(days=7)):
        for day in range(3):  # 3 × 4 h = 12 h
            s = h.shift(act, start=monday + dt.timedelta(days=day), hours=4)
            signups.sign_up(session, s, v, by=v)
        fourth = h.shift(act, start=monday + dt.timedelta(days=3), hours=4)
        with pytest.raises(rules.WellbeingLimit, match="12"):
            signups.sign_up(session, fourth, v, by=v)
        next_week = h.shift(act, start=monday + dt.timedelta(days=7), hours=4)
        assert signups.sign_up(session, next_week, v, by=v).status == SignupStatus.CONFIRMED
        settings.set_value(session, "shifts_hotline_max_hours_per_week", 16)
        assert signups.sign_up(session, fourth, v, by=v).status == SignupStatus.CONFIRMED


def test_rest_after_night_shift(session):
    night = h.activity("hotline")
    day_act = h.activity("packing")
    v = factories.user()
    start = local(2027, 3, 2, 22)
    with frozen(start - dt.timedelta(days=3)):
        n = h.shift(night, start=start, hours=4)  # 22:00–02:00 is a night shift
        signups.sign_up(session, n, v, by=v)
        morning = h.shift(day_act, start=local(2027, 3, 3, 8), hours=3)  # 6 h after: too soon
        with pytest.raises(rules.WellbeingLimit, match="rest"):
            signups.sign_up(session, morning, v, by=v)
        afternoon = h.shift(day_act, start=local(2027, 3, 3, 14), hours=3)  # 12 h after
        assert signups.sign_up(session, afternoon, v, by=v).status == SignupStatus.CONFIRMED
        # The other way round: a night shift too soon before an existing shift.
        w = factories.user()
        early = h.shift(day_act, start=local(2027, 3, 6, 7), hours=3)
        signups.sign_up(session, early, w, by=w)
        night_before = h.shift(night, start=local(2027, 3, 5, 22), hours=4)
        with pytest.raises(rules.WellbeingLimit):
            signups.sign_up(session, night_before, w, by=w)


def test_is_night():
    assert rules.is_night(local(2027, 3, 2, 22), local(2027, 3, 3, 2))
    assert rules.is_night(local(2027, 3, 3, 4), local(2027, 3, 3, 8))
    assert not rules.is_night(local(2027, 3, 3, 8), local(2027, 3, 3, 20))
