"""The dashboard's charts, drawn by pygal on the server as inline SVG: no script, no network, labels that fit."""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pygal
from markupsafe import Markup
from pygal.style import Style

# The viewBox is this wide; the page scales it to the column. Narrow enough that on a phone (about 350 px of card)
# the text stays near its drawn size, wide enough for a desktop column.
WIDTH = 440
HEIGHT = 260
FONT = 14
# About how many week labels fit side by side at WIDTH with FONT ("23 Nov", "23.11.").
MOST_LABELS = 6
# Distinguishable on white and for common colour blindness (Okabe-Ito): one per template, in the templates' order.
CATEGORY = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Jira's priorities from most to least severe, each always in its colour: from red through amber to greys.
SEVERITY = {"highest": "#9f1d1d", "blocker": "#9f1d1d", "critical": "#c0392b", "high": "#e0561b",
            "major": "#e0561b", "medium": "#e9a21b", "normal": "#e9a21b", "low": "#5b8fb9", "minor": "#5b8fb9",
            "lowest": "#8aa4b8", "trivial": "#8aa4b8"}
SEVERITY_ORDER = tuple(SEVERITY)
OTHER = "#9aa0a6"
TREND = "#0072B2"
# Characters XML does not allow at all; a stray one in a customer's name would break the whole drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its SVG for the page, and the hash of its stylesheet for the page's security policy."""

    svg: Markup
    style_hash: str


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def round_ticks(top: float, most: int = 5) -> list[float]:
    """Return axis ticks from 0 at a round step (1, 2 or 5 times a power of ten) that reach past top."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    if top <= most and step < 1:
        step = 1  # counts of a few: 0, 1, 2, 3
    count = math.ceil(top / step - 1e-9)
    return [round(step * i, 10) for i in range(count + 1)]


def label_step(count: int) -> int:
    """Return every how many weeks a label is written, so the labels never run into each other."""
    return max(1, math.ceil(count / MOST_LABELS))


def severity_order(names: Sequence[str]) -> list[str]:
    """Return urgency names from the most severe to the least, unknown ones after the known ones."""
    def rank(name: str) -> tuple[int, str]:
        key = name.lower()
        return (SEVERITY_ORDER.index(key), "") if key in SEVERITY else (len(SEVERITY_ORDER), name)
    return sorted(names, key=rank)


def urgency_colour(name: str) -> str:
    """Return an urgency's colour: the same for the same priority on every chart."""
    return SEVERITY.get(name.lower(), OTHER)


def _style(colours: Sequence[str]) -> Style:
    return Style(colors=tuple(colours) or (OTHER,), background="transparent", plot_background="transparent",
                 font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", foreground="#1d2430",
                 foreground_strong="#1d2430", foreground_subtle="#5b6472", guide_stroke_color="#dde1e7",
                 major_guide_stroke_color="#dde1e7", label_font_size=FONT, major_label_font_size=FONT,
                 legend_font_size=FONT, value_font_size=FONT, no_data_font_size=FONT + 2, opacity=".9",
                 opacity_hover="1", transition="0s")


def _config(empty: str, colours: Sequence[str], labels: Sequence[str], legend_rows: int, **more: Any) -> dict[str, Any]:
    return {"style": _style(colours), "title": None, "width": WIDTH, "height": HEIGHT + 24 * legend_rows,
            "explicit_size": False, "disable_xml_declaration": True, "js": [], "show_legend": legend_rows > 0,
            "legend_at_bottom": True, "legend_at_bottom_columns": 2, "legend_box_size": FONT, "truncate_legend": 24,
            "x_labels": [_clean(label) for label in labels], "x_labels_major_every": label_step(len(labels)),
            "show_minor_x_labels": False, "truncate_label": 16, "margin": 6, "spacing": 8, "print_values": False,
            "no_data_text": _clean(empty), "show_x_guides": False,
            # Pygal keeps room for one row of legend only: the rows after it need a bottom margin.
            "margin_bottom": 6 + 22 * max(0, legend_rows - 1),
            # The last week's label is centred on a column at the right edge: room for half a label beyond it.
            "margin_right": FONT * 2, **more}


def _axis(ticks: list[float], drawn: bool) -> dict[str, Any]:
    """Return the value axis's round ticks; none for an empty chart (pygal cannot place them without a series)."""
    return {"y_labels": ticks, "range": (0, ticks[-1])} if drawn else {"show_y_labels": False}


