"""The distributions list and the monthly plan: a pattern (or days picked on the month grid)
proposes days, the coordinator adjusts days and packs, and one submit creates them all with
their shifts."""
from __future__ import annotations

import calendar
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.distributions import bp
from blueprints.distributions import forms as f
from blueprints.fields import parse_int
from blueprints.forms import apply_error, options
from logistics.clock import today
from logistics.distributions import plans, queries, sufficiency
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.i18n import format_month, weekday_names
from logistics.people.models import Role
from logistics.shifts import queries as shift_queries
from logistics.shifts.models import Place
from logistics.stock import recipes as recipe_services
from logistics.stock.models import Location
from logistics.stock.queries import catalogue as catalogue_queries


@bp.route("/")
@allow(Role.STAFF)
def index():
    checks = {c.distribution.id: c for c in sufficiency.check(db.session)}
    return render_template("distributions/index.html", upcoming=queries.upcoming(db.session),
                           recent=queries.recent(db.session), checks=checks)


def _pattern(form: f.PatternForm, months: list[dt.date]) -> plans.Pattern:
    kind = form.kind.data if form.kind.data in ("monthly", "weekly", "dates") else "monthly"
    weekday = form.weekday.data if isinstance(form.weekday.data, int) and 0 <= form.weekday.data <= 6 else 1
    # ASCII digits only (parse_int): "²" is a digit to str.isdigit() but not to int().
    ordinals = tuple(n for n in (parse_int(x, minimum=-9, maximum=9) for x in (form.first.data or "2,4").split(","))
                     if n is not None)
    return plans.Pattern(kind, weekday=weekday, ordinals=ordinals, interval=form.interval.data or 2,
                         start=months[0])


def _month_grid(month: dt.date) -> list[list[dt.date | None]]:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [[d if d.month == month.month else None for d in week] for week in weeks]


@bp.route("/plan", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def plan():
    """Propose, adjust and create the distributions of the next months."""
    pattern_form = f.PatternForm(request.args, meta={"csrf": False})
    next_month = plans.add_months(plans.month_start(today()), 1)
    starts = [plans.add_months(plans.month_start(today()), i) for i in range(0, 13)]
    pattern_form.start.choices = options([(m.isoformat()[:7], format_month(m)) for m in starts])
    pattern_form.weekday.choices = options([(str(i), n) for i, n in enumerate(weekday_names(width="wide"))])
    start = next((m for m in starts if m.isoformat()[:7] == pattern_form.start.data), next_month)
    pattern_form.start.data = start.isoformat()[:7]
    count = pattern_form.months.data if isinstance(pattern_form.months.data, int) and \
        1 <= pattern_form.months.data <= plans.MAX_MONTHS else 2
    months = plans.months_from(start, count)
    form = f.PlanForm()
    locations = [loc for loc in catalogue_queries.locations(db.session) if not loc.is_mobile]
    form.location_id.choices = options([(str(loc.id), loc.name) for loc in locations])
    form.place_id.choices = options([("", "—")] + [(str(p.id), p.name)
                                                      for p in shift_queries.places(db.session, active_only=True)])
    recipes = [r for r in recipe_services.recipes(db.session) if r.lines]
    averages = plans.average_handed_out(db.session)
    status = 200
    if request.method == "POST":
        status = 422
        chosen_days = f.days()
        counts = {r.id: f.number(f"packs-{r.id}") for r in recipes}
        if form.validate_on_submit():
            location = db.session.get(Location, form.location_id.data) if form.location_id.data else None
            place = db.session.get(Place, form.place_id.data) if form.place_id.data else None
            try:
                if location is None:
                    raise DomainError(_("Choose one."), field="location_id")
                created = plans.create_plan(
                    db.session, days=chosen_days, counts=counts, location=location, place=place,
                    times=plans.ShiftTimes(form.handout_start.data, form.handout_minutes.data,
                                           form.packing_start.data, form.packing_minutes.data),
                    by=current_user)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                apply_error(form, exc)
            else:
                flash(_("%(n)s distributions planned with their shifts.", n=len(created)), "success")
                return redirect(url_for("distributions.index"))
        proposal = plans.propose(db.session, plans.Pattern("dates", dates=tuple(chosen_days)), months)
        picked = set(chosen_days)
    else:
        try:
            proposal = plans.propose(db.session, _pattern(pattern_form, months), months)
        except DomainError as exc:
            flash(exc.message, "error")
            proposal = plans.Proposal([])
        picked = set(proposal.days)
        counts = {r.id: averages.get(r.pack_item_id) for r in recipes}
    if not form.location_id.data and locations:
        form.location_id.data = catalogue_queries.busiest_location(db.session, mobile=False) or locations[0].id
    return render_template("distributions/plan.html", pattern_form=pattern_form, form=form, months=months,
                           grids={m: _month_grid(m) for m in months}, proposal=proposal, picked=picked,
                           recipes=recipes, counts=counts, averages=averages,
                           first_day=today() + dt.timedelta(days=1),
                           weekdays=weekday_names()), status
