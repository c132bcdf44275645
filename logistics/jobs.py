"""Helpers for RQ entry points: every job runs inside an app context and commits once."""
from __future__ import annotations

import functools

from flask import current_app, has_app_context

_APP = None


def use_app(app) -> None:
    """Make ``app`` the one jobs run in (the worker sets it at start)."""
    global _APP
    _APP = app


def _worker_app():
    global _APP
    if _APP is None:
        from logistics.app import create_app

        _APP = create_app()
    return _APP


def app_context(job):
    """Run ``job`` in an application context (the worker's app, or the current one in tests),
    commit what it changed, and roll back on error."""

    @functools.wraps(job)
    def wrapped(*args, **kwargs):
        from logistics.extensions import db

        if has_app_context():
            app = current_app._get_current_object()
            ctx = None
        else:
            app = _worker_app()
            ctx = app.app_context()
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
