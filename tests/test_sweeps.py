"""Periodic sweeps: one job per slot, whoever schedules it and however often."""
import datetime as dt

from logistics import areas, clock, queue, sweeps


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


def test_every_sweep_is_declared_in_the_areas_list():
    assert sweeps.registered() == [s for area in areas.AREAS for s in area.sweeps]
    assert all(callable(s.job) and s.every > dt.timedelta(0) for s in sweeps.registered())


def test_a_run_schedules_the_next_slot_once(app_ctx, run_jobs, monkeypatch):
    noop = areas.Sweep("test.noop", lambda: None, dt.timedelta(hours=1))
    monkeypatch.setattr(sweeps, "registered", lambda: [noop])
    with clock.frozen(dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.UTC)):
        sweeps.run_and_reschedule("test.noop")
        sweeps.run_and_reschedule("test.noop")  # the same slot run twice (two workers)
    _queued, scheduled = _jobs(app_ctx)
    assert len([j for j in scheduled if j.startswith("sweep-test_noop-")]) == 1
