"""Report pages, cut as logistics.reports is: ``annual`` (the annual report on screen, in
print and as CSV) and ``hours`` (volunteer hours: one's own statement, the coordinators'
export)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

# The view modules add their routes to bp.
from blueprints.reports import annual, hours  # noqa: E402,F401
