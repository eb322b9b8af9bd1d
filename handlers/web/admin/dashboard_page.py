"""The dashboard: requests per week by template and urgency, response and resolution times, top customers."""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from bot.reports.charts import hbars, stacked_bars
from bot.reports.dashboard import compute, duration
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
    figures = compute(svc.store, svc.clock(), weeks, svc.config.timezone)
    share = "—" if figures.followup_share is None else f"{figures.followup_share:.0%}"
    stats = [
        (str(figures.total), f"requests in {weeks} weeks"),
        (str(figures.filed), "filed in Jira"),
        (str(figures.resolved), "resolved"),
        (duration(figures.median_first_response), "median time to first engineer response"),
        (duration(figures.median_resolution), "median time to resolution"),
        (share, "needed a follow-up question"),
    ]
    by_template = {template_title(svc, tid): counts for tid, counts in figures.by_template.items()}
    labels = figures.week_labels
    # The SVG is drawn with every text escaped for XML, so it goes into the page as it is.
    charts = (("Requests per week by template",
               Markup(stacked_bars(labels, by_template, "Requests per week by template", CHART_WIDTH))),
              ("Requests per week by urgency",
               Markup(stacked_bars(labels, figures.by_urgency, "Requests per week by urgency", CHART_WIDTH))),
              ("Top customers", Markup(hbars(figures.top_customers, "Top customers by requests", CHART_WIDTH))))
    return render(request, "dashboard.html", {"admin": admin, "active": "dashboard", "title": "Dashboard",
                                              "spans": SPANS, "weeks": weeks, "stats": stats, "charts": charts})