def _finish(chart: Any, title: str, tips: Sequence[Sequence[str]], partial: bool) -> Chart:
    """Turn pygal's drawing into one for a page that runs no script and allows only its own styles.

    Its script, tooltip and the data pygal.js reads for it (a value, x and y on every mark: some 40% of a year's
    chart) go, each bar or dot gets a tooltip the browser shows by itself, the unfinished week's marks are paled,
    and the stylesheet is hashed so the page's policy can allow exactly it.
    """
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in ("script", "desc") or "tooltip" in (child.get("class") or "").split():
                parent.remove(child)
    root.set("class", "pygal-chart chart")
    root.set("role", "img")
    root.set("aria-label", _clean(title))
    heading = root.find("title")
    if heading is not None:
        heading.text = _clean(title)
    marks = [g for g in root.iter("g") if (g.get("class") or "").split()[:1] in (["bar"], ["dots"])]
    series = [g for g in root.iter("g") if "series" in (g.get("class") or "").split()]
    for index, group in enumerate(series):
        found = [g for g in group.iter("g") if g in marks]
        for position, mark in enumerate(found):
            if index < len(tips) and position < len(tips[index]):
                tip = ET.SubElement(mark, "title")
                tip.text = _clean(tips[index][position])
            if partial and position == len(found) - 1:
                mark.set("class", f"{mark.get('class')} partial")
    style = root.find("defs/style")
    css = style.text if style is not None and style.text else ""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    text = ET.tostring(root, encoding="unicode")
    # Pygal's comments name its version and web site: nothing a reader needs.
    return Chart(Markup(re.sub(r"<!--.*?-->", "", text, flags=re.S)), f"'sha256-{digest}'")


def stacked_weeks(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]], colours: Sequence[str],
                  partial: bool, week_tip: Sequence[str], empty: str) -> Chart:
    """Return a column per week, stacked by series in the order given (the first at the bottom)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    ticks = round_ticks(max(totals, default=0))
    chart = pygal.StackedBar(**_config(empty, colours, labels, math.ceil(len(series) / 2),
                                       **_axis(ticks, bool(series))))
    tips = []
    for name, values in series.items():
        chart.add(_clean(name), list(values))
        tips.append([f"{week}: {name} {value}" for week, value in zip(week_tip, values, strict=True)])
    return _finish(chart, title, tips, partial)


def trend(title: str, labels: Sequence[str], values: Sequence[float | None], unit: float, partial: bool,
          week_tip: Sequence[str], shown: Sequence[str], empty: str, *, top: float | None = None) -> Chart:
    """Return a line over the weeks (values divided by unit), with gaps where a week has no figure."""
    scaled = [None if v is None else v / unit for v in values]
    known = [v for v in scaled if v is not None]
    ticks = round_ticks(top if top is not None and known else max(known, default=0))
    # A line's first and last labels sit on the plot's edges: room for half a label on either side.
    chart = pygal.Line(**_config(empty, (TREND,), labels, 0, allow_interruptions=True, dots_size=4,
                                 stroke_style={"width": 3}, margin_left=FONT * 2,
                                 **_axis(ticks, bool(known))))
    if known:
        chart.add(_clean(title), scaled)
    tips = [f"{week}: {text}" for week, value, text in zip(week_tip, values, shown, strict=True) if value is not None]
    # Only a dot drawn for the unfinished week is paled: a week without a figure has none.
    return _finish(chart, title, [tips], partial and bool(values) and values[-1] is not None)


def top_bars(title: str, items: Sequence[tuple[str, int]], empty: str) -> Chart:
    """Return one horizontal bar per item, the first at the top."""
    ticks = round_ticks(max((count for _, count in items), default=0))
    ordered = list(reversed(items))
    config = _config(empty if not items else title, (CATEGORY[0],), [name for name, _ in ordered], 0,
                     x_labels_major_every=1, truncate_label=22, **_axis(ticks, bool(items)),
                     show_minor_x_labels=True, show_minor_y_labels=True,
                     height=max(HEIGHT, 40 + 26 * len(items)))
    chart = pygal.HorizontalBar(**config)
    if items:
        chart.add(_clean(title), [count for _, count in ordered])
    return _finish(chart, title, [[f"{name}: {count}" for name, count in ordered]], False)
