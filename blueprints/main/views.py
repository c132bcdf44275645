"""The home page, the language switch and the health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.access import allow, public
from blueprints.main import home as home_data
from blueprints.redirects import safe_target
from logistics import queue
from logistics.extensions import db
from logistics.people.models import Role

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(Role.VOLUNTEER)
def home():
    """The start page: my next shifts and what needs this person's attention, by role."""
    return render_template("main/home.html", **home_data.for_user(current_user))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language; saved on the profile when logged in."""
    lang = request.form.get("lang")
    if lang in ("en", "da"):
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_target(request.form.get("next"), url_for("main.home")))


@bp.route("/healthz")
@public
def healthz():
    """Database and queue status as JSON: 200 when both are ok, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        db.session.rollback()
        database = f"{type(exc).__name__}"
    queue_status = queue.health()
    ok = database == "ok" and queue_status == "ok"
    body = {"status": "ok" if ok else "error", "database": database, "queue": queue_status}
    return jsonify(body), 200 if ok else 503
