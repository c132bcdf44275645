"""A cover request for a gap no shift covers: the request adds the missing shift(s) for the
uncovered hours (with the activity's defaults, audited), eligible free volunteers are asked by
email (real SMTP), "I'll take it" signs up into that shift once and a late taker gets the
kind page; a double submit makes one shift."""
from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
import sqlalchemy as sa

from logistics.clock import localize, to_local, utcnow
from logistics.extensions import db
from logistics.shifts import planning, signups
from logistics.shifts.models import CoverRequest, Shift, ShiftStatus
from tests import factories
from tests.shifts import helpers as h


def _gap():
    """02:00-06:00 local, two days from now (at any TEST_NOW)."""
    start = localize(dt.datetime.combine(to_local(utcnow()).date() + dt.timedelta(days=2), dt.time(2)))
    return start, start + dt.timedelta(hours=4)


def _hotline_shifts(app, activity_id):
    with app.app_context():
        return [(s.starts_at, s.ends_at, s.capacity_min, s.capacity_max) for s in db.session.scalars(
            sa.select(Shift).where(Shift.activity_id == activity_id, Shift.status == ShiftStatus.SCHEDULED)
            .order_by(Shift.starts_at))]


def _cover_links(mailbox, who):
    return [re.search(r"http://localhost(/cover/\S+)", mailbox.body(m)).group(1)
            for m in mailbox.to(who) if str(m["Subject"]).startswith("Can you cover")]


def test_a_shiftless_gap_gets_a_shift_and_eligible_free_volunteers_are_asked(app, client, login, sweep, mailbox):
    start, end = _gap()
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 1), cutoff=12)
        anna = factories.user(email="anna@example.org")
        bo = factories.user(email="bo@example.org")
        busy = factories.user(email="busy@example.org")
        factories.user(email="waiting@example.org", approved=False)
        factories.user(email="gone@example.org", active=False)
        other = h.shift(h.activity(name="Night packing"), start=start - dt.timedelta(hours=1), hours=3)
        signups.sign_up(db.session, other, busy, by=busy)
        db.session.commit()
        hotline_id = hotline.id
        assert anna and bo
    login("coordinator", email="coord@example.org")
    r = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": start.isoformat(),
                                                      "ends_at": end.isoformat(),
                                                      "once": secrets.token_urlsafe(24)},
                    follow_redirects=True)
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "A shift 02:00–06:00 was added for the gap;" in text
    with app.app_context():
        asked = int(re.search(r"(\d+) volunteers? (?:was|were) asked", text).group(1))
        actions = h.actions(db.session)
        assert "shift.created" in actions and "cover.requested" in actions
        assert db.session.scalar(sa.select(sa.func.count(CoverRequest.id))) == 1
    assert _hotline_shifts(app, hotline_id) == [(start, end, 1, 1)]

    sweep()
    # anna, bo and the coordinator (an approved, active person) are asked; busy, waiting, gone not
    assert len(_cover_links(mailbox, "anna@example.org")) == 1 and len(_cover_links(mailbox, "bo@example.org")) == 1
    for nobody in ("busy@example.org", "waiting@example.org", "gone@example.org"):
        assert not _cover_links(mailbox, nobody), nobody
    asked_by_mail = sum(1 for m in mailbox.messages if str(m["Subject"]).startswith("Can you cover"))
    assert asked == asked_by_mail

    [anna_link] = _cover_links(mailbox, "anna@example.org")
    [bo_link] = _cover_links(mailbox, "bo@example.org")
    client.post("/logout")
    assert client.post(anna_link).status_code == 200
    again = client.post(anna_link)
    assert again.status_code == 200 and b"You are signed up" not in again.data
    late = client.post(bo_link)
    assert late.status_code == 200 and b"already taken" in late.data
    with app.app_context():
        [shift] = db.session.scalars(sa.select(Shift).where(Shift.activity_id == hotline_id)).all()
        assert shift.confirmed_count == 1
        assert len(h.events(db.session)) >= 1


