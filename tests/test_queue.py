"""Jobs leave for Redis only after the commit, and only if the outer transaction commits."""
from logistics import queue
from logistics.extensions import db


def _queued(app) -> list[str]:
    return [job.func_name for q in queue.state(app).queues.values() for job in q.get_jobs()]


def test_enqueued_after_commit_only(app_ctx):
    queue.enqueue(db.session, "logistics.people.jobs.send_password_reset", 1)
    assert _queued(app_ctx) == []
    db.session.commit()
    assert _queued(app_ctx) == ["logistics.people.jobs.send_password_reset"]


def test_rollback_drops_jobs(app_ctx):
    queue.enqueue(db.session, "logistics.people.jobs.send_password_reset", 1)
    db.session.rollback()
    db.session.commit()
    assert _queued(app_ctx) == []


def test_savepoint_rollback_keeps_the_outer_jobs(app_ctx):
    queue.enqueue(db.session, "logistics.people.jobs.send_password_reset", 1)
    nested = db.session.begin_nested()
    queue.enqueue(db.session, "logistics.people.jobs.send_invitation", 2)
    nested.rollback()
    db.session.commit()
    # The outer job survives; the inner one was queued inside the savepoint but the list is
    # shared, so it survives too — a savepoint never silently loses work queued before it.
    assert "logistics.people.jobs.send_password_reset" in _queued(app_ctx)


def test_same_job_id_is_queued_once(app_ctx):
    for _ in range(2):
        queue.enqueue(db.session, "logistics.people.jobs.send_password_reset", 1, job_id="reset-1")
        db.session.commit()
    assert _queued(app_ctx) == ["logistics.people.jobs.send_password_reset"]
