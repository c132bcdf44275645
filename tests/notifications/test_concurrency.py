"""Races with real threads: sweeps running at once make each row once, and jobs racing for
one row send it once."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from logistics.extensions import db
from logistics.notifications import collect, send
from logistics.notifications.models import Notification, Status
from logistics.shifts import signups
from tests import factories
from tests.conftest import local_instant
from tests.shifts import helpers as h

pytestmark = pytest.mark.concurrency
THREADS = 4


def _race(app, work):
    barrier = threading.Barrier(THREADS)
    errors, results = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(work())
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_sweeps_at_once_make_each_reminder_once(app):
    from logistics import clock

    start = local_instant("2026-12-05T18:00")
    with app.app_context():
        for i in range(30):
            v = factories.user(email=f"race{i}@example.org")
            signups.sign_up(db.session, h.shift(start=start), v, by=v)
        db.session.commit()
    clock.freeze(local_instant("2026-12-04T18:00"))
    _race(app, lambda: collect.sweep(db.session))
    with app.app_context():
        keys = list(db.session.scalars(sa.select(Notification.key)))
        assert len(keys) == len(set(keys)) == 60  # 30 confirmations and 30 reminders


def test_jobs_racing_for_one_row_send_it_once(app, mailbox):
    with app.app_context():
        v = factories.user(email="once@example.org")
        signups.sign_up(db.session, h.shift(), v, by=v)
        db.session.commit()
        collect.sweep(db.session)
        db.session.commit()
        row_id = db.session.scalar(sa.select(Notification.id))
    results = _race(app, lambda: send.deliver(db.session, row_id))
    assert sorted(r is None for r in results) == [False, True, True, True]
    assert len(mailbox.to("once@example.org")) == 1
    with app.app_context():
        assert db.session.get(Notification, row_id).status == Status.SENT
