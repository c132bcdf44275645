"""Administration: users and roles, qualifications, the audit trail, settings, the outbox;
and, for coordinators, the volunteers directory and invitations."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.account.forms import ButtonForm, options
from blueprints.admin import audit_words
from blueprints.admin.forms import (
    AuditFilterForm,
    DirectoryFilterForm,
    GrantForm,
    InviteForm,
    QualificationForm,
    RoleForm,
    SettingsForm,
    UserFilterForm,
    role_choices,
)
from blueprints.fields import page_arg
from blueprints.forms import apply_error
from logistics import mail, settings
from logistics.audit import queries as audit_queries
from logistics.clock import today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people import queries, services, totp
from logistics.people.models import Qualification, Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50



def _page() -> int:
    return page_arg()


def _get_user(user_id: int) -> User:
    user = queries.user_for_admin(db.session, user_id)
    if user is None:
        abort(404)
    return user


# --- users ---------------------------------------------------------------------------------

@bp.route("/users")
@allow(Role.ADMIN)
def users():
    """Everyone with an account: search by name or email, filter by role and status."""
    form = UserFilterForm(formdata=request.args)
    form.validate()
    q = form.q.data if not form.q.errors else None
    page = _page()
    rows, total = queries.search_users(db.session, q=q, role=form.role.data or None,
                                        status=form.status.data or None, page=page, per_page=PER_PAGE)
    filters = {k: v for k, v in {"q": q, "role": form.role.data, "status": form.status.data}.items() if v}
    return render_template("admin/users.html", form=form, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, filters=filters)


def _user_page(user: User, status: int = 200, **forms):
    locale = str(get_locale())
    role_form = forms.get("role_form") or RoleForm(formdata=None, data={"role": user.role.value})
    grant_form = forms.get("grant_form") or GrantForm(formdata=None)
    held = {uq.qualification_id for uq in user.qualifications}
    grant_form.qualification.choices = options(
        (q.id, q.name(locale)) for q in queries.qualifications(db.session, active_only=True))
    entries = audit_queries.for_entity(db.session, "user", user.id)
    return render_template(
        "admin/user.html", user=user, role_form=role_form, grant_form=grant_form, held_ids=held,
        button=ButtonForm(), told=audit_words.tell_all(entries, audit_queries.subjects(db.session, entries)),
        language_names=queries.language_names(locale),
    ), status


@bp.route("/users/<int:user_id>")
@allow(Role.ADMIN)
def user(user_id: int):
    """One person: contact details, role, status, qualifications, recent changes."""
    return _user_page(_get_user(user_id))


def _user_action(user_id: int, action, success: str, form=None, form_name: str | None = None):
    """Run one change on a person from their page: commit and redirect, or show the error."""
    user = _get_user(user_id)
    form = form or ButtonForm()
    if not form.validate_on_submit():
        if form_name:
            return _user_page(user, 422, **{form_name: form})
        flash(_("The form could not be sent. Try again."), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    try:
        action(user, form)
    except DomainError as exc:
        db.session.rollback()
        if form_name:
            apply_error(form, exc)
            return _user_page(_get_user(user_id), 422, **{form_name: form})
        flash(exc.message, "error")
        return redirect(url_for("admin.user", user_id=user.id))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow(Role.ADMIN)
def user_role(user_id: int):
    return _user_action(
        user_id, lambda u, f: services.set_role(db.session, u, Role(f.role.data), by=current_user),
        _("The role is changed."), RoleForm(), "role_form")


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@allow(Role.ADMIN)
def user_deactivate(user_id: int):
    return _user_action(user_id, lambda u, f: services.set_active(db.session, u, False, by=current_user),
                        _("The account is deactivated and logged out everywhere."))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@allow(Role.ADMIN)
def user_reactivate(user_id: int):
    return _user_action(user_id, lambda u, f: services.set_active(db.session, u, True, by=current_user),
                        _("The account is active again."))


@bp.route("/users/<int:user_id>/resend-invitation", methods=["POST"])
@allow(Role.ADMIN)
def user_resend_invitation(user_id: int):
    return _user_action(user_id, lambda u, f: services.resend_invitation(db.session, u, by=current_user),
                        _("A new invitation is on its way. Earlier links no longer work."))


@bp.route("/users/<int:user_id>/two-factor-off", methods=["POST"])
@allow(Role.ADMIN)
def user_two_factor_off(user_id: int):
    """Switch off someone's two-factor login (a lost phone); they set it up again at login."""
    return _user_action(user_id, lambda u, f: totp.reset(db.session, u, by=current_user),
                        _("Two-factor login is off for this person."))


