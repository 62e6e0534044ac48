"""Small inline SVG charts (no JavaScript, no external files): loss curves and a histogram."""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 460, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 34
COLORS = {"student": "#1f6feb", "reference": "#d97706"}


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    if high <= low:
        return [low]
    return [low + (high - low) * i / count for i in range(count + 1)]


def _num(value: float) -> str:
    return f"{value:.3g}"


def curves_svg(series: dict[str, list[float] | None], x_label: str = "recorded point", y_label: str = "loss") -> str:
    """Line chart of named series (student vs reference) with axes, ticks and a legend."""
    data = {k: [v for v in vs if math.isfinite(v)] for k, vs in series.items() if vs}
    values = [v for vs in data.values() for v in vs]
    if not values:
        return ""
    low, high = min(0.0, min(values)), max(values)
    high = high if high > low else low + 1
    longest = max(len(vs) for vs in data.values())
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def xy(i: int, v: float) -> str:
        x = LEFT + plot_w * (i / max(1, longest - 1))
        y = TOP + plot_h * (1 - (v - low) / (high - low))
        return f"{x:.1f},{y:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label="{escape(y_label)} curves">']
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#555"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#555"/>')
    for t in _ticks(low, high):
        y = TOP + plot_h * (1 - (t - low) / (high - low))
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_num(t)}</text>')
    for t in _ticks(0, longest - 1):
        x = LEFT + plot_w * (t / max(1, longest - 1))
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" font-size="11" text-anchor="middle">{int(round(t))}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" font-size="11" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text x="12" y="{TOP + plot_h / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2})">{escape(y_label)}</text>')
    for n, (name, vs) in enumerate(data.items()):
        color = COLORS.get(name, "#444")
        dash = ' stroke-dasharray="5 3"' if name == "reference" else ""
        points = " ".join(xy(i, v) for i, v in enumerate(vs))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8"{dash} points="{points}"/>')
        ly = TOP + 14 + 16 * n
        parts.append(f'<line x1="{WIDTH - 120}" y1="{ly - 4}" x2="{WIDTH - 100}" y2="{ly - 4}" stroke="{color}" '
                     f'stroke-width="2"{dash}/><text x="{WIDTH - 95}" y="{ly}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(totals: list[float], max_total: float, bins: int = 10) -> str:
    """Histogram of students' totals over ``bins`` equal ranges from 0 to ``max_total``."""
    if not totals or max_total <= 0:
        return ""
    counts = [0] * bins
    for t in totals:
        counts[min(bins - 1, int(bins * max(0.0, t) / max_total))] += 1
    top = max(counts)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label="histogram of totals">']
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#555"/>')
    for i, count in enumerate(counts):
        h = plot_h * count / top
        x = LEFT + i * bar_w
        low, high = max_total * i / bins, max_total * (i + 1) / bins
        parts.append(f'<rect x="{x + 1:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="#1f6feb"><title>{_num(low)}–{_num(high)}: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - h - 3:.1f}" font-size="11" '
                         f'text-anchor="middle">{count}</text>')
    for i in range(0, bins + 1, 2):
        x = LEFT + i * bar_w
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" font-size="11" text-anchor="middle">'
                     f'{_num(max_total * i / bins)}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 4}" font-size="11" text-anchor="middle">total points</text>')
    parts.append(f'<text x="12" y="{TOP + plot_h / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2})">students</text>')
    parts.append("</svg>")
    return "".join(parts)
