"""The stock level over time as a server-rendered SVG: no JavaScript, no inline styles
(colours and strokes come from classes in app.css)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from logistics.i18n import format_date

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= value:
        step *= 10
    for mult in (1, 2, 5, 10):
        if step * mult >= value:
            return step * mult
    return step * 10


def level_chart(series: list[tuple[dt.date, Decimal]], min_level: Decimal, title: str) -> Markup:
    """A step line of the daily level, with the minimum level as a dashed line."""
    if not series:
        return Markup("")
    top = _nice_max(max([q for _d, q in series] + [min_level]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(series)

    def x(i: int) -> float:
        return LEFT + plot_w * i / max(n - 1, 1)

    scale = plot_h / float(top)

    def y(q: Decimal) -> float:
        return TOP + plot_h - float(q) * scale

    # A step line: along a day where the level stays, one point less (the same path drawn;
    # a year is 365 days, and most keep the level of the day before).
    points = [f"{x(0):.1f},{y(series[0][1]):.1f}"]
    level = series[0][1]
    for i in range(1, n):
        q = series[i][1]
        if q != level or i == n - 1:
            at = f"{x(i):.1f}"
            points.append(f"{at},{y(level):.1f}")
            if q != level:
                points.append(f"{at},{y(q):.1f}")
            level = q
    line = "M" + " L".join(points)
    area = f"{line} L{x(n - 1):.1f},{TOP + plot_h:.1f} L{LEFT:.1f},{TOP + plot_h:.1f} Z"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">{}</desc>'.format(escape(_(
            "From %(start)s to %(end)s the level went from %(first)s to %(last)s; highest %(high)s.",
            start=format_date(series[0][0]), end=format_date(series[-1][0]),
            first=format_decimal(series[0][1]), last=format_decimal(series[-1][1]),
            high=format_decimal(max(q for _d, q in series))))),
    ]
    for frac in (0, 0.5, 1):
        gy = TOP + plot_h * (1 - frac)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{gy:.1f}" y2="{gy:.1f}"/>')
        parts.append(f'<text class="chart-label" x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">'
                     f'{escape(format_decimal(top * Decimal(str(frac))))}</text>')
    parts.append(f'<path class="chart-area" d="{area}"/>')
    parts.append(f'<path class="chart-line" d="{line}"/>')
    if min_level > 0:
        my = y(min_level)
        parts.append(f'<line class="chart-min" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{my:.1f}" y2="{my:.1f}"/>')
    for i in (0, n // 2, n - 1):
        anchor = "start" if i == 0 else ("end" if i == n - 1 else "middle")
        parts.append(f'<text class="chart-label" x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
                     f'{escape(format_date(series[i][0]))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
