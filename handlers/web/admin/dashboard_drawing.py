"""The dashboard's charts and urgency tables: drawn once per figures and language, kept, and drawn ahead.

Drawing a year of charts takes a fifth of a second, and the figures stay the same from one load to the next until
requests change; so the drawings are kept, and new figures nobody is waiting for are drawn ahead, one drawing at
a time, in every admin's language. A page that asks for a drawing under way waits for it rather than drawing it
again beside it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.app import App
from bot.i18n.catalog import t
from bot.i18n.plural import format_number, format_share
from bot.people.signin import page_language
from bot.reports.dashboard import NO_URGENCY, OTHER_TEMPLATES, Dashboard, duration
from bot.reports.dashboard_figures import DashboardPage
from bot.reports.urgency import UrgencyGroup, UrgencyReport
from bot.text.dates import format_day
from handlers.web.admin import charts
from handlers.web.admin.requests_page import template_title

log = logging.getLogger(__name__)

# The urgency tables show the templates and requesters with the most requests; the CSV holds them all (at a
# million requests, every one would make thousands of rows).
URGENCY_GROUPS_SHOWN = 10
HOUR, DAY = 3600.0, 86400.0
DRAWN_KEPT = 16

# The charts, then the urgency tables: a heading, its rows, and what says how many rows only the CSV holds.
Drawn = tuple[list[tuple[str, charts.Chart]], list[tuple[str, list[dict[str, object]], str]]]


class Drawings:
    """The drawings made lately, by the figures they show and the language, each made once."""

    def __init__(self, kept: int = DRAWN_KEPT) -> None:
        self._kept = kept
        # The figures are kept with their drawing, so their id is not reused meanwhile.
        self._drawn: OrderedDict[tuple[int, str], tuple[Dashboard, Drawn]] = OrderedDict()
        self._drawing: dict[tuple[int, str], threading.Event] = {}
        self._lock = threading.Lock()  # pages draw on worker threads, and ahead on another

    def get(self, svc: App, figures: Dashboard, report: UrgencyReport, lang: str) -> Drawn:
        """Return the dashboard's charts and urgency tables, drawn again only for figures or a language not drawn
        lately; wait for a drawing of the same under way.

        The urgency report is computed with the figures and kept with them, so the figures stand for both.
        """
        key = (id(figures), lang)
        while True:
            with self._lock:
                found = self._drawn.get(key)
                if found is not None and found[0] is figures:
                    return found[1]
                under_way = self._drawing.get(key)
                if under_way is None:
                    self._drawing[key] = threading.Event()
                    break
            under_way.wait()  # then taken from what it kept, or drawn here if it failed
        try:
            drawn = _draw(svc, figures, report, lang)
            with self._lock:
                self._drawn[key] = (figures, drawn)
                while len(self._drawn) > self._kept:
                    self._drawn.popitem(last=False)
            return drawn
        finally:
            with self._lock:
                self._drawing.pop(key).set()

    def has(self, figures: Dashboard, lang: str) -> bool:
        """Say whether these figures are drawn in this language."""
        with self._lock:
            found = self._drawn.get((id(figures), lang))
            return found is not None and found[0] is figures


DRAWINGS = Drawings()
_AHEAD: set[asyncio.Task[None]] = set()  # drawings ahead not yet done, referenced until they are


def draw_ahead(svc: App, drawings: Drawings = DRAWINGS) -> Callable[[int, DashboardPage], None]:
    """Return a watcher of the dashboard's figures that draws them in every admin's language on a worker thread,
    one span after another, so the next admin to open the page finds them drawn."""
    one_at_a_time = asyncio.Lock()  # a drawing holds the interpreter most of its time: never two beside chats

    async def draw(shown: DashboardPage) -> None:
        async with one_at_a_time:
            languages = sorted({page_language(svc.store, admin) for admin in svc.access.admin_ids()})
            for lang in languages:
                await asyncio.to_thread(drawings.get, svc, shown.board, shown.urgency, lang)

    def ahead(weeks: int, shown: DashboardPage) -> None:
        task = asyncio.create_task(draw(shown))
        _AHEAD.add(task)
        task.add_done_callback(_drawn_ahead)

    return ahead


def _drawn_ahead(task: asyncio.Task[None]) -> None:
    _AHEAD.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("could not draw the dashboard ahead: %s", error, exc_info=error)


def _draw(svc: App, figures: Dashboard, report: UrgencyReport, lang: str) -> Drawn:
    urgency = [(t("urg_by_template", lang), *_urgency_rows(report.by_template, lang,
                                                          lambda name: template_title(svc, name, lang))),
               (t("urg_by_requester", lang), *_urgency_rows(report.by_requester, lang, lambda name: name))]
    return _charts(svc, figures, lang), urgency


def _charts(svc: App, figures: Dashboard, lang: str) -> list[tuple[str, charts.Chart]]:
    """Draw the dashboard's charts in the admin's language."""
    labels = [format_day(week, lang, year=False) for week in figures.weeks]
    partial = figures.current_week_partial
    tips = [*labels[:-1], t("page_chart_partial", lang, week=labels[-1]) if partial else labels[-1]]
    empty = t("page_chart_empty", lang)
    titles = {key: t(f"page_chart_{key}", lang) for key in ("by_template", "by_urgency", "first_response",
                                                             "resolution", "followups", "customers")}
    templates, template_colours = _by_template(svc, figures, lang)
    urgencies, urgency_colours = _by_urgency(figures, lang)
    response = figures.weekly_first_response
    resolution = figures.weekly_resolution
    share = figures.weekly_followup_share
    return [
        (titles["by_template"], charts.stacked_weeks(titles["by_template"], labels, templates, template_colours,
                                                     partial, tips, empty)),
        (titles["by_urgency"], charts.stacked_weeks(titles["by_urgency"], labels, urgencies, urgency_colours,
                                                    partial, tips, empty)),
        (titles["first_response"], charts.trend(titles["first_response"], labels, response, HOUR, partial, tips,
                                                [duration(v, lang) for v in response], empty)),
        (titles["resolution"], charts.trend(titles["resolution"], labels, resolution, DAY, partial, tips,
                                            [duration(v, lang) for v in resolution], empty)),
        (titles["followups"], charts.trend(titles["followups"], labels, share, 0.01, partial, tips,
                                           ["—" if v is None else f"{v:.0%}" for v in share], empty, top=100)),
        (titles["customers"], charts.top_bars(titles["customers"], figures.top_customers, empty)),
    ]


def _by_template(svc: App, figures: Dashboard, lang: str) -> tuple[dict[str, list[int]], list[str]]:
    """Return the requests per template in the order the templates are offered, each in its template's colour."""
    order = [template.id for template in svc.engine.templates.templates]
    ranked = sorted(figures.by_template, key=lambda tid: (order.index(tid) if tid in order else len(order), tid))
    colours = [charts.CATEGORY[order.index(tid) % len(charts.CATEGORY)] if tid in order else charts.OTHER
               for tid in ranked]
    def title(tid: str) -> str:
        return t("page_other_templates", lang) if tid == OTHER_TEMPLATES else template_title(svc, tid, lang)

    return {title(tid): figures.by_template[tid] for tid in ranked}, colours


