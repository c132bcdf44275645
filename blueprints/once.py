"""One-time form tokens, claimed for every form that changes something (see logistics.once).

Before the view runs, a POST that carries a ``once`` token claims it in the request's
transaction: the view's commit spends it, a view that fails (and rolls back) leaves it
unspent. A token used before answers 409 with the page of what the first submit did; the
view never runs, so nothing is recorded twice.
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask_login import current_user

from blueprints.redirects import safe_target
from logistics import once
from logistics.errors import DomainError
from logistics.extensions import db


def claimed() -> once.FormToken | None:
    """The token this request claimed, for a view that keeps what it recorded on it (None
    when the form carried none: its OnceField then fails validation)."""
    return g.get("once_token")


def init_app(app: Flask) -> None:
    app.add_template_global(lambda: secrets.token_urlsafe(24), "once_token")  # for forms drawn by hand

    @app.before_request
    def claim_form_token():
        if request.method != "POST" or "once" not in request.form:
            return None
        by = current_user if current_user.is_authenticated else None
        try:
            g.once_token = once.claim(db.session, request.form["once"], by=by)
        except once.AlreadyRecorded as exc:
            db.session.rollback()
            token = exc.token
            next_url = safe_target(token.next_url, "") if token is not None else ""
            templates = [f"{request.blueprint}/already.html", "already.html"] if request.blueprint else ["already.html"]
            return render_template(templates, token=token, next_url=next_url), 409
        except DomainError as exc:
            db.session.rollback()
            return render_template("errors/error.html", status=400, title=exc.message, message=exc.message), 400
        return None

    @app.after_request
    def remember_where_it_went(response):
        token = g.pop("once_token", None)
        # Only after the view committed (no transaction open): the token is spent, and a
        # repeat can offer a link to where the first submit led.
        if (token is not None and 300 <= response.status_code < 400 and not db.session().in_transaction()
                and sa.inspect(token).persistent and token.next_url is None and response.location):
            token.next_url = once.bounded_next_url(safe_target(response.location, ""))
            db.session.commit()
        return response
