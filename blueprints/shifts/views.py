"""Shift pages: my shifts, open shifts, calendars, the shift page and its actions, and the
coordinators' planning (activities, places, shifts, series, fill, coverage, attendance)."""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from babel.dates import format_skeleton, format_time
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints import nav
from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.shifts import labels
from blueprints.shifts.forms import (
    ActionForm,
    ActivityForm,
    AssignForm,
    AttendanceForm,
    CancelRequestForm,
    CoverForm,
    FilterForm,
    PlaceForm,
    SeriesForm,
    ShiftForm,
    options,
)
from logistics.clock import as_utc, localize, to_local, today, utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people import queries as people_queries
from logistics.people.models import Role, User
from logistics.shifts import queries, recurrence, services
from logistics.shifts.models import Activity, Place, Series, Shift, Signup, SignupStatus
from logistics.stock import catalogue as stock_catalogue
from logistics.stock.queries import kits as stock_queries

bp = Blueprint("shifts", __name__, url_prefix="/shifts")

nav.add("shifts.mine", _l("My shifts"), Role.VOLUNTEER, 10)
nav.add("shifts.open_shifts", _l("Open shifts"), Role.VOLUNTEER, 11)
nav.add("shifts.calendar_week", _l("Calendar"), Role.VOLUNTEER, 12, prefix="shifts.calendar_")
nav.add("shifts.fill", _l("Fill"), Role.COORDINATOR, 40)
nav.add("shifts.coverage", _l("Coverage"), Role.COORDINATOR, 41)
nav.add("shifts.activities", _l("Activities"), Role.COORDINATOR, 42, prefix="shifts.activit")


# --- helpers ------------------------------------------------------------------------------------

def _is_coordinator() -> bool:
    return current_user.has_role(Role.COORDINATOR)


@bp.app_template_global("shift_title")
def shift_title(shift: Shift, mine: bool = False) -> str:
    """Discreet activities show a neutral title to everyone but coordinators and the people on them."""
    if shift.activity.is_discreet and not mine and not _is_coordinator():
        return _("HopeNow shift")
    return shift.activity.name


@bp.app_template_global("shows_place")
def shows_place(shift: Shift, mine: bool = False) -> bool:
    return not shift.activity.is_discreet or mine or _is_coordinator()


@bp.app_template_global("shows_address")
def shows_address(shift: Shift, mine: bool = False) -> bool:
    return shift.place is not None and (not shift.place.is_sensitive or mine or _is_coordinator()) \
        and shows_place(shift, mine)


@functools.lru_cache(maxsize=4096)
def _day(day: dt.date, locale: str) -> str:
    return format_skeleton("MMMEd", day, locale=locale)


@functools.lru_cache(maxsize=2048)
def _hour_minute(hour: int, minute: int, locale: str) -> str:
    return format_time(dt.time(hour, minute), "short", locale=locale)


