"""Stock pages: overview, items, movements, counts, lots, lists, exports, kits and the
outreach stock check. Each view validates its form, calls one service, commits once."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints import nav
from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.stock import forms as f
from blueprints.stock.chart import level_chart
from logistics.clock import to_local, today, utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.shifts.models import Shift
from logistics.stock import catalogue, ledger, tokens
from logistics.stock import counts as count_services
from logistics.stock import kits as kit_services
from logistics.stock.models import (
    ACTIVITY_KINDS,
    Category,
    Item,
    Location,
    Lot,
    Movement,
    MovementKind,
    Outreach,
    ProductGroup,
    Stocktake,
)
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import counts as counts_queries
from logistics.stock.queries import kits as kits_queries
from logistics.stock.queries import ledger as ledger_queries
from logistics.stock.queries import lists as lists_queries

bp = Blueprint("stock", __name__, url_prefix="/stock")

nav.add("stock.overview", _l("Stock"), Role.STAFF, 30, prefix="stock.")

PER_PAGE = 100
HISTORY_PER_PAGE = 25


# --- template helpers -------------------------------------------------------------------

def qty(value) -> str:
    if value is None:
        return ""
    return format_decimal(Decimal(value), format="#,##0.###")


@bp.app_template_filter("stock_qty")
def _qty_filter(value) -> str:
    return qty(value)


@bp.context_processor
def stock_helpers():
    return {
        "category_label": lambda c: f.CATEGORY_LABELS.get(Category(c), c),
        "fit_label": lambda v: f.FIT_LABELS.get(v, v) if v else "",
        "unit_label": catalogue.unit_label,
        "movement_kind_label": lambda k: f.MOVEMENT_KIND_LABELS.get(getattr(k, "value", k), k),
        "reason_label": lambda r: f.ISSUE_REASONS.get(r) or f.DISCARD_REASONS.get(r) or r,
        "categories": list(Category),
        "today": today(),
        "is_coordinator": current_user.is_authenticated and current_user.has_role(Role.COORDINATOR),
    }


def _page() -> int:
    try:
        return max(int(request.args.get("page", 1)), 1)
    except ValueError:
        return 1


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name) or 0) or None
    except ValueError:
        return None


def _item_choices(field, blank: str | None = None) -> None:
    choices = [(str(i.id), i.full_name) for i in catalogue_queries.item_choices(db.session)]
    field.choices = f.opts(([("", blank)] if blank is not None else [("", _("— choose an item —"))]) + choices)


def _location_choices(field, *, mobile: bool | None = None, blank: str | None = None) -> None:
    locs = [loc for loc in catalogue_queries.locations(db.session) if mobile is None or loc.is_mobile == mobile]
    field.choices = f.opts(([("", blank)] if blank is not None else []) + [(str(loc.id), loc.name) for loc in locs])


def _lot_choices(field, item_id) -> None:
    choices = [("", _("First expiring first"))]
    try:
        item_id = int(item_id or 0)
    except (TypeError, ValueError):
        item_id = 0
    if item_id:
        for lot in ledger_queries.item_lots(db.session, item_id):
            label = lot.code or _("no lot number")
            if lot.expires_on:
                label += " · " + _("expires %(date)s", date=lot.expires_on.isoformat())
            if lot.is_quarantined:
                label += " · " + _("blocked")
            choices.append((str(lot.id), label))
    field.choices = f.opts(choices)


def _prefill(form, *names) -> None:
    if request.method == "GET":
        for name in names:
            if request.args.get(name):
                getattr(form, name).data = request.args[name]


def _render(template, status=200, **ctx):
    return render_template(template, **ctx), status


def _already(token) -> tuple[str, int]:
    movements = ledger_queries.movements_by_ids(db.session, token.movement_ids or [])
    return render_template("stock/already.html", movements=movements, token=token), 200


def _record(form, template: str, action, **ctx):
    """Validate, claim the form's one-time token, run ``action`` (returns movements, message
    and where to go), commit once. A repeat of the token shows what was recorded."""
    if form.validate_on_submit():
        try:
            token = tokens.claim_token(db.session, form.once.data, by=current_user)
            movements, message, next_url = action()
            tokens.record_result(token, movements, next_url)
            db.session.commit()
        except tokens.AlreadyRecorded as exc:
            db.session.rollback()
            return _already(exc.token)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return _render(template, 422, form=form, **ctx)
        flash(message, "success")
        return redirect(next_url)
    return _render(template, 422 if form.errors else 200, form=form, **ctx)


def _item_url(item_id) -> str:
    return url_for("stock.item", item_id=item_id)


def _lot_from(form, item):
    return ledger.get_lot(db.session, item, form.lot_id.data)


# --- overview and items -----------------------------------------------------------------

@bp.route("/")
@allow(Role.STAFF)
def overview():
    """Every item by category with on-hand, below-minimum badge and nearest expiry."""
    q = (request.args.get("q") or "").strip()[:100]
    category = request.args.get("category") or None
    if category not in {c.value for c in Category}:
        category = None
    location_id = _int_arg("location_id")
    below = request.args.get("below") == "1"
    page = _page()
    rows, total = ledger_queries.overview(db.session, q=q or None, category=category, location_id=location_id,
                                   below_only=below, page=page, per_page=PER_PAGE)
    locations = catalogue_queries.locations(db.session)
    return render_template("stock/overview.html", rows=rows, total=total, page=page, per_page=PER_PAGE, q=q,
                           category=category, location_id=location_id, below=below, locations=locations,
                           warn_until=today().toordinal() + lists_queries.warning_days(db.session))


@bp.route("/items/<int:item_id>")
@allow(Role.STAFF)
def item(item_id: int):
    """One item: balances per lot and location, level chart, paged history."""
    obj = db.get_or_404(Item, item_id)
    balances = ledger_queries.item_balances(db.session, item_id)
    total = sum((b.qty for b in balances), Decimal(0))
    page = _page()
    movements, count = ledger_queries.item_movements(db.session, item_id, page=page, per_page=HISTORY_PER_PAGE)
    series = ledger_queries.level_series(db.session, item_id, total)
    chart = level_chart(series, obj.min_level, _("Level of %(item)s over the last year", item=obj.full_name))
    return render_template("stock/item.html", item=obj, balances=balances, total=total, movements=movements,
                           count=count, page=page, per_page=HISTORY_PER_PAGE, chart=chart)


def _item_form_choices(form) -> None:
    form.product_group_id.choices = f.opts([("", "—")] + [(str(g.id), g.name) for g in catalogue_queries.product_groups(db.session)])


def _item_values(form) -> dict:
    return {"name": form.name.data, "category": form.category.data, "unit": form.unit.data,
            "is_expiry_tracked": form.is_expiry_tracked.data, "notes": form.notes.data,
            "product_group_id": form.product_group_id.data, "size": form.size.data, "fit": form.fit.data}


@bp.route("/items/new", methods=["GET", "POST"])
@allow(Role.STAFF)
def item_new():
    form = f.ItemForm()
    _item_form_choices(form)
    _prefill(form, "product_group_id", "category")
    if form.validate_on_submit():
        try:
            obj = catalogue.create_item(db.session, by=current_user, **_item_values(form))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("%(item)s added.", item=obj.full_name), "success")
            return redirect(_item_url(obj.id))
    return _render("stock/item_form.html", 422 if form.errors else 200, form=form, item=None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(Role.STAFF)
def item_edit(item_id: int):
    obj = db.get_or_404(Item, item_id)
    form = f.ItemForm(obj=obj) if request.method == "GET" else f.ItemForm()
    _item_form_choices(form)
    if request.method == "GET":
        form.category.data = obj.category.value
        form.fit.data = obj.fit.value if obj.fit else ""
        form.product_group_id.data = str(obj.product_group_id or "")
    if form.validate_on_submit():
        try:
            catalogue.update_item(db.session, obj, is_active=form.is_active.data, by=current_user, **_item_values(form))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(_item_url(obj.id))
    return _render("stock/item_form.html", 422 if form.errors else 200, form=form, item=obj)


@bp.route("/items/<int:item_id>/minimum", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def item_minimum(item_id: int):
    """Set the minimum level (coordinators)."""
    obj = db.get_or_404(Item, item_id)
    form = f.MinLevelForm()
    if request.method == "GET":
        form.min_level.data = catalogue.fmt(obj.min_level)
    if form.validate_on_submit():
        try:
            catalogue.set_min_level(db.session, obj, form.min_level.data, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Minimum level saved."), "success")
            return redirect(_item_url(obj.id))
    return _render("stock/item_minimum.html", 422 if form.errors else 200, form=form, item=obj)


# --- movements --------------------------------------------------------------------------

def _back_url(item_id) -> str:
    return _item_url(item_id)


@bp.route("/receive", methods=["GET", "POST"])
@allow(Role.STAFF)
def receive():
    """Record a donation or purchase arriving."""
    form = f.ReceiveForm()
    _item_choices(form.item_id)
    _location_choices(form.location_id, mobile=False)
    _prefill(form, "item_id", "location_id")

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        m = ledger.receive(db.session, item=item, quantity=form.quantity.data, location=location,
                             lot_code=form.lot_code.data, expires_on=form.expires_on.data,
                             confirm_past_expiry=form.confirm_past_expiry.data,
                             source_kind=form.source_kind.data or None, source_name=form.source_name.data,
                             unit_cost=form.unit_cost.data, note=form.note.data, by=current_user)
        return [m], _("Received %(qty)s %(unit)s of %(item)s at %(location)s.", qty=qty(m.quantity),
                      unit=catalogue.unit_label(item.unit), item=item.full_name, location=location.name), _back_url(item.id)

    return _record(form, "stock/receive.html", action)


@bp.route("/issue", methods=["GET", "POST"])
@allow(Role.STAFF)
def issue():
    """Hand stock out, first-expiring-first unless a lot is chosen."""
    form = f.IssueForm()
    _item_choices(form.item_id)
    _location_choices(form.location_id)
    _prefill(form, "item_id", "location_id", "lot_id")
    _lot_choices(form.lot_id, form.item_id.data)

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.issue(db.session, item=item, quantity=form.quantity.data, location=location,
                                   lot=_lot_from(form, item), reason=form.reason.data, note=form.note.data,
                                   by=current_user)
        total = sum(m.quantity for m in movements)
        return movements, _("Issued %(qty)s %(unit)s of %(item)s from %(location)s.", qty=qty(total),
                            unit=catalogue.unit_label(item.unit), item=item.full_name,
                            location=location.name), _back_url(item.id)

    return _record(form, "stock/issue.html", action)


@bp.route("/transfer", methods=["GET", "POST"])
@allow(Role.STAFF)
def transfer():
    """Move stock from one location to another."""
    form = f.TransferForm()
    _item_choices(form.item_id)
    _location_choices(form.location_id)
    _location_choices(form.to_location_id)
    _prefill(form, "item_id", "location_id", "lot_id")
    _lot_choices(form.lot_id, form.item_id.data)

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
                            to=dst.name), _back_url(item.id)

    return _record(form, "stock/transfer.html", action)


@bp.route("/discard", methods=["GET", "POST"])
@allow(Role.STAFF)
def discard():
    """Throw stock away (expired, damaged, recalled)."""
    form = f.DiscardForm()
    _item_choices(form.item_id)
    _location_choices(form.location_id)
    _prefill(form, "item_id", "location_id", "lot_id")
    _lot_choices(form.lot_id, form.item_id.data)
    form.lot_id.choices[0] = f.SelectChoice("", _("Expired and blocked first, then first expiring"))

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.discard(db.session, item=item, quantity=form.quantity.data, location=location,
                                     lot=_lot_from(form, item), reason=form.reason.data, note=form.note.data,
                                     by=current_user)
        total = sum(m.quantity for m in movements)
        return movements, _("Discarded %(qty)s %(unit)s of %(item)s.", qty=qty(total),
                            unit=catalogue.unit_label(item.unit), item=item.full_name), _back_url(item.id)

    return _record(form, "stock/discard.html", action)


@bp.route("/adjust", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def adjust():
    """Correct a balance up or down, with a reason (coordinators)."""
    form = f.AdjustForm()
    _item_choices(form.item_id)
    _location_choices(form.location_id)
    _prefill(form, "item_id", "location_id", "lot_id")
    _lot_choices(form.lot_id, form.item_id.data)

    def action():
        item = catalogue.get_item(db.session, form.item_id.data)
        location = catalogue.get_location(db.session, form.location_id.data)
        movements = ledger.adjust(db.session, item=item, quantity=form.quantity.data, location=location,
                                    lot=_lot_from(form, item), increase=form.direction.data == "up",
                                    reason=form.reason.data, by=current_user)
        return movements, _("Adjustment of %(item)s recorded.", item=item.full_name), _back_url(item.id)

    return _record(form, "stock/adjust.html", action)


@bp.route("/movements/<int:movement_id>/undo", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def undo(movement_id: int):
    """Reverse a movement with a compensating movement (coordinators)."""
    movement = db.get_or_404(Movement, movement_id)
    form = f.UndoForm()

    def action():
        m = ledger.undo(db.session, movement, reason=form.reason.data, by=current_user)
        return [m], _("Movement %(id)s undone by a compensating movement.", id=movement.id), _back_url(movement.item_id)

    return _record(form, "stock/undo.html", action, movement=movement)


# --- lots -------------------------------------------------------------------------------

@bp.route("/lots/<int:lot_id>")
@allow(Role.STAFF)
def lot(lot_id: int):
    """Trace a lot: where every unit went and what is left where."""
    obj = db.get_or_404(Lot, lot_id)
    return render_template("stock/lot.html", lot=obj, trace=ledger_queries.trace(db.session, obj),
                           quarantine_form=f.QuarantineForm(), release_form=f.ReleaseForm())


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
    return _render("stock/lot.html", 422, lot=obj, trace=ledger_queries.trace(db.session, obj), quarantine_form=form,
                   release_form=f.ReleaseForm())


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
    return _render("stock/lot.html", 422, lot=obj, trace=ledger_queries.trace(db.session, obj),
                   quarantine_form=f.QuarantineForm(), release_form=form)


# --- locations and product groups ---------------------------------------------------------

@bp.route("/locations")
@allow(Role.STAFF)
def locations():
    return render_template("stock/locations.html", locations=catalogue_queries.locations(db.session, active_only=False))


def _location_form(location: Location | None):
    form = f.LocationForm(obj=location) if request.method == "GET" and location else f.LocationForm()
    if form.validate_on_submit():
        try:
            catalogue.save_location(db.session, location, name=form.name.data, is_mobile=form.is_mobile.data,
                                   is_active=form.is_active.data, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Location saved."), "success")
            return redirect(url_for("stock.locations"))
    return _render("stock/location_form.html", 422 if form.errors else 200, form=form, location=location)


@bp.route("/locations/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def location_new():
    return _location_form(None)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def location_edit(location_id: int):
    return _location_form(db.get_or_404(Location, location_id))


@bp.route("/groups")
@allow(Role.STAFF)
def groups():
    return render_template("stock/groups.html", groups=catalogue_queries.product_groups(db.session))


@bp.route("/groups/new", methods=["GET", "POST"])
@allow(Role.STAFF)
def group_new():
    form = f.ProductGroupForm()
    if form.validate_on_submit():
        try:
            group = catalogue.create_product_group(db.session, name=form.name.data, notes=form.notes.data,
                                                  by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Product group added. Now add its sizes as items."), "success")
            return redirect(url_for("stock.group", group_id=group.id))
    return _render("stock/group_form.html", 422 if form.errors else 200, form=form)


@bp.route("/groups/<int:group_id>")
@allow(Role.STAFF)
def group(group_id: int):
    """The size grid of one clothing product group."""
    obj = db.get_or_404(ProductGroup, group_id)
    fits, sizes, cells = catalogue_queries.size_grid(db.session, obj)
    return render_template("stock/group.html", group=obj, fits=fits, sizes=sizes, cells=cells)


# --- stocktake --------------------------------------------------------------------------

@bp.route("/counts")
@allow(Role.STAFF)
def counts():
    form = f.StartCountForm()
    _location_choices(form.location_id)
    return render_template("stock/counts.html", form=form, open=counts_queries.open_stocktakes(db.session),
                           recent=counts_queries.recent_stocktakes(db.session))


@bp.route("/counts/start", methods=["POST"])
@allow(Role.STAFF)
def count_start():
    """Start counting a location; refused while another count of it is unfinished."""
    form = f.StartCountForm()
    _location_choices(form.location_id)
    if form.validate_on_submit():
        try:
            location = catalogue.get_location(db.session, form.location_id.data)
            take = count_services.start_stocktake(db.session, location, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            return redirect(url_for("stock.count", stocktake_id=take.id))
    return _render("stock/counts.html", 422, form=form, open=counts_queries.open_stocktakes(db.session),
                   recent=counts_queries.recent_stocktakes(db.session))


def _count_page(take: Stocktake, form, line_form, status=200, errors=None):
    _item_choices(line_form.item_id)
    return _render("stock/count.html", status, take=take, lines=counts_queries.stocktake_lines(db.session, take.id),
                   form=form, line_form=line_form, errors=errors or {}, cancel_form=f.PlainForm())


@bp.route("/counts/<int:stocktake_id>", methods=["GET", "POST"])
@allow(Role.STAFF)
def count(stocktake_id: int):
    """Enter counted quantities; save part-way, or finish (differences become movements)."""
    take = db.get_or_404(Stocktake, stocktake_id)
    form = f.CountForm()
    if form.validate_on_submit():
        counts = {int(k.split("-", 1)[1]): v.strip() for k, v in request.form.items()
                  if k.startswith("count-") and k.split("-", 1)[1].isdigit()}
        finish = request.form.get("action") == "finish"
        try:
            token = tokens.claim_token(db.session, form.once.data, by=current_user)
            saved = count_services.save_counts(db.session, take, counts, by=current_user)
            if finish:
                movements = count_services.finish_stocktake(db.session, take, by=current_user)
                tokens.record_result(token, movements, url_for("stock.count", stocktake_id=take.id))
            db.session.commit()
        except tokens.AlreadyRecorded as exc:
            db.session.rollback()
            return _already(exc.token)
        except DomainError as exc:
            db.session.rollback()
            errors = {exc.field: exc.message}
            flash(exc.message, "error")
            form.once.data = f.new_token()
            return _count_page(take, form, f.CountLineForm(formdata=None), 422, errors)
        if finish:
            flash(_("Count finished: %(n)d differences recorded.", n=len(movements)), "success")
        else:
            flash(_("%(n)d counts saved. You can continue later.", n=saved), "success")
        return redirect(url_for("stock.count", stocktake_id=take.id))
    return _count_page(take, form, f.CountLineForm(formdata=None), 422 if form.errors else 200)


@bp.route("/counts/<int:stocktake_id>/lines", methods=["POST"])
@allow(Role.STAFF)
def count_add_line(stocktake_id: int):
    """Add stock found during the count that was not on the list."""
    take = db.get_or_404(Stocktake, stocktake_id)
    line_form = f.CountLineForm()
    _item_choices(line_form.item_id)
    if line_form.validate_on_submit():
        try:
            item = catalogue.get_item(db.session, line_form.item_id.data)
            count_services.add_count_line(db.session, take, item=item, lot_code=line_form.lot_code.data,
                                    expires_on=line_form.expires_on.data, quantity=line_form.quantity.data,
                                    by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(line_form, exc)
        else:
            flash(_("Line added to the count."), "success")
            return redirect(url_for("stock.count", stocktake_id=take.id))
    return _count_page(take, f.CountForm(formdata=None), line_form, 422)


@bp.route("/counts/<int:stocktake_id>/cancel", methods=["POST"])
@allow(Role.STAFF)
def count_cancel(stocktake_id: int):
    take = db.get_or_404(Stocktake, stocktake_id)
    form = f.PlainForm()
    if not form.validate_on_submit():
        abort(400)
    count_services.cancel_stocktake(db.session, take, by=current_user)
    db.session.commit()
    flash(_("Count cancelled; stock is unchanged."), "success")
    return redirect(url_for("stock.counts"))


# --- lists and exports ------------------------------------------------------------------

@bp.route("/expiring")
@allow(Role.STAFF)
def expiring():
    days = _int_arg("days") or lists_queries.warning_days(db.session)
    days = min(days, 3650)
    return render_template("stock/expiring.html", rows=lists_queries.expiring(db.session, days), days=days)


@bp.route("/expired")
@allow(Role.STAFF)
def expired():
    return render_template("stock/expired.html", rows=lists_queries.expired(db.session),
                           blocked=lists_queries.quarantined(db.session))


@bp.route("/shopping-list")
@allow(Role.STAFF)
def shopping_list():
    """Items below their minimum level: what to buy or ask donors for (printable)."""
    return render_template("stock/shopping_list.html", rows=lists_queries.below_minimum(db.session))


def _safe_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet programs run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(filename: str, header: list[str], rows):
    """CSV built from ``rows`` read now (the database session ends with the request)."""
    rows = list(rows)

    def generate():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_safe_cell(c) for c in row])
            if buf.tell() > 64_000:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(generate(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/shopping-list.csv")
@allow(Role.STAFF)
def shopping_list_csv():
    rows = ([r.item.full_name, r.item.category.value, r.item.unit, catalogue.fmt(r.total),
             catalogue.fmt(r.item.min_level), catalogue.fmt(r.shortfall)] for r in lists_queries.below_minimum(db.session))
    return _csv_response(f"shopping-list-{today().isoformat()}.csv",
                         ["item", "category", "unit", "on_hand", "min_level", "to_buy"], rows)


def _export_form():
    form = f.ExportForm(request.args)
    _item_choices(form.item_id, blank=_("All"))
    _location_choices(form.location_id, blank=_("All"))
    return form


@bp.route("/export")
@allow(Role.STAFF)
def export():
    return render_template("stock/export.html", form=_export_form())


@bp.route("/export/on-hand.csv")
@allow(Role.STAFF)
def export_on_hand():
    form = _export_form()
    category = form.category.data if form.category.data in {c.value for c in Category} else None
    rows = ([item.id, item.full_name, item.category.value, item.unit, lot.code, lot.expires_on or "",
             "yes" if lot.is_quarantined else "", loc.name, catalogue.fmt(q)]
            for item, lot, loc, q in lists_queries.on_hand_rows(db.session, location_id=_int_arg("location_id"),
                                                            category=category))
    return _csv_response(f"stock-on-hand-{today().isoformat()}.csv",
                         ["item_id", "item", "category", "unit", "lot", "expires_on", "blocked", "location", "quantity"],
                         rows)


@bp.route("/export/movements.csv")
@allow(Role.STAFF)
def export_movements():
    form = _export_form()
    if not form.validate():
        return _render("stock/export.html", 422, form=form)
    kind = form.kind.data if form.kind.data in {k.value for k in MovementKind} else None
    start, end = form.start.data, form.end.data
    rows = ([m.id, to_local(m.at).isoformat(timespec="minutes"), m.kind.value, item.id, item.full_name, m.lot.code,
             m.lot.expires_on or "", catalogue.fmt(m.quantity), m.from_location.name if m.from_location else "",
             m.to_location.name if m.to_location else "", m.reason or "", m.source_kind.value if m.source_kind else "",
             m.source_name or "", catalogue.fmt(m.unit_cost), m.reference_type or "", m.reference_id or "",
             m.reverses_id or "", m.note or "", m.by_id or ""]
            for m, item in lists_queries.movement_rows(db.session, start=start, end=end, item_id=_int_arg("item_id"),
                                                 location_id=_int_arg("location_id"), kind=kind))
    return _csv_response(f"stock-movements-{(start or '').__str__() or 'all'}-{(end or today()).isoformat()}.csv",
                         ["id", "at", "kind", "item_id", "item", "lot", "expires_on", "quantity", "from", "to",
                          "reason", "source_kind", "source", "unit_cost", "reference_type", "reference_id",
                          "reverses", "note", "by_user_id"], rows)


# --- kits and the outreach stock check ----------------------------------------------------

@bp.route("/kits")
@allow(Role.STAFF)
def kits():
    return render_template("stock/kits.html", kits=kits_queries.kits(db.session))


@bp.route("/kits/<kind>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def kit_edit(kind: str):
    """Edit the kit of one activity kind (coordinators)."""
    if kind not in ACTIVITY_KINDS:
        abort(404)
    kit = kit_services.get_kit(db.session, kind)
    form = f.KitForm()
    _item_choices(form.new_item_id, blank="—")
    if form.validate_on_submit():
        lines = {int(k[4:]): v.strip() for k, v in request.form.items() if k.startswith("qty-") and k[4:].isdigit()}
        if form.new_item_id.data:
            try:
                new_id = int(form.new_item_id.data)
            except ValueError:
                new_id = -1
            lines[new_id] = (form.new_quantity.data or "").strip() or "0"
        try:
            kit_services.save_kit(db.session, kind, lines, by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            if exc.field and exc.field.startswith("qty-"):
                flash(exc.message, "error")
        else:
            flash(_("Kit saved."), "success")
            return redirect(url_for("stock.kits"))
        kit = kit_services.get_kit(db.session, kind)
    return _render("stock/kit_form.html", 422 if form.errors or request.method == "POST" else 200,
                   form=form, kit=kit, kind=kind, posted=request.form)


def _check_form(open_outreaches):
    form = f.CheckForm(request.args)
    _location_choices(form.from_location_id, mobile=False)
    _location_choices(form.bag_location_id, mobile=True)
    if not form.from_location_id.data:
        busiest = catalogue_queries.busiest_location(db.session, mobile=False)
        form.from_location_id.data = str(busiest) if busiest else None
    if not form.bag_location_id.data:
        # The first bag that is not out on an outreach.
        out = {str(o.bag_location_id) for o in open_outreaches}
        form.bag_location_id.data = next((c.value for c in form.bag_location_id.choices if c.value not in out), None)
    for field in (form.from_location_id, form.bag_location_id):
        if not field.data and field.choices:
            field.data = field.choices[0].value
    if form.activity_kind.data not in ACTIVITY_KINDS:
        form.activity_kind.data = "street_outreach"
    return form


def _chosen_shift(raw) -> Shift | None:
    """The shift the check was opened from; nonsense in the query string is ignored."""
    try:
        return kit_services.get_shift(db.session, raw)
    except DomainError:
        return None


@bp.route("/outreach")
@allow(Role.STAFF)
def outreach():
    """The outreach stock check: the kit against what is available, green / amber / red.
    Opened from an upcoming shift, the kit is that shift's and packing records the shift."""
    open_now = kits_queries.open_outreaches(db.session)
    form = _check_form(open_now)
    shift = _chosen_shift(form.shift_id.data)
    form.shift_id.data = str(shift.id) if shift is not None else ""
    if shift is not None:
        form.activity_kind.data = shift.activity.kind.value
    lines = []
    if form.from_location_id.data:
        lines = kits_queries.outreach_check(db.session, form.activity_kind.data, int(form.from_location_id.data),
                                       int(form.bag_location_id.data) if form.bag_location_id.data else None)
    pack_form = f.PackForm(formdata=None, activity_kind=form.activity_kind.data,
                           from_location_id=form.from_location_id.data, bag_location_id=form.bag_location_id.data,
                           shift_id=form.shift_id.data)
    return render_template("stock/outreach.html", form=form, lines=lines, pack_form=pack_form, shift=shift,
                           shift_bag=kits_queries.open_outreach_for_shift(db.session, shift.id) if shift else None,
                           kit_shifts=kits_queries.upcoming_kit_shifts(db.session), now=utcnow(),
                           open=open_now, recent=kits_queries.recent_outreaches(db.session))


