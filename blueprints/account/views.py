"""A person's own account: profile, password, sessions, two-factor login, data and erasure."""
from __future__ import annotations

from flask import Blueprint, render_template

from blueprints.access import allow
from logistics.people.models import Role

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/")
@allow(Role.VOLUNTEER)
def profile():
    return render_template("account/profile.html")


@bp.route("/security")
@allow(Role.VOLUNTEER)
def security():
    return render_template("account/security.html")
