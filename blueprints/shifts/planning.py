"""The coordinators' planning: activities, places, single shifts and recurring series."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.fields import datetime_arg, int_arg
from blueprints.forms import apply_error, options, show_stored
from blueprints.shifts import bp
from blueprints.shifts.calendar import refused
from blueprints.shifts.forms import ActionForm, ActivityForm, PlaceForm, SeriesForm, ShiftForm
from blueprints.shifts.helpers import get_shift, local_to_utc
from logistics.clock import as_utc, to_local, today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people import queries as people_queries
from logistics.people.models import Role
from logistics.shifts import planning, queries, recurrence
from logistics.shifts.models import Activity, Place, Series
from logistics.stock.queries import kits as stock_queries


def _activity_choices(form_field):
    form_field.choices = options([(a.id, a.name) for a in queries.activities(db.session, active_only=True)])


def _place_choices(form_field):
    form_field.choices = options([(0, _("No place (by phone or online)"))] + [
        (p.id, p.name) for p in queries.places(db.session, active_only=True)])


@bp.route("/activities")
@allow(Role.COORDINATOR)
def activities():
    """Activities and places."""
    return render_template("shifts/planning/activities.html", activities=queries.activities(db.session),
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
        show_stored(form, activity, "name", "briefing")
    if form.validate_on_submit():
        try:
            saved = planning.save_activity(
                db.session, activity, name=form.name.data, kind=form.kind.data, colour=form.colour.data,
                briefing=form.briefing.data, qualification_ids=form.qualifications.data,
                capacity_min=form.capacity_min.data, capacity_max=form.capacity_max.data,
                cancel_cutoff_hours=form.cancel_cutoff_hours.data, signup_opens_days=form.signup_opens_days.data,
                is_discreet=form.is_discreet.data, is_active=form.is_active.data, by=current_user,
                name_da=form.name_da.data or "", briefing_da=form.briefing_da.data or "")
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/planning/activity_form.html", form=form, activity=activity), 422
        db.session.commit()
        flash(_("Activity %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("shifts.activities"))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/planning/activity_form.html", form=form, activity=activity), status


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
        show_stored(form, place, "name")
    if form.validate_on_submit():
        try:
            saved = planning.save_place(db.session, place, name=form.name.data, address=form.address.data,
                                        kind=form.kind.data, is_sensitive=form.is_sensitive.data,
                                        is_active=form.is_active.data, by=current_user,
                                        name_da=form.name_da.data or "")
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/planning/place_form.html", form=form, place=place), 422
        db.session.commit()
        flash(_("Place %(name)s saved.", name=saved.name), "success")
        return redirect(url_for("shifts.activities"))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/planning/place_form.html", form=form, place=place), status


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
        activity = db.session.get(Activity, int_arg("activity") or 0)
        if activity is not None:
            form.activity.data = activity.id
            form.capacity_min.data, form.capacity_max.data = activity.capacity_min, activity.capacity_max
        for name in ("starts_at", "ends_at"):
            value = datetime_arg(name)
            if value is not None:
                getattr(form, name).data = to_local(as_utc(value)).replace(tzinfo=None)
    if form.validate_on_submit():
        activity, place = _shift_form_values(form)
        if activity is None:
            form.activity.errors.append(_("Choose an activity."))
        else:
            try:
                created = planning.create_shift(
                    db.session, activity=activity, place=place, starts_at=local_to_utc(form.starts_at.data),
                    ends_at=local_to_utc(form.ends_at.data), capacity_min=form.capacity_min.data,
                    capacity_max=form.capacity_max.data, note=form.note.data, by=current_user)
            except DomainError as exc:
                db.session.rollback()
                apply_error(form, exc)
                return render_template("shifts/planning/shift_form.html", form=form, shift=None), 422
            db.session.commit()
            flash(_("The shift is planned."), "success")
            return redirect(url_for("shifts.shift", shift_id=created.id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/planning/shift_form.html", form=form, shift=None), status


@bp.route("/<int:shift_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def shift_edit(shift_id: int):
    """Change one shift (an occurrence of a series alone)."""
    shift_row = get_shift(shift_id)
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
            planning.update_shift(db.session, shift_row, place=place, starts_at=local_to_utc(form.starts_at.data),
                                  ends_at=local_to_utc(form.ends_at.data), capacity_min=form.capacity_min.data,
                                  capacity_max=form.capacity_max.data, note=form.note.data, by=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render_template("shifts/planning/shift_form.html", form=form, shift=shift_row), 422
        db.session.commit()
        flash(_("The shift is changed; the people on it will be told."), "success")
        return redirect(url_for("shifts.shift", shift_id=shift_id))
    status = 422 if request.method == "POST" else 200
    return render_template("shifts/planning/shift_form.html", form=form, shift=shift_row), status


@bp.route("/<int:shift_id>/cancel-shift", methods=["POST"])
@allow(Role.COORDINATOR)
def shift_cancel(shift_id: int):
    """Cancel this shift (only this occurrence, for a series)."""
    shift_row = get_shift(shift_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        planning.cancel_shift(db.session, shift_row, by=current_user)
    except DomainError as exc:
        return refused(exc, shift_id)
    db.session.commit()
    flash(_("The shift is cancelled; the people on it will be told."), "success")
    bag = stock_queries.open_outreach_for_shift(db.session, shift_id)
    if bag is not None:
        flash(_("%(bag)s is packed for this shift: unpack it (record the return).", bag=bag.bag_location.name),
              "warning")
    return redirect(url_for("shifts.shift", shift_id=shift_id))


def _series_args(form, activity: Activity | None) -> dict:
    ends = form.ends.data
    start, end = form.start_time.data, form.end_time.data
    duration = None
    if start is not None and end is not None:
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        duration = minutes if minutes > 0 else minutes + 24 * 60
    # Blank people and places: the activity's numbers.
    capacity_min = form.capacity_min.data if form.capacity_min.data is not None else \
        (activity.capacity_min if activity else None)
    capacity_max = form.capacity_max.data if form.capacity_max.data is not None else \
        (activity.capacity_max if activity else None)
    return dict(freq=form.freq.data, interval=form.interval.data, weekdays=form.weekdays.data or [],
                month_weeks=form.month_weeks.data or [], start_time=start, duration_minutes=duration,
                until=form.until.data if ends == "until" else None,
                count=form.count.data if ends == "count" else None,
                capacity_min=capacity_min, capacity_max=capacity_max, note=form.note.data)


def _series_error(form, exc: DomainError) -> None:
    if exc.field == "duration_minutes":
        exc.field = "end_time"
    apply_error(form, exc)


def _series_preview(form, starts_on, activity: Activity | None) -> dict:
    """The next shifts the form's choices would make, in words and dates (nothing saved)."""
    args = _series_args(form, activity)
    rule, dates = planning.preview_series(
        freq=args["freq"], interval=args["interval"], weekdays=args["weekdays"], month_weeks=args["month_weeks"],
        starts_on=starts_on, start_time=args["start_time"], duration_minutes=args["duration_minutes"],
        until=args["until"], count=args["count"])
    return {"words": recurrence.describe(rule, start_time=args["start_time"],
                                         duration_minutes=args["duration_minutes"]),
            "dates": dates, "needed": args["capacity_min"], "places": args["capacity_max"]}


