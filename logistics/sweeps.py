"""Periodic sweeps: work that is due is found in the database and enqueued with a
deterministic job id, so two workers (or two sweeps) never queue the same work twice.

Areas list their sweeps in :mod:`logistics.areas`; the worker schedules each with RQ's
scheduler (``Queue.enqueue_in``), and each run schedules the next.
"""
from __future__ import annotations

import logging
import re

from flask import Flask, current_app

from logistics import queue
from logistics.areas import Sweep
from logistics.jobs import app_context

log = logging.getLogger(__name__)


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


def schedule(app: Flask) -> None:
    """Queue a run of every sweep now; each run schedules the next slot."""
    from logistics.clock import utcnow

    q = queue.get_queue(app=app)
    for sweep in registered():
        job_id = _job_id(sweep, _slot(sweep, utcnow()))
        if q.fetch_job(job_id) is None:
            q.enqueue(run_and_reschedule, sweep.name, job_id=job_id)


@app_context
def run_and_reschedule(name: str) -> None:
    """Run one sweep, then schedule its run in the next slot."""
    from logistics.clock import utcnow

    sweep = _find(name)
    if sweep is None:
        return
    try:
        sweep.job()
    finally:
        q = queue.get_queue(app=current_app._get_current_object())
        job_id = _job_id(sweep, _slot(sweep, utcnow()) + 1)
        if q.fetch_job(job_id) is None:
            q.enqueue_in(sweep.every, run_and_reschedule, name, job_id=job_id)
