"""Report pages, cut as logistics.reports is: ``annual`` (the annual report on screen, in
print and as CSV) and ``hours`` (volunteer hours: one's own statement, the coordinators'
export)."""
from __future__ import annotations

from flask import Blueprint, g

from logistics.db import reset_unprepared, unprepared

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
def plan_for_the_values():
    """A report reads a period its reader chose: every statement planned for those dates,
    none prepared with one plan for any period (logistics.db)."""
    g._unprepared_token = unprepared()


@bp.teardown_request
def _reset(exc=None):
    token = g.pop("_unprepared_token", None)
    if token is not None:
        reset_unprepared(token)

# The view modules add their routes to bp.
from blueprints.reports import annual, hours  # noqa: E402,F401
