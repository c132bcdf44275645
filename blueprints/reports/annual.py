"""The annual report: on screen (exact figures, charts), printable and as CSV (counts of
1–4 as "<5" unless the coordinator deliberately turns that off, which the audit trail notes)."""
from __future__ import annotations

import csv
import io

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import allow
from blueprints.reports import bp
from blueprints.reports.forms import PeriodForm
from blueprints.reports.present import csv_rows, month_labels, present
from logistics.clock import today
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.people.models import Role
from logistics.reports import annual as annual_report
from logistics.reports.months import Period


def _period(form: PeriodForm) -> Period | None:
    """The period the filter asks for (this year by default); None with an error on the form."""
    if not form.validate():
        return None
    try:
        if form.start.data or form.end.data:
            return Period.of(form.start.data, form.end.data)
        return Period.year(form.year.data or today().year)
    except DomainError as exc:
        getattr(form, exc.field or "end").errors.append(exc.message)
        return None


def _context():
    form = PeriodForm(request.args)
    period = _period(form)
    report = annual_report.report(db.session, period) if period else None
    return form, period, report


@bp.route("/annual")
@allow(Role.COORDINATOR)
def annual():
    """The annual report on screen, with exact figures."""
    form, period, report = _context()
    sections = present(report, suppress=False) if report else []
    return render_template("reports/annual.html", form=form, period=period, report=report, sections=sections,
                           months=month_labels(report) if report else [], args=request.args.to_dict()), \
        200 if report else 422


@bp.route("/annual/print")
@allow(Role.COORDINATOR)
def annual_print():
    """The printable report: small counts hidden unless ``exact`` (then noted in the audit trail)."""
    form, period, report = _context()
    if report is None:
        return render_template("reports/annual.html", form=form, period=None, report=None, sections=[],
                               months=[], args={}), 422
    suppress = not form.exact.data
    if not suppress:
        annual_report.record_exact_copy(db.session, period, fmt="print", by=current_user)
        db.session.commit()
    return render_template("reports/annual_print.html", period=period, report=report,
                           sections=present(report, suppress=suppress), months=month_labels(report),
                           suppress=suppress)


@bp.route("/annual.csv")
@allow(Role.COORDINATOR)
def annual_csv():
    """The report as CSV: one line per figure, one column per month; small counts hidden unless
    ``exact`` (then noted in the audit trail)."""
    form, period, report = _context()
    if report is None:
        return Response(_("Choose a valid period."), status=422, mimetype="text/plain")
    suppress = not form.exact.data
    if not suppress:
        annual_report.record_exact_copy(db.session, period, fmt="csv", by=current_user)
        db.session.commit()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_("Section"), _("Figure"), *[m.strftime("%Y-%m") for m in period.months], _("Total")])
    writer.writerows(csv_rows(report, suppress=suppress))
    name = f"annual-report-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
