"""Reads sent beside the page: SELECTs that a page will need later, sent on a connection of
their own while the request thread goes on with the rest of the page.

A page that waits for a slow SELECT (the coordinator's start page for its counts, 6–9 ms in
PostgreSQL) is idle meanwhile, though it has other rows to read and a template to draw.
:func:`send` hands the SELECTs to a small thread pool, one pooled connection for them all;
psycopg lets go of the GIL while it waits, so PostgreSQL works while Python does. On SQLite
(the embedded default) they run at once on the request's session: there is no server to
work beside the page, and one process writes the file.

Only plain SELECTs of rows (Core statements or ``select()`` of columns) go this way: ORM
objects belong to the request's session and its thread. The reads have their own read
transaction, so they see what is committed, and may see a moment later (or earlier) than the
page's other reads: fit for numbers and calendars to look at, never for a decision that writes.
"""
from __future__ import annotations

import contextvars
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
#: Threads per process: one page's reads in flight per request thread (gunicorn.conf.py).
POOL_THREADS = max(4, int(os.environ.get("GUNICORN_THREADS") or 4))

Read = tuple[sa.Executable, dict[str, Any]]


def _pool() -> ThreadPoolExecutor:
    """The process's pool, made on first use (in a gunicorn worker, after the fork)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="reads")
        return _POOL


class Sent:
    """Reads on their way: :meth:`rows` waits for them (if need be) and gives each one's rows,
    or raises what the read raised."""

    def __init__(self):
        self._rows: list[list[sa.Row]] = []
        self._error: BaseException | None = None
        self._done = threading.Event()

    def done(self) -> bool:
        """Whether the reads have finished (or failed)."""
        return self._done.is_set()

    def rows(self) -> list[list[sa.Row]]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._rows

    def _run(self, engine: sa.Engine, reads: list[Read]) -> None:
        try:
            with engine.connect() as conn:
                try:
                    self._rows = [conn.execute(stmt, params).all() for stmt, params in reads]
                except BaseException as exc:  # noqa: BLE001 - handed to the page that waits
                    self._error = exc
                finally:
                    self._done.set()  # the page goes on; the transaction ends meanwhile
                if self._error is None:
                    # COMMIT, not the pool's ROLLBACK, which would make psycopg forget the
                    # connection's prepared statements (logistics.db, "Reads end with COMMIT").
                    conn.commit()
        except BaseException as exc:  # noqa: BLE001 - no connection, or the COMMIT failed
            if not self._done.is_set():
                self._error = exc
                self._done.set()
            else:
                log.warning("a background read could not end its transaction: %s", type(exc).__name__)


def send(session, *reads: Read) -> Sent:
    """Start ``reads`` ((statement, parameters) pairs, run in order); ``.rows()`` gives them.
    On PostgreSQL they run on a connection of their own beside the caller; elsewhere at once
    on ``session``."""
    engine = session.get_bind()
    sent = Sent()
    if engine.dialect.name != "postgresql":
        try:
            sent._rows = [session.execute(stmt, params).all() for stmt, params in reads]
        except sa.exc.DBAPIError as exc:  # raised where the rows are asked for, as on PostgreSQL
            sent._error = exc
        sent._done.set()
        return sent
    # The request's context goes along (so statement counters in tests and the benchmark see
    # the reads as the page's, and "never prepared" holds there too); the thread uses only
    # its own connection, never the page's session.
    _pool().submit(contextvars.copy_context().run, sent._run, engine, list(reads))
    return sent