def _by_urgency(figures: Dashboard, lang: str) -> tuple[dict[str, list[int]], list[str]]:
    """Return the requests per urgency, most severe first, each in its urgency's colour."""
    ranked = charts.severity_order([name for name in figures.by_urgency if name != NO_URGENCY])
    if NO_URGENCY in figures.by_urgency:
        ranked.append(NO_URGENCY)
    named = {(t("page_no_urgency", lang) if name == NO_URGENCY else name): figures.by_urgency[name] for name in ranked}
    return named, [charts.urgency_colour(name) for name in ranked]


def _urgency_rows(groups: list[UrgencyGroup], lang: str, title: Callable[[str], str]
                  ) -> tuple[list[dict[str, object]], str]:
    """Return one table row per claimed priority of the groups with the most requests, the group's name and urgent
    share on its first row, and what says how many rows only the CSV holds."""
    rows: list[dict[str, object]] = []
    hidden = sum(len(group.lines) for group in groups[URGENCY_GROUPS_SHOWN:])
    for group in groups[:URGENCY_GROUPS_SHOWN]:
        share = t("urg_urgent_share", lang, share=format_share(group.urgent_share or 0.0, lang))
        for index, line in enumerate(group.lines):
            rows.append({
                "name": title(group.name) if index == 0 else "", "share": share if index == 0 else "",
                "claimed": t("page_no_urgency", lang) if line.claimed == NO_URGENCY else line.claimed,
                "requests": format_number(line.requests, lang),
                "changed": f"{format_number(line.changed, lang)} (↓{line.lowered} ↑{line.raised})",
                "response": duration(line.median_response, lang), "resolution": duration(line.median_resolution, lang),
            })
    return rows, t("urg_more_in_csv", lang, count=hidden) if hidden else ""
