"""Shared by the outreach views: finding the shift, and drawing the "How did it go?" page."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from blueprints.fields import parse_int
from blueprints.outreach.forms import BackSafeForm, TallyForm
from blueprints.stock import forms as stock_forms
from blueprints.stock.kits import return_lines
from logistics.clock import utcnow
from logistics.extensions import db
from logistics.outreach import checkouts, queries, tallies
from logistics.shifts.models import Shift
from logistics.stock import kits as kit_services
from logistics.stock.catalogue import unit_label
from logistics.stock.queries import kits as kits_queries


def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        abort(404)
    return shift


def _tally_form(tally) -> TallyForm:
    form = TallyForm(formdata=None)
    if tally is not None:
        for name in ("women", "men", "transgender", "not_stated", "new_contacts", "calls", "visits"):
            getattr(form, name).data = getattr(tally, name)
        form.note.data = tally.note
    return form


def _bag_context(bag, form, preview: bool) -> dict:
    if bag is None:
        return {}
    form = form or stock_forms.ReturnForm(formdata=None)
    in_bag, handed_out = return_lines(form, kits_queries.bag_contents(db.session, bag.bag_location_id))
    return {"unit_label": unit_label, "bag": bag, "form": form, "in_bag": in_bag, "handed_out": handed_out,
            "preview": preview, "early": kit_services.returned_early(bag), "unpack_all": False}


def after_page(shift: Shift, *, tally_form: TallyForm | None = None, return_form=None, preview: bool = False,
               status: int = 200):
    members, tally, bag = queries.shift_state(db.session, shift)
    mine = next((m for m in members if m.user.id == current_user.id), None)
    now = utcnow()
    ended, started = shift.ends_at <= now, shift.starts_at <= now
    if tally_form is None:
        tally_form = _tally_form(tally)
        referral_values = {r.partner_id: r.count for r in tally.referrals} if tally else {}
    else:
        referral_values = {}
        for key, raw in request.form.items():
            partner_id = parse_int(key.removeprefix("partner-")) if key.startswith("partner-") else None
            if partner_id is not None:
                referral_values[partner_id] = raw
    kept = set(referral_values)
    partners = [p for p in queries.partners(db.session) if p.is_active or p.id in kept]
    return render_template(
        "outreach/after.html", shift=shift, members=members, mine=mine, tally=tally, ended=ended, started=started,
        takes_checkout=checkouts.takes_checkout(shift), takes_tally=tallies.takes_tally(shift),
        counts=tallies.count_fields(shift.activity.kind), tally_form=tally_form, partners=partners,
        referral_values=referral_values, back_form=BackSafeForm(),
        may_edit=tallies.may_edit(db.session, shift, tally, current_user),
        **_bag_context(bag, return_form, preview)), status
