"""List pages for staff (expiring, expired and blocked stock, the shopping list) and the CSV
exports (shopping list, on hand, movements)."""
from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.access import allow
from blueprints.fields import int_arg
from blueprints.stock import bp
from blueprints.stock import forms as f
from blueprints.stock.helpers import item_choices, keep_movements, location_choices, render
from logistics.clock import to_local, today
from logistics.distributions import forecast
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import ledger
from logistics.stock.catalogue import fmt
from logistics.stock.models import Category, MovementKind
from logistics.stock.queries import lists as lists_queries

# --- lists ------------------------------------------------------------------------------

@bp.route("/expiring")
@allow(Role.STAFF)
def expiring():
    days = int_arg("days", maximum=3650) or lists_queries.warning_days(db.session)
    days = min(days, 3650)
    return render_template("stock/lists/expiring.html", rows=lists_queries.expiring(db.session, days), days=days)


def _expired_page(form, status: int = 200):
    rows = lists_queries.expired(db.session)
    if not form.lines.entries:  # the rows as shown now; a form sent back keeps what was shown then
        for r in rows:
            form.lines.append_entry({"lot_id": r.lot.id, "location_id": r.location.id, "quantity": fmt(r.qty)})
    return render("stock/lists/expired.html", status, rows=rows, blocked=lists_queries.quarantined(db.session),
                  form=form)


@bp.route("/expired")
@allow(Role.STAFF)
def expired():
    """Expired stock (to discard, all at once if need be) and blocked lots."""
    return _expired_page(f.DiscardExpiredForm(formdata=None))


@bp.route("/expired/discard", methods=["POST"])
@allow(Role.STAFF)
def expired_discard():
    """Discard every row of the expired list as shown: one reason, one transaction."""
    form = f.DiscardExpiredForm()
    if not form.validate_on_submit():
        return _expired_page(form, 422)
    lines = [(e.lot_id.data, e.location_id.data, e.quantity.data) for e in form.lines]
    try:
        movements = ledger.discard_expired(db.session, lines, reason=form.reason.data, note=form.note.data or None,
                                           by=current_user)
        keep_movements(movements, url_for("stock.expired"))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _expired_page(f.DiscardExpiredForm(formdata=None), 409 if exc.status == 409 else 422)
    flash(ngettext("%(num)d expired lot discarded.", "%(num)d expired lots discarded.", len(movements)), "success")
    return redirect(url_for("stock.expired"))


@bp.route("/shopping-list")
@allow(Role.STAFF)
def shopping_list():
    """What to buy or ask donors for, by the day it is needed (what runs out in the coming
    weeks, and what is below its minimum level now); ``view=minimum`` shows only the latter
    (printable)."""
    if request.args.get("view") == "minimum":
        return render_template("stock/lists/shopping_list.html", rows=lists_queries.below_minimum(db.session),
                               view="minimum")
    return render_template("stock/lists/shopping_list.html", buy=forecast.shopping_list(db.session), view="date",
                           weeks=forecast.WEEKS)


# --- CSV --------------------------------------------------------------------------------

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
    if request.args.get("view") == "minimum":
        rows = ([r.item.full_name, r.item.category.value, r.item.unit, fmt(r.total), fmt(r.item.min_level),
                 fmt(r.shortfall)] for r in lists_queries.below_minimum(db.session))
        return _csv_response(f"shopping-list-{today().isoformat()}.csv",
                             ["item", "category", "unit", "on_hand", "min_level", "to_buy"], rows)
    rows = ([r.item.full_name, r.item.category.value, r.item.unit, r.by.isoformat(), r.reason, fmt(r.quantity)]
            for r in forecast.shopping_list(db.session))
    return _csv_response(f"shopping-list-{today().isoformat()}.csv",
                         ["item", "category", "unit", "buy_by", "why", "to_buy"], rows)


def _export_form():
    form = f.ExportForm(request.args)
    item_choices(form.item_id, blank=_("All"))
    location_choices(form.location_id, blank=_("All"))
    return form


@bp.route("/export")
@allow(Role.STAFF)
def export():
    return render_template("stock/lists/export.html", form=_export_form())


@bp.route("/export/on-hand.csv")
@allow(Role.STAFF)
def export_on_hand():
    form = _export_form()
    category = form.category.data if form.category.data in {c.value for c in Category} else None
    rows = ([item.id, item.full_name, item.category.value, item.unit, lot.code, lot.expires_on or "",
             "yes" if lot.is_quarantined else "", loc.name, fmt(q)]
            for item, lot, loc, q in lists_queries.on_hand_rows(db.session, location_id=int_arg("location_id"),
                                                                category=category))
    return _csv_response(f"stock-on-hand-{today().isoformat()}.csv",
                         ["item_id", "item", "category", "unit", "lot", "expires_on", "blocked", "location",
                          "quantity"], rows)


@bp.route("/export/movements.csv")
@allow(Role.STAFF)
def export_movements():
    form = _export_form()
    if not form.validate():
        return render("stock/lists/export.html", 422, form=form)
    kind = form.kind.data if form.kind.data in {k.value for k in MovementKind} else None
    start, end = form.start.data, form.end.data
    rows = ([m.id, to_local(m.at).isoformat(timespec="minutes"), m.kind.value, item.id, item.full_name, m.lot.code,
             m.lot.expires_on or "", fmt(m.quantity), m.from_location.name if m.from_location else "",
             m.to_location.name if m.to_location else "", m.reason or "", m.source_kind.value if m.source_kind else "",
             m.source_name or "", fmt(m.unit_cost), m.reference_type or "", m.reference_id or "",
             m.reverses_id or "", m.note or "", m.by_id or ""]
            for m, item in lists_queries.movement_rows(db.session, start=start, end=end, item_id=int_arg("item_id"),
                                                       location_id=int_arg("location_id"), kind=kind))
    return _csv_response(f"stock-movements-{(start or '').__str__() or 'all'}-{(end or today()).isoformat()}.csv",
                         ["id", "at", "kind", "item_id", "item", "lot", "expires_on", "quantity", "from", "to",
                          "reason", "source_kind", "source", "unit_cost", "reference_type", "reference_id",
                          "reverses", "note", "by_user_id"], rows)
