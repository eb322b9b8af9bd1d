"""The dashboard: requests per week by template and urgency, response and resolution times, top customers."""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from bot.i18n.catalog import t
from bot.i18n.plural import format_number
from bot.reports.charts import hbars, stacked_bars
from bot.reports.dashboard import NO_URGENCY, duration
from bot.text.dates import format_day
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import render
from handlers.web.admin.requests_page import template_title

SPANS = (4, 12, 26, 52)
# Drawn narrower than a desktop column so the labels stay readable when a phone shrinks the chart.
CHART_WIDTH = 480


async def dashboard(request: web.Request) -> web.Response:
    """Show the figures and charts for the last weeks."""
    admin, svc = current(request), request.app[STATE].svc
    raw = request.query.get("weeks", "12")
    weeks = found if (found := whole_number(raw, 3)) in SPANS else 12
    figures = await svc.dashboards.get(weeks, svc.config.timezone)
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
    return render(request, "dashboard.html", {"admin": admin, "active": "dashboard",
                                              "title": t("page_nav_dashboard", lang),
                                              "spans": SPANS, "weeks": weeks, "stats": stats, "charts": charts})
