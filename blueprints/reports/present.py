"""The annual report as it is shown: translated labels, each cell as text (counts of 1–4 as
"<5" where the figures leave the building), month names and a chart per section."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from blueprints.outreach.labels import partner_label
from blueprints.reports.chart import bar_chart
from logistics.i18n import format_hours, format_month_short
from logistics.outreach.models import Partner
from logistics.reports.annual import Report, Row

HIDDEN = "<5"


def cell(value, unit: str, suppress: bool) -> str:
    """A figure as text; a count from 1 to 4 is "<5" when ``suppress``."""
    if unit == "hours":
        return format_hours(value)
    value = int(value)
    if suppress and 1 <= value <= 4:
        return HIDDEN
    return str(value)


def row_label(row: Row) -> str:
    return partner_label(row.label) if isinstance(row.label, Partner) else str(row.label)


@dataclass
class ShownRow:
    key: str
    label: str
    cells: list[str]
    total: str
    unit: str


@dataclass
class ShownSection:
    key: str
    title: str
    rows: list[ShownRow]
    chart: Markup


def month_labels(report: Report) -> list[str]:
    many_years = len({m.year for m in report.period.months}) > 1
    return [format_month_short(m, with_year=many_years) for m in report.period.months]


def present(report: Report, *, suppress: bool) -> list[ShownSection]:
    labels = month_labels(report)
    out = []
    for section in report.sections:
        rows = [ShownRow(r.key, row_label(r), [cell(v, r.unit, suppress) for v in r.values],
                         cell(r.total, r.unit, suppress), r.unit) for r in section.rows]
        chart = Markup("")
        chart_row = section.row(section.chart_row) if section.chart_row else None
        if chart_row is not None:
            shown = next(r for r in rows if r.key == chart_row.key)
            summary = _("%(figure)s by month: %(months)s. Total: %(total)s.", figure=shown.label,
                        months=", ".join(f"{m} {c}" for m, c in zip(labels, shown.cells, strict=True)),
                        total=shown.total)
            chart = bar_chart(f"chart-{section.key}", f"{section.title}: {shown.label}", labels, chart_row.values,
                              shown.cells, summary)
        out.append(ShownSection(section.key, str(section.title), rows, chart))
    return out


def safe(text: str) -> str:
    """Keep a spreadsheet from reading a typed name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(report: Report, *, suppress: bool):
    """One line per figure: section, figure, each month, total (hours with a decimal point)."""
    for section in report.sections:
        for r in section.rows:
            def text(v, unit=r.unit):
                return f"{v:.1f}" if unit == "hours" else cell(v, unit, suppress)
            yield [str(section.title), safe(row_label(r)), *[text(v) for v in r.values], text(r.total)]
