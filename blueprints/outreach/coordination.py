"""The coordinators' side: who is not back safe (and clearing them with a reason), shifts
without a tally, and the partner list of the tally."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.outreach import bp
from blueprints.outreach.forms import ClearForm, PartnerForm
from blueprints.outreach.helpers import get_shift
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.outreach import checkouts, partners, queries
from logistics.outreach.models import Partner
from logistics.people.models import Role, User


def _not_back_page(status: int = 200, form: ClearForm | None = None, failed: tuple[int, int] | None = None):
    return render_template("outreach/not_back.html", rows=queries.not_back_safe(db.session),
                           form=form or ClearForm(), failed=failed,
                           grace=checkouts.grace(db.session)), status


@bp.route("/not-back")
@allow(Role.COORDINATOR)
def not_back():
    """People not back safe from street outreach, with their phone numbers and a clear button."""
    return _not_back_page()


@bp.route("/shifts/<int:shift_id>/clear/<int:user_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def clear(shift_id: int, user_id: int):
    """A coordinator clears one person with a reason."""
    shift = get_shift(shift_id)
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    form = ClearForm()
    if not form.validate_on_submit():
        return _not_back_page(422, form, (shift_id, user_id))
    try:
        checkouts.clear(db.session, shift, person, reason=form.reason.data, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        return _not_back_page(422, form, (shift_id, user_id))
    db.session.commit()
    flash(_("%(name)s is cleared.", name=person.first_name), "success")
    return redirect(url_for("outreach.not_back"))


#: The list of shifts without a tally shows this many, the most recent first.
MISSING_PAGE = 200


@bp.route("/missing-tallies")
@allow(Role.COORDINATOR)
def missing_tallies():
    """Shifts that ended more than 2 days ago without a tally (the most recent, and how many
    there are in all when that is more, as the start page counts them)."""
    shifts = queries.missing_tallies(db.session, limit=MISSING_PAGE)
    total = queries.missing_tally_count(db.session) if len(shifts) >= MISSING_PAGE else len(shifts)
    return render_template("outreach/missing.html", shifts=shifts, total=total)


def _partners_page(form: PartnerForm | None = None, status: int = 200):
    return render_template("outreach/partners.html", partners=queries.partners(db.session),
                           form=form or PartnerForm(formdata=None)), status


@bp.route("/partners", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def partner_list():
    """The partners of the tally; add one."""
    form = PartnerForm()
    if not form.is_submitted():
        return _partners_page()
    if not form.validate():
        return _partners_page(form, 422)
    try:
        partners.save(db.session, None, name=form.name.data, position=form.position.data or 100,
                      is_active=True, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        return _partners_page(form, exc.status)
    db.session.commit()
    flash(_("Partner added."), "success")
    return redirect(url_for("outreach.partner_list"))


@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def partner_edit(partner_id: int):
    """Rename, reorder or retire a partner (its past referrals stay counted)."""
    partner = db.get_or_404(Partner, partner_id)
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            partners.save(db.session, partner, name=form.name.data,
                          position=100 if form.position.data is None else form.position.data,
                          is_active=form.is_active.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("outreach/partner_edit.html", partner=partner, form=form), exc.status
        db.session.commit()
        flash(_("Partner saved."), "success")
        return redirect(url_for("outreach.partner_list"))
    status = 422 if form.is_submitted() else 200
    return render_template("outreach/partner_edit.html", partner=partner, form=form), status
