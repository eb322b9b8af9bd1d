"""Charts drawn on the server as inline SVG, so the admin page needs no script and no network."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape as _escape

from bot.text.screen import clip

# Distinguishable on white and for common colour blindness (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


# Characters XML does not allow at all; a stray one in a customer's name would break the whole drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(value: str) -> str:
    """Return text safe inside SVG markup and attributes."""
    return _escape(_NOT_XML.sub("", value))


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: int) -> int:
    """Round the axis top up to 1, 2 or 5 times a power of ten."""
    if value <= 5:
        return max(1, value)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= factor * step * 5:
                return factor * step * 5
        step *= 10


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[int]], title: str,
                 width: int = 640, height: int = 260) -> str:
    """Return an SVG column chart: one column per label, stacked by series, with a legend under it."""
    left, top, bottom = 32, 24, 36
    legend_rows = (len(series) + 2) // 3
    total_height = height + legend_rows * 18
    plot_w, plot_h = width - left - 8, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    slot = plot_w / max(1, len(labels))
    bar = max(4.0, slot * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    for tick in (0, top_value // 2, top_value):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT} fill="#555">{tick}</text>')
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for index, (name, values) in enumerate(series.items()):
            count = values[i]
            if not count:
                continue
            h = plot_h * count / top_value
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{_colour(index)}">'
                         f"<title>{escape(label)}: {escape(name)} {count}</title></rect>")
        if len(labels) <= 16 or i % 2 == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" {_FONT} '
                         f'fill="#555">{escape(label)}</text>')
    for index, name in enumerate(series):
        row, column = divmod(index, 3)
        x, y = left + column * (plot_w / 3), height + row * 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="{_colour(index)}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{y}" {_FONT}>{escape(name)}</text>')
    if not series:
        parts.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" {_FONT} fill="#777">'
                     "No requests yet</text>")
    parts.append("</svg>")
    return "".join(parts)


def hbars(items: Sequence[tuple[str, int]], title: str, width: int = 640) -> str:
    """Return an SVG bar chart with one labelled horizontal bar per item, longest first as given."""
    row, label_w, top = 22, 180, 8
    height = top * 2 + row * max(1, len(items))
    top_value = max((count for _, count in items), default=0) or 1
    plot_w = width - label_w - 48
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    for i, (name, count) in enumerate(items):
        y = top + i * row
        shown = clip(name, 28)
        w = max(2.0, plot_w * count / top_value)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {_FONT}>{escape(shown)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{_colour(0)}">'
                     f"<title>{escape(name)}: {count}</title></rect>")
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" {_FONT}>{count}</text>')
    if not items:
        parts.append(f'<text x="{width / 2}" y="{top + 14}" text-anchor="middle" {_FONT} fill="#777">'
                     "No requests yet</text>")
    parts.append("</svg>")
    return "".join(parts)
