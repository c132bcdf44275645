"""RQ entry points for people's email. Jobs take ids and load fresh state."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l

from logistics import mail
from logistics.extensions import db
from logistics.jobs import app_context
from logistics.people import tokens
from logistics.people.models import User
from logistics.urls import external_url


def _user(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return None if user is None or user.erased_at is not None else user


def build(job: str, user_id: int, *, message_id: str | None = None):
    """The account email ``job`` names, as (message, template), or None when it no longer
    applies (accepted, erased or deactivated since). The notification area sends these
    through its rows; the entry points below are kept for jobs queued before it existed."""
    user = _user(user_id)
    composed = _COMPOSERS[job](user) if user is not None and job in _COMPOSERS else None
    if composed is None:
        return None
    subject, template, context = composed
    msg = mail.build(user.email, subject, template, locale=user.locale, message_id=message_id, user=user,
                     org_name=current_app.config["ORG_NAME"], **context)
    return msg, template


def _invitation(user: User):
    if user.password_hash is not None or not user.is_active:
        return None
    link = external_url("auth.accept_invitation", token=tokens.make(user, tokens.INVITATION))
    return _l("Welcome to %(org)s: set your password", org=current_app.config["ORG_NAME"]), "invitation", {
        "link": link}


def _password_reset(user: User):
    if not user.is_active:
        return None
    link = external_url("auth.reset_password", token=tokens.make(user, tokens.PASSWORD_RESET))
    return _l("Reset your password"), "password_reset", {"link": link}


def _account_exists(user: User):
    return _l("You already have an account"), "account_exists", {
        "login_link": external_url("auth.login"), "reset_link": external_url("auth.forgot_password")}


def _application_exists(user: User):
    return None if user.is_approved else (_l("We already have your application"), "application_exists", {})


def _application_rejected(user: User):
    return _l("Your application to volunteer"), "application_rejected", {}


_COMPOSERS = {
    "send_invitation": _invitation, "send_password_reset": _password_reset,
    "send_account_exists": _account_exists, "send_application_exists": _application_exists,
    "send_application_rejected": _application_rejected,
}
#: The account emails there are (what people.services asks the notification area to send).
ACCOUNT_EMAILS = tuple(_COMPOSERS)


def _send_now(job: str, user_id: int) -> None:
    built = build(job, user_id)
    if built is not None:
        mail.send(built[0], template=built[1])


@app_context
def send_invitation(user_id: int) -> None:
    _send_now("send_invitation", user_id)


@app_context
def send_password_reset(user_id: int) -> None:
    _send_now("send_password_reset", user_id)


@app_context
def send_account_exists(user_id: int) -> None:
    _send_now("send_account_exists", user_id)


@app_context
def send_application_exists(user_id: int) -> None:
    _send_now("send_application_exists", user_id)


@app_context
def send_application_rejected(user_id: int) -> None:
    _send_now("send_application_rejected", user_id)


@app_context
def prune_login_failures() -> int:
    """The periodic sweep: forget failed logins older than any throttle window."""
    from logistics.people import throttle

    _amount, window = throttle.rule(current_app.config["LOGIN_LIMITS"])
    return throttle.prune(db.session, older_than=max(window, dt.timedelta(days=1)))
