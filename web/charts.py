"""Server-rendered SVG charts: a stacked daily bar chart with axes, legend and a text summary.

Pure (no Django, no I/O): numbers in, SVG markup out, so a chart is tested by reading its
markup. Templates insert the result with ``|safe``; every text in it is escaped here. The
palette is Okabe-Ito (readable with the common colour-vision deficiencies).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

PALETTE = ("#0072B2", "#D55E00", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SUCCESS = "#009E73"
FAILURE = "#D55E00"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str = ""


def nice_ticks(maximum: int, count: int = 4) -> list[int]:
    """Round tick values from 0 covering ``maximum`` (1, 2 or 5 times a power of ten apart)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def _short(value: int) -> str:
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return str(value)


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    unit: str = "sessions",
    width: int = 720,
    height: int = 280,
) -> str:
    """An accessible SVG of one stacked bar per day; ``series`` values align with ``days``.

    The ``<title>``/``<desc>`` pair is the text alternative (totals per series and the peak
    day); each bar segment carries its own tooltip.
    """
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    ticks = nice_ticks(max(totals, default=0))
    top = ticks[-1]
    legend_rows = math.ceil(len(series) / 3)
    left, right, bottom, head = 52, 12, 34, 16 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - head - bottom
    slot = plot_w / max(len(days), 1)
    bar_w = max(1.0, slot * 0.72)

    def y(value: float) -> float:
        return head + plot_h - plot_h * value / top

    desc = _describe(title, days, series, totals, unit)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" id="{escape(chart_id)}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'font-family="system-ui, sans-serif" font-size="11">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]
    for i, (s, colour) in enumerate(zip(series, colours, strict=True)):
        x0, y0 = left + (i % 3) * 200, 6 + 20 * (i // 3)
        out.append(
            f'<g class="legend"><rect x="{x0}" y="{y0}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x0 + 17}" y="{y0 + 10}">{escape(_clip(s.label, 28))}</text></g>'
        )
    for tick in ticks:
        ty = y(tick)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            'stroke="#e3e6eb"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#5c6573">'
            f"{_short(tick)}</text>"
        )
    out.append(
        f'<text x="12" y="{head + plot_h / 2:.1f}" transform="rotate(-90 12 '
        f'{head + plot_h / 2:.1f})" text-anchor="middle" fill="#5c6573">{escape(unit)}</text>'
    )
    label_every = max(1, math.ceil(len(days) / 8))
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        base = 0
        for s, colour in zip(series, colours, strict=True):
            value = s.values[i]
            if value:
                out.append(
                    f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{bar_w:.1f}" '
                    f'height="{y(base) - y(base + value):.1f}" fill="{colour}">'
                    f"<title>{day.isoformat()}: {escape(s.label)} {value:,}</title></rect>"
                )
            base += value
        # The last day is always labelled; a periodic label just before it would overlap it.
        periodic = i % label_every == 0 and len(days) - 1 - i >= max(1, label_every // 2)
        if periodic or i == len(days) - 1:
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="#5c6573">{day.strftime("%d %b")}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{head + plot_h}" y2="{head + plot_h}" '
        'stroke="#5c6573"/></svg>'
    )
    return "".join(out)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _describe(title, days, series, totals, unit) -> str:
    if not days:
        return f"{title}: no days to show."
    parts = [f"{title}, {days[0].isoformat()} to {days[-1].isoformat()}."]
    parts += [f"{s.label}: {sum(s.values):,} {unit}." for s in series]
    if any(totals):
        peak = max(range(len(days)), key=totals.__getitem__)
        parts.append(f"Busiest day {days[peak].isoformat()} with {totals[peak]:,} {unit}.")
    else:
        parts.append(f"No {unit} in this period.")
    return " ".join(parts)
