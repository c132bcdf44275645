"""Races with real threads, each with its own session, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import User
from logistics.shifts import signups
from logistics.shifts.models import Shift, Signup, SignupStatus
from tests import factories
from tests.shifts import helpers as h

pytestmark = pytest.mark.concurrency


def _race(app, jobs):
    """Run each job (a function of the session) in its own thread at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = job(db.session)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                results[i] = exc
            except Exception as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[i] = ("error", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_thirty_volunteers_at_once_for_five_places(app):
    with app.app_context():
        shift_id = h.shift(capacity=(5, 5)).id
        user_ids = [factories.user().id for _ in range(30)]
        db.session.commit()

    def job(uid):
        def sign(session):
            user = session.get(User, uid)
            return signups.sign_up(session, session.get(Shift, shift_id), user, by=user).status
        return sign

    results = _race(app, [job(uid) for uid in user_ids])
    assert not [r for r in results if not isinstance(r, SignupStatus)], results
    with app.app_context():
        rows = db.session.scalars(sa.select(Signup).where(Signup.shift_id == shift_id)).all()
        confirmed = [r for r in rows if r.status == SignupStatus.CONFIRMED]
        waiting = sorted((r for r in rows if r.status == SignupStatus.WAITLISTED), key=lambda r: r.position)
        assert len(confirmed) == 5 and len(waiting) == 25
        assert [r.position for r in waiting] == list(range(1, 26))  # no gaps, no duplicates
        assert [r.id for r in waiting] == sorted(r.id for r in waiting)  # in the order they got in
        shift = db.session.get(Shift, shift_id)
        assert (shift.confirmed_count, shift.waitlist_count) == (5, 25)


def test_swap_racing_a_cancellation_leaves_one_consistent_state(app):
    outcomes = set()
    for _round in range(6):
        with app.app_context():
            shift = h.shift(capacity=(1, 1))
            a, b, w = factories.user(), factories.user(), factories.user()
            offered = signups.sign_up(db.session, shift, a, by=a)
            signups.offer_swap(db.session, offered, by=a)
            signups.sign_up(db.session, shift, w, by=w)  # waiting: a cancellation promotes w
            ids = dict(shift=shift.id, a=a.id, b=b.id, w=w.id, offered=offered.id)
            db.session.commit()

        def take(session, ids=ids):
            user = session.get(User, ids["b"])
            return signups.take_swap(session, session.get(Signup, ids["offered"]), user, by=user).status

        def cancel(session, ids=ids):
            user = session.get(User, ids["a"])
            signups.cancel(session, session.get(Signup, ids["offered"]), by=user)
            return "cancelled"

        results = _race(app, [take, cancel])
        assert not [r for r in results if isinstance(r, tuple)], results
        assert sum(isinstance(r, DomainError) for r in results) == 1, results
        with app.app_context():
            rows = {r.user_id: r for r in db.session.scalars(sa.select(Signup).where(Signup.shift_id == ids["shift"]))}
            shift = db.session.get(Shift, ids["shift"])
            confirmed = [uid for uid, r in rows.items() if r.status == SignupStatus.CONFIRMED]
            waiting = [r for r in rows.values() if r.status == SignupStatus.WAITLISTED]
            assert rows[ids["a"]].status == SignupStatus.CANCELLED
            assert len(confirmed) == 1 == shift.confirmed_count
            assert (shift.waitlist_count == len(waiting)
                    and [r.position for r in waiting] == list(range(1, len(waiting) + 1)))
            outcomes.add("swap" if confirmed == [ids["b"]] else "promotion")
            assert confirmed[0] in (ids["b"], ids["w"])
    assert outcomes  # each round ended in exactly one of the two states
