"""What the stock view modules share: the ``stock_qty`` filter and the template context,
query-string arguments, the choices of item, location and lot fields, and the pattern of a
form that records movements once (the one-time token)."""
from __future__ import annotations

import functools
from decimal import Decimal

from babel.numbers import format_decimal as babel_format_decimal
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import once
from blueprints.fields import optional_id
from blueprints.forms import apply_error
from blueprints.stock import bp, labels
from blueprints.stock.forms import opts
from logistics import once as logistics_once
from logistics.clock import today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.i18n import current_locale, format_date
from logistics.people.models import Role
from logistics.stock.catalogue import unit_label
from logistics.stock.models import Category
from logistics.stock.queries import catalogue as catalogue_queries
from logistics.stock.queries import ledger as ledger_queries

# --- template filters and context -------------------------------------------------------

def qty(value) -> str:
    """A quantity to read, in the page's locale, up to three decimals ("1,000" / "1.000")."""
    if value is None:
        return ""
    return _formatted(Decimal(value), "#,##0.###", current_locale())


@functools.lru_cache(maxsize=4096)
def _formatted(value: Decimal, pattern: str, locale) -> str:
    """Babel's work once per distinct quantity and locale (a stock page shows one a row)."""
    return babel_format_decimal(value, format=pattern, locale=locale)


def qty_input(value) -> str:
    """A quantity to put in an input: no thousands separator, which would read back as a
    decimal point ("1,000" became 1); the locale's decimal sign, which the parser takes."""
    if value is None:
        return ""
    return format_decimal(Decimal(value), format="0.###")


@bp.app_template_filter("stock_qty")
def _qty_filter(value) -> str:
    return qty(value)


@bp.context_processor
def stock_helpers():
    return {
        "category_label": labels.category_label,
        "fit_label": labels.fit_label,
        "unit_label": unit_label,
        "movement_kind_label": labels.movement_kind_label,
        "reason_label": labels.reason_label,
        "categories": list(Category),
        "today": today(),
        "is_coordinator": current_user.is_authenticated and current_user.has_role(Role.COORDINATOR),
        "movements_of": movements_of,
        "stock_link": stock_link,
    }


def stock_link(endpoint: str, key: str, value) -> str:
    """``url_for(endpoint, key=value)`` for the rows of a list: ``url_for`` once a page per
    endpoint, the row's id put into its result."""
    patterns = g.setdefault("_stock_links", {})
    if (endpoint, key) not in patterns:
        patterns[(endpoint, key)] = url_for(endpoint, **{key: 987654321987}).replace("987654321987", "{}")
    return patterns[(endpoint, key)].format(value)


# --- query-string arguments -------------------------------------------------------------

def prefill(form, *names) -> None:
    """On a GET, fill the named fields from the query string (links such as "issue this lot")."""
    if request.method == "GET":
        for name in names:
            if request.args.get(name):
                getattr(form, name).data = request.args[name]


# --- choices ----------------------------------------------------------------------------

def item_choices(field, blank: str | None = None) -> None:
    choices = [(str(i.id), i.full_name) for i in catalogue_queries.item_choices(db.session)]
    field.choices = opts(([("", blank)] if blank is not None else [("", _("— choose an item —"))]) + choices)


def location_choices(field, *, mobile: bool | None = None, blank: str | None = None) -> None:
    locs = [loc for loc in catalogue_queries.locations(db.session) if mobile is None or loc.is_mobile == mobile]
    field.choices = opts(([("", blank)] if blank is not None else []) + [(str(loc.id), loc.name) for loc in locs])


def lot_choices(field, item_id) -> None:
    choices = [("", _("First expiring first"))]
    item_id = optional_id(item_id)
    if item_id:
        for lot in ledger_queries.item_lots(db.session, item_id):
            label = lot.code or _("no lot number")
            if lot.expires_on:
                label += " · " + _("expires %(date)s", date=format_date(lot.expires_on))
            if lot.is_quarantined:
                label += " · " + _("blocked")
            choices.append((str(lot.id), label))
    field.choices = opts(choices)


# --- rendering and recording ------------------------------------------------------------

def render(template, status=200, **ctx):
    return render_template(template, **ctx), status


def item_url(item_id) -> str:
    return url_for("stock.item", item_id=item_id)


def movements_of(token) -> list:
    """The movements a one-time token's first submit recorded (the "already recorded" page)."""
    ids = token.result if token is not None and isinstance(token.result, list) else []
    return ledger_queries.movements_by_ids(db.session, ids)


def keep_movements(movements, next_url: str | None = None) -> None:
    """Keep the movements this submit recorded on its one-time token, for a repeat's page."""
    token = once.claimed()
    if token is not None:
        logistics_once.record_result(token, [m.id for m in movements], next_url)


def record(form, template: str, action, **ctx):
    """Validate, run ``action`` (returns movements, message and where to go), keep the
    movements on the form's one-time token (claimed before the view ran), commit once."""
    if form.validate_on_submit():
        try:
            movements, message, next_url = action()
            keep_movements(movements, next_url)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
            return render(template, 422, form=form, **ctx)
        flash(message, "success")
        return redirect(next_url)
    return render(template, 422 if form.errors else 200, form=form, **ctx)


def line_error(lines, exc: DomainError, prefix: str, key: str = "item_id") -> bool:
    """Put a service error about one line of a ``FieldList`` (its field is ``<prefix><id>``,
    such as ``qty-12``) on the quantity of the entry whose ``key`` holds that id. Returns
    whether it was about a line."""
    if not exc.field or not exc.field.startswith(prefix):
        return False
    wanted = exc.field[len(prefix):]
    for entry in lines:
        if str(entry[key].data) == wanted:
            entry.quantity.errors = [*entry.quantity.errors, exc.message]
            return True
    return False
