"""The coordinators' people on shifts: assign and remove, cancellation requests, attendance,
the staffing page, the hotline coverage board and cover requests."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.shifts import bp
from blueprints.shifts.calendar import refused, render_shift
from blueprints.shifts.forms import ActionForm, AssignForm, AttendanceForm, CoverForm
from blueprints.shifts.helpers import get_shift, get_signup
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.i18n import format_span
from logistics.notifications import queries as notification_queries
from logistics.outreach import queries as outreach_queries
from logistics.people.models import Role
from logistics.shifts import planning, queries, signups
from logistics.shifts.models import Activity, SignupStatus
from logistics.shifts.rules import InvalidHours
from logistics.stock.queries import kits as stock_queries


@bp.route("/<int:shift_id>/assign", methods=["POST"])
@allow(Role.COORDINATOR)
def assign(shift_id: int):
    """Put anyone on the shift (over capacity only when ticked)."""
    shift_row = get_shift(shift_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return render_shift(shift_id, 422, assign_form=form)
    # Only someone the picker offers: an active volunteer the sign-up rules let take it.
    candidate = next((c for c in queries.assign_candidates(db.session, shift_row)
                      if c.user.id == form.user_id.data), None)
    if candidate is None or not candidate.may_take:
        form.user_id.errors.append(candidate.refusal.message if candidate is not None
                                   else _("Choose someone from the list."))
        return render_shift(shift_id, 422, assign_form=form)
    user = candidate.user
    try:
        signups.assign(db.session, shift_row, user, by=current_user, over_capacity=form.over_capacity.data)
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        if exc.field:
            flash(exc.message, "error")
        return render_shift(shift_id, 422, assign_form=form)
    db.session.commit()
    flash(_("%(name)s is on the shift.", name=user.full_name), "success")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/signups/<int:signup_id>/remove", methods=["POST"])
@allow(Role.COORDINATOR)
def remove(signup_id: int):
    """Take someone off a shift."""
    row = get_signup(signup_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        signups.remove(db.session, row, by=current_user)
    except DomainError as exc:
        return refused(exc, row.shift_id)
    db.session.commit()
    flash(_("Removed from the shift."), "success")
    return redirect(url_for("shifts.shift", shift_id=row.shift_id))


@bp.route("/signups/<int:signup_id>/cancel-request", methods=["POST"])
@allow(Role.COORDINATOR)
def decide_cancel(signup_id: int):
    """Answer a cancellation request: let them off, or keep them on."""
    row = get_signup(signup_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    try:
        signups.decide_cancellation(db.session, row, approve=approve, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("shifts.staffing"))
    db.session.commit()
    flash(_("The sign-up is cancelled; the place is free again.") if approve
          else _("The request is declined; the person stays on the shift."), "success")
    return redirect(url_for("shifts.staffing"))


@bp.route("/<int:shift_id>/attendance", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def attendance(shift_id: int):
    """Who came, and their hours."""
    shift_row, rows = queries.shift_page(db.session, shift_id)
    if shift_row is None:
        abort(404)
    confirmed = {s.id: s for s in rows if s.status == SignupStatus.CONFIRMED}
    form = AttendanceForm()
    if request.method == "GET":
        for s in confirmed.values():
            form.rows.append_entry({"signup_id": s.id, "attended": s.attended is not False,
                                    "hours": s.hours if s.hours is not None else shift_row.duration_hours})
    if form.validate_on_submit():
        marks = {row.signup_id.data: (row.attended.data, row.hours.data) for row in form.rows}
        try:
            signups.record_attendance(db.session, shift_row, marks, by=current_user)
        except InvalidHours as exc:
            db.session.rollback()
            for row in form.rows:
                if row.signup_id.data in exc.signup_ids:
                    row.hours.errors.append(exc.message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Attendance saved."), "success")
            return redirect(url_for("shifts.shift", shift_id=shift_id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/staffing/attendance.html", shift=shift_row, confirmed=confirmed, form=form,
                           now=utcnow()), status


@bp.route("/staffing")
@allow(Role.COORDINATOR)
def staffing():
    """Staffing: understaffed shifts in the next 14 days, cancellation requests, swap offers."""
    shifts = queries.understaffed(db.session, days=14)
    return render_template("shifts/staffing/staffing.html", shifts=shifts,
                           # "I'm coming" from the last reminder: one statement for the page.
                           coming=notification_queries.coming_counts(db.session, [s.id for s in shifts]),
                           to_unpack=stock_queries.packed_for_cancelled_shifts(db.session),
                           requests=queries.cancellation_requests(db.session),
                           swaps=queries.swap_offers(db.session), action_form=ActionForm(),
                           not_back=outreach_queries.not_back_safe(db.session))


@bp.route("/fill")
@allow(Role.COORDINATOR)
def fill():
    """The staffing page's old address ("Fill"), kept for bookmarks and links in emails."""
    return redirect(url_for("shifts.staffing"), 301)


@bp.route("/coverage")
@allow(Role.COORDINATOR)
def coverage():
    """The 24/7 hotline: every hour of the next 4 weeks, and the gaps."""
    board = queries.coverage(db.session)
    board.mark_coming(notification_queries.coming_counts(db.session, [sid for sid, _a, _b in board.shifts]))
    return render_template("shifts/staffing/coverage.html", board=board,
                           cover_form=CoverForm(), now=utcnow(),
                           not_back=outreach_queries.not_back_safe(db.session))


@bp.route("/coverage/request", methods=["POST"])
@allow(Role.COORDINATOR)
def cover_request():
    """Record a request for cover of a gap (the notification area sends it)."""
    form = CoverForm()
    if not form.validate_on_submit():
        abort(400)
    activity = db.session.get(Activity, form.activity_id.data)
    starts_at, ends_at = form.starts_at.data, form.ends_at.data
    if activity is None:
        abort(400)
    try:
        cover = planning.request_cover(db.session, activity=activity, starts_at=starts_at, ends_at=ends_at,
                                       by=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("shifts.coverage"))
    asked = notification_queries.cover_recipient_count(db.session, cover.id)
    db.session.commit()
    flash(_cover_told(cover.added_shifts, asked), "success")
    return redirect(url_for("shifts.coverage"))


def _cover_told(added, asked: int) -> str:
    """"A shift 02:00–06:00 was added for the gap; 12 volunteers were asked." """
    spans = ", ".join(format_span(s.starts_at, s.ends_at) for s in added)
    asked_text = ngettext("%(num)d volunteer was asked.", "%(num)d volunteers were asked.", asked)
    if len(added) == 1:
        return _("A shift %(span)s was added for the gap; %(asked)s", span=spans, asked=asked_text)
    if added:
        return _("Shifts %(spans)s were added for the gap; %(asked)s", spans=spans, asked=asked_text)
    return _("Cover request recorded; %(asked)s", asked=asked_text)
