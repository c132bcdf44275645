"""Count pages: start a count of a location, enter counted quantities part-way, add stock
found that was not listed, finish (differences become movements) or cancel."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error
from blueprints.stock import bp
from blueprints.stock import forms as f
from blueprints.stock.helpers import item_choices, keep_movements, line_error, location_choices, qty_input, render
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import catalogue
from logistics.stock import counts as count_services
from logistics.stock.models import Stocktake
from logistics.stock.queries import counts as counts_queries


@bp.route("/counts")
@allow(Role.STAFF)
def counts():
    form = f.StartCountForm()
    location_choices(form.location_id)
    return render_template("stock/counts/counts.html", form=form, open=counts_queries.open_stocktakes(db.session),
                           recent=counts_queries.recent_stocktakes(db.session))


@bp.route("/counts/start", methods=["POST"])
@allow(Role.STAFF)
def count_start():
    """Start counting a location; refused while another count of it is unfinished."""
    form = f.StartCountForm()
    location_choices(form.location_id)
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
    return render("stock/counts/counts.html", 422, form=form, open=counts_queries.open_stocktakes(db.session),
                  recent=counts_queries.recent_stocktakes(db.session))


def _count_page(take: Stocktake, form, line_form, status=200):
    item_choices(line_form.item_id)
    lines = counts_queries.stocktake_lines(db.session, take.id)
    if not form.lines.entries:  # not sent back: the lines as saved so far
        for line in lines:
            form.lines.append_entry({"line_id": line.id,
                                     "quantity": qty_input(line.counted_qty)})
    return render("stock/counts/count.html", status, take=take, lines={line.id: line for line in lines}, form=form,
                  line_form=line_form, cancel_form=f.PlainForm())


@bp.route("/counts/<int:stocktake_id>", methods=["GET", "POST"])
@allow(Role.STAFF)
def count(stocktake_id: int):
    """Enter counted quantities; save part-way, or finish (differences become movements)."""
    take = db.get_or_404(Stocktake, stocktake_id)
    form = f.CountForm()
    if form.validate_on_submit():
        counted = {entry.line_id.data: entry.quantity.data for entry in form.lines}
        finish = form.action.data == "finish"
        try:
            saved = count_services.save_counts(db.session, take, counted, by=current_user)
            if finish:
                movements = count_services.finish_stocktake(db.session, take, by=current_user)
                keep_movements(movements, url_for("stock.count", stocktake_id=take.id))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            line_error(form.lines, exc, "count-", key="line_id")
            return _count_page(take, form, f.CountLineForm(formdata=None), 422)
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
    item_choices(line_form.item_id)
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
    """Drop an unfinished count; stock is unchanged."""
    take = db.get_or_404(Stocktake, stocktake_id)
    form = f.PlainForm()
    if not form.validate_on_submit():
        abort(400)
    count_services.cancel_stocktake(db.session, take, by=current_user)
    db.session.commit()
    flash(_("Count cancelled; stock is unchanged."), "success")
    return redirect(url_for("stock.counts"))
