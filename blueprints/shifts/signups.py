"""A volunteer's pages: my shifts, open shifts, and signing up, cancelling and swapping."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import options
from blueprints.shifts import bp
from blueprints.shifts.calendar import refused, render_shift
from blueprints.shifts.forms import ActionForm, CancelRequestForm, FilterForm
from blueprints.shifts.helpers import get_shift, get_signup, own_signup
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.shifts import queries, signups
from logistics.shifts.models import SignupStatus
from logistics.stock.queries import kits as stock_queries


@bp.route("/mine")
@allow(Role.VOLUNTEER)
def mine():
    """My coming shifts (next first, waitlist positions) and recent hours."""
    upcoming, past = queries.my_shifts(db.session, current_user)
    return render_template("shifts/signups/mine.html", upcoming=upcoming, past=past, now=utcnow(),
                           action_form=ActionForm(), kit_kinds=stock_queries.kit_kinds(db.session))


@bp.route("/open")
@allow(Role.VOLUNTEER)
def open_shifts():
    """Shifts I may take, those needing people first, with one-tap sign-up."""
    form = FilterForm(request.args)
    acts = queries.activities(db.session, active_only=True)
    form.activity.choices = options([(0, _("All activities"))] + [(a.id, a.name) for a in acts])
    form.validate()
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    result = queries.open_shifts(db.session, current_user, activity_id=form.activity.data or None,
                                 start=start, end=end)
    return render_template("shifts/signups/open.html", form=form, result=result, action_form=ActionForm())


@bp.route("/<int:shift_id>/signup", methods=["POST"])
@allow(Role.VOLUNTEER)
def signup(shift_id: int):
    """Sign up (or join the waitlist when full)."""
    shift = get_shift(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = signups.sign_up(db.session, shift, current_user, by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    if result.status == SignupStatus.CONFIRMED:
        flash(_("You are signed up. Thank you!"), "success")
    else:
        flash(_("The shift is full: you are number %(n)d on the waitlist.", n=result.position), "info")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/<int:shift_id>/cancel", methods=["POST"])
@allow(Role.VOLUNTEER)
def cancel(shift_id: int):
    """Cancel my own sign-up (until the cut-off)."""
    signup_row = own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.cancel(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    flash(_("Your sign-up is cancelled."), "success")
    return redirect(url_for("shifts.mine"))


@bp.route("/<int:shift_id>/request-cancel", methods=["POST"])
@allow(Role.VOLUNTEER)
def request_cancel(shift_id: int):
    """After the cut-off: ask a coordinator to let me off."""
    signup_row = own_signup(shift_id)
    form = CancelRequestForm()
    if not form.validate_on_submit():
        return render_shift(shift_id, 422, cancel_form=form)
    try:
        signups.request_cancellation(db.session, signup_row, reason=form.reason.data or "", by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    flash(_("Your cancellation request is sent. You are still on the shift until a coordinator answers."),
          "info")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/<int:shift_id>/swap/offer", methods=["POST"])
@allow(Role.VOLUNTEER)
def offer_swap(shift_id: int):
    """Offer my place to another eligible volunteer."""
    signup_row = own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.offer_swap(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    flash(_("Your shift is offered for swap. You stay on it until someone takes it."), "info")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/<int:shift_id>/swap/withdraw", methods=["POST"])
@allow(Role.VOLUNTEER)
def withdraw_swap(shift_id: int):
    """Take back my swap offer."""
    signup_row = own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.withdraw_swap(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    flash(_("Your swap offer is withdrawn."), "success")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/swaps/<int:signup_id>/take", methods=["POST"])
@allow(Role.VOLUNTEER)
def take_swap(signup_id: int):
    """Take over a shift someone offered for swap."""
    offered = get_signup(signup_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.take_swap(db.session, offered, current_user, by=current_user)
    except DomainError as exc:
        return refused(exc, offered.shift_id)
    db.session.commit()
    flash(_("The shift is yours now. Thank you for swapping!"), "success")
    return redirect(url_for("shifts.shift", shift_id=offered.shift_id))