def _grant(user: User, form: GrantForm) -> None:
    qualification = db.session.get(Qualification, form.qualification.data)
    services.grant_qualification(db.session, user, qualification, expires_on=form.expires_on.data,
                                 by=current_user)


@bp.route("/users/<int:user_id>/qualifications", methods=["POST"])
@allow(Role.ADMIN)
def user_grant(user_id: int):
    form = GrantForm()
    form.qualification.choices = options((q.id, q.code) for q in queries.qualifications(db.session))
    return _user_action(user_id, _grant, _("The qualification is granted."), form, "grant_form")


@bp.route("/users/<int:user_id>/qualifications/<int:qualification_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
def user_revoke(user_id: int, qualification_id: int):
    qualification = db.session.get(Qualification, qualification_id) or abort(404)
    return _user_action(
        user_id, lambda u, f: services.revoke_qualification(db.session, u, qualification, by=current_user),
        _("The qualification is revoked."))


@bp.route("/users/<int:user_id>/erase", methods=["POST"])
@allow(Role.ADMIN)
def user_erase(user_id: int):
    """Erase a person: personal fields anonymised, sessions ended, address scrubbed."""
    return _user_action(user_id, lambda u, f: services.erase(db.session, u, by=current_user),
                        _("The account is erased. Its history stays, without a name."))


@bp.route("/erasure")
@allow(Role.ADMIN)
def erasure():
    """Requests for erasure, and accounts unused for longer than the retention setting."""
    months = settings.get(db.session, "retention_months")
    requested, _total = queries.search_users(db.session, status="erasure", per_page=500)
    return render_template("admin/erasure.html", months=months, requested=requested,
                           inactive=services.inactive_accounts(db.session, months), button=ButtonForm())


# --- qualifications ----------------------------------------------------------------------

@bp.route("/qualifications")
@allow(Role.ADMIN)
def qualifications():
    return render_template("admin/qualifications.html", rows=queries.qualifications(db.session))


def _qualification_page(qualification: Qualification | None):
    form = QualificationForm(obj=qualification)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in ("code", "name_en", "name_da", "description",
                                                               "is_active")}
        try:
            if qualification is None:
                services.create_qualification(db.session, **fields, by=current_user)
            else:
                services.update_qualification(db.session, qualification, **fields, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("The qualification is saved."), "success")
            return redirect(url_for("admin.qualifications"))
    return render_template("admin/qualification_form.html", form=form, qualification=qualification), \
        422 if form.errors else 200


