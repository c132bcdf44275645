"""Pack recipes: the list, and a recipe's components (coordinators)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.distributions import bp
from blueprints.distributions import forms as f
from blueprints.fields import optional_id
from blueprints.forms import apply_error, options
from blueprints.stock.helpers import qty_input
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.stock import recipes as recipe_services
from logistics.stock.queries import catalogue as catalogue_queries

#: Rows the form offers; blank ones are skipped.
ROWS = 12


@bp.route("/recipes")
@allow(Role.STAFF)
def recipes():
    return render_template("distributions/recipes.html", recipes=recipe_services.recipes(db.session))


@bp.route("/recipes/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def recipe_new():
    return _recipe_form(None)


@bp.route("/recipes/<int:recipe_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def recipe_edit(recipe_id: int):
    return _recipe_form(recipe_id)


def _recipe_form(recipe_id: int | None):
    """Set a recipe's components: an item and a quantity per pack on each row."""
    recipe = None
    if recipe_id is not None:
        recipe = recipe_services.get_recipe(db.session, recipe_id)
        if recipe is None:
            abort(404)
    form = f.RecipeForm()
    items = catalogue_queries.item_choices(db.session)
    form.pack_item_id.choices = options([("", "—")] + [(str(i.id), i.full_name) for i in items])
    rows = [(line.item_id, qty_input(line.quantity)) for line in recipe.lines] if recipe else []
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows = [(optional_id(request.form.get(f"item-{i}")), (request.form.get(f"qty-{i}") or "").strip()[:30])
                for i in range(ROWS)]
        status = 422
        if form.validate_on_submit():
            try:
                saved = recipe_services.save_recipe(db.session, recipe, pack_item_id=form.pack_item_id.data,
                                                    lines=rows, by=current_user)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                if exc.field and exc.field.split("-")[0] in ("item", "qty"):
                    errors[exc.field] = exc.message
                    form.form_errors.append(exc.message)
                else:
                    apply_error(form, exc)
            else:
                flash(_("Recipe saved for %(pack)s.", pack=saved.pack_item.full_name), "success")
                return redirect(url_for("distributions.recipes"))
    elif recipe is not None:
        form.pack_item_id.data = recipe.pack_item_id
    rows = (rows + [(None, "")] * ROWS)[:ROWS]
    return render_template("distributions/recipe_form.html", form=form, recipe=recipe, rows=rows, errors=errors,
                           components=items), status
