"""The dashboard: requests per week by template and urgency, response and resolution times, top customers."""

from __future__ import annotations

from aiohttp import web

from bot.reports.charts import hbars, stacked_bars
from bot.reports.dashboard import compute_apart, duration
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import esc, page
from handlers.web.admin.requests_page import template_title

SPANS = (4, 12, 26, 52)
# Drawn narrower than a desktop column so the labels stay readable when a phone shrinks the chart.
CHART_WIDTH = 480


def _stat(value: str, label: str) -> str:
    """Return one figure with its caption."""
    return f'<div class="stat"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


async def dashboard(request: web.Request) -> web.Response:
    """Show the figures and charts for the last weeks."""
    admin, svc = current(request), request.app[STATE].svc
    raw = request.query.get("weeks", "12")
    weeks = found if (found := whole_number(raw, 3)) in SPANS else 12
    figures = await compute_apart(svc.store, svc.clock(), weeks, svc.config.timezone)
    share = "—" if figures.followup_share is None else f"{figures.followup_share:.0%}"
    stats = "".join([
        _stat(str(figures.total), f"requests in {weeks} weeks"),
        _stat(str(figures.filed), "filed in Jira"),
        _stat(str(figures.resolved), "resolved"),
        _stat(duration(figures.median_first_response), "median time to first engineer response"),
        _stat(duration(figures.median_resolution), "median time to resolution"),
        _stat(share, "needed a follow-up question"),
    ])
    by_template = {template_title(svc, tid): counts for tid, counts in figures.by_template.items()}
    spans = " · ".join(f"<b>{n} weeks</b>" if n == weeks else f'<a href="/admin/?weeks={n}">{n} weeks</a>'
                       for n in SPANS)
    labels = figures.week_labels
    charts = (("Requests per week by template", stacked_bars(labels, by_template, "Requests per week by template",
                                                             CHART_WIDTH)),
              ("Requests per week by urgency", stacked_bars(labels, figures.by_urgency, "Requests per week by urgency",
                                                            CHART_WIDTH)),
              ("Top customers", hbars(figures.top_customers, "Top customers by requests", CHART_WIDTH)))
    sections = "".join(f'<section class="card"><h2>{esc(title)}</h2>{svg}</section>' for title, svg in charts)
    body = (f'<p class="muted small">Show: {spans}</p><div class="stats">{stats}</div>'
            f'<div class="charts">{sections}</div>')
    return page(admin, "dashboard", "Dashboard", body)
