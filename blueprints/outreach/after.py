"""The phone flow after a shift, "How did it go?": I'm back safe (street outreach), the
tally, and the bag return for a shift that took the outreach bag, on one page."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.fields import parse_int
from blueprints.forms import apply_error
from blueprints.outreach import bp
from blueprints.outreach.forms import BackSafeForm, TallyForm
from blueprints.outreach.helpers import after_page, get_shift
from blueprints.stock import forms as stock_forms
from blueprints.stock.helpers import line_error
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.outreach import checkouts, queries, tallies
from logistics.outreach.models import GENDERS
from logistics.people.models import Role
from logistics.stock import kits as kit_services

ALL_COUNTS = (*GENDERS, "new_contacts", "calls", "visits")


def _may_see_or_403(shift):
    if not tallies.may_see(db.session, shift, current_user):
        abort(403)


@bp.route("/shifts/<int:shift_id>")
@allow(Role.VOLUNTEER)
def after(shift_id: int):
    """How did it go? Back safe, the tally and the bag of one ended shift."""
    shift = get_shift(shift_id)
    _may_see_or_403(shift)
    return after_page(shift)


@bp.route("/shifts/<int:shift_id>/back-safe", methods=["POST"])
@allow(Role.VOLUNTEER)
def back_safe(shift_id: int):
    """I'm back safe."""
    shift = get_shift(shift_id)
    form = BackSafeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        checkouts.back_safe(db.session, shift, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403 or not tallies.may_see(db.session, shift, current_user):
            raise  # the error page says why, with the status
        flash(exc.message, "error")
        return after_page(shift, status=exc.status)
    db.session.commit()
    flash(_("Thank you. Good to know you are back safe."), "success")
    return redirect(url_for("outreach.after", shift_id=shift.id))


def _referrals(form: TallyForm, shift) -> dict[int, int] | None:
    """The referral counts sent (partner-<id> fields), or None after putting an error on the form."""
    out = {}
    for key, raw in request.form.items():
        if not key.startswith("partner-"):
            continue
        partner_id = parse_int(key.removeprefix("partner-"))
        if partner_id is None:
            abort(400)
        raw = raw.strip()
        if not raw:
            continue
        value = parse_int(raw, minimum=0, maximum=tallies.MAX_COUNT)
        if value is None:
            message = _("Referrals: enter a whole number from 0 to %(max)d.", max=tallies.MAX_COUNT)
            form.form_errors.append(message)
            flash(message, "error")
            return None
        out[partner_id] = value
    return out


@bp.route("/shifts/<int:shift_id>/tally", methods=["POST"])
@allow(Role.VOLUNTEER)
def tally(shift_id: int):
    """Start or correct the shift's tally."""
    shift = get_shift(shift_id)
    _may_see_or_403(shift)
    form = TallyForm()
    if not form.validate_on_submit():
        return after_page(shift, tally_form=form, status=422)
    referrals = _referrals(form, shift)
    if referrals is None:
        return after_page(shift, tally_form=form, status=422)
    try:
        tallies.save(db.session, shift, counts={name: getattr(form, name).data for name in ALL_COUNTS},
                     referrals=referrals, note=form.note.data or "", by=current_user)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise  # the error page says why ("more than 7 days old: ask a coordinator")
        if exc.field and exc.field.startswith("partner-"):
            form.form_errors.append(exc.message)
            flash(exc.message, "error")
        else:
            apply_error(form, exc)
        return after_page(shift, tally_form=form, status=exc.status if exc.status != 404 else 422)
    db.session.commit()
    flash(_("Tally saved. Thank you."), "success")
    return redirect(url_for("outreach.after", shift_id=shift.id))


@bp.route("/shifts/<int:shift_id>/bag", methods=["POST"])
@allow(Role.VOLUNTEER)
def bag_return(shift_id: int):
    """The bag return of the stock pages, for the people on the shift."""
    shift = get_shift(shift_id)
    _may_see_or_403(shift)
    _members, _tally, bag = queries.shift_state(db.session, shift)
    if bag is None:
        flash(_("The bag of this shift is already back."), "info")
        return redirect(url_for("outreach.after", shift_id=shift.id))
    form = stock_forms.ReturnForm()
    if not form.validate_on_submit():
        abort(400)
    if form.preview.data:
        db.session.rollback()
        return after_page(shift, return_form=form, preview=True)
    returned = {entry.item_id.data: entry.quantity.data for entry in form.lines}
    try:
        kit_services.record_return(db.session, bag, returned, early_reason=form.early_reason.data, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        if not line_error(form.lines, exc, "back-"):
            apply_error(form, exc)
        return after_page(shift, return_form=form, status=422)
    db.session.commit()
    flash(_("The bag return is recorded. Thank you."), "success")
    return redirect(url_for("outreach.after", shift_id=shift.id))
