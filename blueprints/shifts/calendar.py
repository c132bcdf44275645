"""Pages for everyone: the week and month calendars, the shift page and its kit."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from blueprints.access import allow
from blueprints.fields import date_arg, month_arg
from blueprints.forms import options
from blueprints.shifts import bp
from blueprints.shifts.forms import ActionForm, AssignForm, CalendarFilterForm, CancelRequestForm
from blueprints.shifts.helpers import get_shift, is_coordinator, is_insider, shift_title_of
from logistics import i18n
from logistics.clock import today, utcnow
from logistics.cooking import queries as cooking_queries
from logistics.distributions import queries as distribution_queries
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.i18n import format_day_long
from logistics.notifications import queries as notification_queries
from logistics.people.models import Role
from logistics.shifts import calendar as shift_calendar
from logistics.shifts import filters, queries, rules
from logistics.shifts import month as month_queries
from logistics.shifts.models import ACTIVE_STATUSES, SignupStatus
from logistics.stock.catalogue import unit_label
from logistics.stock.queries import kits as stock_queries


def _calendar_activity(acts) -> tuple[CalendarFilterForm, int | None]:
    """The calendars' activity filter (``acts``: every activity): chosen now (and remembered)
    or remembered from before."""
    form = CalendarFilterForm(request.args)
    form.activity.choices = options([(0, _("All activities"))] + [(a.id, shift_title_of(a)) for a in acts
                                                                 if a.is_active])
    form.validate()
    if "activity" in request.args and not form.activity.errors:
        chosen = filters.remember(db.session, current_user, calendar_activity_id=form.activity.data or None)
        db.session.commit()
    else:
        chosen = filters.of(db.session, current_user)
    form.activity.data = chosen.calendar_activity_id or 0
    return form, chosen.calendar_activity_id


@bp.route("/calendar/week")
@allow(Role.VOLUNTEER)
def calendar_week():
    """Seven days of shifts from a Monday."""
    day = date_arg("start", today())
    monday = day - dt.timedelta(days=day.weekday())
    acts = queries.activities(db.session, qualifications=False)
    form, activity_id = _calendar_activity(acts)
    by_day, shifts = shift_calendar.calendar_days(db.session, monday, 7, activity_id=activity_id,
                                           activities={a.id: a for a in acts})
    mine = queries.my_status(db.session, current_user, [s.id for s in shifts])
    distributions = distribution_queries.in_days(db.session, monday, monday + dt.timedelta(days=6))
    return render_template("shifts/calendar/week.html", by_day=by_day, monday=monday, mine=mine, today=today(),
                           distributions=distributions, staff=current_user.has_role(Role.STAFF),
                           prev=monday - dt.timedelta(days=7), next=monday + dt.timedelta(days=7), form=form)


@bp.route("/calendar/month")
@allow(Role.VOLUNTEER)
def calendar_month():
    """A month as a compact grid (per day: activities with counts, the hotline as one coverage
    strip, the person's own shifts marked) and the shifts of one chosen day."""
    first = month_arg("month", today()).replace(day=1)
    acts = queries.activities(db.session, qualifications=False)
    form, activity_id = _calendar_activity(acts)
    overview = month_queries.month(db.session, first, current_user, activity_id=activity_id,
                                   activities={a.id: a for a in acts})
    in_month = [d.date for d in overview.days if d.date.month == first.month]
    chosen = date_arg("day")
    if chosen not in in_month:
        chosen = today() if today() in in_month else first
    _by_day, day_shifts = shift_calendar.calendar_days(db.session, chosen, 1, activity_id=activity_id,
                                                activities={a.id: a for a in acts})
    mine = overview.my_status(s.id for s in day_shifts)  # read with the month's marks
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return render_template("shifts/calendar/month.html", month=overview, cells=_month_cells(overview, first, chosen),
                           first=first, chosen=chosen, day_shifts=day_shifts, mine=mine, prev=prev_month,
                           distributions=distribution_queries.in_days(db.session, chosen, chosen),
                           staff=current_user.has_role(Role.STAFF),
                           next=next_month, form=form)


def _month_cells(overview, first: dt.date, chosen: dt.date) -> Markup:
    """The month grid's 42 days as drawn, written here in Python (one string per day, as
    blueprints/shifts/rows.py writes the shift lists): the page's cost is what a person reads,
    not its logic. The words are translated once each, the link is ``url_for`` once."""
    insider, on_day, language = is_insider(), today(), i18n.current_language()
    catalogue = i18n.translations()
    words: dict[tuple, str] = {}  # the same few phrases for many days: translated once each

    def say(key, n, make):
        if (key, n) not in words:
            words[(key, n)] = make(n)
        return words[(key, n)]

    names: dict[int, tuple[str, str]] = {}

    def shown(activity) -> tuple[str, str]:
        """Name and colour; a discreet activity is neutral for volunteers (as shift_title says);
        worked out once per activity (its name is looked up in the page's language)."""
        if activity.id not in names:
            if activity.is_discreet and not insider:
                names[activity.id] = say("neutral", 0, lambda n: catalogue.ugettext("HopeNow shift")), "grey"
            else:
                names[activity.id] = activity.name, activity.colour
        return names[activity.id]

    pattern = str(escape(url_for("shifts.calendar_month", month="MONTH", day="DAY") + "#day"))
    html = []
    for d in overview.days:
        parts = [format_day_long(d.date, language),
                 say("shifts", d.shifts, lambda n: catalogue.ungettext("%(num)d shift", "%(num)d shifts", n)
                     % {"num": n} if n else catalogue.ugettext("no shifts"))]
        if d.needing:
            parts.append(say("needing", d.needing, lambda n: catalogue.ungettext(
                "%(num)d needs people", "%(num)d need people", n) % {"num": n}))
        if d.strip:
            covered = say("hotline", 1, lambda n: catalogue.ugettext("hotline covered %(covered)d of %(hours)d hours"))
            parts.append(covered % {"covered": d.covered, "hours": d.hours})
        if d.mine:
            parts.append(say("mine", 1, lambda n: catalogue.ugettext("you are on a shift")))
        if d.waiting:
            parts.append(say("waiting", 1, lambda n: catalogue.ugettext("you are on a waitlist")))
        classes = ["mday"]
        for flag, name in ((d.date.month != first.month, "is-other"), (d.date == on_day, "is-today"),
                           (d.date == chosen, "is-chosen"), (d.mine, "is-mine"),
                           (d.waiting and not d.mine, "is-waiting")):
            if flag:
                classes.append(name)
        shown_lines = [(*shown(a.activity), a.needing > 0, a.shifts) for a in d.others]
        lines, more = shown_lines[:4], max(0, len(shown_lines) - 4)
        url = pattern.replace("MONTH", d.date.strftime("%Y-%m")).replace("DAY", d.date.isoformat())
        current = ' aria-current="date"' if d.date == chosen else ""
        cell = (f'\n      <li class="{escape(" ".join(classes))}">\n'
                f'        <a href="{url}" aria-label="{escape(", ".join(parts))}"{current}>\n'
                f'          <span class="mday-num">{d.date.day}</span>\n          ')
        if lines:
            plus = '<span class="mday-more">+</span>' if more else ""
            dots = "".join(f'<span class="colour-dot colour-{escape(colour)}{" needs" if needs else ""}"></span>'
                           for _name, colour, needs, _n in lines)
            items = "".join(f'<li class="colour-{escape(colour)}{" needs" if needs else ""}"><span class="colour-dot">'
                            f'</span>{escape(name)}{f" ×{n}" if n > 1 else ""}</li>'
                            for name, colour, needs, n in lines)
            more_line = ""
            if more:
                more_line = '<li class="muted">' + say("more", more, lambda n: catalogue.ungettext(
                    "+ %(num)d more activity", "+ %(num)d more activities", n) % {"num": n}) + "</li>"
            cell += (f'\n          <span class="mday-dots" aria-hidden="true">{dots}{plus}</span>\n'
                     f'          <ul class="mday-acts" aria-hidden="true">\n            {items}\n'
                     f'            {more_line}\n          </ul>\n          ')
        cell += "\n          "
        if d.strip:
            segs = "".join(f'<rect x="{seg.start}" y="0" width="{seg.end - seg.start}" height="1" '
                           f'class="seg-{escape(seg.state)}"/>' for seg in d.strip)
            cell += (f'<svg class="strip" viewBox="0 0 {d.hours} 1" preserveAspectRatio="none" aria-hidden="true" '
                     f'focusable="false">{segs}</svg>')
        cell += "\n        </a>\n      </li>\n      "
        html.append(cell)
    return Markup("".join(html))


# --- the shift page: every action on a shift comes back to it -------------------------------------------

def render_shift(shift_id: int, status: int = 200, *, cancel_form=None, assign_form=None):
    """The shift page; the actions pass their form back to show its errors."""
    shift, rows = queries.shift_page(db.session, shift_id)
    if shift is None:
        abort(404)
    mine = next((s for s in rows if s.user_id == current_user.id), None)
    on_it = mine is not None and mine.status in ACTIVE_STATUSES
    confirmed = [s for s in rows if s.status == SignupStatus.CONFIRMED]
    waitlist = [s for s in rows if s.status == SignupStatus.WAITLISTED]
    coordinator = is_coordinator()
    picker = None
    if coordinator and not shift.is_cancelled:
        if assign_form is None:
            assign_form = AssignForm(formdata=None)
        picker = assign_picker(shift, request.args.get("person", "")[:60])
    staff = current_user.has_role(Role.STAFF)
    has_kit = shift.activity.kind.value in stock_queries.kit_kinds(db.session)
    return render_template(
        "shifts/calendar/shift.html", shift=shift, mine=mine, on_it=on_it, confirmed=confirmed, waitlist=waitlist,
        coordinator=coordinator, action_form=ActionForm(), cancel_form=cancel_form or CancelRequestForm(),
        assign_form=assign_form, picker=picker, now=utcnow(), cutoff_at=rules.cancel_cutoff_at(shift),
        opens_at=rules.signup_opens_at(shift), staff=staff, has_kit=has_kit,
        # Staff and up see the bag's state: packed (by whom, when, which bag), returned.
        outreaches=stock_queries.shift_outreaches(db.session, shift.id) if staff else [],
        distribution=distribution_queries.for_shifts(db.session, [shift.id]).get(shift.id),
        cooking=cooking_queries.for_shift(db.session, shift.id),
        sees_kit=has_kit and (staff or (mine is not None and mine.status == SignupStatus.CONFIRMED)),
        # "I'm coming", answered from the last reminder (shown to coordinators).
        coming=notification_queries.coming(db.session, [s.id for s in confirmed]) if coordinator else set(),
    ), status


#: The assign picker lists this many people at most; a search finds the others.
PICKER_SIZE = 40


def assign_picker(shift, search: str) -> dict:
    """Who a coordinator may put on the shift (and who not, and why), found by name."""
    candidates = queries.assign_candidates(db.session, shift, search=search or None)
    offered = [c for c in candidates if c.may_take]
    return {"offered": offered[:PICKER_SIZE], "more": max(0, len(offered) - PICKER_SIZE),
            "others": [c for c in candidates if not c.may_take], "search": search,
            "hotline_limit": rules.Limits.read(db.session).hotline_hours_per_week}


def refused(exc: DomainError, shift_id: int):
    """Show the reason on the shift page (422, or 409 for a conflict), with nothing saved."""
    db.session.rollback()
    flash(exc.message, "error")
    return render_shift(shift_id, 409 if exc.status == 409 else 422)


@bp.route("/<int:shift_id>")
@allow(Role.VOLUNTEER)
def shift(shift_id: int):
    """Activity, place, time, briefing and who is on it."""
    return render_shift(shift_id)


@bp.route("/<int:shift_id>/kit")
@allow(Role.VOLUNTEER)
def kit(shift_id: int):
    """What the shift's bag holds or should hold: for the people on the shift, and staff.
    Items, quantities and expiry dates only; no other stock data."""
    shift_row = get_shift(shift_id)
    on_it = queries.is_confirmed_on(db.session, current_user.id, shift_id)
    if not on_it and not current_user.has_role(Role.STAFF):
        abort(403)
    return render_template("shifts/calendar/kit.html", shift=shift_row, on_it=on_it,
                           kit=stock_queries.shift_kit(db.session, shift_row), unit_label=unit_label)
