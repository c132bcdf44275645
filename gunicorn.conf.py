"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working directory.

Worker model: threads. A request mostly waits on PostgreSQL or Redis, so a few processes
with several threads each serve slow requests side by side (sync workers with no threads let
two slow requests block everyone). Processes: one per CPU (WEB_CONCURRENCY overrides), so a
crash or a CPU-heavy page never takes the whole site; threads: 4 each (GUNICORN_THREADS),
which with 2 CPUs gives 8 requests at once — plenty for a small organisation, and within
SQLAlchemy's default pool of 5 + 10 overflow connections per process.
"""
import multiprocessing
import os

from gunicorn.http import wsgi as _wsgi

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer than this is a bug or an attack; the worker is restarted.
timeout = 60
graceful_timeout = 30
# Restart each worker now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# The path only (%(U)s), never the query string; logistics.logs also redacts tokens in paths.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
# Request line and header limits well inside what the app needs (no uploads).
limit_request_line = 4094
limit_request_fields = 100


class _Response(_wsgi.Response):
    """gunicorn's response without the "Server: gunicorn" header (it only helps attackers)."""

    def default_headers(self):
        return [h for h in super().default_headers() if not h.lower().startswith("server:")]


_wsgi.Response = _Response


#: The cyclic garbage collector's first threshold in the web processes (Python's default: 700).
#: A page builds a few thousand short-lived objects (rows, ORM objects, template output) that
#: reference counting frees; at 700 the collector still ran two or three times during a calendar
#: or stock page, 1–2 ms of its 20–30 (measured with gc.callbacks). At 10,000 it runs every few
#: requests instead, on what is really left over.
GC_THRESHOLD = 10_000


def post_worker_init(worker):
    import gc

    from logistics import logs

    logs.install()
    # The app is loaded: its mappers, templates and compiled statements live as long as the
    # process, so the collector stops walking them (gc.freeze) and full collections stay short.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
