"""Applications to volunteer (public form, coordinator decisions) and invitations."""
from __future__ import annotations

from flask import Blueprint, render_template

from blueprints.access import public

bp = Blueprint("people", __name__)


@bp.route("/apply", methods=["GET", "POST"])
@public
def apply():
    return render_template("people/apply.html")
