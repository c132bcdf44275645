"""The RQ worker, with RQ's scheduler, on the app's queues.

``python worker.py`` builds the same app as the web process and works until SIGTERM or
Ctrl-C, when RQ finishes the job in hand and stops (a warm shutdown). Periodic sweeps are
registered by the areas that need them (see ``logistics.sweeps``).
"""
from __future__ import annotations

import logging
import sys

from rq import Worker

from logistics import jobs, queue, sweeps
from logistics.app import create_app

log = logging.getLogger("worker")


def main(argv: list[str]) -> int:
    app = create_app()
    jobs.use_app(app)  # jobs run in contexts of this app, not a second one
    state = queue.state(app)
    with app.app_context():
        sweeps.schedule(app)
    worker = Worker(list(state.queues.values()), connection=state.connection, name=None)
    log.info("worker listening on %s", ", ".join(state.queues))
    worker.work(with_scheduler=True, logging_level="INFO", burst="--burst" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