def test_a_gap_partly_covered_by_a_shift_gets_shifts_for_the_uncovered_hours_only(app):
    start, end = _gap()
    with app.app_context():
        coordinator = factories.user("coordinator")
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 3))
        h.shift(hotline, start=start + dt.timedelta(hours=1), hours=1, capacity=(1, 1))
        cancelled = h.shift(hotline, start=start + dt.timedelta(hours=3), hours=1, status=ShiftStatus.CANCELLED)
        request = planning.request_cover(db.session, activity=hotline, starts_at=start, ends_at=end, by=coordinator)
        added = [(s.starts_at, s.ends_at, s.capacity_max) for s in request.added_shifts]
        assert added == [(start, start + dt.timedelta(hours=1), 3), (start + dt.timedelta(hours=2), end, 3)]
        assert cancelled.status == ShiftStatus.CANCELLED
        # a gap the shifts cover entirely adds nothing
        again = planning.request_cover(db.session, activity=hotline, starts_at=start, ends_at=end, by=coordinator)
        assert again.added_shifts == []
        db.session.commit()


def test_a_double_submit_makes_one_shift(app, client, login):
    start, end = _gap()
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 2))
        db.session.commit()
        hotline_id = hotline.id
    login("coordinator")
    form = {"activity_id": hotline_id, "starts_at": start.isoformat(), "ends_at": end.isoformat(),
            "once": secrets.token_urlsafe(24)}
    first = client.post("/shifts/coverage/request", data=form)
    second = client.post("/shifts/coverage/request", data=form)
    assert first.status_code == 302 and second.status_code in (302, 409)
    assert len(_hotline_shifts(app, hotline_id)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CoverRequest.id))) == 1


def test_the_count_of_people_asked_leaves_out_those_who_switched_cover_requests_off(app, client, login, sweep,
                                                                                    mailbox):
    from logistics.notifications import preferences

    start, end = _gap()
    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 1), cutoff=12)
        factories.user(email="anna@example.org")
        quiet = factories.user(email="quiet@example.org")
        preferences.save(db.session, quiet, offsets=[24 * 60], quiet_start=None, quiet_end=None,
                         wanted=["confirmations", "changes", "digests"], by=quiet)
        db.session.commit()
        hotline_id = hotline.id
    login("coordinator", email="coord@example.org")
    text = client.post("/shifts/coverage/request", data={"activity_id": hotline_id, "starts_at": start.isoformat(),
                                                         "ends_at": end.isoformat(),
                                                         "once": secrets.token_urlsafe(24)},
                       follow_redirects=True).get_data(as_text=True)
    asked = int(re.search(r"(\d+) volunteers? (?:was|were) asked", text).group(1))
    sweep()
    assert not _cover_links(mailbox, "quiet@example.org")
    assert len(_cover_links(mailbox, "anna@example.org")) == 1
    # anna and the coordinator: the person who switched cover requests off is not counted.
    assert asked == sum(1 for m in mailbox.messages if str(m["Subject"]).startswith("Can you cover")) == 2


@pytest.mark.at("2026-11-25T10:30")
def test_the_hour_under_way_is_no_gap_to_fill_and_a_begun_gap_is_asked_from_the_next_hour(app, client, login,
                                                                                            sweep, mailbox):
    """At 10:30 nobody can sign up for 10:00-11:00 any more: the board's first gap is 11:00,
    and a request for 10:00-14:00 (a page left open) asks for 11:00-14:00; one for
    10:00-11:00 is refused with words."""
    from logistics.shifts import queries

    with app.app_context():
        hotline = h.activity("hotline", name="Hotline", capacity=(1, 1), cutoff=12)
        factories.user(email="anna@example.org")
        db.session.commit()
        hotline_id = hotline.id
        board = queries.coverage(db.session)
        assert to_local(board.gaps[0].start).strftime("%H:%M") == "11:00"
        assert not [c for c in board.cells if to_local(c.start).strftime("%d %H") == "25 10"][0].past
    ten = localize(dt.datetime(2026, 11, 25, 10))
    login("coordinator", email="coord@example.org")

    def ask(hours):
        return client.post("/shifts/coverage/request", data={
            "activity_id": hotline_id, "starts_at": ten.isoformat(),
            "ends_at": (ten + dt.timedelta(hours=hours)).isoformat(), "once": secrets.token_urlsafe(24)},
            follow_redirects=True).get_data(as_text=True)

    text = ask(1)
    assert "This gap ends within the hour: phone someone instead." in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CoverRequest.id))) == 0
    text = ask(4)
    assert "A shift 11:00–14:00 was added for the gap;" in text
    assert int(re.search(r"(\d+) volunteers? (?:was|were) asked", text).group(1)) == 2  # anna and the coordinator
    assert _hotline_shifts(app, hotline_id) == [(ten + dt.timedelta(hours=1), ten + dt.timedelta(hours=4), 1, 1)]
    sweep()
    assert len(_cover_links(mailbox, "anna@example.org")) == 1
