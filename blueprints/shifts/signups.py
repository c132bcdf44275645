"""A volunteer's pages: my shifts, open shifts, and signing up, cancelling and swapping."""
from __future__ import annotations

import datetime as dt
import itertools

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import options
from blueprints.shifts import bp
from blueprints.shifts.calendar import refused, render_shift
from blueprints.shifts.forms import ActionForm, CancelRequestForm, FilterForm
from blueprints.shifts.helpers import get_shift, get_signup, own_signup, shift_title_of
from blueprints.shifts.labels import activity_kind_label
from logistics.clock import to_local, utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.shifts import filters, queries, signups
from logistics.shifts import mine as mine_queries
from logistics.shifts.models import SignupStatus
from logistics.stock.queries import kits as stock_queries

#: My shifts lists this many coming shifts, then "Show all your coming shifts".
MINE_PAGE = 30


@bp.route("/mine")
@allow(Role.VOLUNTEER)
def mine():
    """My coming shifts (next first, waitlist positions; the next thirty unless all are asked
    for) and recent hours."""
    everything = request.args.get("all") == "1"
    result = mine_queries.my_shifts(db.session, current_user, limit=None if everything else MINE_PAGE)
    return render_template("shifts/signups/mine.html", upcoming=result.upcoming, past=result.past,
                           more=result.more, now=utcnow(), action_form=ActionForm(),
                           kit_kinds=stock_queries.kit_kinds(db.session))


#: Open shifts shows this many at a time (a week or two), then "Later shifts".
OPEN_PAGE = 30


@bp.route("/open")
@allow(Role.VOLUNTEER)
def open_shifts():
    """Shifts I may take, by day, with one-tap sign-up; the activity and hidden kinds I chose
    last time are remembered."""
    form = FilterForm(request.args)
    acts = queries.activities(db.session, active_only=True, qualifications=False)
    form.activity.choices = options([(0, _("All activities"))] + [(a.id, shift_title_of(a)) for a in acts])
    kinds = sorted({a.kind.value for a in acts}, key=lambda k: activity_kind_label(k))
    form.hide.choices = options([(k, activity_kind_label(k)) for k in kinds])
    form.validate()
    choice = {}  # what this request chose, to remember: the form sends both, a link may send one
    if "activity" in request.args and not form.activity.errors:
        choice["open_activity_id"] = form.activity.data or None
    if "filter" in request.args:
        choice["hidden_kinds"] = form.hide.data or []
    if choice:
        chosen = filters.remember(db.session, current_user, **choice)
        db.session.commit()
    else:
        chosen = filters.of(db.session, current_user)
    form.activity.data = chosen.open_activity_id or 0
    form.hide.data = list(chosen.hidden_kinds)
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    result = queries.open_shifts(db.session, current_user, activity_id=chosen.open_activity_id,
                                 start=start, end=end, hidden_kinds=chosen.hidden_kinds, limit=OPEN_PAGE)
    days = [(day, list(group)) for day, group in itertools.groupby(
        result.shifts, key=lambda s: to_local(s.starts_at).date())]
    later = to_local(result.shifts[-1].starts_at).date() + dt.timedelta(days=1) if result.more else None
    return render_template("shifts/signups/open.html", form=form, result=result, days=days, later=later,
                           hidden=[activity_kind_label(k) for k in chosen.hidden_kinds], action_form=ActionForm())


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
