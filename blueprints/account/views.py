"""A person's own account: profile, password, sessions, two-factor login, data and erasure."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.account import labels
from blueprints.account.forms import ButtonForm, ConfirmPasswordForm, PasswordForm, ProfileForm, options
from blueprints.auth import start_session
from blueprints.forms import apply_error
from logistics.clock import today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people import export, queries, services, sessions, totp
from logistics.people.models import Role

bp = Blueprint("account", __name__, url_prefix="/account")
bp.app_context_processor(labels.template_helpers)


def _profile_form() -> ProfileForm:
    user = current_user
    form = ProfileForm(data={
        "full_name": user.full_name, "display_name": user.display_name, "phone": user.phone,
        "locale": user.locale, "languages": [lang.code for lang in user.languages],
    })
    form.languages.choices = options(queries.language_choices(str(get_locale())))
    return form


@bp.route("/", methods=["GET", "POST"])
@allow(Role.VOLUNTEER)
def profile():
    """Show and change one's name, phone, interface language and languages spoken."""
    form = _profile_form()
    if form.validate_on_submit():
        try:
            services.update_profile(
                db.session, current_user, full_name=form.full_name.data, display_name=form.display_name.data,
                phone=form.phone.data, locale=form.locale.data, languages=form.languages.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            refresh()  # the message below in the language just chosen
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("account.profile"))
    held = sorted(current_user.qualifications, key=lambda q: q.qualification.name(str(get_locale())).casefold())
    return render_template("account/profile.html", form=form, held=held, today=today(),
                           erasure_form=ButtonForm()), 422 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@allow(Role.VOLUNTEER)
def password():
    """Change the password; every other session ends, this browser stays logged in."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, current=form.current_password.data,
                                     new=form.password.data)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            start_session(current_user)
            db.session.commit()
            flash(_("Your password is changed. You are logged out everywhere else."), "success")
            return redirect(url_for("account.security"))
    return render_template("account/password.html", form=form), 422 if form.errors else 200


@bp.route("/security")
@allow(Role.VOLUNTEER)
def security():
    """Two-factor login and the sessions where this account is logged in."""
    return render_template(
        "account/security.html",
        live=sessions.active(db.session, current_user.id),
        this_session=g.get("user_session"),
        codes_left=totp.remaining_recovery_codes(db.session, current_user) if current_user.has_totp else 0,
        required=totp.required_for(db.session, current_user),
        form=ButtonForm(),
    )


@bp.route("/security/recovery-codes", methods=["POST"])
@allow(Role.VOLUNTEER)
def recovery_codes():
    """Replace the recovery codes and show the new ones, once."""
    form = ButtonForm()
    if not form.validate_on_submit() or not current_user.has_totp:
        return redirect(url_for("account.security"))
    codes = totp.new_recovery_codes(db.session, current_user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("account.security"))


@bp.route("/security/two-factor-off", methods=["GET", "POST"])
@allow(Role.VOLUNTEER)
def two_factor_off():
    """Switch off two-factor login, confirmed with the password (not where the role needs it)."""
    if not current_user.has_totp:
        return redirect(url_for("account.security"))
    required = totp.required_for(db.session, current_user)
    form = ConfirmPasswordForm()
    if not required and form.validate_on_submit():
        try:
            totp.disable_own(db.session, current_user, password=form.password.data)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("Two-factor login is off."), "success")
            return redirect(url_for("account.security"))
    return render_template("account/two_factor_off.html", form=form, required=required), \
        422 if form.errors else 200


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@allow(Role.VOLUNTEER)
def end_session(session_id: int):
    """End one of one's own sessions (logging that browser out)."""
    form = ButtonForm()
    if form.validate_on_submit():
        this = g.get("user_session")
        if this is not None and this.id == session_id:
            flash(_("To end this session, log out."), "warning")
            return redirect(url_for("account.security"))
        try:
            sessions.end_own(db.session, current_user.id, session_id)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            db.session.commit()
            flash(_("The session has ended."), "success")
    return redirect(url_for("account.security"))


@bp.route("/sessions/end-others", methods=["POST"])
@allow(Role.VOLUNTEER)
def end_other_sessions():
    """Log out every other browser where this account is logged in."""
    form = ButtonForm()
    if form.validate_on_submit():
        this = g.get("user_session")
        ended = sessions.end_all(db.session, current_user.id, except_id=this.id if this else None)
        db.session.commit()
        flash(_("You are logged out everywhere else (%(n)d sessions ended).", n=ended), "success")
    return redirect(url_for("account.security"))


@bp.route("/my-data.json")
@allow(Role.VOLUNTEER)
def my_data():
    """Download everything held on me, as JSON."""
    data = export.export(db.session, current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="hopenow-my-data.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/erasure", methods=["GET", "POST"])
@allow(Role.VOLUNTEER)
def erasure():
    """Explain erasure and ask for it (an admin confirms it later)."""
    form = ButtonForm()
    if form.validate_on_submit():
        services.request_erasure(db.session, current_user)
        db.session.commit()
        flash(_("Your request is sent. An admin will erase your account soon."), "success")
        return redirect(url_for("account.erasure"))
    return render_template("account/erasure.html", form=form)


@bp.route("/erasure/withdraw", methods=["POST"])
@allow(Role.VOLUNTEER)
def withdraw_erasure():
    """Take back a request for erasure that an admin has not acted on yet."""
    form = ButtonForm()
    if form.validate_on_submit():
        services.cancel_erasure_request(db.session, current_user, by=current_user)
        db.session.commit()
        flash(_("Your request for erasure is withdrawn."), "success")
    return redirect(url_for("account.erasure"))
