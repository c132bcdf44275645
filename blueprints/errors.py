"""Friendly error pages (no stack traces) and domain errors turned into 4xx answers."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from logistics.errors import DomainError
from logistics.extensions import db

log = logging.getLogger(__name__)


def _page(status: int, title: str, message: str):
    if request.accept_mimetypes.best == "application/json" or request.path.endswith((".json", ".ics")):
        return {"error": title, "message": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _is_unique_violation(exc: IntegrityError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _is_disconnect(exc: DBAPIError) -> bool:
    """The database went away mid-request (a restart, a killed connection)."""
    return bool(getattr(exc, "connection_invalidated", False))


def _is_contention(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    code = getattr(getattr(exc.orig, "sqlstate", None), "lower", lambda: "")()
    # PostgreSQL: 40P01 deadlock, 40001 serialization failure, 55P03 lock not available.
    return code in {"40p01", "40001", "55p03"} or "database is locked" in text or "deadlock" in text


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return _page(400, _("The form has expired"),
                     _("For your safety the form could not be sent. Go back, reload the page and try again."))

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return _page(exc.status, _("That did not work"), exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            400: (_("Bad request"), _("The request could not be understood. Check what you entered and try again.")),
            403: (_("Not allowed"),
                  _("Your role does not give access to this page. Ask a coordinator if you need it.")),
            404: (_("Page not found"), _("There is no page at this address. It may have moved or been removed.")),
            405: (_("Not allowed"), _("This page cannot be used that way.")),
            413: (_("Too large"), _("What you sent is too large.")),
            429: (_("Too many attempts"), _("You have tried too many times. Wait a few minutes, then try again.")),
        }
        title, message = messages.get(exc.code, (exc.name, exc.description or ""))
        response = _page(exc.code or 500, title, message)
        if exc.code == 429:
            body, status = response
            return body, status, {"Retry-After": "900"}
        return response

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        # Two people saved the same thing at the same moment and the database's unique index
        # caught the second (the services' own checks catch it when one came first). Nothing
        # was saved; say so, never 500.
        db.session.rollback()
        log.info("integrity error on %s %s: %s", request.method, request.url_rule, type(exc.orig).__name__)
        if _is_unique_violation(exc):
            return _page(409, _("Already there"),
                         _("Something with the same name was saved a moment ago. Go back, reload the page and "
                           "check before you save again."))
        return _page(422, _("That did not work"),
                     _("What you sent does not fit together with what is saved. Go back, reload the page "
                       "and try again."))

    @app.errorhandler(DBAPIError)
    def database_busy(exc: DBAPIError):
        # A deadlock, a lock wait that timed out, a serialization failure, or a connection the
        # server dropped: nothing was saved (the transaction rolled back), and trying again a
        # moment later works (the pool checks connections before use).
        if not (_is_disconnect(exc) or (isinstance(exc, OperationalError) and _is_contention(exc))):
            return server_error(exc)
        log.warning("database busy or gone on %s %s: %s", request.method, request.url_rule,
                    type(exc.orig).__name__)
        db.session.rollback()
        body, status = _page(503, _("Busy, please try again"),
                             _("Many changes arrived at the same moment and yours was not saved. "
                               "Send it again in a moment."))
        return body, status, {"Retry-After": "2"}

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        if app.testing and not app.config.get("SHOW_ERROR_PAGES"):
            raise exc  # tests see the real traceback
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        db.session.rollback()
        return _page(500, _("Something went wrong"),
                     _("The error has been logged. Try again in a moment; if it keeps happening, tell a coordinator."))