@bp.route("/outreach/pack", methods=["POST"])
@allow(Role.STAFF)
def outreach_pack():
    """Pack the bag: transfer the kit from the storeroom into the mobile location, FEFO."""
    form = f.PackForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("stock.outreach", activity_kind=form.activity_kind.data,
                   from_location_id=form.from_location_id.data, bag_location_id=form.bag_location_id.data,
                   shift_id=form.shift_id.data or None)
    try:
        token = tokens.claim_token(db.session, form.once.data, by=current_user)
        src = catalogue.get_location(db.session, form.from_location_id.data, field="from_location_id")
        bag = catalogue.get_location(db.session, form.bag_location_id.data, field="bag_location_id")
        shift = kit_services.get_shift(db.session, form.shift_id.data)
        result = kit_services.pack_bag(db.session, activity_kind=form.activity_kind.data, from_location=src, bag=bag,
                                       shift=shift, by=current_user)
        next_url = url_for("stock.outreach_detail", outreach_id=result.outreach.id)
        tokens.record_result(token, result.movements, next_url)
        db.session.commit()
    except tokens.AlreadyRecorded as exc:
        db.session.rollback()
        return _already(exc.token)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    flash(_("The bag is packed: %(n)d lines moved into %(bag)s.", n=len(result.movements), bag=bag.name), "success")
    for item, short in result.short:
        flash(_("Short of %(qty)s %(unit)s %(item)s.", qty=qty(short), unit=catalogue.unit_label(item.unit),
                item=item.full_name), "warning")
    return redirect(next_url)


