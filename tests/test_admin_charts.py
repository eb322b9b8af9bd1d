"""The dashboard's charts: pygal's SVG made safe for a page without scripts, round ticks, fixed colours."""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.web.admin import charts

names = st.text(min_size=1, max_size=40)
WEEKS = [f"{n} Nov" for n in range(12)]


def parsed(chart: charts.Chart) -> ET.Element:
    """Return a chart's SVG as XML (it must be well formed to be drawn at all), its tags without the namespace."""
    root = ET.fromstring(str(chart.svg))
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return root


@given(st.dictionaries(names, st.lists(st.integers(0, 10_000), min_size=12, max_size=12), max_size=8))
def test_any_names_and_counts_give_well_formed_svg_without_script(series: dict[str, list[int]]) -> None:
    chart = charts.stacked_weeks("Requests <per> week", WEEKS, series, charts.CATEGORY, True, WEEKS, "None yet")
    root = parsed(chart)
    assert root.get("class") == "pygal-chart chart" and root.get("aria-label") == "Requests <per> week"
    assert not [e for e in root.iter() if e.tag in ("script", "desc") or e.get("style") or e.get("onload")]
    # Each bar says its week, series and count when pointed at.
    tips = [tip.text or "" for g in root.iter("g") if (g.get("class") or "").split()[:1] == ["bar"]
            for tip in g.iter("title")]
    assert len(tips) <= 12 * len(series) and all(tip.split(":")[0] in WEEKS for tip in tips)


@given(st.lists(st.tuples(names, st.integers(0, 10_000)), max_size=10))
def test_top_customers_give_well_formed_svg(items: list[tuple[str, int]]) -> None:
    parsed(charts.top_bars("Top customers", items, "No requests yet"))


def test_the_stylesheet_hash_is_the_one_the_page_allows() -> None:
    chart = charts.trend("Hours", WEEKS, [3600.0 * n if n % 3 else None for n in range(12)], 3600, True, WEEKS,
                         [str(n) for n in range(12)], "None yet")
    css = re.search(r"<style[^>]*>(.*?)</style>", str(chart.svg), re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(html.unescape(css[1]).encode()).digest()).decode()
    assert chart.style_hash == f"'sha256-{digest}'"


@pytest.mark.parametrize(("top", "ticks"), [
    (0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (25, [0, 5, 10, 15, 20, 25]),
    (26, [0, 10, 20, 30]), (137, [0, 50, 100, 150]), (100, [0, 20, 40, 60, 80, 100]), (0.4, [0, 1]),
    (2400, [0, 500, 1000, 1500, 2000, 2500]),
])
def test_ticks_are_round_numbers(top: float, ticks: list[float]) -> None:
    assert charts.round_ticks(top) == ticks


@given(st.floats(0.01, 1e7))
def test_ticks_reach_past_the_top_in_few_round_steps(top: float) -> None:
    ticks = charts.round_ticks(top)
    step = ticks[1] - ticks[0]
    assert ticks[-1] >= top and len(ticks) <= 7
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5)), step
    assert all(math.isclose(tick, step * i, abs_tol=1e-9) for i, tick in enumerate(ticks))


@pytest.mark.parametrize(("weeks", "step"), [(4, 1), (12, 2), (26, 5), (52, 9)])
def test_week_labels_are_thinned_to_fit(weeks: int, step: int) -> None:
    assert charts.label_step(weeks) == step and -(-weeks // step) <= charts.MOST_LABELS


def test_urgencies_keep_their_colour_and_come_most_severe_first() -> None:
    assert charts.severity_order(["Low", "(none)", "Highest", "Medium", "High", "Lowest"]) == [
        "Highest", "High", "Medium", "Low", "Lowest", "(none)"]
    assert charts.urgency_colour("High") == charts.urgency_colour("high") != charts.urgency_colour("Low")
    # The same priority is drawn in the same colour whichever others a chart has.
    alone = parsed(charts.stacked_weeks("U", WEEKS[:2], {"Low": [1, 2]}, [charts.urgency_colour("Low")], False,
                                        WEEKS[:2], "-"))
    css = next(e.text for e in alone.iter("style"))
    assert css is not None and charts.urgency_colour("Low") in css.lower()


def test_the_unfinished_week_is_paled_and_an_empty_chart_says_so() -> None:
    root = parsed(charts.stacked_weeks("R", WEEKS[:3], {"Bug": [1, 2, 3]}, charts.CATEGORY, True, WEEKS[:3], "-"))
    bars = [g for g in root.iter("g") if (g.get("class") or "").split()[:1] == ["bar"]]
    assert [b.get("class") for b in bars] == ["bar", "bar", "bar partial"]
    empty = str(charts.trend("T", WEEKS[:3], [None, None, None], 3600, True, WEEKS[:3], ["—"] * 3, "No data yet").svg)
    assert "No data yet" in empty
