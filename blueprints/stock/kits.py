"""Kit pages: the kits of the activity kinds, and the outreach stock check, packing the bag
(for a shift or not) and recording its return."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.stock import bp
from blueprints.stock import forms as f
from blueprints.stock.helpers import (
    item_choices,
    keep_movements,
    line_error,
    location_choices,
    qty,
    qty_input,
    render,
)
from logistics.clock import utcnow
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.i18n import format_datetime
from logistics.people.models import Role
from logistics.shifts.models import Shift
from logistics.stock import catalogue
from logistics.stock import kits as kit_services
from logistics.stock.models import ACTIVITY_KINDS, Outreach
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import kits as kits_queries

# --- kits -------------------------------------------------------------------------------

@bp.route("/kits")
@allow(Role.STAFF)
def kits():
    return render_template("stock/kits/kits.html", kits=kits_queries.kits(db.session))


@bp.route("/kits/<kind>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def kit_edit(kind: str):
    """Edit the kit of one activity kind (coordinators)."""
    if kind not in ACTIVITY_KINDS:
        abort(404)
    form = f.KitForm()
    item_choices(form.new_item_id, blank="—")
    if form.validate_on_submit():
        lines = {entry.item_id.data: entry.quantity.data for entry in form.lines}
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
            line_error(form.lines, exc, "qty-")
            apply_error(form, exc)
        else:
            flash(_("Kit saved."), "success")
            return redirect(url_for("stock.kits"))
    return _kit_page(kind, form, 422 if request.method == "POST" else 200)


def _kit_page(kind: str, form, status: int):
    kit = kit_services.get_kit(db.session, kind)
    lines = kit.lines if kit is not None else []
    if not form.lines.entries:  # not sent back: the kit as it is
        for line in lines:
            form.lines.append_entry({"item_id": line.item_id, "quantity": qty_input(line.quantity)})
    return render("stock/kits/kit_form.html", status, form=form, kind=kind,
                  items={line.item_id: line.item for line in lines})


# --- the outreach stock check and packing -----------------------------------------------

def _check_form(open_outreaches):
    form = f.CheckForm(request.args)
    location_choices(form.from_location_id, mobile=False)
    location_choices(form.bag_location_id, mobile=True)
    # Say which bags are out before anyone picks one, not after "Pack" is refused.
    out_since = {str(o.bag_location_id): o.packed_at for o in open_outreaches}
    for choice in form.bag_location_id.choices:
        if choice.value in out_since:
            choice.label = _("%(bag)s (out since %(when)s)", bag=choice.label,
                             when=format_datetime(out_since[choice.value]))
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
    bags = len(form.bag_location_id.choices)
    bag_form = f.BagForm(formdata=None, name=_("Outreach bag %(n)d", n=bags + 1))
    return render_template("stock/kits/outreach.html", form=form, lines=lines, pack_form=pack_form, shift=shift,
                           shift_bag=kits_queries.open_outreach_for_shift(db.session, shift.id) if shift else None,
                           kit_shifts=kits_queries.upcoming_kit_shifts(db.session), now=utcnow(),
                           open=open_now, recent=kits_queries.recent_outreaches(db.session), bag_form=bag_form,
                           # The chosen bag is still out: say so instead of offering "Pack".
                           bag_out=next((o for o in open_now if str(o.bag_location_id) == form.bag_location_id.data),
                                        None),
                           free_bags=bags - len({o.bag_location_id for o in open_now}))


@bp.route("/outreach/bags", methods=["POST"])
@allow(Role.STAFF)
def outreach_bag_new():
    """Add a bag, so the next outreach can be packed while the last one is out."""
    form = f.BagForm()
    back = dict(activity_kind=request.form.get("activity_kind") or None,
                from_location_id=request.form.get("from_location_id") or None,
                shift_id=request.form.get("shift_id") or None)
    if not form.validate_on_submit():
        flash(_("Give the new bag a name."), "error")
        return redirect(url_for("stock.outreach", **back))
    try:
        bag = kit_services.add_bag(db.session, name=form.name.data, by=current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("stock.outreach", **back))
    flash(_("%(bag)s is added: pack it for the next outreach.", bag=bag.name), "success")
    return redirect(url_for("stock.outreach", bag_location_id=bag.id, **back))


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
        src = catalogue.get_location(db.session, form.from_location_id.data, field="from_location_id")
        bag = catalogue.get_location(db.session, form.bag_location_id.data, field="bag_location_id")
        shift = kit_services.get_shift(db.session, form.shift_id.data)
        result = kit_services.pack_bag(db.session, activity_kind=form.activity_kind.data, from_location=src, bag=bag,
                                       shift=shift, by=current_user)
        next_url = url_for("stock.outreach_detail", outreach_id=result.outreach.id)
        keep_movements(result.movements, next_url)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back)
    flash(_("The bag is packed: %(n)d lines moved into %(bag)s.", n=len(result.movements), bag=bag.name), "success")
    for item, short in result.short:
        flash(_("Short of %(qty)s %(unit)s %(item)s.", qty=qty(short), unit=catalogue.unit_label(item.unit),
                item=item.full_name), "warning")
    return redirect(next_url)


# --- the return -------------------------------------------------------------------------

def return_lines(form, contents) -> tuple[dict, dict]:
    """The bag-return form's lines and what they imply (the stock page and the after-shift
    flow share it): one line per item in the bag, starting from what was packed, unless the
    form was sent back; then (item id → (item, quantity in the bag)) and (item id → handed
    out, None while a line is not a number that fits)."""
    if not form.lines.entries:
        for item, have in contents:
            form.lines.append_entry({"item_id": item.id, "quantity": qty_input(have)})
    in_bag = {item.id: (item, have) for item, have in contents}
    handed_out = {e.item_id.data: _handed_out(in_bag[e.item_id.data][1], e.quantity.data)
                  for e in form.lines if e.item_id.data in in_bag}
    return in_bag, handed_out


def _handed_out(have: Decimal, raw: str | None) -> Decimal | None:
    """What the count implies was handed out (None while the count is not a number that fits)."""
    try:
        back = Decimal((raw or "0").strip().replace(",", ".") or "0")
    except InvalidOperation:
        return None
    return have - back if back.is_finite() and 0 <= back <= have else None


def _outreach_page(obj: Outreach, form, status=200, *, preview: bool = False):
    contents = kits_queries.bag_contents(db.session, obj.bag_location_id) if obj.returned_at is None else []
    # The shift was cancelled: the bag should be unpacked, so all of it should come back.
    unpack_all = obj.shift is not None and obj.shift.is_cancelled
    in_bag, handed_out = return_lines(form, contents)
    return render("stock/kits/outreach_detail.html", status, outreach=obj, form=form, unpack_all=unpack_all,
                  in_bag=in_bag, handed_out=handed_out, preview=preview,
                  early=obj.returned_at is None and kit_services.returned_early(obj),
                  movements=kits_queries.outreach_movements(db.session, obj.id))


@bp.route("/outreach/<int:outreach_id>")
@allow(Role.STAFF)
def outreach_detail(outreach_id: int):
    """One bag: where it was packed from, its shift, its movements and the return form."""
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
    if form.preview.data:  # "Show what was handed out": the counts again, with what they imply
        db.session.rollback()
        return _outreach_page(obj, form, preview=True)
    returned = {entry.item_id.data: entry.quantity.data for entry in form.lines}
    try:
        movements = kit_services.record_return(db.session, obj, returned, early_reason=form.early_reason.data,
                                               by=current_user)
        keep_movements(movements, url_for("stock.outreach_detail", outreach_id=obj.id))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if not line_error(form.lines, exc, "back-"):
            apply_error(form, exc)
        return _outreach_page(obj, form, 422)
    flash(_("Return recorded: what came back is in %(location)s again.", location=obj.from_location.name), "success")
    return redirect(url_for("stock.outreach_detail", outreach_id=obj.id))
