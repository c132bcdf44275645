"""Periodic sweeps: work that is due is found in the database and enqueued with a
deterministic job id, so two workers (or two sweeps) never queue the same work twice.

Areas list their sweeps in :mod:`logistics.areas`; RQ's scheduler runs them. The chain heals
itself: a run schedules the next slot *before* it does its work (a worker killed mid-sweep
has already queued the next one), a run that raises is retried, and every run and every
worker start checks that each sweep has its current and next slot queued, re-queueing a
slot whose job failed or vanished.
"""
from __future__ import annotations

import datetime as dt
import logging
import re

from flask import Flask, current_app
from rq import Retry
from rq.job import JobStatus

from logistics import queue
from logistics.areas import Sweep
from logistics.clock import utcnow
from logistics.jobs import app_context

log = logging.getLogger(__name__)

#: A sweep that raised runs again after 30 s, 2 min and 10 min (the next slot comes anyway).
RETRY = Retry(max=3, interval=[30, 120, 600])
#: A slot whose job is in one of these states has been dealt with or will be.
ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.FINISHED}


def registered() -> list[Sweep]:
    from logistics.areas import sweeps

    return sweeps()


def _find(name: str) -> Sweep | None:
    return next((s for s in registered() if s.name == name), None)


def _slot(sweep: Sweep, at) -> int:
    return int(at.timestamp() // sweep.every.total_seconds())


def _job_id(sweep: Sweep, slot: int) -> str:
    # Every worker computes the same id for the same slot, so a slot runs once.
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"sweep-{sweep.name}-{slot}")


def _alive(q, job_id: str) -> bool:
    job = q.fetch_job(job_id)
    if job is None:
        return False
    if job.get_status(refresh=True) in ALIVE:
        return True
    job.delete()  # failed, stopped or cancelled: make room for a fresh job with the same id
    return False


def ensure_scheduled(app: Flask) -> int:
    """Make sure every sweep's current slot ran or is queued and its next slot is scheduled;
    return how many jobs this queued (0 when the chain is whole)."""
    q = queue.get_queue(app=app)
    made = 0
    now = utcnow()
    for sweep in registered():
        slot = _slot(sweep, now)
        current, following = _job_id(sweep, slot), _job_id(sweep, slot + 1)
        if not _alive(q, current):
            q.enqueue(run_and_reschedule, sweep.name, job_id=current, retry=RETRY)
            made += 1
        if not _alive(q, following):
            wait = (slot + 1) * sweep.every.total_seconds() - now.timestamp()
            q.enqueue_in(dt.timedelta(seconds=max(wait, 1)), run_and_reschedule, sweep.name, job_id=following,
                         retry=RETRY)
            made += 1
    return made


def schedule(app: Flask) -> None:
    """At worker start: queue every sweep's current slot (unless it ran) and its next one."""
    made = ensure_scheduled(app)
    if made:
        log.info("sweeps: queued %d slot(s)", made)


@app_context
def run_and_reschedule(name: str) -> None:
    """Check the chain (the next slot first), then run one sweep."""
    sweep = _find(name)
    if sweep is None:
        return
    app = current_app._get_current_object()
    ensure_scheduled(app)
    sweep.job()
    # For the admins' start page: when a sweep last finished, and which.
    queue.state(app).connection.set(LAST_SWEEP_KEY, f"{utcnow().isoformat()} {name}")


#: Redis key holding "<ISO instant> <sweep name>" of the last sweep that finished.
LAST_SWEEP_KEY = "hopenow:sweeps:last"


def last_run(app: Flask | None = None) -> tuple[dt.datetime, str] | None:
    """When the last sweep finished and its name (None when none has, or Redis is down)."""
    try:
        raw = queue.state(app).connection.get(LAST_SWEEP_KEY)
    except Exception:  # noqa: BLE001 - a status line, not a failure
        return None
    if not raw:
        return None
    at, _, name = (raw.decode() if isinstance(raw, bytes) else raw).partition(" ")
    try:
        return dt.datetime.fromisoformat(at), name
    except ValueError:
        return None