def _outreach_page(obj: Outreach, form, status=200, errors=None):
    contents = kits_queries.bag_contents(db.session, obj.bag_location_id) if obj.returned_at is None else []
    return _render("stock/outreach_detail.html", status, outreach=obj, contents=contents, form=form,
                   movements=kits_queries.outreach_movements(db.session, obj.id), errors=errors or {})


@bp.route("/outreach/<int:outreach_id>")
@allow(Role.STAFF)
def outreach_detail(outreach_id: int):
    obj = db.get_or_404(Outreach, outreach_id)
    return _outreach_page(obj, f.ReturnForm())


@bp.route("/outreach/<int:outreach_id>/return", methods=["POST"])
@allow(Role.STAFF)
def outreach_return(outreach_id: int):
    """Record what came back (unpacked to the storeroom); the rest is issued to the outreach."""
    obj = db.get_or_404(Outreach, outreach_id)
    form = f.ReturnForm()
    if not form.validate_on_submit():
        abort(400)
    returned = {int(k[5:]): v.strip() for k, v in request.form.items() if k.startswith("back-") and k[5:].isdigit()}
    try:
        token = tokens.claim_token(db.session, form.once.data, by=current_user)
        movements = kit_services.record_return(db.session, obj, returned, by=current_user)
        tokens.record_result(token, movements, url_for("stock.outreach_detail", outreach_id=obj.id))
        db.session.commit()
    except tokens.AlreadyRecorded as exc:
        db.session.rollback()
        return _already(exc.token)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _outreach_page(obj, form, 422, {exc.field: exc.message})
    flash(_("Return recorded: what came back is in %(location)s again.", location=obj.from_location.name), "success")
    return redirect(url_for("stock.outreach_detail", outreach_id=obj.id))
