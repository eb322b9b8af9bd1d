"""The dashboard: requests per week by template and urgency, response and resolution times, top customers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from markupsafe import Markup

from bot.app import App
from bot.i18n.catalog import t
from bot.i18n.plural import format_number, format_share
from bot.reports.charts import hbars, stacked_bars
from bot.reports.dashboard import NO_URGENCY, duration
from bot.reports.expectations import ExpectationFigures, Share, figures_apart
from bot.reports.urgency import UrgencyGroup, compute_apart, to_csv
from bot.text.dates import format_day
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import render_apart
from handlers.web.admin.requests_page import template_title

SPANS = (4, 12, 26, 52)
# Drawn narrower than a desktop column so the labels stay readable when a phone shrinks the chart.
CHART_WIDTH = 480


def _weeks(request: web.Request) -> int:
    """Return the number of weeks asked for, one of SPANS (12 when missing or nonsense)."""
    found = whole_number(request.query.get("weeks", "12"), 3)
    return found if found in SPANS else 12


async def dashboard(request: web.Request) -> web.Response:
    """Show the figures and charts for the last weeks."""
    admin, svc = current(request), request.app[STATE].svc
    weeks = _weeks(request)
    figures = await svc.dashboards.get(weeks, svc.config.timezone)
    since = figures.weeks[0].timestamp()
    report = await compute_apart(svc.store, since, svc.clock())
    expected = await figures_apart(svc.store, svc.clock(), svc.config.timezone)

    def draw() -> dict[str, object]:
        """Return the page's figures and charts, drawn on a worker thread: a year of them takes a while."""
        share = "—" if figures.followup_share is None else f"{figures.followup_share:.0%}"
        lang = admin.lang
        stats = [
            (format_number(figures.total, lang), t("page_stat_total", lang, weeks=weeks)),
            (format_number(figures.filed, lang), t("page_stat_filed", lang)),
            (format_number(figures.resolved, lang), t("page_stat_resolved", lang)),
            (duration(figures.median_first_response, lang), t("page_stat_first_response", lang)),
            (duration(figures.median_resolution, lang), t("page_stat_resolution", lang)),
            (share, t("page_stat_followup", lang)),
        ]
        by_template = {template_title(svc, tid, lang): counts for tid, counts in figures.by_template.items()}
        by_urgency = {t("page_no_urgency", lang) if name == NO_URGENCY else name: counts
                      for name, counts in figures.by_urgency.items()}
        labels = [format_day(week, lang, year=False) for week in figures.weeks]
        titles = [t(key, lang) for key in ("page_chart_by_template", "page_chart_by_urgency", "page_chart_customers")]
        # The SVG is drawn with every text escaped for XML, so it goes into the page as it is.
        charts = ((titles[0], Markup(stacked_bars(labels, by_template, titles[0], CHART_WIDTH))),
                  (titles[1], Markup(stacked_bars(labels, by_urgency, titles[1], CHART_WIDTH))),
                  (titles[2], Markup(hbars(figures.top_customers, titles[2], CHART_WIDTH))))
        urgency = [(t("urg_by_template", lang), _urgency_rows(report.by_template, lang,
                                                             lambda name: template_title(svc, name, lang))),
                   (t("urg_by_requester", lang), _urgency_rows(report.by_requester, lang, lambda name: name))]
        return {"admin": admin, "active": "dashboard", "title": t("page_nav_dashboard", lang), "spans": SPANS,
                "weeks": weeks, "stats": stats, "charts": charts,
                "urgency": urgency if report.by_template else None,
                "expectations": _expectation_tables(svc, expected, lang)}

    return await render_apart(request, "dashboard.html", draw)


def _urgency_rows(groups: list[UrgencyGroup], lang: str, title: Callable[[str], str]) -> list[dict[str, object]]:
    """Return one table row per group and claimed priority, the group's name and urgent share on its first row."""
    rows: list[dict[str, object]] = []
    for group in groups:
        share = t("urg_urgent_share", lang, share=format_share(group.urgent_share or 0.0, lang))
        for index, line in enumerate(group.lines):
            rows.append({
                "name": title(group.name) if index == 0 else "", "share": share if index == 0 else "",
                "claimed": t("page_no_urgency", lang) if line.claimed == NO_URGENCY else line.claimed,
                "requests": format_number(line.requests, lang),
                "changed": f"{format_number(line.changed, lang)} (↓{line.lowered} ↑{line.raised})",
                "response": duration(line.median_response, lang), "resolution": duration(line.median_resolution, lang),
            })
    return rows


async def urgency_csv(request: web.Request) -> web.Response:
    """Send the urgency report of the dashboard's weeks as a CSV file."""
    admin, svc = current(request), request.app[STATE].svc
    figures = await svc.dashboards.get(_weeks(request), svc.config.timezone)
    report = await compute_apart(svc.store, figures.weeks[0].timestamp(), svc.clock())
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
