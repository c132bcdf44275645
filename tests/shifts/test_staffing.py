"""The coordinators' people on shifts: assign, remove, attendance; then the assign, fill,
coverage and attendance pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from logistics.clock import frozen, localize, to_local, utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.shifts import queries as queries_
from logistics.shifts import rules, signups
from logistics.shifts.models import CoverRequest, EventKind, Shift, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h
from tests.shifts.helpers import actions, events, local_input


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


@pytest.mark.parametrize("kind,capacity_min,needed", [("street_outreach", 1, 2), ("street_outreach", 3, 3),
                                                       ("packing", 1, 1)])
def test_needed_is_the_same_in_python_and_sql(session, kind, capacity_min, needed):
    """Street outreach needs a buddy: the fill list (SQL) and the badges (Python) agree."""
    shift = h.shift(h.activity(kind), capacity=(capacity_min, 5))
    assert shift.needed == needed
    assert session.scalar(sa.select(Shift.needed).where(Shift.id == shift.id)) == needed


# --- pages ----------------------------------------------------------------------------------------

def test_assign_over_capacity_needs_the_tick(app, client, login, setup):
    with app.app_context():
        full = h.shift(capacity=(1, 1))
        a, b = factories.user(), factories.user(full_name="Bo Extra")
        signups.sign_up(db.session, full, a, by=a)
        ids = full.id, b.id
        db.session.commit()
    login("coordinator")
    r = client.post(f"/shifts/{ids[0]}/assign", data={"user_id": ids[1]})
    assert r.status_code == 422 and "Over capacity" in r.get_data(as_text=True)
    r = client.post(f"/shifts/{ids[0]}/assign", data={"user_id": ids[1], "over_capacity": "y"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Shift, ids[0]).confirmed_count == 2


def test_fill_view_applies_the_buddy_rule(app, client, login):
    with app.app_context():
        outreach = h.activity("street_outreach", name="Street outreach", capacity=(1, 4))
        lone = h.shift(outreach, in_days=2, capacity=(1, 4), note="lone")
        v = factories.user()
        signups.sign_up(db.session, lone, v, by=v)
        staffed = h.shift(h.activity("packing", name="Packing"), in_days=2, capacity=(1, 3))
        w = factories.user()
        signups.sign_up(db.session, staffed, w, by=w)
        h.shift(h.activity("office", name="Office day"), in_days=20)  # beyond 14 days
        db.session.commit()
    login("coordinator")
    text = client.get("/shifts/staffing").get_data(as_text=True)
    assert "Street outreach" in text and "needs a buddy" in text
    assert "Packing" not in text.split("Cancellation requests")[0]
    assert "Office day" not in text


def test_coverage_board_and_cover_request(app, client, login):
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 2))
        v = factories.user()
        start = localize(dt.datetime.combine(to_local(utcnow()).date() + dt.timedelta(days=1), dt.time(8)))
        covered = h.shift(hotline, start=start, hours=4)
        signups.sign_up(db.session, covered, v, by=v)
        db.session.commit()
        board = queries_.coverage(db.session)
        assert board.needed_7 in (7 * 24, 7 * 24 - 1, 7 * 24 + 1) and board.covered_7 == 4
        hotline_id = hotline.id
    login("coordinator")
    text = client.get("/shifts/coverage").get_data(as_text=True)
    assert "4 / " in text and "Request cover" in text and "Create shift" in text
    gap_start = start + dt.timedelta(hours=4)
    r = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": gap_start.isoformat(),
                                                      "ends_at": (gap_start + dt.timedelta(hours=4)).isoformat()})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CoverRequest.id))) == 1
    r = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": "x", "ends_at": "y"})
    assert r.status_code == 400
    r = client.get("/shifts/new", query_string={"activity": hotline_id, "starts_at": gap_start.isoformat(),
                                                "ends_at": (gap_start + dt.timedelta(hours=4)).isoformat()})
    assert local_input(gap_start) in r.get_data(as_text=True)


def test_attendance_page(app, client, login):
    with app.app_context():
        shift = h.shift(in_days=-1, hours=3)
        v = factories.user(full_name="Hilde Hours")
        db.session.add(Signup(shift=shift, user_id=v.id, status=SignupStatus.CONFIRMED))
        shift.confirmed_count = 1
        db.session.flush()
        signup_id = db.session.scalar(sa.select(Signup.id))
        ids = shift.id, signup_id
        db.session.commit()
    login("coordinator")
    assert "Hilde Hours" in client.get(f"/shifts/{ids[0]}/attendance").get_data(as_text=True)
    def row(hours):
        return {"rows-0-signup_id": ids[1], "rows-0-attended": "y", "rows-0-hours": hours}

    r = client.post(f"/shifts/{ids[0]}/attendance", data=row("abc"))
    assert r.status_code == 422
    for bad, message in [("abc", "Enter hours as a number"), ("NaN", "Enter hours as a number"),
                         ("25", "Hours must be between 0 and 24."), ("-1", "Hours must be between 0 and 24.")]:
        r = client.post(f"/shifts/{ids[0]}/attendance", data=row(bad))
        text = r.get_data(as_text=True)
        assert r.status_code == 422 and message in text and "Please correct the marked fields." in text, bad
    with app.app_context():
        assert db.session.get(Signup, ids[1]).attended is None  # nothing saved
    r = client.post(f"/shifts/{ids[0]}/attendance", data=row("2,5"))
    assert r.status_code == 302
    with app.app_context():
        row = db.session.get(Signup, ids[1])
        assert row.attended is True and str(row.hours) == "2.50"


@pytest.mark.parametrize("lengths", [
    pytest.param([23, 24], marks=pytest.mark.at("2027-03-20T09:30"), id="spring"),
    pytest.param([24, 25], marks=pytest.mark.at("2026-10-19T23:10"), id="autumn")])
def test_coverage_hours_are_the_clock_s_across_a_clock_change(app_ctx, lengths):
    """The board's 28 days include a clock change: each cell's hour and day are what the
    clock shows at that instant (23 or 25 hours that day), and the past hours are greyed."""
    hotline = h.activity("hotline", capacity=(1, 2))
    h.shift(hotline, start=utcnow() + dt.timedelta(days=9), hours=6)
    db.session.commit()
    board = queries_.coverage(db.session)
    assert sorted({len(cells) for _day, cells in board.days}) == lengths
    for day, cells in board.days:
        for cell in cells:
            local = to_local(cell.start)
            assert (local.date(), local.hour) == (day, cell.hour)
            assert cell.past is (cell.start + dt.timedelta(hours=1) <= utcnow())
    assert [c.start for c in board.cells] == [board.start + dt.timedelta(hours=i) for i in range(len(board.cells))]
    assert sum(c.confirmed for c in board.cells) == 0 and board.covered_28 == 0
