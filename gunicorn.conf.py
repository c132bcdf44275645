"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working directory."""
import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2 + 1)))
accesslog = "-"
# The path only (%(U)s), never the query string; logistics.logs also redacts tokens in paths.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'


def post_worker_init(worker):
    from logistics import logs

    logs.install()
