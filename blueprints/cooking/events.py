"""Cooking event pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from blueprints.access import allow
from blueprints.cooking import bp
from blueprints.distributions.forms import number
from blueprints.fields import DateTimeLocalField, IntegerField, optional_id
from blueprints.forms import NO_NAMES, NO_NAMES_KW, OnceForm, apply_error, options
from logistics.clock import localize, utcnow
from logistics.cooking import events as services
from logistics.cooking import queries
from logistics.cooking.models import CookingEvent
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.shifts import queries as shift_queries
from logistics.shifts.models import Place
from logistics.stock.catalogue import unit_label
from logistics.stock.models import Location
from logistics.stock.queries import catalogue as catalogue_queries

ROWS = 6


class EventForm(OnceForm):
    title = StringField(_l("Title"), [InputRequired(message=_l("Give the event a title.")), Length(max=120)])
    menu = TextAreaField(_l("Menu"), [Optional(), Length(max=4000)], description=NO_NAMES, render_kw=NO_NAMES_KW)
    place_id = SelectField(_l("Place"), [Optional()], coerce=optional_id, validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts"), [InputRequired(message=_l("Give a start."))])
    ends_at = DateTimeLocalField(_l("Ends"), [InputRequired(message=_l("Give an end."))])
    expected_diners = IntegerField(_l("Expected diners"), [InputRequired(message=_l("Give a number."))],
                                   minimum=0, maximum=services.MAX_DINERS)
    location_id = SelectField(_l("Ingredients from"), [InputRequired(message=_l("Choose one."))],
                              coerce=optional_id, validate_choice=False)


class ActionForm(OnceForm):
    """Draw, diners, cancel: the numbers are read by hand."""


@bp.context_processor
def _helpers():
    return {"unit_label": unit_label, "is_coordinator": current_user.is_authenticated
            and current_user.has_role(Role.COORDINATOR)}


@bp.route("/")
@allow(Role.STAFF)
def index():
    return render_template("cooking/index.html", upcoming=queries.upcoming(db.session),
                           recent=queries.recent(db.session), use_soon=queries.use_soon(db.session))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def new():
    """Plan an event; its cook shift is created with it."""
    form = EventForm()
    form.place_id.choices = options([("", "—")] + [(str(p.id), p.name)
                                                   for p in shift_queries.places(db.session, active_only=True)])
    form.location_id.choices = options([(str(loc.id), loc.name) for loc in catalogue_queries.locations(db.session)
                                        if not loc.is_mobile])
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            location = db.session.get(Location, form.location_id.data) if form.location_id.data else None
            place = db.session.get(Place, form.place_id.data) if form.place_id.data else None
            try:
                if location is None:
                    raise DomainError(_("Choose one."), field="location_id")
                event = services.create_event(
                    db.session, title=form.title.data, menu=form.menu.data, place=place,
                    starts_at=localize(form.starts_at.data), ends_at=localize(form.ends_at.data),
                    expected_diners=form.expected_diners.data, location=location, by=current_user)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                apply_error(form, exc)
            else:
                flash(_("Cooking event planned with its cook shift."), "success")
                return redirect(url_for("cooking.detail", event_id=event.id))
    return render_template("cooking/form.html", form=form, use_soon=queries.use_soon(db.session)), status


def _get(event_id: int) -> CookingEvent:
    event = queries.get(db.session, event_id)
    if event is None:
        abort(404)
    return event


def _page(event: CookingEvent, status: int = 200, form=None, rows=None, errors=None):
    return render_template("cooking/detail.html", event=event, form=form or ActionForm(),
                           use_soon=queries.use_soon(db.session), drawn=queries.drawn(db.session, event.id),
                           items=catalogue_queries.item_choices(db.session),
                           rows=(rows or []) + [(None, "")] * (ROWS - len(rows or [])), errors=errors or {},
                           now=utcnow()), status


@bp.route("/<int:event_id>")
@allow(Role.STAFF)
def detail(event_id: int):
    return _page(_get(event_id))


@bp.route("/<int:event_id>/draw", methods=["POST"])
@allow(Role.STAFF)
def draw(event_id: int):
    """Take ingredients from stock for the event."""
    event = _get(event_id)
    form = ActionForm()
    rows = [(optional_id(request.form.get(f"item-{i}")), (request.form.get(f"qty-{i}") or "").strip()[:30])
            for i in range(ROWS)]
    if form.validate_on_submit():
        try:
            services.draw_ingredients(db.session, event, rows, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _page(_get(event_id), exc.status, form, rows, {exc.field: exc.message})
        flash(_("Ingredients taken from stock."), "success")
        return redirect(url_for("cooking.detail", event_id=event_id))
    return _page(event, 422, form, rows)


@bp.route("/<int:event_id>/diners", methods=["POST"])
@allow(Role.STAFF)
def diners(event_id: int):
    event = _get(event_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.record_diners(db.session, event, number("actual_diners"), by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _page(_get(event_id), exc.status, form)
        flash(_("Diners recorded."), "success")
        return redirect(url_for("cooking.detail", event_id=event_id))
    return _page(event, 422, form)


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@allow(Role.COORDINATOR)
def cancel(event_id: int):
    event = _get(event_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.cancel(db.session, event, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
            return _page(_get(event_id), exc.status, form)
        flash(_("Cooking event cancelled, with its cook shift."), "success")
        return redirect(url_for("cooking.detail", event_id=event_id))
    return _page(event, 422, form)
