"""Reminders: computed from the shift each sweep, sent once, per-person offsets, quiet
hours, a shift that moves, and the daylight-saving changes, by moving the clock."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from logistics import clock
from logistics.extensions import db
from logistics.notifications import timing
from logistics.notifications.models import Kind, Notification, Preference, Status
from logistics.shifts import planning, signups
from logistics.shifts.models import Shift
from tests import factories
from tests.conftest import local_instant
from tests.shifts import helpers as h


def _setup(app, start_local: str, *, offsets=None, quiet=("22:00", "08:00"), email="rem@example.org",
           hours: float = 3):
    """A volunteer signed up (a week before) for a shift at ``start_local``; return ids."""
    start = local_instant(start_local)
    clock.freeze(start - dt.timedelta(days=8))
    with app.app_context():
        v = factories.user(email=email)
        if offsets is not None or quiet != ("22:00", "08:00"):
            db.session.add(Preference(
                user_id=v.id, offsets=list(offsets if offsets is not None else [1440]),
                quiet_start=dt.time.fromisoformat(quiet[0]) if quiet else None,
                quiet_end=dt.time.fromisoformat(quiet[1]) if quiet else None, muted=[]))
        shift = h.shift(h.activity(name="Packing food packs"), start=start, hours=hours)
        signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
        return shift.id


def _at(local_text: str):
    clock.freeze(local_instant(local_text))


def _reminders(mailbox, email="rem@example.org"):
    return [m for m in mailbox.to(email) if str(m["Subject"]).startswith("Reminder")]


def test_default_reminder_24_hours_before_once(app, sweep, mailbox):
    _setup(app, "2026-12-05T18:00")
    _at("2026-12-04T17:59")
    sweep()
    assert _reminders(mailbox) == []
    _at("2026-12-04T18:00")
    sweep()
    sweep()
    _at("2026-12-04T18:30")
    sweep()
    assert len(_reminders(mailbox)) == 1
    body = mailbox.body(_reminders(mailbox)[0])
    assert "/reply/coming/" in body and "/reply/cannot/" in body  # the last reminder carries replies
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Notification).where(Notification.kind == Kind.REMINDER)))
        assert len(rows) == 1 and rows[0].status == Status.SENT and rows[0].offset_minutes == 1440


def test_quiet_hours_move_a_reminder_to_their_end(app, sweep, mailbox):
    # 24 h before a 07:00 shift is 07:00, inside 22:00–08:00: it goes at 08:00 the day before.
    _setup(app, "2026-12-05T07:00")
    _at("2026-12-04T07:30")
    sweep()
    assert _reminders(mailbox) == []
    _at("2026-12-04T08:00")
    sweep()
    assert len(_reminders(mailbox)) == 1


def test_quiet_hours_ending_after_the_shift_send_before_they_begin(app, sweep, mailbox):
    # 3 h before a 07:00 shift is 04:00; the quiet hours end at 08:00, after the start:
    # the reminder goes when they begin, 22:00 the evening before.
    _setup(app, "2026-12-05T07:00", offsets=[180])
    _at("2026-12-04T21:59")
    sweep()
    assert _reminders(mailbox) == []
    _at("2026-12-04T22:00")
    sweep()
    assert len(_reminders(mailbox)) == 1


def test_per_person_offsets_only_the_last_has_replies(app, sweep, mailbox):
    _setup(app, "2026-12-05T18:00", offsets=[2880, 60], quiet=None)
    _at("2026-12-03T18:00")
    sweep()
    _at("2026-12-05T16:59")
    sweep()
    first = _reminders(mailbox)
    assert len(first) == 1 and "/reply/" not in mailbox.body(first[0])
    _at("2026-12-05T17:00")
    sweep()
    both = _reminders(mailbox)
    assert len(both) == 2 and "/reply/coming/" in mailbox.body(both[-1])


def test_no_offsets_no_reminders(app, sweep, mailbox):
    _setup(app, "2026-12-05T18:00", offsets=[])
    _at("2026-12-05T17:30")
    sweep()
    assert _reminders(mailbox) == []


def test_a_moved_shift_gets_its_reminder_at_the_new_time(app, sweep, mailbox):
    shift_id = _setup(app, "2026-12-05T18:00")
    _at("2026-12-04T18:00")
    sweep()
    assert len(_reminders(mailbox)) == 1
    # Moved two days later after its reminder went out.
    with app.app_context():
        coordinator = factories.user("coordinator")
        shift = db.session.get(Shift, shift_id)
        new_start = local_instant("2026-12-07T18:00")
        planning.update_shift(db.session, shift, place=None, starts_at=new_start,
                              ends_at=new_start + dt.timedelta(hours=3), capacity_min=1, capacity_max=5,
                              by=coordinator)
        db.session.commit()
    sweep()
    assert any(str(m["Subject"]).startswith("Changed") for m in mailbox.to("rem@example.org"))
    _at("2026-12-06T17:59")
    sweep()
    assert len(_reminders(mailbox)) == 1
    _at("2026-12-06T18:00")
    sweep()
    assert len(_reminders(mailbox)) == 2


def test_a_reminder_waiting_when_the_shift_moves_is_skipped_and_remade(app, sweep, mailbox, run_jobs):
    from logistics.notifications import collect

    shift_id = _setup(app, "2026-12-05T18:00")
    _at("2026-12-04T18:00")
    with app.app_context():
        collect.sweep(db.session)  # the row and its job exist; the job has not run
        db.session.commit()
        coordinator = factories.user("coordinator")
        shift = db.session.get(Shift, shift_id)
        new_start = local_instant("2026-12-05T20:00")
        planning.update_shift(db.session, shift, place=None, starts_at=new_start,
                              ends_at=new_start + dt.timedelta(hours=3), capacity_min=1, capacity_max=5,
                              by=coordinator)
        db.session.commit()
    run_jobs()
    assert _reminders(mailbox) == []
    with app.app_context():
        row = db.session.scalar(sa.select(Notification).where(Notification.kind == Kind.REMINDER))
        assert row.status == Status.SKIPPED and "moved" in row.last_error
    _at("2026-12-04T20:00")
    sweep()
    assert len(_reminders(mailbox)) == 1


def test_signing_up_after_the_reminder_time_sends_no_reminder(app, sweep, mailbox):
    start = local_instant("2026-12-05T18:00")
    _at("2026-12-05T10:00")
    with app.app_context():
        v = factories.user(email="late@example.org")
        shift = h.shift(start=start)
        signups.sign_up(db.session, shift, v, by=v)
        db.session.commit()
    sweep()
    assert [str(m["Subject"]) for m in mailbox.to("late@example.org")][0].startswith("You are signed up")
    assert _reminders(mailbox, "late@example.org") == []


@pytest.mark.parametrize(("start", "due"), [
    # Spring forward (28 March 2027, 02:00 → 03:00): 24 hours before 09:00 CEST is 08:00 CET.
    ("2027-03-28T09:00", "2027-03-27T08:00"),
    # Fall back (31 October 2027, 03:00 → 02:00): 24 hours before 18:00 CET is 19:00 CEST.
    ("2027-10-31T18:00", "2027-10-30T19:00"),
    # Quiet hours across the change: 1 h before 07:30 CEST is quiet until 08:00, after the
    # start, so it goes when they begin: 22:00 CET the evening before.
    ("2027-03-28T07:30", "2027-03-27T22:00"),
])
def test_daylight_saving_days(app, sweep, mailbox, start, due):
    offsets = [60] if start.endswith("07:30") else [1440]
    _setup(app, start, offsets=offsets)
    due_at = local_instant(due)
    clock.freeze(due_at - dt.timedelta(minutes=1))
    sweep()
    assert _reminders(mailbox) == []
    clock.freeze(due_at)
    sweep()
    assert len(_reminders(mailbox)) == 1


def test_due_at_is_pure_and_follows_the_rules():
    start = local_instant("2026-12-05T07:00")
    q = (dt.time(22), dt.time(8))
    assert timing.due_at(start, 1440, *q) == local_instant("2026-12-04T08:00")
    assert timing.due_at(start, 180, *q) == local_instant("2026-12-04T22:00")
    assert timing.due_at(start, 180, None, None) == local_instant("2026-12-05T04:00")
    day = local_instant("2026-12-05T15:00")
    assert timing.due_at(day, 60, *q) == local_instant("2026-12-05T14:00")
    # A daytime quiet window (not across midnight).
    assert timing.due_at(day, 60, dt.time(13), dt.time(14, 30)) == local_instant("2026-12-05T14:30")
