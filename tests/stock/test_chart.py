"""The stock level chart (blueprints/stock/chart.py): a step line of the daily level."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from blueprints.stock.chart import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, level_chart


def _line(svg: str) -> list[tuple[float, float]]:
    d = re.search(r'<path class="chart-line" d="M([^"]+)"', svg).group(1)
    return [tuple(map(float, p.split(","))) for p in d.split(" L")]


@pytest.mark.parametrize("levels", [
    [5, 5, 7, 7, 7, 3],  # runs of one level, rises and falls
    [4],  # one day
    [2, 2, 2, 2],  # never changes
    [1, 2, 3, 4, 5, 0, 0, 9],  # changes every day, then to nothing
])
def test_the_line_is_at_each_days_level_across_that_day(app, levels):
    start = dt.date(2026, 1, 1)
    series = [(start + dt.timedelta(days=i), Decimal(q)) for i, q in enumerate(levels)]
    with app.test_request_context():
        svg = str(level_chart(series, Decimal(0), "Level"))
    points = _line(svg)
    n = len(series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xs = [LEFT + plot_w * i / max(n - 1, 1) for i in range(n)]
    top = max(points, key=lambda p: -p[1])  # the highest point drawn
    assert points[0][0] == pytest.approx(xs[0], abs=0.05) and points[-1][0] == pytest.approx(xs[-1], abs=0.05)
    # Only horizontal and vertical segments: a step line.
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        assert x1 == x2 or y1 == y2
    # Across each day (to the next), the line is at that day's level (higher level: higher up).
    for i in range(n - 1):
        middle = (xs[i] + xs[i + 1]) / 2
        (y,) = {y1 for (x1, y1), (x2, _y2) in zip(points, points[1:], strict=False) if x1 < middle < x2}
        expected = TOP + plot_h - plot_h * float(series[i][1]) / float(_top(series))
        assert y == pytest.approx(expected, abs=0.06)
    assert top[1] >= TOP - 0.05


def _top(series) -> Decimal:
    from blueprints.stock.chart import _nice_max

    return _nice_max(max(q for _d, q in series))
