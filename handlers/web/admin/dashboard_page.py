"""The dashboard: requests per week by template and urgency, weekly trends of response, resolution and follow-ups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.i18n.plural import format_number
from bot.reports.count_process import CountFailed
from bot.reports.dashboard import duration
from bot.reports.expectations import ExpectationFigures, Share
from bot.reports.urgency import to_csv
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.dashboard_drawing import DRAWINGS
from handlers.web.admin.layout import STYLES, render_apart, when
from handlers.web.admin.requests_page import template_title

SPANS = (4, 12, 26, 52)
# While a span is counted for the first time, its page reloads itself this often until the figures are there.
FIRST_COUNT_RELOAD_SECONDS = 3
# When that count failed, less often: it is tried again meanwhile, and the log says why it failed.
COUNT_FAILED_RELOAD_SECONDS = 30


def _weeks(request: web.Request) -> int:
    """Return the number of weeks asked for, one of SPANS (12 when missing or nonsense)."""
    found = whole_number(request.query.get("weeks", "12"), 3)
    return found if found in SPANS else 12


async def dashboard(request: web.Request) -> web.Response:
    """Show the figures and charts for the last weeks."""
    admin, svc = current(request), request.app[STATE].svc
    weeks = _weeks(request)
    try:
        shown = await svc.dashboards.page(weeks, svc.config.timezone)
        failed = False
    except CountFailed:
        shown, failed = None, True
    if shown is None:
        return await render_apart(request, "dashboard.html", lambda: {
            "admin": admin, "active": "dashboard", "title": t("page_nav_dashboard", admin.lang), "spans": SPANS,
            "weeks": weeks, "first_count": "page_count_failed" if failed else "page_first_count",
            "refresh": COUNT_FAILED_RELOAD_SECONDS if failed else FIRST_COUNT_RELOAD_SECONDS})
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
        drawn, urgency = DRAWINGS.get(svc, figures, report, lang)
        # Each chart's own stylesheet, allowed by its hash and nothing else.
        request[STYLES] = [chart.style_hash for _, chart in drawn]
        return {"admin": admin, "active": "dashboard", "title": t("page_nav_dashboard", lang), "spans": SPANS,
                "weeks": weeks, "first_count": None, "stats": stats, "partial": figures.current_week_partial,
                "counted_at": None if shown.current else when(shown.counted_at, svc.config.timezone, lang),
                "charts": [(title, chart.svg) for title, chart in drawn],
                "urgency": urgency if report.by_template else None,
                "expectations": _expectation_tables(svc, expected, lang)}

    return await render_apart(request, "dashboard.html", draw)


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
