"""Helpers for RQ entry points: every job runs inside an app context and commits once.

The domain never builds the app: the entry point that runs jobs (``worker.py``, or the test
suite) hands it over with :func:`use_app`.
"""
from __future__ import annotations

import functools

from flask import Flask, has_app_context

_APP: Flask | None = None


def use_app(app: Flask | None) -> None:
    """Make ``app`` the one jobs run in (the worker sets it when it starts)."""
    global _APP
    _APP = app


def worker_app() -> Flask:
    """The app jobs run in; the entry point must have set it."""
    if _APP is None:
        raise RuntimeError("No app for jobs: run them under worker.py (or rq worker -w worker.AppWorker)")
    return _APP


def app_context(job):
    """Run ``job`` in an application context (the current one, in tests and commands; else
    the worker's app), commit what it changed, and roll back on error."""

    @functools.wraps(job)
    def wrapped(*args, **kwargs):
        from logistics.extensions import db

        ctx = None if has_app_context() else worker_app().app_context()
        if ctx is not None:
            ctx.push()
        try:
            result = job(*args, **kwargs)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            if ctx is not None:
                db.session.remove()
                ctx.pop()

    return wrapped


@app_context
def prune_form_tokens() -> int:
    """The periodic sweep: forget one-time form tokens used more than 30 days ago."""
    import datetime as dt

    from logistics import once
    from logistics.extensions import db

    return once.prune(db.session, older_than=dt.timedelta(days=30))
