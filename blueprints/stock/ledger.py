"""Ledger pages: the overview, one item (balances, level chart, history), the movements
(receive, issue, transfer, discard, adjust, undo) and lots (trace, quarantine, release)."""
from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from blueprints.access import allow
from blueprints.fields import int_arg, page_arg
from blueprints.forms import apply_error
from blueprints.stock import bp
from blueprints.stock import forms as f
from blueprints.stock.chart import level_chart
from blueprints.stock.helpers import (
    item_choices,
    item_url,
    location_choices,
    lot_choices,
    prefill,
    qty,
    record,
    render,
)
from logistics.clock import today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import catalogue, ledger
from logistics.stock.models import Category, Item, Lot, Movement
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import ledger as ledger_queries
from logistics.stock.queries import lists as lists_queries

PER_PAGE = 100
HISTORY_PER_PAGE = 25


# --- overview and items -----------------------------------------------------------------

@bp.route("/")
@allow(Role.STAFF)
def overview():
    """Every item by category with on-hand, below-minimum badge and nearest expiry."""
    q = (request.args.get("q") or "").strip()[:100]
    category = request.args.get("category") or None
    if category not in {c.value for c in Category}:
        category = None
    location_id = int_arg("location_id")
    below = request.args.get("below") == "1"
    page = page_arg()
    rows, total = ledger_queries.overview(db.session, q=q or None, category=category, location_id=location_id,
                                          below_only=below, page=page, per_page=PER_PAGE)
    locations = catalogue_queries.locations(db.session)
    return render_template("stock/ledger/overview.html", rows=rows, total=total, page=page, per_page=PER_PAGE, q=q,
                           category=category, location_id=location_id, below=below, locations=locations,
                           warn_until=today().toordinal() + lists_queries.warning_days(db.session))


@bp.route("/items/<int:item_id>")
@allow(Role.STAFF)
def item(item_id: int):
    """One item: balances per lot and location, level chart, paged history."""
    obj = db.get_or_404(Item, item_id)
    balances = ledger_queries.item_balances(db.session, item_id)
    total = sum((b.qty for b in balances), Decimal(0))
    page = page_arg()
    movements, count = ledger_queries.item_movements(db.session, item_id, page=page, per_page=HISTORY_PER_PAGE)
    series = ledger_queries.level_series(db.session, item_id, total)
    chart = level_chart(series, obj.min_level, _("Level of %(item)s over the last year", item=obj.full_name))
    return render_template("stock/ledger/item.html", item=obj, balances=balances, total=total, movements=movements,
                           count=count, page=page, per_page=HISTORY_PER_PAGE, chart=chart)


# --- movements --------------------------------------------------------------------------

def _lot_from(form, item):
    return ledger.get_lot(db.session, item, form.lot_id.data)


@bp.route("/receive", methods=["GET", "POST"])
@allow(Role.STAFF)
def receive():
    """Record a donation or purchase arriving."""
    form = f.ReceiveForm()
    item_choices(form.item_id)
    location_choices(form.location_id, mobile=False)
    prefill(form, "item_id", "location_id")

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        m = ledger.receive(db.session, item=item, quantity=form.quantity.data, location=location,
                           lot_code=form.lot_code.data, expires_on=form.expires_on.data,
                           confirm_past_expiry=form.confirm_past_expiry.data,
                           source_kind=form.source_kind.data or None, source_name=form.source_name.data,
                           unit_cost=form.unit_cost.data, note=form.note.data, by=current_user)
        return [m], _("Received %(qty)s %(unit)s of %(item)s at %(location)s.", qty=qty(m.quantity),
                      unit=catalogue.unit_label(item.unit), item=item.full_name,
                      location=location.name), item_url(item.id)

    return record(form, "stock/ledger/receive.html", action)


@bp.route("/issue", methods=["GET", "POST"])
@allow(Role.STAFF)
def issue():
    """Hand stock out, first-expiring-first unless a lot is chosen."""
    form = f.IssueForm()
    item_choices(form.item_id)
    location_choices(form.location_id)
    prefill(form, "item_id", "location_id", "lot_id")
    lot_choices(form.lot_id, form.item_id.data)

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.issue(db.session, item=item, quantity=form.quantity.data, location=location,
                                 lot=_lot_from(form, item), reason=form.reason.data, note=form.note.data,
                                 by=current_user)
        total = sum(m.quantity for m in movements)
        return movements, _("Issued %(qty)s %(unit)s of %(item)s from %(location)s.", qty=qty(total),
                            unit=catalogue.unit_label(item.unit), item=item.full_name,
                            location=location.name), item_url(item.id)

    return record(form, "stock/ledger/issue.html", action)


