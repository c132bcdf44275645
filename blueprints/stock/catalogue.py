"""Catalogue pages: new and changed items, minimum levels, locations and clothing product
groups with their size grid."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.forms import apply_error, show_stored
from blueprints.stock import bp
from blueprints.stock import forms as f
from blueprints.stock.helpers import item_url, prefill, render
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import catalogue
from logistics.stock.models import Item, Location, ProductGroup
from logistics.stock.queries import catalogue as catalogue_queries

# --- items and minimum levels -----------------------------------------------------------

def _item_form_choices(form) -> None:
    form.product_group_id.choices = f.opts([("", "—")] + [(str(g.id), g.name)
                                                          for g in catalogue_queries.product_groups(db.session)])


def _item_values(form) -> dict:
    return {"name": form.name.data, "category": form.category.data, "unit": form.unit.data,
            "is_expiry_tracked": form.is_expiry_tracked.data, "notes": form.notes.data,
            "product_group_id": form.product_group_id.data, "size": form.size.data, "fit": form.fit.data,
            "name_da": form.name_da.data or ""}


@bp.route("/items/new", methods=["GET", "POST"])
@allow(Role.STAFF)
def item_new():
    """Add an item (clothing: one per size and fit)."""
    form = f.ItemForm()
    _item_form_choices(form)
    prefill(form, "product_group_id", "category")
    if form.validate_on_submit():
        try:
            obj = catalogue.create_item(db.session, by=current_user, **_item_values(form))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("%(item)s added.", item=obj.full_name), "success")
            return redirect(item_url(obj.id))
    return render("stock/catalogue/item_form.html", 422 if form.errors else 200, form=form, item=None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(Role.STAFF)
def item_edit(item_id: int):
    """Change an item, or take it out of use."""
    obj = db.get_or_404(Item, item_id)
    form = f.ItemForm(obj=obj) if request.method == "GET" else f.ItemForm()
    _item_form_choices(form)
    if request.method == "GET":
        form.category.data = obj.category.value
        form.fit.data = obj.fit.value if obj.fit else ""
        form.product_group_id.data = str(obj.product_group_id or "")
        show_stored(form, obj, "name")
    if form.validate_on_submit():
        try:
            catalogue.update_item(db.session, obj, is_active=form.is_active.data, by=current_user,
                                  **_item_values(form))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(item_url(obj.id))
    return render("stock/catalogue/item_form.html", 422 if form.errors else 200, form=form, item=obj)


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
            return redirect(item_url(obj.id))
    return render("stock/catalogue/item_minimum.html", 422 if form.errors else 200, form=form, item=obj)


# --- locations --------------------------------------------------------------------------

@bp.route("/locations")
@allow(Role.STAFF)
def locations():
    return render_template("stock/catalogue/locations.html",
                           locations=catalogue_queries.locations(db.session, active_only=False))


def _location_form(location: Location | None):
    form = f.LocationForm(obj=location) if request.method == "GET" and location else f.LocationForm()
    if request.method == "GET":
        show_stored(form, location, "name")
    if form.validate_on_submit():
        try:
            catalogue.save_location(db.session, location, name=form.name.data, is_mobile=form.is_mobile.data,
                                    is_active=form.is_active.data, by=current_user,
                                    name_da=form.name_da.data or "")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Location saved."), "success")
            return redirect(url_for("stock.locations"))
    return render("stock/catalogue/location_form.html", 422 if form.errors else 200, form=form, location=location)


@bp.route("/locations/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def location_new():
    return _location_form(None)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def location_edit(location_id: int):
    return _location_form(db.get_or_404(Location, location_id))


# --- product groups ---------------------------------------------------------------------

@bp.route("/groups")
@allow(Role.STAFF)
def groups():
    return render_template("stock/catalogue/groups.html", groups=catalogue_queries.product_groups(db.session))


@bp.route("/groups/new", methods=["GET", "POST"])
@allow(Role.STAFF)
def group_new():
    form = f.ProductGroupForm()
    if form.validate_on_submit():
        try:
            group = catalogue.create_product_group(db.session, name=form.name.data, name_da=form.name_da.data,
                                                   notes=form.notes.data,
                                                   by=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Product group added. Now add its sizes as items."), "success")
            return redirect(url_for("stock.group", group_id=group.id))
    return render("stock/catalogue/group_form.html", 422 if form.errors else 200, form=form)


@bp.route("/groups/<int:group_id>")
@allow(Role.STAFF)
def group(group_id: int):
    """The size grid of one clothing product group."""
    obj = db.get_or_404(ProductGroup, group_id)
    fits, sizes, cells = catalogue_queries.size_grid(db.session, obj)
    return render_template("stock/catalogue/group.html", group=obj, fits=fits, sizes=sizes, cells=cells)
