"""Periodic sweeps: one job per slot, whoever schedules it and however often."""
import datetime as dt

import pytest
from rq.job import JobStatus

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


def _noop_sweep(monkeypatch, body=lambda: None):
    sweep = areas.Sweep("test.noop", body, dt.timedelta(hours=1))
    monkeypatch.setattr(sweeps, "registered", lambda: [sweep])
    return sweep


AT = dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.UTC)  # slot 10:00-11:00


def test_the_next_slot_is_scheduled_before_the_work_runs(app_ctx, monkeypatch):
    """A worker killed in the middle of a sweep has already queued the next run."""
    seen = []

    def body():
        _queued, scheduled = _jobs(app_ctx)
        seen.append(scheduled)
        raise SystemExit("the worker is killed here")

    _noop_sweep(monkeypatch, body)
    with clock.frozen(AT), pytest.raises(SystemExit):
        sweeps.run_and_reschedule("test.noop")
    assert seen and any(j.startswith("sweep-test_noop-") for j in seen[0])


def test_a_worker_restart_requeues_a_slot_whose_job_failed(app_ctx, monkeypatch):
    _noop_sweep(monkeypatch)
    q = queue.get_queue(app=app_ctx)
    with clock.frozen(AT):
        sweeps.schedule(app_ctx)
        current = next(j for j in q.job_ids if j.startswith("sweep-test_noop-"))
        job = q.fetch_job(current)
        job.set_status(JobStatus.FAILED)  # killed mid-run, then marked failed by RQ
        q.remove(job)
        sweeps.schedule(app_ctx)  # the worker starts again in the same slot
        assert q.fetch_job(current).get_status() == JobStatus.QUEUED
        _queued, scheduled = _jobs(app_ctx)
        assert len([j for j in scheduled if j.startswith("sweep-test_noop-")]) == 1


def test_a_slot_with_a_lost_next_job_heals_on_the_next_run(app_ctx, monkeypatch):
    _noop_sweep(monkeypatch)
    q = queue.get_queue(app=app_ctx)
    with clock.frozen(AT):
        sweeps.schedule(app_ctx)
        _queued, scheduled = _jobs(app_ctx)
        for job_id in scheduled:  # Redis lost the scheduled next run
            q.scheduled_job_registry.remove(job_id, delete_job=True)
        assert sweeps.ensure_scheduled(app_ctx) == 1
        assert sweeps.ensure_scheduled(app_ctx) == 0  # whole again: nothing more to queue


def test_sweep_jobs_carry_a_retry(app_ctx, monkeypatch):
    _noop_sweep(monkeypatch)
    with clock.frozen(AT):
        sweeps.schedule(app_ctx)
    q = queue.get_queue(app=app_ctx)
    job = q.fetch_job(q.job_ids[0])
    assert job.retries_left == sweeps.RETRY.max
