"""Applications to volunteer: the public form, and the coordinators' decisions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow, public
from blueprints.fields import page_arg
from blueprints.forms import apply_error
from blueprints.people.forms import ApplicationForm, DecisionForm
from logistics.errors import DomainError
from logistics.extensions import db, limiter
from logistics.people import queries, services
from logistics.people.models import Application, Role

bp = Blueprint("people", __name__)


DECIDED_PER_PAGE = 25


@bp.route("/apply", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def apply():
    """The public form to apply as a volunteer."""
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            services.submit_application(
                db.session, full_name=form.full_name.data, email=form.email.data, phone=form.phone.data,
                languages=form.languages.data, availability=form.availability.data,
                motivation=form.motivation.data, locale=get_locale().language,
            )
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("people/apply.html", form=form), exc.status
        db.session.commit()
        # The same answer whether or not the address already had an account.
        return redirect(url_for("people.applied"))
    return render_template("people/apply.html", form=form), 422 if form.errors else 200


@bp.route("/apply/thanks")
@public
def applied():
    """What happens next, after applying."""
    return render_template("people/applied.html")


def _applications_page(failed: Application | None = None, failed_form: DecisionForm | None = None,
                       status: int = 200):
    page = page_arg()
    pending = queries.pending_applications(db.session)
    decided, total = queries.decided_applications(db.session, page=page, per_page=DECIDED_PER_PAGE)
    forms = {}
    for application in pending:
        form = failed_form if failed is not None and application.id == failed.id else DecisionForm(formdata=None)
        form.reason.id = f"reason-{application.id}"  # one form per application on the page
        forms[application.id] = form
    return render_template("people/applications.html", pending=pending, forms=forms, decided=decided,
                           total=total, page=page, per_page=DECIDED_PER_PAGE,
                           language_names=queries.language_names(str(get_locale()))), status


@bp.route("/people/applications")
@allow(Role.COORDINATOR)
def applications():
    """Applications waiting for a decision, and the decided ones."""
    return _applications_page()


@bp.route("/people/applications/<int:application_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def decide(application_id: int):
    """Approve (the person is invited) or reject (with a reason) one application."""
    application = db.session.get(Application, application_id)
    if application is None or application.user.erased_at is not None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _applications_page(application, form, 422)
    approve = form.decision.data == "approve"
    name = application.user.full_name
    try:
        services.decide_application(db.session, application, approve=approve, reason=form.reason.data,
                                    by=current_user)
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        return _applications_page(application, form, exc.status)
    db.session.commit()
    if approve:
        flash(_("%(name)s is approved and gets an email with a link to set a password.", name=name), "success")
    else:
        flash(_("%(name)s is rejected and gets a polite email. The reason is kept here.", name=name), "success")
    return redirect(url_for("people.applications"))
