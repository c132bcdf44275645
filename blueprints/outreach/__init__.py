"""After the shift, cut as logistics.outreach is: ``after`` (the phone flow "How did it go?":
back safe, the tally, the bag return) and ``coordination`` (not back safe, missing tallies,
the partner list)."""
from __future__ import annotations

from flask import Blueprint

from blueprints.outreach import labels

bp = Blueprint("outreach", __name__, url_prefix="/outreach")

bp.add_app_template_global(labels.partner_label, "partner_label")
bp.add_app_template_global(labels.count_label, "tally_count_label")

# The view modules add their routes to bp.
from blueprints.outreach import after, coordination  # noqa: E402,F401
