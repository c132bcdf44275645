"""Log-in glue: Flask-Login loads the user through the server-side session in the cookie."""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import current_user

from logistics.extensions import db, login_manager
from logistics.people import sessions, totp

#: Endpoints a logged-in user who must still enrol in two-factor login may reach.
ENROLMENT_ENDPOINTS = {"auth.enrol_2fa", "auth.logout", "static", "main.healthz", "main.set_language"}


def requires_2fa(user) -> bool:
    return totp.required_for(db.session, user)


def start_session(user) -> None:
    """Log ``user`` in on this browser with a brand-new session id (no fixation)."""
    token = sessions.create(db.session, user, request.headers.get("User-Agent"))
    session.clear()
    session["_user_id"] = token
    session["_fresh"] = True
    session.permanent = False


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = None  # the session id is already server-side

    @login_manager.user_loader
    def load_user(token: str):
        cfg = current_app.config
        row = sessions.load(
            db.session, token,
            idle=dt.timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]),
            absolute=dt.timedelta(hours=cfg["SESSION_ABSOLUTE_HOURS"]),
        )
        if row is None:
            db.session.commit()  # keep the "ended" mark of a timed-out session
            return None
        if sessions.needs_touch(row):
            sessions.touch(db.session, row)
            db.session.commit()
        g.user_session = row
        return row.user

    @app.before_request
    def require_enrolment():
        if (request.endpoint and request.endpoint not in ENROLMENT_ENDPOINTS
                and current_user.is_authenticated and not current_user.has_totp
                and requires_2fa(current_user)):
            return redirect(url_for("auth.enrol_2fa"))
        return None
