"""Distribution pages, cut like the domain: plans (the list and the monthly plan), packing
(one distribution: pack, packing list, hand-out, cancel; the sufficiency check) and recipes."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("distributions", __name__, url_prefix="/distributions")


@bp.context_processor
def _helpers():
    from flask_login import current_user

    from logistics.people.models import Role
    from logistics.stock.catalogue import unit_label
    return {"unit_label": unit_label,
            "is_coordinator": current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)}


from blueprints.distributions import packing, plans, recipes  # noqa: E402, F401
