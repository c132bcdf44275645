"""The WSGI app the HTTP benchmark serves under gunicorn (benchmark only, never deployed):

- everything but /_bare is the real app (``create_app()``, configured from the environment as
  in production), with two response headers added for the benchmark: the SQL statements the
  request sent (X-Bench-Queries) and the CPU time its thread spent (X-Bench-Cpu-Ms);
- /_bare is a bare Flask app in the same process, the yardstick: one 20-row query and a
  small template, no session, no CSRF, no Babel.

    gunicorn -c gunicorn.conf.py bench.http_app:app
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g, has_app_context
from werkzeug.middleware.dispatcher import DispatcherMiddleware

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from logistics.app import create_app  # noqa: E402
from logistics.extensions import db  # noqa: E402

BARE_TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bare</title></head>
<body><h1>Items</h1><ul>{% for id, name in rows %}<li>{{ id }} {{ name }}</li>{% endfor %}</ul></body></html>"""


def _bare_app() -> Flask:
    bare = Flask("bare")
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, pool_pre_ping=False)
    query = sa.text("SELECT id, name FROM stock_item ORDER BY id LIMIT 20")
    template = bare.jinja_env.from_string(BARE_TEMPLATE)  # compiled once, as Flask's file templates are

    @bare.get("/")
    def page():
        t0 = time.thread_time()
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        response = bare.make_response(template.render(rows=rows))
        response.headers["X-Bench-Queries"] = "1"
        response.headers["X-Bench-Cpu-Ms"] = f"{(time.thread_time() - t0) * 1000:.3f}"
        return response

    return bare


def _instrument(real: Flask) -> Flask:
    with real.app_context():
        engine = db.engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, *args):
        if has_app_context() and not statement.lstrip().upper().startswith(
                ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            g._bench_queries = g.get("_bench_queries", 0) + 1

    @real.before_request
    def start_clock():
        g._bench_cpu = time.thread_time()

    @real.after_request
    def headers(response):
        response.headers["X-Bench-Queries"] = str(g.get("_bench_queries", 0))
        if "_bench_cpu" in g:
            response.headers["X-Bench-Cpu-Ms"] = f"{(time.thread_time() - g._bench_cpu) * 1000:.3f}"
        return response

    # The first before_request of all, so the clock includes the session and login checks.
    real.before_request_funcs[None].insert(0, real.before_request_funcs[None].pop())
    return real


app = DispatcherMiddleware(_instrument(create_app()), {"/_bare": _bare_app()})