def _activity_defaults() -> str:
    """The activities' people needed and places, for the series form's JavaScript:
    "id:needed:places" joined by commas."""
    return ",".join(f"{a.id}:{a.capacity_min}:{a.capacity_max}"
                    for a in queries.activities(db.session, active_only=True))


def _series_page(form, series, status: int = 200, **extra):
    return render_template("shifts/planning/series_form.html", form=form, series=series,
                           activity_defaults=_activity_defaults(), **extra), status


@bp.route("/series/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def series_new():
    """A recurring shift: daily, weekly on chosen days, or monthly such as 2nd and 4th Tuesday."""
    form = SeriesForm()
    _activity_choices(form.activity)
    _place_choices(form.place)
    if request.method == "GET":
        form.starts_on.data = today()
        activity = db.session.get(Activity, int_arg("activity") or 0)
        if activity is not None:
            form.activity.data = activity.id
            form.capacity_min.data, form.capacity_max.data = activity.capacity_min, activity.capacity_max
    if not form.validate_on_submit():
        return _series_page(form, None, 422 if request.method == "POST" else 200)
    activity, place = _shift_form_values(form)
    if activity is None:
        form.activity.errors.append(_("Choose an activity."))
        return _series_page(form, None, 422)
    try:
        if form.preview.data:
            return _series_page(form, None, preview=_series_preview(form, form.starts_on.data, activity))
        series = planning.create_series(db.session, activity=activity, place=place, starts_on=form.starts_on.data,
                                        by=current_user, **_series_args(form, activity))
    except DomainError as exc:
        db.session.rollback()
        _series_error(form, exc)
        return _series_page(form, None, 422)
    db.session.commit()
    flash(_("The series is saved and its shifts for the next 12 weeks are made."), "success")
    return redirect(url_for("shifts.series_edit", series_id=series.id))


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
        rule = recurrence.parse_rrule(series.rrule)
        form.activity.data = series.activity_id
        form.place.data = series.place_id or 0
        form.freq.data, form.interval.data = rule["freq"], rule["interval"]
        form.weekdays.data = rule["weekdays"]
        form.month_weeks.data = [str(w) for w in rule["month_weeks"]]
        form.starts_on.data = series.starts_on
        form.start_time.data = series.start_time
        end = dt.datetime.combine(series.starts_on, series.start_time) + dt.timedelta(minutes=series.duration_minutes)
        form.end_time.data = end.time()
        form.ends.data = "count" if rule["count"] else "until" if rule["until"] else "none"
        form.count.data, form.until.data = rule["count"], rule["until"]
        form.capacity_min.data, form.capacity_max.data = series.capacity_min, series.capacity_max
        form.note.data = series.note
    else:
        form.starts_on.data = series.starts_on
    upcoming = queries.upcoming_in_series(db.session, series.id)
    if not form.validate_on_submit():
        return _series_page(form, series, 422 if request.method == "POST" else 200, upcoming=upcoming)
    _activity, place = _shift_form_values(form)
    try:
        if form.preview.data:
            return _series_page(form, series, upcoming=upcoming,
                                preview=_series_preview(form, series.starts_on, series.activity))
        result = planning.update_series(db.session, series, place=place, by=current_user,
                                        **_series_args(form, series.activity))
    except DomainError as exc:
        db.session.rollback()
        _series_error(form, exc)
        return _series_page(form, series, 422, upcoming=upcoming)
    db.session.commit()
    flash(_("Series saved: %(changed)d coming shifts changed, %(cancelled)d cancelled, %(created)d added.",
            **result), "success")
    return redirect(url_for("shifts.series_edit", series_id=series.id))
