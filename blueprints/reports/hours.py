"""Volunteer hours: my own by month with a printable statement; everyone's for coordinators
(a page and a CSV). Corrections are the hours coordinators record on a shift's attendance page."""
from __future__ import annotations

import csv
import io

from flask import Response, render_template
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.fields import int_arg
from blueprints.reports import bp
from blueprints.reports.present import safe
from logistics.clock import today
from logistics.extensions import db
from logistics.people.models import Role
from logistics.reports import hours as hours_queries
from logistics.reports.months import Period


def _year() -> int:
    return int_arg("year", minimum=2000, maximum=2100) or today().year


@bp.route("/hours/mine")
@allow(Role.VOLUNTEER)
def my_hours():
    """My hours by month for a year."""
    year = _year()
    months = hours_queries.person_months(db.session, current_user.id, Period.year(year))
    return render_template("reports/my_hours.html", year=year, months=months,
                           total=sum((m.hours for m in months), start=months[0].hours * 0),
                           shifts=sum(m.shifts for m in months), today_year=today().year)


@bp.route("/hours/mine/statement")
@allow(Role.VOLUNTEER)
def my_statement():
    """A printable statement of my volunteer hours (for a study or a job application)."""
    year = _year()
    months = hours_queries.person_months(db.session, current_user.id, Period.year(year))
    return render_template("reports/statement.html", year=year, months=[m for m in months if m.shifts],
                           total=sum((m.hours for m in months), start=months[0].hours * 0),
                           shifts=sum(m.shifts for m in months), issued=today())


@bp.route("/hours")
@allow(Role.COORDINATOR)
def hours():
    """Everyone's hours by month for a year."""
    year = _year()
    period = Period.year(year)
    return render_template("reports/hours.html", year=year, period=period,
                           people=hours_queries.everyone(db.session, period))


@bp.route("/hours.csv")
@allow(Role.COORDINATOR)
def hours_csv():
    """Everyone's hours by month as CSV."""
    year = _year()
    period = Period.year(year)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("Name"), _("Email"), *[m.strftime("%Y-%m") for m in period.months], _("Total"),
                     _("Shifts")])
    for p in hours_queries.everyone(db.session, period):
        writer.writerow([safe(p.name), safe(p.email), *[f"{h:.1f}" for h in p.months], f"{p.total:.1f}", p.shifts])
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="volunteer-hours-{year}.csv"'})
