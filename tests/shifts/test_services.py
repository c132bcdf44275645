"""Service tests: every sign-up rule, the waitlist, cancellation, swaps, coordinator actions,
series and their edits, events, audit, export and erasure."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics import settings
from logistics.audit.models import AuditEntry
from logistics.clock import frozen, localize, to_local, utcnow
from logistics.errors import Conflict, DomainError, PermissionDenied
from logistics.people import export
from logistics.people import services as people_services
from logistics.shifts import planning, recurrence, rules, signups
from logistics.shifts.models import EventKind, Series, Shift, ShiftEvent, ShiftStatus, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h


def local(y, mo, d, hh=0, mm=0):
    return localize(dt.datetime(y, mo, d, hh, mm))


def events(session, kind=None):
    stmt = sa.select(ShiftEvent)
    if kind:
        stmt = stmt.where(ShiftEvent.kind == kind)
    return list(session.scalars(stmt))


def actions(session):
    return [a.action for a in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


# --- sign-up rules -----------------------------------------------------------------------------

def test_sign_up_confirms_and_counts(session):
    shift = h.shift(capacity=(1, 2))
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    session.commit()
    assert signup.status == SignupStatus.CONFIRMED and signup.position is None
    assert session.get(Shift, shift.id).confirmed_count == 1
    assert [e.kind for e in events(session)] == [EventKind.SIGNUP_CONFIRMED]
    assert actions(session) == []  # the volunteer's own change: no audit entry


def test_full_shift_puts_on_waitlist_in_order(session):
    shift = h.shift(capacity=(1, 1))
    people = [factories.user() for _ in range(4)]
    results = [signups.sign_up(session, shift, p, by=p) for p in people]
    assert [r.status for r in results] == [SignupStatus.CONFIRMED] + [SignupStatus.WAITLISTED] * 3
    assert [r.position for r in results] == [None, 1, 2, 3]
    assert shift.waitlist_count == 3


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


# --- cancellation, waitlist promotion ---------------------------------------------------------------

def test_cancel_promotes_first_in_line_and_renumbers(session):
    shift = h.shift(capacity=(1, 1))
    a, b, c, d = (factories.user() for _ in range(4))
    sa_ = signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    sc = signups.sign_up(session, shift, c, by=c)
    sd = signups.sign_up(session, shift, d, by=d)
    signups.cancel(session, sa_, by=a)
    session.commit()
    assert sa_.status == SignupStatus.CANCELLED
    assert (sb.status, sb.position) == (SignupStatus.CONFIRMED, None)
    assert (sc.position, sd.position) == (1, 2)
    shift = session.get(Shift, shift.id)
    assert (shift.confirmed_count, shift.waitlist_count) == (1, 2)
    promoted = events(session, EventKind.PROMOTED)
    assert [e.user_id for e in promoted] == [b.id]
    assert "signup.promoted" in actions(session)


def test_leaving_the_waitlist_closes_the_gap(session):
    shift = h.shift(capacity=(1, 1))
    people = [factories.user() for _ in range(4)]
    rows = [signups.sign_up(session, shift, p, by=p) for p in people]
    signups.cancel(session, rows[2], by=people[2])  # position 2 leaves
    assert [r.position for r in rows] == [None, 1, None, 2]
    assert shift.waitlist_count == 2 and shift.confirmed_count == 1


def test_self_cancel_until_cut_off_then_request(session):
    act = h.activity(cutoff=24)
    shift = h.shift(act, in_days=0.5)  # 12 h ahead: past the cut-off
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    with pytest.raises(rules.CutoffPassed):
        signups.cancel(session, signup, by=v)
    signups.request_cancellation(session, signup, reason="Ill", by=v)
    assert signup.cancel_requested_at is not None and signup.status == SignupStatus.CONFIRMED
    with pytest.raises(Conflict):
        signups.request_cancellation(session, signup, reason="again", by=v)
    coordinator = factories.user("coordinator")
    signups.decide_cancellation(session, signup, approve=True, by=coordinator)
    assert signup.status == SignupStatus.CANCELLED and shift.confirmed_count == 0
    assert "signup.cancel_approved" in actions(session)


def test_decline_cancellation_keeps_the_volunteer(session):
    shift = h.shift(h.activity(cutoff=48), in_days=1)
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    signups.request_cancellation(session, signup, reason="", by=v)
    signups.decide_cancellation(session, signup, approve=False, by=factories.user("coordinator"))
    assert signup.status == SignupStatus.CONFIRMED and signup.cancel_requested_at is None


def test_cannot_cancel_someone_elses_sign_up(session):
    shift = h.shift()
    v, w = factories.user(), factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    with pytest.raises(PermissionDenied):
        signups.cancel(session, signup, by=w)


def test_sign_up_again_after_cancelling(session):
    shift = h.shift()
    v = factories.user()
    signup = signups.sign_up(session, shift, v, by=v)
    signups.cancel(session, signup, by=v)
    again = signups.sign_up(session, shift, v, by=v)
    assert again.id == signup.id and again.status == SignupStatus.CONFIRMED and shift.confirmed_count == 1


# --- swaps ----------------------------------------------------------------------------------------

def test_swap_moves_the_sign_up_in_one_step(session):
    shift = h.shift(capacity=(1, 1))
    a, b = factories.user(), factories.user()
    mine = signups.sign_up(session, shift, a, by=a)
    with pytest.raises(Conflict):
        signups.take_swap(session, mine, b, by=b)  # not offered yet
    signups.offer_swap(session, mine, by=a)
    taken = signups.take_swap(session, mine, b, by=b)
    session.commit()
    assert mine.status == SignupStatus.CANCELLED and mine.swap_offered_at is None
    assert taken.status == SignupStatus.CONFIRMED and taken.user_id == b.id
    assert session.get(Shift, shift.id).confirmed_count == 1
    assert "signup.swapped" in actions(session)


def test_swap_taker_must_be_eligible_and_free(session):
    q = factories.qualification()
    shift = h.shift(h.activity(quals=[q]), in_days=3, hours=3)
    a, b = factories.user(), factories.user()
    factories.grant(a, q)
    session.refresh(a)
    mine = signups.sign_up(session, shift, a, by=a)
    signups.offer_swap(session, mine, by=a)
    with pytest.raises(rules.MissingQualification):
        signups.take_swap(session, mine, b, by=b)
    factories.grant(b, q)
    session.refresh(b)
    busy = h.shift(start=shift.starts_at)
    signups.sign_up(session, busy, b, by=b)
    with pytest.raises(rules.Overlap):
        signups.take_swap(session, mine, b, by=b)
    assert mine.status == SignupStatus.CONFIRMED


def test_waitlisted_person_takes_a_swap(session):
    shift = h.shift(capacity=(1, 1))
    a, b, c = factories.user(), factories.user(), factories.user()
    sa_ = signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    sc = signups.sign_up(session, shift, c, by=c)
    signups.offer_swap(session, sa_, by=a)
    signups.take_swap(session, sa_, c, by=c)  # c was second in line
    assert (sc.status, sc.position) == (SignupStatus.CONFIRMED, None)
    assert sb.position == 1 and shift.waitlist_count == 1 and shift.confirmed_count == 1


def test_every_path_confirms_a_clean_place(session):
    """Sign-up, swap and assign confirm alike: nothing of an earlier place on the shift stays."""
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 3))
    offering, by_signup, by_swap, by_assign = (factories.user() for _ in range(4))
    for person in (by_signup, by_swap, by_assign):
        session.add(Signup(shift=shift, user_id=person.id, status=SignupStatus.CANCELLED, cancelled_at=utcnow(),
                           attended=True, hours=Decimal("3"), cancel_requested_at=utcnow(),
                           cancel_request_reason="Ill", swap_offered_at=utcnow()))
    session.flush()
    offered = signups.sign_up(session, shift, offering, by=offering)
    signups.offer_swap(session, offered, by=offering)
    rows = [signups.sign_up(session, shift, by_signup, by=by_signup),
            signups.take_swap(session, offered, by_swap, by=by_swap),
            signups.assign(session, shift, by_assign, by=coordinator)]
    session.commit()
    for row in rows:
        session.refresh(row)
        assert row.status == SignupStatus.CONFIRMED and row.confirmed_at is not None
        assert (row.cancelled_at, row.cancel_requested_at, row.cancel_request_reason, row.swap_offered_at,
                row.attended, row.hours) == (None,) * 6


# --- coordinators ---------------------------------------------------------------------------------

def test_assign_over_capacity_only_with_confirmation(session):
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 1))
    a, b = factories.user(), factories.user()
    signups.assign(session, shift, a, by=coordinator)
    with pytest.raises(rules.OverCapacity):
        signups.assign(session, shift, b, by=coordinator)
    signups.assign(session, shift, b, by=coordinator, over_capacity=True)
    session.commit()
    shift = session.get(Shift, shift.id)
    assert (shift.confirmed_count, shift.over_capacity) == (2, 1)
    assert actions(session).count("signup.assigned") == 2


def test_the_check_constraint_backs_capacity(session):
    shift = h.shift(capacity=(1, 1), confirmed_count=1)
    session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(Shift).where(Shift.id == shift.id).values(confirmed_count=2))
    session.rollback()


def test_remove_promotes_and_records_event(session):
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 1))
    a, b = factories.user(), factories.user()
    sa_ = signups.sign_up(session, shift, a, by=a)
    signups.sign_up(session, shift, b, by=b)
    signups.remove(session, sa_, by=coordinator)
    assert [e.user_id for e in events(session, EventKind.REMOVED)] == [a.id]
    assert [e.user_id for e in events(session, EventKind.PROMOTED)] == [b.id]
    assert "signup.removed" in actions(session)


def test_removing_from_an_over_capacity_shift_does_not_promote(session):
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 1))
    a, b, c = (factories.user() for _ in range(3))
    sa_ = signups.sign_up(session, shift, a, by=a)
    signups.assign(session, shift, b, by=coordinator, over_capacity=True)
    sc = signups.sign_up(session, shift, c, by=c)
    signups.remove(session, sa_, by=coordinator)
    assert sc.status == SignupStatus.WAITLISTED
    assert (shift.confirmed_count, shift.over_capacity) == (1, 0)


def test_attendance_and_hours(session):
    coordinator = factories.user("coordinator")
    shift = h.shift(hours=3)
    a, b = factories.user(), factories.user()
    sa_ = signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    with pytest.raises(DomainError):
        signups.record_attendance(session, shift, {sa_.id: (True, None)}, by=coordinator)
    with frozen(shift.ends_at + dt.timedelta(hours=1)):
        signups.record_attendance(session, shift, {sa_.id: (True, None), sb.id: (False, None)}, by=coordinator)
    assert (sa_.attended, sa_.hours) == (True, Decimal("3.00"))
    assert (sb.attended, sb.hours) == (False, Decimal("0"))


def test_bad_shift_input_saves_nothing(session):
    coordinator = factories.user("coordinator")
    act = h.activity()
    start = utcnow() + dt.timedelta(days=1)
    cases = [
        (dict(starts_at=start, ends_at=start - dt.timedelta(hours=1), capacity_min=1, capacity_max=2), "ends_at"),
        (dict(starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity_min=0, capacity_max=2), "capacity_min"),
        (dict(starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity_min=1, capacity_max=-1), "capacity_max"),
        (dict(starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity_min=3, capacity_max=2), "capacity_max"),
    ]
    for kwargs, field in cases:
        with pytest.raises(rules.InvalidInput) as exc:
            planning.create_shift(session, activity=act, place=None, by=coordinator, **kwargs)
        assert exc.value.field == field and exc.value.message
    assert session.scalar(sa.select(sa.func.count(Shift.id))) == 0


def test_shift_change_raises_version_and_tells_people(session):
    coordinator = factories.user("coordinator")
    shift = h.shift()
    v = factories.user()
    signups.sign_up(session, shift, v, by=v)
    planning.update_shift(session, shift, place=None, starts_at=shift.starts_at + dt.timedelta(hours=1),
                          ends_at=shift.ends_at + dt.timedelta(hours=1), capacity_min=1, capacity_max=5,
                          by=coordinator)
    assert shift.version == 2
    planning.update_shift(session, shift, place=None, starts_at=shift.starts_at, ends_at=shift.ends_at,
                          capacity_min=1, capacity_max=6, by=coordinator)
    assert shift.version == 2  # capacity is not time, place or status
    planning.cancel_shift(session, shift, by=coordinator)
    assert shift.version == 3 and shift.status == ShiftStatus.CANCELLED
    kinds = [e.kind for e in events(session) if e.user_id == v.id]
    assert EventKind.SHIFT_CHANGED in kinds and EventKind.SHIFT_CANCELLED in kinds
    assert {"shift.changed", "shift.cancelled"} <= set(actions(session))


def test_raising_capacity_promotes_from_the_waitlist(session):
    coordinator = factories.user("coordinator")
    shift = h.shift(capacity=(1, 1))
    a, b = factories.user(), factories.user()
    signups.sign_up(session, shift, a, by=a)
    sb = signups.sign_up(session, shift, b, by=b)
    planning.update_shift(session, shift, place=None, starts_at=shift.starts_at, ends_at=shift.ends_at,
                          capacity_min=1, capacity_max=2, by=coordinator)
    assert sb.status == SignupStatus.CONFIRMED and shift.waitlist_count == 0


def test_cover_request_records_an_event(session):
    coordinator = factories.user("coordinator")
    act = h.activity("hotline")
    start = utcnow() + dt.timedelta(days=2)
    request = planning.request_cover(session, activity=act, starts_at=start, ends_at=start + dt.timedelta(hours=4),
                                     by=coordinator)
    [event] = events(session, EventKind.COVER_REQUESTED)
    assert event.cover_request_id == request.id
    assert "cover.requested" in actions(session)


# --- activities and places ------------------------------------------------------------------------

def test_activity_validation(session):
    coordinator = factories.user("coordinator")
    base = dict(kind="hotline", colour="blue", briefing="", qualification_ids=[], capacity_min=1, capacity_max=2,
                cancel_cutoff_hours=24, signup_opens_days=30, is_discreet=False, by=coordinator)
    a = planning.save_activity(session, None, name="Hotline", **base)
    with pytest.raises(Conflict):
        planning.save_activity(session, None, name="hotline", **base)
    with pytest.raises(rules.InvalidInput):
        planning.save_activity(session, None, name="X", **{**base, "capacity_min": 3})
    with pytest.raises(rules.InvalidInput):
        planning.save_activity(session, None, name="Y", **{**base, "colour": "#ff0000"})
    planning.save_activity(session, a, name="Hotline 24/7", **base)
    assert actions(session) == ["activity.created", "activity.changed"]


# --- series -----------------------------------------------------------------------------------------

def _series(session, **kw):
    coordinator = kw.pop("by", None) or factories.user("coordinator")
    act = kw.pop("activity", None) or h.activity("hotline", capacity=(1, 2))
    args = dict(activity=act, place=None, freq="weekly", starts_on=dt.date(2027, 1, 4), start_time=dt.time(18),
                duration_minutes=180, capacity_min=1, capacity_max=2, by=coordinator)
    args.update(kw)
    return planning.create_series(session, **args)


def _starts(session, series):
    return [s.starts_at for s in session.scalars(sa.select(Shift).where(Shift.series_id == series.id)
                                                 .order_by(Shift.starts_at))]


def test_dst_night_shift_keeps_local_times(session):
    """22:00–02:00 on the last Sunday of October (clocks go back at 03:00) stays 22:00–02:00."""
    with frozen(local(2026, 10, 1)):
        series = _series(session, freq="daily", starts_on=dt.date(2026, 10, 20), start_time=dt.time(22),
                         duration_minutes=240, until=dt.date(2026, 10, 30))
    shifts = list(session.scalars(sa.select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)))
    assert len(shifts) == 11
    for s in shifts:
        assert (to_local(s.starts_at).hour, to_local(s.ends_at).hour) == (22, 2)
    utc = dt.UTC
    by_day = {to_local(s.starts_at).date(): s for s in shifts}
    saturday, sunday = by_day[dt.date(2026, 10, 24)], by_day[dt.date(2026, 10, 25)]
    # The night into the last Sunday: starts 22:00 summer time, ends at the first 02:00.
    assert (saturday.starts_at, saturday.ends_at) == (dt.datetime(2026, 10, 24, 20, tzinfo=utc),
                                                      dt.datetime(2026, 10, 25, 0, tzinfo=utc))
    # The last Sunday itself: 22:00–02:00 winter time, one hour later in UTC than the day before.
    assert (sunday.starts_at, sunday.ends_at) == (dt.datetime(2026, 10, 25, 21, tzinfo=utc),
                                                  dt.datetime(2026, 10, 26, 1, tzinfo=utc))


def test_spring_forward_keeps_local_start(session):
    with frozen(local(2027, 3, 1)):
        series = _series(session, freq="daily", starts_on=dt.date(2027, 3, 26), start_time=dt.time(8),
                         count=4)
    assert [to_local(s).hour for s in _starts(session, series)] == [8, 8, 8, 8]
    assert [s.hour for s in _starts(session, series)] == [7, 7, 6, 6]  # CET then CEST


def test_months_with_five_tuesdays(session):
    with frozen(local(2026, 12, 1)):
        every_tuesday = _series(session, freq="monthly", weekdays=["TU"], month_weeks=[1, 2, 3, 4, 5],
                                starts_on=dt.date(2026, 12, 1), until=dt.date(2027, 2, 28))
        fifth = _series(session, freq="monthly", weekdays=["TU"], month_weeks=[5],
                        starts_on=dt.date(2026, 12, 1), until=dt.date(2027, 4, 30))
        second_fourth = _series(session, freq="monthly", weekdays=["TU"], month_weeks=[2, 4],
                                starts_on=dt.date(2026, 12, 1), count=4)
        assert [to_local(s).date() for s in _starts(session, fifth)] == [dt.date(2026, 12, 29)]  # horizon
        planning.extend_series(session, fifth, until=local(2027, 5, 1))
    days = [to_local(s).date() for s in _starts(session, every_tuesday)]
    assert sum(d.month == 12 for d in days) == 5  # December 2026 has five Tuesdays
    assert sum(d.month == 1 for d in days) == 4
    assert [to_local(s).date() for s in _starts(session, fifth)] == [dt.date(2026, 12, 29), dt.date(2027, 3, 30)]
    assert [to_local(s).date() for s in _starts(session, second_fourth)] == [
        dt.date(2026, 12, 8), dt.date(2026, 12, 22), dt.date(2027, 1, 12), dt.date(2027, 1, 26)]


def test_weekly_on_chosen_days_every_other_week(session):
    with frozen(local(2027, 1, 1)):
        series = _series(session, freq="weekly", interval=2, weekdays=["MO", "TH"], starts_on=dt.date(2027, 1, 4),
                         count=4)
    assert [to_local(s).date() for s in _starts(session, series)] == [
        dt.date(2027, 1, 4), dt.date(2027, 1, 7), dt.date(2027, 1, 18), dt.date(2027, 1, 21)]


def test_open_ended_rule_is_capped_by_the_horizon_and_extends_without_duplicates(session):
    now = local(2027, 1, 1)
    with frozen(now):
        series = _series(session, freq="daily", starts_on=dt.date(2027, 1, 1))
        assert "UNTIL" not in series.rrule and "COUNT" not in series.rrule
        made = len(_starts(session, series))
        assert made == recurrence.HORIZON_WEEKS * 7
        assert planning.extend_all(session) == 0  # nothing new, nothing twice
    with frozen(now + dt.timedelta(days=7)):
        assert planning.extend_all(session) == 7
    # Even when the mark is lost, the unique constraint keeps occurrences single.
    series.generated_until = None
    session.flush()
    with frozen(now + dt.timedelta(days=7)):
        assert planning.extend_series(session, series) == 0
    assert len(_starts(session, series)) == made + 7


@pytest.mark.parametrize("choices", [
    dict(freq="daily", interval=1, weekdays=[], month_weeks=[], until=None, count=None),
    dict(freq="weekly", interval=2, weekdays=["MO", "TH"], month_weeks=[], until=dt.date(2027, 2, 28), count=None),
    dict(freq="monthly", interval=1, weekdays=["TU", "FR"], month_weeks=[2, 4, -1], until=None, count=6),
])
def test_parse_rrule_gives_back_the_choices(choices):
    rule = recurrence.build_rrule(**choices)
    assert recurrence.parse_rrule(rule) == choices
    assert recurrence.build_rrule(**recurrence.parse_rrule(rule)) == rule


def test_series_bad_input(session):
    with frozen(local(2027, 1, 1)):
        with pytest.raises(rules.InvalidInput) as exc:
            _series(session, freq="weekly", weekdays=["MO"], starts_on=dt.date(2027, 1, 5), until=dt.date(2027, 1, 3))
        assert exc.value.field == "until"
        with pytest.raises(rules.InvalidInput, match="no shifts"):
            _series(session, freq="weekly", weekdays=["MO"], starts_on=dt.date(2027, 1, 5), until=dt.date(2027, 1, 10))
        with pytest.raises(rules.InvalidInput):
            _series(session, freq="monthly", weekdays=["TU"], month_weeks=[])
        with pytest.raises(rules.InvalidInput):
            _series(session, duration_minutes=0)
        with pytest.raises(rules.InvalidInput):
            _series(session, capacity_min=0)
    assert session.scalar(sa.select(sa.func.count(Series.id))) == 0
    assert session.scalar(sa.select(sa.func.count(Shift.id))) == 0


def test_editing_a_series_changes_future_shifts_only(session):
    coordinator = factories.user("coordinator")
    start = local(2027, 1, 4)  # Monday
    with frozen(start):
        series = _series(session, by=coordinator, freq="weekly", weekdays=["MO", "WE"], starts_on=dt.date(2027, 1, 4),
                         until=dt.date(2027, 2, 28))
    shifts = list(session.scalars(sa.select(Shift).where(Shift.series_id == series.id).order_by(Shift.starts_at)))
    v = factories.user()
    with frozen(start):
        signups.sign_up(session, shifts[3], v, by=v)  # a future Wednesday
        # One occurrence changed on its own: later series edits leave it alone.
        alone = shifts[4]
        planning.update_shift(session, alone, place=None, starts_at=alone.starts_at + dt.timedelta(hours=2),
                              ends_at=alone.ends_at + dt.timedelta(hours=2), capacity_min=1, capacity_max=2,
                              by=coordinator)
    past = shifts[0]
    past_start = past.starts_at
    with frozen(start + dt.timedelta(days=3)):  # Thursday of week 1
        result = planning.update_series(session, series, place=None, freq="weekly", weekdays=["MO", "TH"],
                                        start_time=dt.time(19), duration_minutes=120, until=dt.date(2027, 2, 28),
                                        capacity_min=1, capacity_max=3, by=coordinator)
    session.commit()
    assert past.starts_at == past_start  # the past stays
    assert result["cancelled"] >= 1 and result["created"] >= 1
    scheduled = list(session.scalars(sa.select(Shift).where(
        Shift.series_id == series.id, Shift.status == ShiftStatus.SCHEDULED, Shift.starts_at > start + dt.timedelta(days=3),
        Shift.is_detached.is_(False))))
    assert {to_local(s.starts_at).strftime("%a %H:%M") for s in scheduled} == {"Mon 19:00", "Thu 19:00"}
    assert all(s.capacity_max == 3 for s in scheduled)
    alone = session.get(Shift, alone.id)
    assert alone.status == ShiftStatus.SCHEDULED and to_local(alone.starts_at).hour == 20
    wednesday = session.get(Shift, shifts[3].id)
    assert wednesday.status == ShiftStatus.CANCELLED and wednesday.version == 2
    assert [e.user_id for e in events(session, EventKind.SHIFT_CANCELLED)] == [v.id]
    assert "series.changed" in actions(session)


def test_sweep_job_extends(app, session):
    from logistics import sweeps
    from logistics.shifts import jobs

    assert any(s.name == "shifts.extend_series" for s in sweeps.registered())
    with frozen(local(2027, 1, 1)):
        series = _series(session, freq="daily", starts_on=dt.date(2027, 1, 1))
        session.commit()
    with frozen(local(2027, 1, 15)):
        assert jobs.extend_series() == 14
    assert len(_starts(session, series)) == recurrence.HORIZON_WEEKS * 7 + 14


# --- privacy ---------------------------------------------------------------------------------------

def test_export_has_own_shifts_only(session):
    shift = h.shift(capacity=(1, 3))
    v, w = factories.user(full_name="Vera Export"), factories.user(full_name="Walter Other")
    signups.sign_up(session, shift, v, by=v)
    signups.sign_up(session, shift, w, by=w)
    data = export.export(session, v)
    assert len(data["shifts"]) == 1 and data["shifts"][0]["status"] == "confirmed"
    assert "Walter" not in str(data["shifts"])


def test_erasure_keeps_past_hours_and_frees_future_places(session):
    admin = factories.user("admin")
    past = h.shift(in_days=-2, hours=3)
    future = h.shift(capacity=(1, 1))
    v, w = factories.user(), factories.user()
    session.add(Signup(shift=past, user_id=v.id, status=SignupStatus.CONFIRMED, attended=True, hours=Decimal("3")))
    past.confirmed_count = 1
    signups.sign_up(session, future, v, by=v)
    sw = signups.sign_up(session, future, w, by=w)
    people_services.erase(session, v, by=admin)
    session.commit()
    kept = session.scalar(sa.select(Signup).where(Signup.shift_id == past.id))
    assert kept.user_id == v.id and kept.hours == Decimal("3") and kept.user.erased_at is not None
    assert sw.status == SignupStatus.CONFIRMED  # the place went to the next in line
