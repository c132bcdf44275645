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


def post_worker_init(worker):
    from logistics import logs

    logs.install()
