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


def _send(user: User, subject, template: str, **context) -> None:
    msg = mail.build(user.email, subject, template, locale=user.locale, user=user,
                     org_name=current_app.config["ORG_NAME"], **context)
    mail.send(msg, template=template)


@app_context
def send_invitation(user_id: int) -> None:
    user = _user(user_id)
    if user is None or user.password_hash is not None or not user.is_active:
        return  # accepted, erased or deactivated since: nothing to send
    link = external_url("auth.accept_invitation", token=tokens.make(user, tokens.INVITATION))
    _send(user, _l("Welcome to %(org)s: set your password", org=current_app.config["ORG_NAME"]),
          "invitation", link=link)


@app_context
def send_password_reset(user_id: int) -> None:
    user = _user(user_id)
    if user is None or not user.is_active:
        return
    link = external_url("auth.reset_password", token=tokens.make(user, tokens.PASSWORD_RESET))
    _send(user, _l("Reset your password"), "password_reset", link=link)


@app_context
def send_account_exists(user_id: int) -> None:
    user = _user(user_id)
    if user is None:
        return
    _send(user, _l("You already have an account"), "account_exists",
          login_link=external_url("auth.login"), reset_link=external_url("auth.forgot_password"))


@app_context
def send_application_exists(user_id: int) -> None:
    user = _user(user_id)
    if user is None or user.is_approved:
        return
    _send(user, _l("We already have your application"), "application_exists")


@app_context
def send_application_rejected(user_id: int) -> None:
    user = _user(user_id)
    if user is None:
        return
    _send(user, _l("Your application to volunteer"), "application_rejected")


@app_context
def prune_login_failures() -> int:
    """The periodic sweep: forget failed logins older than any throttle window."""
    from logistics.people import throttle

    _amount, window = throttle.rule(current_app.config["LOGIN_LIMITS"])
    return throttle.prune(db.session, older_than=max(window, dt.timedelta(days=1)))
