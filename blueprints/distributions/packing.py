"""One distribution: its page, packing (with the printable packing list), the hand-out and
cancelling; and the sufficiency check of the coming weeks."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.distributions import bp
from blueprints.distributions import forms as f
from blueprints.forms import apply_error
from logistics.distributions import forecast, packing, queries, sufficiency
from logistics.distributions.models import Distribution
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role


def _get(distribution_id: int) -> Distribution:
    distribution = queries.get(db.session, distribution_id)
    if distribution is None:
        abort(404)
    return distribution


def _page(distribution: Distribution, status: int = 200, *, form=None, values=None):
    check = next((c for c in sufficiency.check(db.session) if c.distribution.id == distribution.id), None)
    return render_template("distributions/detail.html", d=distribution, form=form or f.ActionForm(),
                           check=check, values=values or {}, count_fields=packing.COUNT_FIELDS,
                           status_word=packing.status_word), status


def _act(distribution: Distribution, change, done: str, values: dict | None = None):
    """One action on a distribution's page: ``change()`` in one transaction when the form is
    valid, then back to the page with ``done``; a refusal shows the page again with the
    reason and what was entered, nothing saved."""
    form = f.ActionForm()
    if not form.validate_on_submit():
        return _page(distribution, 422, form=form, values=values)
    try:
        change()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        apply_error(form, exc)
        return _page(_get(distribution.id), exc.status, form=form, values=values)
    flash(done, "success")
    return redirect(url_for("distributions.detail", distribution_id=distribution.id))


@bp.route("/<int:distribution_id>")
@allow(Role.STAFF)
def detail(distribution_id: int):
    return _page(_get(distribution_id))


@bp.route("/<int:distribution_id>/pack", methods=["POST"])
@allow(Role.STAFF)
def pack(distribution_id: int):
    """Pack the packs entered, in one transaction."""
    distribution = _get(distribution_id)
    values = {f"packs-{line.id}": f.number(f"packs-{line.id}") for line in distribution.lines}
    return _act(distribution, lambda: packing.pack(
        db.session, distribution, {line.id: values[f"packs-{line.id}"] for line in distribution.lines},
        by=current_user), _("Packed."), values)


@bp.route("/<int:distribution_id>/planned", methods=["POST"])
@allow(Role.COORDINATOR)
def change_planned(distribution_id: int):
    """Change the planned packs of one distribution."""
    distribution = _get(distribution_id)
    values = {f"planned-{line.id}": f.number(f"planned-{line.id}") for line in distribution.lines}
    return _act(distribution, lambda: packing.change_planned(
        db.session, distribution, {line.id: values[f"planned-{line.id}"] for line in distribution.lines},
        by=current_user), _("Planned packs saved."), values)


@bp.route("/<int:distribution_id>/packing-list")
@allow(Role.STAFF)
def packing_list(distribution_id: int):
    distribution = _get(distribution_id)
    return render_template("distributions/packing_list.html", d=distribution,
                           picks=queries.packing_list(db.session, distribution))


@bp.route("/<int:distribution_id>/hand-out", methods=["POST"])
@allow(Role.STAFF)
def handout(distribution_id: int):
    """Record the packs handed out and the optional anonymous counts; completes the distribution."""
    distribution = _get(distribution_id)
    values = {f"handed-{line.id}": f.number(f"handed-{line.id}") for line in distribution.lines}
    values.update({name: f.number(name) for name in packing.COUNT_FIELDS})
    return _act(distribution, lambda: packing.record_handout(
        db.session, distribution, {line.id: values[f"handed-{line.id}"] for line in distribution.lines},
        {name: values[name] for name in packing.COUNT_FIELDS}, by=current_user),
        _("Hand-out recorded. The distribution is completed."), values)


@bp.route("/<int:distribution_id>/cancel", methods=["POST"])
@allow(Role.COORDINATOR)
def cancel(distribution_id: int):
    """Cancel the distribution and its shifts (the people on them are told)."""
    distribution = _get(distribution_id)
    return _act(distribution, lambda: packing.cancel(db.session, distribution, by=current_user),
                _("Distribution cancelled, with its shifts."))


@bp.route("/sufficiency")
@allow(Role.STAFF)
def sufficiency_page():
    return render_template("distributions/sufficiency.html", checks=sufficiency.check(db.session),
                           weeks=sufficiency.WEEKS)


@bp.route("/forecast")
@allow(Role.STAFF)
def forecast_page():
    """The day each item runs out, with what drives it."""
    return render_template("distributions/forecast.html", rows=forecast.forecast(db.session), weeks=forecast.WEEKS,
                           use_days=forecast.USE_DAYS)