@bp.route("/qualifications/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def qualification_new():
    return _qualification_page(None)


@bp.route("/qualifications/<int:qualification_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def qualification_edit(qualification_id: int):
    return _qualification_page(db.session.get(Qualification, qualification_id) or abort(404))


# --- audit trail, settings, outbox ---------------------------------------------------------

@bp.route("/audit")
@allow(Role.ADMIN)
def audit():
    """Every change to people, roles, qualifications and settings: who, when, what."""
    form = AuditFilterForm(formdata=request.args)
    actions = sorted(audit_queries.actions(db.session), key=audit_words.action_label)
    form.action.choices = options([("", _("All actions"))] + [(a, audit_words.action_label(a)) for a in actions])
    entities = sorted(audit_queries.entities(db.session), key=audit_words.entity_label)
    form.entity.choices = options([("", _("All kinds"))] + [(e, audit_words.entity_label(e)) for e in entities])
    form.validate()
    clean = {name: (None if field.errors else field.data) for name, field in form._fields.items()}
    page = _page()
    rows, total = audit_queries.search(db.session, action=clean["action"], actor=clean["actor"],
                                       entity=clean["entity"], entity_id=clean["entity_id"],
                                       date_from=clean["date_from"], date_to=clean["date_to"],
                                       page=page, per_page=PER_PAGE)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, rows=rows, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, told=audit_words.tell_all(rows, audit_queries.subjects(db.session, rows)))


@allow(Role.ADMIN)
def settings_page():
    """Organisation settings; every change goes into the audit trail."""
    form = SettingsForm(data=settings.get_all(db.session))
    if form.validate_on_submit():
        values = {"require_2fa_privileged": bool(form.require_2fa_privileged.data),
                  "retention_months": int(form.retention_months.data)}
        values.update({name: int(getattr(form, name).data) for name in SettingsForm.AREA_SETTINGS
                       if getattr(form, name).data is not None})
        settings.set_many(db.session, values, by=current_user)
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), 422 if form.errors else 200


# The endpoint is "admin.settings"; the function name avoids shadowing logistics.settings.
bp.add_url_rule("/settings", "settings", settings_page, methods=["GET", "POST"])


def _outbox_enabled() -> bool:
    return not current_app.config.get("MAIL_URL")


@bp.route("/outbox")
@allow(Role.ADMIN)
def outbox():
    """Emails written to the instance outbox (when no SMTP server is configured)."""
    return render_template("admin/outbox.html", enabled=_outbox_enabled(),
                           messages=mail.list_outbox() if _outbox_enabled() else [])


@bp.route("/outbox/<name>")
@allow(Role.ADMIN)
def outbox_message(name: str):
    msg = mail.read_outbox(name) if _outbox_enabled() else None
    if msg is None:
        abort(404)
    part = msg.get_body(preferencelist=("plain",))
    return render_template("admin/outbox_message.html", msg=msg, body=part.get_content() if part else "")


# --- for coordinators: the volunteers directory and invitations ---------------------------

@bp.route("/volunteers")
@allow(Role.COORDINATOR)
def volunteers():
    """Active volunteers with their contact details, languages and qualifications."""
    locale = str(get_locale())
    form = DirectoryFilterForm(formdata=request.args)
    form.language.choices = options([("", _("Any language"))] + queries.language_choices(locale))
    quals = queries.qualifications(db.session)
    form.qualification.choices = options([("", _("Any qualification"))] + [(str(q.id), q.name(locale))
                                                                           for q in quals])
    form.validate()
    page = _page()
    qualification_id = None if form.qualification.errors else form.qualification.data
    rows, total = queries.volunteer_directory(
        db.session, q=None if form.q.errors else form.q.data, language=form.language.data or None,
        qualification_id=qualification_id, page=page, per_page=PER_PAGE)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/volunteers.html", form=form, rows=rows, total=total, page=page,
                           per_page=PER_PAGE, filters=filters, language_names=queries.language_names(locale),
                           today=today())


@bp.route("/invite", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def invite():
    """Invite someone by email: a link valid 7 days lets them set a password."""
    form = InviteForm()
    if not current_user.has_role(Role.ADMIN):
        form.role.choices = role_choices(services.INVITABLE_BY_COORDINATORS)
    if form.validate_on_submit():
        try:
            user = services.invite(db.session, email=form.email.data, full_name=form.full_name.data,
                                   role=Role(form.role.data), locale=form.locale.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is invited. The link in the email works for 7 days.", name=user.full_name),
                  "success")
            if current_user.has_role(Role.ADMIN):
                return redirect(url_for("admin.user", user_id=user.id))
            return redirect(url_for("admin.volunteers"))
    return render_template("admin/invite.html", form=form), 422 if form.errors else 200
