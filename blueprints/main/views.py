"""The home page, the language switch and the health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from blueprints.access import allow, public
from blueprints.redirects import safe_target
from logistics import queue
from logistics.extensions import db
from logistics.outreach import queries as outreach_queries
from logistics.people import queries as people_queries
from logistics.people.models import Role
from logistics.shifts import queries as shift_queries
from logistics.stock.queries import lists as stock_queries

bp = Blueprint("main", __name__)


@bp.route("/")
@allow(Role.VOLUNTEER)
def home():
    """The start page: my next shifts, and what needs this person's attention."""
    upcoming, _past = shift_queries.my_shifts(db.session, current_user)
    after = [a for a in outreach_queries.after_shifts(db.session, current_user) if a.anything_open]
    stock = coordination = None
    if current_user.has_role(Role.STAFF):
        stock = {
            "expiring": len(stock_queries.expiring(db.session)),
            "expired": len(stock_queries.expired(db.session)),
            "below_minimum": len(stock_queries.below_minimum(db.session)),
            "warning_days": stock_queries.warning_days(db.session),
        }
    if current_user.has_role(Role.COORDINATOR):
        coordination = {
            "understaffed": len(shift_queries.understaffed(db.session)),
            "cancel_requests": len(shift_queries.cancellation_requests(db.session)),
            "applications": people_queries.pending_count(db.session),
            "not_back": outreach_queries.not_back_safe(db.session),
            "missing_tallies": outreach_queries.missing_tally_count(db.session),
        }
    return render_template("main/home.html", upcoming=upcoming[:3], more=max(len(upcoming) - 3, 0),
                           stock=stock, coordination=coordination, after=after)


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
