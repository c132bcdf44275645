"""Bars by month as a server-rendered SVG, readable in print: no JavaScript, no inline
styles (classes in app.css), a title and a text alternative naming every month's figure."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 16, 30


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for mult in (1, 2, 5, 10):
        if step * mult >= value:
            return step * mult
    return step * 10


def bar_chart(chart_id: str, title: str, labels: list[str], values: list, shown: list[str], summary: str) -> Markup:
    """Bars of ``values`` (numbers) under ``labels`` (months); ``shown`` is each bar's figure as
    printed ("<5" where small counts are hidden: such a bar is drawn at the height of 5, hatched)."""
    if not values:
        return Markup("")
    heights = [5.0 if s == "<5" else float(v) for v, s in zip(values, shown, strict=True)]
    top = _nice_max(max(heights))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(values)
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1)
    parts = [
        f'<svg class="chart report-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for frac in (0, 0.5, 1):
        gy = TOP + plot_h * (1 - frac)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{gy:.1f}" y2="{gy:.1f}"/>')
        label = f"{top * frac:g}"
        parts.append(f'<text class="chart-label" x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">{label}</text>')
    every = 1 if n <= 12 else (n + 11) // 12
    for i, (h, s) in enumerate(zip(heights, shown, strict=True)):
        x = LEFT + slot * i + (slot - bar_w) / 2
        bh = plot_h * h / top
        y = TOP + plot_h - bh
        cls = "chart-bar is-hidden-count" if s == "<5" else "chart-bar"
        if bh > 0:
            parts.append(f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bh:.1f}"/>')
        if n <= 24 and s not in ("0", ""):
            parts.append(f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" '
                         f'text-anchor="middle">{escape(s)}</text>')
        if i % every == 0:
            parts.append(f'<text class="chart-label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - 10}" '
                         f'text-anchor="middle">{escape(labels[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
