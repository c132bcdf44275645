"""Periodic sweeps: one job per slot, whoever schedules it and however often."""
import datetime as dt

from logistics import clock, queue, sweeps
from logistics.jobs import use_app


def _jobs(app):
    q = queue.get_queue(app=app)
    return sorted(q.job_ids), sorted(q.scheduled_job_registry.get_job_ids())


def test_schedule_twice_queues_each_sweep_once(app_ctx):
    sweeps.schedule(app_ctx)
    sweeps.schedule(app_ctx)  # a second worker starting at the same moment
    queued, _scheduled = _jobs(app_ctx)
    names = [s.name for s in sweeps.registered()]
    assert "shifts.extend_series" in names
    assert len(queued) == len(names) and len(set(queued)) == len(queued)
    assert all(j.startswith("sweep-") for j in queued)


def test_a_run_schedules_the_next_slot_once(app_ctx, run_jobs):
    use_app(app_ctx)
    sweeps.every(dt.timedelta(hours=1), "test.noop", "logistics.sweeps.registered")
    try:
        with clock.frozen(dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.UTC)):
            sweeps.run_and_reschedule("test.noop")
            sweeps.run_and_reschedule("test.noop")  # the same slot run twice (two workers)
        _queued, scheduled = _jobs(app_ctx)
        assert len([j for j in scheduled if j.startswith("sweep-test_noop-")]) == 1
    finally:
        sweeps._SWEEPS.pop("test.noop", None)
        use_app(None)
