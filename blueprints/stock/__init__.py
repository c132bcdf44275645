"""Stock pages, cut like the domain: ledger (overview, items, movements, lots), catalogue
(items, locations, product groups, minimum levels), counts, kits (kits and the outreach
check, pack and return) and lists (expiring, expired, shopping list, exports). ``helpers``
holds the template filters and context and the look-ups the view modules share."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stock", __name__, url_prefix="/stock")


# The view modules add their routes to ``bp`` (and helpers its filters and context) when
# imported; they import ``bp`` from here, so they come after it.
from blueprints.stock import catalogue, counts, helpers, kits, ledger, lists, rows  # noqa: E402, F401

# The ledger's long tables, drawn in Python.
bp.add_app_template_global(rows.movement_table, "movement_table")
bp.add_app_template_global(rows.overview_rows, "overview_rows")