@bp.app_template_filter("day")
def day_filter(value) -> str:
    """A short local weekday and date ("Thu, Dec 3" / "tor. 3. dec."); cached, as calendars show hundreds."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return _day(value, str(get_locale()))


@bp.app_template_filter("hm")
def hour_minute_filter(value: dt.datetime | None) -> str:
    """The local time of day ("18:00"), cached per locale."""
    if value is None:
        return ""
    local = to_local(value)
    return _hour_minute(local.hour, local.minute, str(get_locale()))


bp.add_app_template_global(labels.activity_kind_label, "activity_kind_label")
bp.add_app_template_global(labels.place_kind_label, "place_kind_label")
bp.add_app_template_global(labels.colour_label, "colour_label")


def _get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    return shift


def _own_signup(shift_id: int) -> Signup:
    signup = queries.signup_of(db.session, shift_id, current_user.id)
    if signup is None:
        abort(404)
    return signup


def _local_to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else localize(value)


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _render_shift(shift_id: int, status: int = 200, *, cancel_form=None, assign_form=None):
    shift, signups = queries.shift_page(db.session, shift_id)
    if shift is None:
        abort(404)
    mine = next((s for s in signups if s.user_id == current_user.id), None)
    on_it = mine is not None and mine.status in services.ACTIVE
    confirmed = [s for s in signups if s.status == SignupStatus.CONFIRMED]
    waitlist = [s for s in signups if s.status == SignupStatus.WAITLISTED]
    assign_form = assign_form
    if _is_coordinator() and assign_form is None:
        assign_form = AssignForm()
    if assign_form is not None and _is_coordinator():
        taken = {s.user_id for s in confirmed}
        assign_form.user_id.choices = options([(u.id, u.full_name) for u in services.volunteer_choices(db.session)
                                               if u.id not in taken])
    staff = current_user.has_role(Role.STAFF)
    has_kit = shift.activity.kind.value in stock_queries.kit_kinds(db.session)
    return render_template(
        "shifts/shift.html", shift=shift, mine=mine, on_it=on_it, confirmed=confirmed, waitlist=waitlist,
        coordinator=_is_coordinator(), action_form=ActionForm(), cancel_form=cancel_form or CancelRequestForm(),
        assign_form=assign_form, now=utcnow(), cutoff_at=services.cancel_cutoff_at(shift),
        opens_at=services.signup_opens_at(shift), staff=staff, has_kit=has_kit,
        # Staff and up see the bag's state: packed (by whom, when, which bag), returned.
        outreaches=stock_queries.shift_outreaches(db.session, shift.id) if staff else [],
        sees_kit=has_kit and (staff or (mine is not None and mine.status == SignupStatus.CONFIRMED)),
    ), status


def _refused(exc: DomainError, shift_id: int):
    """Show the reason on the shift page (422), with nothing saved."""
    db.session.rollback()
    flash(exc.message, "error")
    return _render_shift(shift_id, 409 if exc.status == 409 else 422)


# --- volunteers ------------------------------------------------------------------------------------

@bp.route("/mine")
@allow(Role.VOLUNTEER)
def mine():
    """My coming shifts (next first, waitlist positions) and recent hours."""
    upcoming, past = queries.my_shifts(db.session, current_user)
    return render_template("shifts/mine.html", upcoming=upcoming, past=past, now=utcnow(),
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
    return render_template("shifts/open.html", form=form, result=result, action_form=ActionForm())


@bp.route("/calendar/week")
@allow(Role.VOLUNTEER)
def calendar_week():
    """Seven days of shifts from a Monday."""
    day = _parse_date(request.args.get("start"), today())
    monday = day - dt.timedelta(days=day.weekday())
    by_day, shifts = queries.calendar_days(db.session, monday, 7)
    mine = queries.my_status(db.session, current_user, [s.id for s in shifts])
    return render_template("shifts/week.html", by_day=by_day, monday=monday, mine=mine, today=today(),
                           prev=monday - dt.timedelta(days=7), next=monday + dt.timedelta(days=7))


@bp.route("/calendar/month")
@allow(Role.VOLUNTEER)
def calendar_month():
    """A month of shifts, as weeks from Monday."""
    day = _parse_date((request.args.get("month") or "") + "-01" if request.args.get("month") else None, today())
    first = day.replace(day=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    grid_end = next_month + dt.timedelta(days=(7 - next_month.weekday()) % 7)
    days = (grid_end - grid_start).days
    by_day, shifts = queries.calendar_days(db.session, grid_start, days)
    mine = queries.my_status(db.session, current_user, [s.id for s in shifts])
    weeks = [list(by_day.items())[i:i + 7] for i in range(0, days, 7)]
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    return render_template("shifts/month.html", weeks=weeks, first=first, mine=mine, today=today(),
                           prev=prev_month, next=next_month)


@bp.route("/<int:shift_id>")
@allow(Role.VOLUNTEER)
def shift(shift_id: int):
    """Activity, place, time, briefing and who is on it."""
    return _render_shift(shift_id)


@bp.route("/<int:shift_id>/kit")
@allow(Role.VOLUNTEER)
def kit(shift_id: int):
    """What the shift's bag holds or should hold: for the people on the shift, and staff.
    Items, quantities and expiry dates only; no other stock data."""
    shift_row = _get_shift(shift_id)
    on_it = queries.is_confirmed_on(db.session, current_user.id, shift_id)
    if not on_it and not current_user.has_role(Role.STAFF):
        abort(403)
    return render_template("shifts/kit.html", shift=shift_row, on_it=on_it,
                           kit=stock_queries.shift_kit(db.session, shift_row), unit_label=stock_catalogue.unit_label)


@bp.route("/<int:shift_id>/signup", methods=["POST"])
@allow(Role.VOLUNTEER)
def signup(shift_id: int):
    """Sign up (or join the waitlist when full)."""
    shift = _get_shift(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = services.sign_up(db.session, shift, current_user, by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
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
    signup_row = _own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
    db.session.commit()
    flash(_("Your sign-up is cancelled."), "success")
    return redirect(url_for("shifts.mine"))


@bp.route("/<int:shift_id>/request-cancel", methods=["POST"])
@allow(Role.VOLUNTEER)
def request_cancel(shift_id: int):
    """After the cut-off: ask a coordinator to let me off."""
    signup_row = _own_signup(shift_id)
    form = CancelRequestForm()
    if not form.validate_on_submit():
        return _render_shift(shift_id, 422, cancel_form=form)
    try:
        services.request_cancellation(db.session, signup_row, reason=form.reason.data or "", by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
    db.session.commit()
    flash(_("Your cancellation request is sent. You are still on the shift until a coordinator answers."),
          "info")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/<int:shift_id>/swap/offer", methods=["POST"])
@allow(Role.VOLUNTEER)
def offer_swap(shift_id: int):
    """Offer my place to another eligible volunteer."""
    signup_row = _own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.offer_swap(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
    db.session.commit()
    flash(_("Your shift is offered for swap. You stay on it until someone takes it."), "info")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/<int:shift_id>/swap/withdraw", methods=["POST"])
@allow(Role.VOLUNTEER)
def withdraw_swap(shift_id: int):
    signup_row = _own_signup(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw_swap(db.session, signup_row, by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
    db.session.commit()
    flash(_("Your swap offer is withdrawn."), "success")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/swaps/<int:signup_id>/take", methods=["POST"])
@allow(Role.VOLUNTEER)
def take_swap(signup_id: int):
    """Take over a shift someone offered for swap."""
    offered = db.session.get(Signup, signup_id)
    if offered is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.take_swap(db.session, offered, current_user, by=current_user)
    except DomainError as exc:
        return _refused(exc, offered.shift_id)
    db.session.commit()
    flash(_("The shift is yours now. Thank you for swapping!"), "success")
    return redirect(url_for("shifts.shift", shift_id=offered.shift_id))


# --- coordinators: people on a shift -----------------------------------------------------------------

@bp.route("/<int:shift_id>/assign", methods=["POST"])
@allow(Role.COORDINATOR)
def assign(shift_id: int):
    """Put anyone on the shift (over capacity only when ticked)."""
    shift_row = _get_shift(shift_id)
    form = AssignForm()
    form.user_id.choices = options([(u.id, u.full_name) for u in services.volunteer_choices(db.session)])
    if not form.validate_on_submit():
        return _render_shift(shift_id, 422, assign_form=form)
    user = db.session.get(User, form.user_id.data)
    try:
        services.assign(db.session, shift_row, user, by=current_user, over_capacity=form.over_capacity.data)
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        if exc.field:
            flash(exc.message, "error")
        return _render_shift(shift_id, 422, assign_form=form)
    db.session.commit()
    flash(_("%(name)s is on the shift.", name=user.full_name), "success")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


@bp.route("/signups/<int:signup_id>/remove", methods=["POST"])
@allow(Role.COORDINATOR)
def remove(signup_id: int):
    """Take someone off a shift."""
    row = db.session.get(Signup, signup_id)
    if row is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.remove(db.session, row, by=current_user)
    except DomainError as exc:
        return _refused(exc, row.shift_id)
    db.session.commit()
    flash(_("Removed from the shift."), "success")
    return redirect(url_for("shifts.shift", shift_id=row.shift_id))


@bp.route("/signups/<int:signup_id>/cancel-request", methods=["POST"])
@allow(Role.COORDINATOR)
def decide_cancel(signup_id: int):
    """Answer a cancellation request: let them off, or keep them on."""
    row = db.session.get(Signup, signup_id)
    if row is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    try:
        services.decide_cancellation(db.session, row, approve=approve, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("shifts.fill"))
    db.session.commit()
    flash(_("The sign-up is cancelled; the place is free again.") if approve
          else _("The request is declined; the person stays on the shift."), "success")
    return redirect(url_for("shifts.fill"))


@bp.route("/<int:shift_id>/attendance", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def attendance(shift_id: int):
    """Who came, and their hours."""
    shift_row, signups = queries.shift_page(db.session, shift_id)
    if shift_row is None:
        abort(404)
    confirmed = [s for s in signups if s.status == SignupStatus.CONFIRMED]
    form = AttendanceForm()
    errors = {}
    if form.validate_on_submit():
        rows = {}
        for s in confirmed:
            attended = request.form.get(f"attended_{s.id}") == "1"
            raw = (request.form.get(f"hours_{s.id}") or "").strip().replace(",", ".")
            try:
                hours = Decimal(raw) if raw else None
            except InvalidOperation:
                errors[s.id] = _("Enter hours as a number, such as 3.5.")
                continue
            if hours is not None and not (0 <= hours <= 24):
                errors[s.id] = _("Hours must be between 0 and 24.")
                continue
            rows[s.id] = (attended, hours)
        if not errors:
            try:
                services.record_attendance(db.session, shift_row, rows, by=current_user)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return render_template("shifts/attendance.html", shift=shift_row, confirmed=confirmed, form=form,
                                       errors=errors, now=utcnow()), 422
            db.session.commit()
            flash(_("Attendance saved."), "success")
            return redirect(url_for("shifts.shift", shift_id=shift_id))
    status = 422 if errors or (request.method == "POST") else 200
    return render_template("shifts/attendance.html", shift=shift_row, confirmed=confirmed, form=form,
                           errors=errors, now=utcnow()), status


# --- coordinators: planning ------------------------------------------------------------------------

def _activity_choices(form_field):
    form_field.choices = options([(a.id, a.name) for a in queries.activities(db.session, active_only=True)])


def _place_choices(form_field):
    form_field.choices = options([(0, _("No place (by phone or online)"))] + [
        (p.id, p.name) for p in queries.places(db.session, active_only=True)])


@bp.route("/activities")
@allow(Role.COORDINATOR)
def activities():
    """Activities and places."""
    return render_template("shifts/activities.html", activities=queries.activities(db.session),
                           places=queries.places(db.session),
                           series=queries.recent_series(db.session))


def _qualification_choices(form):
    locale = get_locale().language
    form.qualifications.choices = options([(q.id, q.name(locale))
                                           for q in people_queries.qualifications(db.session, active_only=True)])


def _save_activity(activity: Activity | None):
    form = ActivityForm(obj=activity)
    _qualification_choices(form)
    if request.method == "GET" and activity is not None:
        form.kind.data = activity.kind.value
        form.qualifications.data = [q.id for q in activity.qualifications]
    if form.validate_on_submit():
        try:
            saved = services.save_activity(
                db.session, activity, name=form.name.data, kind=form.kind.data, colour=form.colour.data,
                briefing=form.briefing.data, qualification_ids=form.qualifications.data,
                capacity_min=form.capacity_min.data, capacity_max=form.capacity_max.data,
                cancel_cutoff_hours=form.cancel_cutoff_hours.data, signup_opens_days=form.signup_opens_days.data,
                is_discreet=form.is_discreet.data, is_active=form.is_active.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/activity_form.html", form=form, activity=activity), 422
        db.session.commit()
        flash(_("Activity %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("shifts.activities"))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/activity_form.html", form=form, activity=activity), status


@bp.route("/activities/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def activity_new():
    return _save_activity(None)


@bp.route("/activities/<int:activity_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def activity_edit(activity_id: int):
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    return _save_activity(activity)


def _save_place(place: Place | None):
    form = PlaceForm(obj=place)
    if request.method == "GET" and place is not None:
        form.kind.data = place.kind.value
    if form.validate_on_submit():
        try:
            saved = services.save_place(db.session, place, name=form.name.data, address=form.address.data,
                                        kind=form.kind.data, is_sensitive=form.is_sensitive.data,
                                        is_active=form.is_active.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/place_form.html", form=form, place=place), 422
        db.session.commit()
        flash(_("Place %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("shifts.activities"))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/place_form.html", form=form, place=place), status


@bp.route("/places/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def activity_place_new():
    return _save_place(None)


@bp.route("/places/<int:place_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def activity_place_edit(place_id: int):
    place = db.session.get(Place, place_id)
    if place is None:
        abort(404)
    return _save_place(place)


def _shift_form_values(form):
    activity = db.session.get(Activity, form.activity.data) if hasattr(form, "activity") else None
    place = db.session.get(Place, form.place.data) if form.place.data else None
    return activity, place


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def shift_new():
    """Plan one shift (prefilled from the coverage board's gaps)."""
    form = ShiftForm()
    _activity_choices(form.activity)
    _place_choices(form.place)
    if request.method == "GET":
        activity = db.session.get(Activity, request.args.get("activity", type=int) or 0)
        if activity is not None:
            form.activity.data = activity.id
            form.capacity_min.data, form.capacity_max.data = activity.capacity_min, activity.capacity_max
        for name in ("starts_at", "ends_at"):
            raw = request.args.get(name)
            if raw:
                try:
                    getattr(form, name).data = to_local(as_utc(dt.datetime.fromisoformat(raw))).replace(tzinfo=None)
                except ValueError:
                    pass
    if form.validate_on_submit():
        activity, place = _shift_form_values(form)
        if activity is None:
            form.activity.errors.append(_("Choose an activity."))
        else:
            try:
                created = services.create_shift(
                    db.session, activity=activity, place=place, starts_at=_local_to_utc(form.starts_at.data),
                    ends_at=_local_to_utc(form.ends_at.data), capacity_min=form.capacity_min.data,
                    capacity_max=form.capacity_max.data, note=form.note.data, by=current_user)
            except DomainError as exc:
                db.session.rollback()
                apply_error(form, exc)
                return render_template("shifts/shift_form.html", form=form, shift=None), 422
            db.session.commit()
            flash(_("The shift is planned."), "success")
            return redirect(url_for("shifts.shift", shift_id=created.id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/shift_form.html", form=form, shift=None), status


@bp.route("/<int:shift_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def shift_edit(shift_id: int):
    """Change one shift (an occurrence of a series alone)."""
    shift_row = _get_shift(shift_id)
    form = ShiftForm(obj=None if request.method == "POST" else shift_row)
    _activity_choices(form.activity)
    form.activity.choices = options([(shift_row.activity_id, shift_row.activity.name)])
    _place_choices(form.place)
    if request.method == "GET":
        form.activity.data = shift_row.activity_id
        form.place.data = shift_row.place_id or 0
        form.starts_at.data = to_local(shift_row.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(shift_row.ends_at).replace(tzinfo=None)
    if form.validate_on_submit():
        _activity, place = _shift_form_values(form)
        try:
            services.update_shift(db.session, shift_row, place=place, starts_at=_local_to_utc(form.starts_at.data),
                                  ends_at=_local_to_utc(form.ends_at.data), capacity_min=form.capacity_min.data,
                                  capacity_max=form.capacity_max.data, note=form.note.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/shift_form.html", form=form, shift=shift_row), 422
        db.session.commit()
        flash(_("The shift is changed; the people on it will be told."), "success")
        return redirect(url_for("shifts.shift", shift_id=shift_id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/shift_form.html", form=form, shift=shift_row), status


@bp.route("/<int:shift_id>/cancel-shift", methods=["POST"])
@allow(Role.COORDINATOR)
def shift_cancel(shift_id: int):
    """Cancel this shift (only this occurrence, for a series)."""
    shift_row = _get_shift(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_shift(db.session, shift_row, by=current_user)
    except DomainError as exc:
        return _refused(exc, shift_id)
    db.session.commit()
    flash(_("The shift is cancelled; the people on it will be told."), "success")
    bag = stock_queries.open_outreach_for_shift(db.session, shift_id)
    if bag is not None:
        flash(_("%(bag)s is packed for this shift: unpack it (record the return).", bag=bag.bag_location.name),
              "warning")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


def _series_args(form) -> dict:
    ends = form.ends.data
    start, end = form.start_time.data, form.end_time.data
    duration = None
    if start is not None and end is not None:
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        duration = minutes if minutes > 0 else minutes + 24 * 60
    return dict(freq=form.freq.data, interval=form.interval.data, weekdays=form.weekdays.data or [],
                month_weeks=form.month_weeks.data or [], start_time=start, duration_minutes=duration,
                until=form.until.data if ends == "until" else None,
                count=form.count.data if ends == "count" else None,
                capacity_min=form.capacity_min.data, capacity_max=form.capacity_max.data, note=form.note.data)


def _series_error(form, exc: DomainError) -> None:
    if exc.field == "duration_minutes":
        exc.field = "end_time"
    apply_error(form, exc)


@bp.route("/series/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def series_new():
    """A recurring shift: daily, weekly on chosen days, or monthly such as 2nd and 4th Tuesday."""
    form = SeriesForm()
    _activity_choices(form.activity)
    _place_choices(form.place)
    if request.method == "GET":
        form.starts_on.data = today()
        activity = db.session.get(Activity, request.args.get("activity", type=int) or 0)
        if activity is not None:
            form.activity.data = activity.id
            form.capacity_min.data, form.capacity_max.data = activity.capacity_min, activity.capacity_max
    if form.validate_on_submit():
        activity, place = _shift_form_values(form)
        if form.ends.data == "until" and form.until.data is None:
            form.until.errors.append(_("Give the last day."))
        elif form.ends.data == "count" and not form.count.data:
            form.count.errors.append(_("The number of shifts must be at least 1."))
        elif activity is None:
            form.activity.errors.append(_("Choose an activity."))
        else:
            try:
                series = services.create_series(db.session, activity=activity, place=place,
                                                starts_on=form.starts_on.data, by=current_user,
                                                **_series_args(form))
            except DomainError as exc:
                db.session.rollback()
                _series_error(form, exc)
                return render_template("shifts/series_form.html", form=form, series=None), 422
            db.session.commit()
            flash(_("The series is saved and its shifts for the next 12 weeks are made."), "success")
            return redirect(url_for("shifts.series_edit", series_id=series.id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/series_form.html", form=form, series=None), status


@bp.route("/series/<int:series_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def series_edit(series_id: int):
    """Change a series from now on; past and separately changed shifts stay as they are."""
    series = db.session.get(Series, series_id)
    if series is None:
        abort(404)
    form = SeriesForm()
    form.activity.choices = options([(series.activity_id, series.activity.name)])
    _place_choices(form.place)
    if request.method == "GET":
        parts = recurrence.describe(series.rrule)
        form.activity.data = series.activity_id
        form.place.data = series.place_id or 0
        form.freq.data = parts.get("FREQ", "WEEKLY").lower()
        form.interval.data = int(parts.get("INTERVAL", 1))
        byday = [d for d in parts.get("BYDAY", "").split(",") if d]
        form.weekdays.data = sorted({d[-2:] for d in byday})
        form.month_weeks.data = sorted({d[:-2] for d in byday if d[:-2]})
        form.starts_on.data = series.starts_on
        form.start_time.data = series.start_time
        end = dt.datetime.combine(series.starts_on, series.start_time) + dt.timedelta(minutes=series.duration_minutes)
        form.end_time.data = end.time()
        if "COUNT" in parts:
            form.ends.data, form.count.data = "count", int(parts["COUNT"])
        elif "UNTIL" in parts:
            form.ends.data, form.until.data = "until", dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
        else:
            form.ends.data = "none"
        form.capacity_min.data, form.capacity_max.data = series.capacity_min, series.capacity_max
        form.note.data = series.note
    else:
        form.starts_on.data = series.starts_on
    upcoming = queries.upcoming_in_series(db.session, series.id)
    if form.validate_on_submit():
        _activity, place = _shift_form_values(form)
        if form.ends.data == "until" and form.until.data is None:
            form.until.errors.append(_("Give the last day."))
        elif form.ends.data == "count" and not form.count.data:
            form.count.errors.append(_("The number of shifts must be at least 1."))
        else:
            args = _series_args(form)
            try:
                result = services.update_series(db.session, series, place=place, by=current_user, **args)
            except DomainError as exc:
                db.session.rollback()
                _series_error(form, exc)
                return render_template("shifts/series_form.html", form=form, series=series,
                                       upcoming=upcoming), 422
            db.session.commit()
            flash(_("Series saved: %(changed)d coming shifts changed, %(cancelled)d cancelled, %(created)d added.",
                    **result), "success")
            return redirect(url_for("shifts.series_edit", series_id=series.id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/series_form.html", form=form, series=series, upcoming=upcoming), status


@bp.route("/fill")
@allow(Role.COORDINATOR)
def fill():
    """Understaffed shifts in the next 14 days, cancellation requests and swap offers."""
    return render_template("shifts/fill.html", shifts=queries.understaffed(db.session, days=14),
                           to_unpack=stock_queries.packed_for_cancelled_shifts(db.session),
                           requests=queries.cancellation_requests(db.session),
                           swaps=queries.swap_offers(db.session), action_form=ActionForm())


@bp.route("/coverage")
@allow(Role.COORDINATOR)
def coverage():
    """The 24/7 hotline: every hour of the next 4 weeks, and the gaps."""
    return render_template("shifts/coverage.html", board=queries.coverage(db.session), cover_form=CoverForm(),
                           now=utcnow())


@bp.route("/coverage/request", methods=["POST"])
@allow(Role.COORDINATOR)
def cover_request():
    """Record a request for cover of a gap (the notification area sends it)."""
    form = CoverForm()
    if not form.validate_on_submit():
        abort(400)
    activity = db.session.get(Activity, int(form.activity_id.data)) if form.activity_id.data.isdigit() else None
    try:
        starts_at = as_utc(dt.datetime.fromisoformat(form.starts_at.data))
        ends_at = as_utc(dt.datetime.fromisoformat(form.ends_at.data))
    except ValueError:
        abort(400)
    if activity is None:
        abort(400)
    try:
        services.request_cover(db.session, activity=activity, starts_at=starts_at, ends_at=ends_at, by=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("shifts.coverage"))
    db.session.commit()
    flash(_("Cover request recorded; eligible volunteers will be asked."), "success")
    return redirect(url_for("shifts.coverage"))

