"""Periodic sweeps: work that is due is found in the database and enqueued with a
deterministic job id, so two workers (or two sweeps) never queue the same work twice.

Areas register a sweep with :func:`every`; the worker schedules each with RQ's scheduler
(``Queue.enqueue_in``), and each run schedules the next. ``flask --app wsgi sweeps run``
runs every sweep once, now.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from flask import Flask

from logistics import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    func: str  # dotted path of a job function taking no arguments
    interval: dt.timedelta


_SWEEPS: dict[str, Sweep] = {}


def every(interval: dt.timedelta, name: str, func: str) -> None:
    _SWEEPS[name] = Sweep(name, func, interval)


def registered() -> list[Sweep]:
    return list(_SWEEPS.values())


def _slot(sweep: Sweep, at: dt.datetime) -> int:
    return int(at.timestamp() // sweep.interval.total_seconds())


def _job_id(sweep: Sweep, slot: int) -> str:
    # Every worker computes the same id for the same slot, so a slot runs once.
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"sweep-{sweep.name}-{slot}")


def schedule(app: Flask) -> None:
    """Queue a run of every sweep now; each run schedules the next slot."""
    from logistics.clock import utcnow

    q = queue.get_queue(app=app)
    for sweep in _SWEEPS.values():
        job_id = _job_id(sweep, _slot(sweep, utcnow()))
        if q.fetch_job(job_id) is None:
            q.enqueue("logistics.sweeps.run_and_reschedule", sweep.name, job_id=job_id)


def run_now(name: str) -> None:
    sweep = _SWEEPS[name]
    module, _, attr = sweep.func.rpartition(".")
    getattr(__import__(module, fromlist=[attr]), attr)()


def run_and_reschedule(name: str) -> None:
    """Run one sweep, then schedule its run in the next slot."""
    from logistics.clock import utcnow
    from logistics.jobs import _worker_app

    sweep = _SWEEPS.get(name)
    if sweep is None:
        return
    try:
        run_now(name)
    finally:
        q = queue.get_queue(app=_worker_app())
        job_id = _job_id(sweep, _slot(sweep, utcnow()) + 1)
        if q.fetch_job(job_id) is None:
            q.enqueue_in(sweep.interval, "logistics.sweeps.run_and_reschedule", name, job_id=job_id)