@bp.route("/transfer", methods=["GET", "POST"])
@allow(Role.STAFF)
def transfer():
    """Move stock from one location to another."""
    form = f.TransferForm()
    item_choices(form.item_id)
    location_choices(form.location_id)
    location_choices(form.to_location_id)
    prefill(form, "item_id", "location_id", "lot_id")
    lot_choices(form.lot_id, form.item_id.data)

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        src = catalogue.get_location(db.session, form.location_id.data)
        dst = catalogue.get_location(db.session, form.to_location_id.data, field="to_location_id")
        movements = ledger.transfer(db.session, item=item, quantity=form.quantity.data, from_location=src,
                                    to_location=dst, lot=_lot_from(form, item), note=form.note.data,
                                    by=current_user)
        total = sum(m.quantity for m in movements)
        return movements, _("Moved %(qty)s %(unit)s of %(item)s from %(from)s to %(to)s.", qty=qty(total),
                            unit=catalogue.unit_label(item.unit), item=item.full_name, **{"from": src.name},
                            to=dst.name), item_url(item.id)

    return record(form, "stock/ledger/transfer.html", action)


@bp.route("/discard", methods=["GET", "POST"])
@allow(Role.STAFF)
def discard():
    """Throw stock away (expired, damaged, recalled)."""
    form = f.DiscardForm()
    item_choices(form.item_id)
    location_choices(form.location_id)
    prefill(form, "item_id", "location_id", "lot_id")
    lot_choices(form.lot_id, form.item_id.data)
    form.lot_id.choices[0] = SelectChoice("", _("Expired and blocked first, then first expiring"))

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.discard(db.session, item=item, quantity=form.quantity.data, location=location,
                                   lot=_lot_from(form, item), reason=form.reason.data, note=form.note.data,
                                   by=current_user)
        total = sum(m.quantity for m in movements)
        return movements, _("Discarded %(qty)s %(unit)s of %(item)s.", qty=qty(total),
                            unit=catalogue.unit_label(item.unit), item=item.full_name), item_url(item.id)

    return record(form, "stock/ledger/discard.html", action)


@bp.route("/adjust", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def adjust():
    """Correct a balance up or down, with a reason (coordinators)."""
    form = f.AdjustForm()
    item_choices(form.item_id)
    location_choices(form.location_id)
    prefill(form, "item_id", "location_id", "lot_id")
    lot_choices(form.lot_id, form.item_id.data)

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.adjust(db.session, item=item, quantity=form.quantity.data, location=location,
                                  lot=_lot_from(form, item), increase=form.direction.data == "up",
                                  reason=form.reason.data, by=current_user)
        return movements, _("Adjustment of %(item)s recorded.", item=item.full_name), item_url(item.id)

    return record(form, "stock/ledger/adjust.html", action)


@bp.route("/movements/<int:movement_id>/undo", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def undo(movement_id: int):
    """Reverse a movement with a compensating movement (coordinators)."""
    movement = db.get_or_404(Movement, movement_id)
    form = f.UndoForm()

    def action():
        m = ledger.undo(db.session, movement, reason=form.reason.data, by=current_user)
        return [m], _("Movement %(id)s undone by a compensating movement.", id=movement.id), item_url(movement.item_id)

    return record(form, "stock/ledger/undo.html", action, movement=movement)


# --- lots -------------------------------------------------------------------------------

def _lot_page(obj: Lot, status: int, quarantine_form=None, release_form=None):
    return render("stock/ledger/lot.html", status, lot=obj, trace=ledger_queries.trace(db.session, obj),
                  quarantine_form=f.QuarantineForm() if quarantine_form is None else quarantine_form,
                  release_form=f.ReleaseForm() if release_form is None else release_form)


@bp.route("/lots/<int:lot_id>")
@allow(Role.STAFF)
def lot(lot_id: int):
    """Trace a lot: where every unit went and what is left where."""
    return _lot_page(db.get_or_404(Lot, lot_id), 200)


@bp.route("/lots/<int:lot_id>/quarantine", methods=["POST"])
@allow(Role.STAFF)
def lot_quarantine(lot_id: int):
    """Block a lot (anyone with stock access may stop a recalled lot going out)."""
    obj = db.get_or_404(Lot, lot_id)
    form = f.QuarantineForm()
    if form.validate_on_submit():
        try:
            ledger.quarantine(db.session, obj, reason=form.reason.data, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Lot blocked: it will not be issued or packed until it is released."), "success")
            return redirect(url_for("stock.lot", lot_id=obj.id))
    return _lot_page(obj, 422, quarantine_form=form)


@bp.route("/lots/<int:lot_id>/release", methods=["POST"])
@allow(Role.COORDINATOR)
def lot_release(lot_id: int):
    """Release a blocked lot (coordinators)."""
    obj = db.get_or_404(Lot, lot_id)
    form = f.ReleaseForm()
    if form.validate_on_submit():
        try:
            ledger.release(db.session, obj, reason=form.reason.data, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Lot released."), "success")
            return redirect(url_for("stock.lot", lot_id=obj.id))
    return _lot_page(obj, 422, release_form=form)
