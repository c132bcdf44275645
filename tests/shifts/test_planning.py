"""Planning: shifts and their changes, cover requests, activities, series and their edits; then the planning pages."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics.clock import frozen, to_local, utcnow
from logistics.errors import Conflict
from logistics.extensions import db
from logistics.shifts import planning, recurrence, rules, signups
from logistics.shifts.models import EventKind, Series, Shift, ShiftStatus, SignupStatus
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import actions, events, local, local_input


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
        Shift.series_id == series.id, Shift.status == ShiftStatus.SCHEDULED,
        Shift.starts_at > start + dt.timedelta(days=3), Shift.is_detached.is_(False))))
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


# --- pages ----------------------------------------------------------------------------------------

def test_coordinator_creates_activity_place_shift_and_bad_input(app, client, login):
    login("coordinator")
    r = client.post("/shifts/activities/new", data={
        "name": "Hotline", "kind": "hotline", "colour": "blue", "briefing": "", "capacity_min": "1",
        "capacity_max": "2", "cancel_cutoff_hours": "24", "signup_opens_days": "30", "is_active": "y"})
    assert r.status_code == 302
    r = client.post("/shifts/activities/new", data={
        "name": "Broken", "kind": "hotline", "colour": "blue", "capacity_min": "3", "capacity_max": "2",
        "cancel_cutoff_hours": "24", "signup_opens_days": "30"})
    assert r.status_code == 422 and "cannot be above" in r.get_data(as_text=True)
    r = client.post("/shifts/places/new", data={"name": "Office", "address": "Street 1", "kind": "office",
                                               "is_active": "y"})
    assert r.status_code == 302
    with app.app_context():
        from logistics.shifts.models import Activity, Place
        act = db.session.scalar(sa.select(Activity))
        place = db.session.scalar(sa.select(Place))
        ids = act.id, place.id
    start = utcnow() + dt.timedelta(days=2)
    good = {"activity": ids[0], "place": ids[1], "starts_at": local_input(start),
            "ends_at": local_input(start + dt.timedelta(hours=4)), "capacity_min": "1", "capacity_max": "2"}
    for bad, message in [({"ends_at": local_input(start - dt.timedelta(hours=1))}, "after the start"),
                         ({"capacity_min": "0"}, "At least one"), ({"capacity_max": "-1"}, "at least 1"),
                         ({"capacity_min": "3"}, "cannot be above"), ({"starts_at": "tomorrow"}, "")]:
        r = client.post("/shifts/new", data={**good, **bad})
        assert r.status_code == 422 and message in r.get_data(as_text=True), bad
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0
    r = client.post("/shifts/new", data=good)
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 1


def test_coordinator_creates_and_edits_a_series(app, client, login):
    login("coordinator")
    with app.app_context():
        act = h.activity("hotline", capacity=(1, 2))
        db.session.commit()
        act_id = act.id
    base = {"activity": act_id, "place": "0", "freq": "monthly", "interval": "1", "weekdays": ["TU"],
            "month_weeks": ["2", "4"], "starts_on": (utcnow().date() + dt.timedelta(days=1)).isoformat(),
            "start_time": "22:00", "end_time": "02:00", "ends": "count", "count": "6",
            "capacity_min": "1", "capacity_max": "2"}
    r = client.post("/shifts/series/new", data={**base, "month_weeks": []})
    assert r.status_code == 422 and "which weeks" in r.get_data(as_text=True)
    r = client.post("/shifts/series/new", data={**base, "ends": "until",
                                                "until": utcnow().date().isoformat(), "count": ""})
    assert r.status_code == 422
    r = client.post("/shifts/series/new", data={**base, "ends": "until", "until": "", "count": ""})
    assert r.status_code == 422 and "Give the last day." in r.get_data(as_text=True)
    r = client.post("/shifts/series/new", data={**base, "ends": "count", "count": ""})
    assert r.status_code == 422 and "at least 1" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0
    r = client.post("/shifts/series/new", data=base)
    assert r.status_code == 302
    with app.app_context():
        series = db.session.scalar(sa.select(Series))
        shifts = db.session.scalars(sa.select(Shift).order_by(Shift.starts_at)).all()
        assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6" and series.duration_minutes == 240
        assert 1 <= len(shifts) <= 6
        assert all(to_local(s.starts_at).strftime("%a %H") == "Tue 22" for s in shifts)
        series_id = series.id
    assert client.get(f"/shifts/series/{series_id}").status_code == 200
    r = client.post(f"/shifts/series/{series_id}", data={**base, "start_time": "20:00", "end_time": "23:00"})
    assert r.status_code == 302
    with app.app_context():
        shifts = db.session.scalars(sa.select(Shift).where(Shift.status == ShiftStatus.SCHEDULED)).all()
        assert all(to_local(s.starts_at).hour == 20 for s in shifts)


def test_preview_of_a_series_checks_like_saving_and_writes_nothing(session):
    rule, dates = planning.preview_series(freq="monthly", weekdays=["FR"], month_weeks=["2", "4"],
                                          starts_on=dt.date(2026, 12, 1), start_time=dt.time(16),
                                          duration_minutes=240, until=dt.date(2027, 2, 28))
    assert rule == "FREQ=MONTHLY;BYDAY=2FR,4FR;UNTIL=20270228T235959"
    assert [to_local(s).date().isoformat() for s, _e in dates] == [
        "2026-12-11", "2026-12-25", "2027-01-08", "2027-01-22", "2027-02-12", "2027-02-26"]
    assert all(to_local(s).hour == 16 and (e - s) == dt.timedelta(hours=4) for s, e in dates)
    # A yearly-ish rule still finds its next shifts; a bad one says what is wrong.
    _rule, far = planning.preview_series(freq="monthly", interval=12, weekdays=["MO"], month_weeks=["1"],
                                         starts_on=dt.date(2026, 12, 1), start_time=dt.time(9), duration_minutes=60,
                                         limit=3)
    assert len(far) == 3
    with pytest.raises(rules.InvalidInput) as exc:
        planning.preview_series(freq="monthly", weekdays=["FR"], month_weeks=[], starts_on=dt.date(2026, 12, 1),
                                start_time=dt.time(16), duration_minutes=240)
    assert exc.value.field == "month_weeks"
    assert session.scalar(sa.select(sa.func.count(Series.id))) == 0


def test_the_series_form_takes_the_activity_defaults_and_previews_before_saving(app, client, login):
    login("coordinator")
    with app.app_context():
        cooking = h.activity("communal_cooking", name="Communal cooking", capacity=(3, 6))
        db.session.commit()
        cooking_id = cooking.id
    page = client.get("/shifts/series/new").get_data(as_text=True)
    assert 'data-activity-defaults="' in page and f"{cooking_id}:3:6" in page
    assert 'class="only-freq freq-monthly"' in page and 'class="only-ends ends-until"' in page
    base = {"activity": cooking_id, "place": "0", "freq": "monthly", "interval": "1", "weekdays": ["FR"],
            "month_weeks": ["2", "4"], "starts_on": "2026-12-01", "start_time": "16:00", "end_time": "20:00",
            "ends": "until", "until": "2027-02-28", "count": "", "capacity_min": "", "capacity_max": ""}
    r = client.post("/shifts/series/new", data={**base, "preview": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "The next shifts of this series" in html
    assert "2nd and 4th Friday each month, 16:00–20:00, until 28 Feb 2027" in html
    assert "Fri 11 Dec, 16:00–20:00" in html and "Fri 26 Feb, 16:00–20:00" in html
    assert "3 people needed, 6 places each." in html and "Nothing is saved yet." in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0
    bad = client.post("/shifts/series/new", data={**base, "month_weeks": [], "preview": "1"})
    assert bad.status_code == 422 and "which weeks" in bad.get_data(as_text=True)
    # Saved with the people needed and places left empty: the activity's numbers.
    assert client.post("/shifts/series/new", data=base).status_code == 302
    with app.app_context():
        series = db.session.scalar(sa.select(Series))
        assert (series.capacity_min, series.capacity_max) == (3, 6)
        series_id = series.id
    r = client.post(f"/shifts/series/{series_id}", data={**base, "start_time": "17:00", "preview": "1"})
    html = r.get_data(as_text=True)
    assert "Fri 11 Dec, 17:00–20:00" in html and "Coming shifts move to these dates when you save." in html
    with app.app_context():
        assert db.session.get(Series, series_id).start_time == dt.time(16)
