"""The dashboard: requests per week by template and urgency, weekly trends of response, resolution and follow-ups."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.i18n.plural import format_number, format_share
from bot.people.signin import page_language
from bot.reports.dashboard import NO_URGENCY, OTHER_TEMPLATES, Dashboard, duration
from bot.reports.dashboard_figures import DashboardPage
from bot.reports.expectations import ExpectationFigures, Share
from bot.reports.urgency import UrgencyGroup, UrgencyReport, to_csv
from bot.text.dates import format_day
from bot.text.screen import whole_number
from handlers.web.admin import charts
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import STYLES, render_apart, when
from handlers.web.admin.requests_page import template_title

log = logging.getLogger(__name__)

SPANS = (4, 12, 26, 52)
# The urgency tables show the templates and requesters with the most requests; the CSV holds them all (at a
# million requests, every one would make thousands of rows).
URGENCY_GROUPS_SHOWN = 10
HOUR, DAY = 3600.0, 86400.0
# While a span is counted for the first time, its page reloads itself this often until the figures are there.
FIRST_COUNT_RELOAD_SECONDS = 3


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


# The charts and urgency tables last drawn, by the figures they show and the language: drawing them takes the
# better part of a second at a million requests, and the figures stay the same from one load to the next until
# requests change.
Drawn = tuple[list[tuple[str, charts.Chart]], list[tuple[str, list[dict[str, object]], str]]]
_DRAWN: OrderedDict[tuple[int, str], tuple[Dashboard, Drawn]] = OrderedDict()
DRAWN_KEPT = 16


def _drawn(svc: App, figures: Dashboard, report: UrgencyReport, lang: str) -> Drawn:
    """Return the dashboard's charts and urgency tables, drawn again only for figures or a language not drawn lately.

    The urgency report is computed with the figures and kept with them, so the figures stand for both.
    """
    key = (id(figures), lang)
    found = _DRAWN.get(key)
    if found is not None and found[0] is figures:
        return found[1]
    urgency = [(t("urg_by_template", lang), *_urgency_rows(report.by_template, lang,
                                                          lambda name: template_title(svc, name, lang))),
               (t("urg_by_requester", lang), *_urgency_rows(report.by_requester, lang, lambda name: name))]
    drawn = (_charts(svc, figures, lang), urgency)
    _DRAWN[key] = (figures, drawn)  # the figures are kept with them, so their id is not reused meanwhile
    while len(_DRAWN) > DRAWN_KEPT:
        _DRAWN.popitem(last=False)
    return drawn


_AHEAD: set[asyncio.Task[None]] = set()  # drawings under way on worker threads, referenced until done


def draw_ahead(svc: App) -> Callable[[int, DashboardPage], None]:
    """Return a watcher of the dashboard's figures that draws a span's charts and tables in every admin's language
    as soon as its figures are there, on a worker thread: a year of charts takes a fifth of a second to draw, which
    the next admin to open the page would otherwise wait for."""
    def ahead(weeks: int, shown: DashboardPage) -> None:
        languages = sorted({page_language(svc.store, admin) for admin in svc.access.admin_ids()})

        def draw() -> None:
            for lang in languages:
                _drawn(svc, shown.board, shown.urgency, lang)

        task = asyncio.create_task(asyncio.to_thread(draw))
        _AHEAD.add(task)
        task.add_done_callback(_drawn_ahead)

    return ahead


def _drawn_ahead(task: asyncio.Task[None]) -> None:
    _AHEAD.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("could not draw the dashboard ahead: %s", error, exc_info=error)


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


def _weeks(request: web.Request) -> int:
    """Return the number of weeks asked for, one of SPANS (12 when missing or nonsense)."""
    found = whole_number(request.query.get("weeks", "12"), 3)
    return found if found in SPANS else 12


async def dashboard(request: web.Request) -> web.Response:
    """Show the figures and charts for the last weeks."""
    admin, svc = current(request), request.app[STATE].svc
    weeks = _weeks(request)
    shown = await svc.dashboards.page(weeks, svc.config.timezone)
    if shown is None:
        return await render_apart(request, "dashboard.html", lambda: {
            "admin": admin, "active": "dashboard", "title": t("page_nav_dashboard", admin.lang), "spans": SPANS,
            "weeks": weeks, "first_count": True, "refresh": FIRST_COUNT_RELOAD_SECONDS})
    figures, report, expected = shown.board, shown.urgency, shown.expected

    def draw() -> dict[str, object]:
        """Return the page's figures and charts, drawn on a worker thread: a year of them takes a while."""
        lang = admin.lang
        share = "—" if figures.followup_share is None else f"{figures.followup_share:.0%}"
        stats = [
            (format_number(figures.total, lang), t("page_stat_total", lang, weeks=weeks)),
            (format_number(figures.filed, lang), t("page_stat_filed", lang)),
            (format_number(figures.resolved, lang), t("page_stat_resolved", lang)),
            (duration(figures.median_first_response, lang), t("page_stat_first_response", lang)),
            (duration(figures.median_resolution, lang), t("page_stat_resolution", lang)),
            (share, t("page_stat_followup", lang)),
        ]
        drawn, urgency = _drawn(svc, figures, report, lang)
        # Each chart's own stylesheet, allowed by its hash and nothing else.
        request[STYLES] = [chart.style_hash for _, chart in drawn]
        return {"admin": admin, "active": "dashboard", "title": t("page_nav_dashboard", lang), "spans": SPANS,
                "weeks": weeks, "first_count": False, "stats": stats, "partial": figures.current_week_partial,
                "counted_at": None if shown.current else when(shown.counted_at, svc.config.timezone, lang),
                "charts": [(title, chart.svg) for title, chart in drawn],
                "urgency": urgency if report.by_template else None,
                "expectations": _expectation_tables(svc, expected, lang)}

    return await render_apart(request, "dashboard.html", draw)


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


async def urgency_csv(request: web.Request) -> web.Response:
    """Send the urgency report of the dashboard's weeks as a CSV file."""
    admin, svc = current(request), request.app[STATE].svc
    report = (await svc.dashboards.counted(_weeks(request), svc.config.timezone)).urgency
    day = datetime.fromtimestamp(svc.clock(), svc.config.timezone).strftime("%Y-%m-%d")
    return web.Response(body=to_csv(report, admin.lang), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="urgency-{day}.csv"'})


def _expectation_tables(svc: App, figures: ExpectationFigures, lang: str
                        ) -> list[tuple[str, tuple[str, str, str], list[tuple[str, str, str]]]]:
    """Return the expectation tables that have something to show: title, headers, and rows."""
    def rows(shares: dict[str, Share], name: Callable[[str], str]) -> list[tuple[str, str, str]]:
        return [(name(key), t("page_expect_of", lang, good=format_number(share.good, lang),
                                    total=format_number(share.total, lang)),
                 "—" if share.ratio is None else f"{share.ratio:.0%}") for key, share in shares.items()]

    def title_of(template_id: str) -> str:
        return template_title(svc, template_id, lang)

    template, month, share = (t(key, lang) for key in ("page_expect_template", "page_expect_month",
                                                       "page_expect_share"))
    tables = [
        (t("page_expect_deadlines", lang), (template, t("page_expect_kept", lang), share),
         rows(figures.deadlines, title_of)),
        (t("page_expect_solved_template", lang), (template, t("page_expect_solved", lang), share),
         rows(figures.solved_by_template, title_of)),
        (t("page_expect_solved_month", lang), (month, t("page_expect_solved", lang), share),
         rows(figures.solved_by_month, str)),
    ]
    return [table for table in tables if table[2]]
