"""Logging in and out, two-factor login, forgotten passwords and invitations."""
from __future__ import annotations

import hashlib
import io

import segno
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from markupsafe import Markup

from blueprints.access import allow, public
from blueprints.auth import device, requires_2fa, start_session
from blueprints.auth.forms import CodeForm, EnrolForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from blueprints.forms import apply_error
from blueprints.redirects import is_safe, safe_target
from logistics import clock
from logistics.errors import DomainError
from logistics.extensions import db, limiter
from logistics.people import services, sessions, throttle, tokens, totp
from logistics.people.models import Role, User

bp = Blueprint("auth", __name__)

PENDING_SECONDS = 300  # time allowed between the password step and the code step


def _account_key() -> str:
    return "account:" + throttle.account_key(request.form.get("email", ""))


def _failed(response) -> bool:
    """Only failed logins count against an address (a 401 from the password step)."""
    return response.status_code == 401


def _link_key() -> str:
    """Per link (so per account): the token in the path, hashed."""
    token = (request.view_args or {}).get("token", "")
    return "link:" + hashlib.sha256(token.encode()).hexdigest()


def _pending_key() -> str:
    return f"pending:{session.get('pending_uid', '-')}"


def _safe_next(target: str | None) -> str:
    """Only same-site paths; anything else goes home."""
    return safe_target(target, url_for("main.home"))


def _finish_login(user: User):
    target = _safe_next(session.get("pending_next"))
    start_session(user)
    db.session.commit()
    response = redirect(target)
    device.remember(response, user.id)
    return response


def _pending_user() -> User | None:
    uid, at = session.get("pending_uid"), session.get("pending_at", 0)
    # The clock module, not time.time(): the one source of "now" (tests move it).
    if uid is None or clock.utcnow().timestamp() - at > PENDING_SECONDS:
        return None
    user = db.session.get(User, uid)
    return user if user is not None and user.is_active and user.erased_at is None else None


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("30 per 15 minutes", methods=["POST"], deduct_when=_failed)
def login():
    """Check the password; then the code step, the enrolment step, or straight in.

    Failed logins are throttled per account in the database: strangers' failures lock out
    strangers, while a browser that has logged in as the account before keeps its own count.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        known = services.find_by_email(db.session, form.email.data)
        nonce = device.nonce_for(known.id if known else None)
        limit = current_app.config["LOGIN_LIMITS"]
        if throttle.is_throttled(db.session, email=form.email.data, device_nonce=nonce, limit=limit):
            abort(429)
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            throttle.record_failure(db.session, email=form.email.data, device_nonce=nonce)
            db.session.commit()
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form), 401
        next_target = request.args.get("next") if is_safe(request.args.get("next")) else None
        if user.has_totp or requires_2fa(user):
            session.clear()
            session.update(pending_uid=user.id, pending_at=clock.utcnow().timestamp(), pending_next=next_target)
            db.session.commit()
            return redirect(url_for("auth.login_code" if user.has_totp else "auth.enrol_2fa"))
        session["pending_next"] = next_target
        return _finish_login(user)
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_pending_key)
@limiter.limit("30 per 15 minutes", methods=["POST"])
def login_code():
    """Second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None or not user.has_totp:
        flash(_("Log in again: the time for the code ran out."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            totp.verify(db.session, user, form.code.data)
        except DomainError as exc:
            db.session.commit()
            apply_error(form, exc)
            return render_template("auth/code.html", form=form), 422
        return _finish_login(user)
    return render_template("auth/code.html", form=form), 422 if form.errors else 200


@bp.route("/login/two-factor-setup", methods=["GET", "POST"])
@public
@limiter.limit("20 per 15 minutes", methods=["POST"])
def enrol_2fa():
    """Set up two-factor login, at first login (required roles) or from the profile."""
    user = current_user if current_user.is_authenticated else _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_totp:
        return redirect(url_for("account.security"))
    secret = session.get("enrol_secret") or totp.new_secret()
    session["enrol_secret"] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = totp.confirm_enrolment(db.session, user, secret, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            session.pop("enrol_secret", None)
            if current_user.is_authenticated:
                db.session.commit()
            else:
                target = _safe_next(session.get("pending_next"))
                start_session(user)
                db.session.commit()
                session["after_codes"] = target
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=session.pop("after_codes", url_for("account.security")))
    uri = totp.provisioning_uri(secret, user.email, current_app.config["ORG_NAME"])
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title=_("QR code for your authenticator app"))
    return render_template("auth/enrol.html", form=form, qr=Markup(buf.getvalue().decode()), secret=secret,
                           required=requires_2fa(user)), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@allow(Role.VOLUNTEER)
def logout():
    row = g.get("user_session")
    if row is not None:
        sessions.end(db.session, row)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", methods=["POST"], key_func=_account_key)
@limiter.limit("20 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/reset_sent.html")
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


def _set_password_page(purpose: str, token: str, template: str, action):
    try:
        user = tokens.read(db.session, token, purpose)
    except tokens.TokenInvalid as exc:
        return render_template("auth/bad_link.html", message=exc.message), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = action(db.session, token, form.password.data)
        except tokens.TokenInvalid as exc:
            db.session.rollback()
            return render_template("auth/bad_link.html", message=exc.message), 400
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password is set. Log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=user), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"], key_func=_link_key)
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    return _set_password_page(tokens.PASSWORD_RESET, token, "auth/reset_password.html", services.reset_password)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"], key_func=_link_key)
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    return _set_password_page(tokens.INVITATION, token, "auth/accept_invitation.html", services.accept_invitation)
