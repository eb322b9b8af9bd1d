"""The requests page: every request filed through the bot, searchable, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.app import App
from bot.reports.dashboard import duration
from bot.reports.request_log import RequestFilter, RequestRow, facets, search
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import page_number, render, when

PER_PAGE = 50
STATUS_LABELS = {"waiting": "Waiting for Jira", "needs-attention": "Needs attention",
                 "open": "Open in Jira", "resolved": "Resolved"}
FIELDS = ("text", "requester", "customer", "template", "urgency", "status")


@dataclass(frozen=True)
class Column:
    """One column of the table: the key it is known by in addresses, and its heading."""

    key: str
    label: str


COLUMNS = (Column("created", "Created"), Column("summary", "Summary"), Column("requester", "Requester"),
           Column("customer", "Customer"), Column("template", "Template"), Column("urgency", "Urgency"),
           Column("status", "Status"), Column("jira", "Jira"), Column("response", "First response"),
           Column("resolution", "Resolved in"), Column("followups", "Follow-ups"))


def template_title(svc: App, template_id: str) -> str:
    """Return a template's English title, or its id when it is no longer live."""
    template = svc.engine.templates.get(template_id)
    return template.title.get("en") if template else template_id


def _filter(request: web.Request) -> RequestFilter:
    """Read the filter from the query string, each value trimmed and bounded."""
    values = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    return RequestFilter(**values)


def _choices(svc: App) -> dict[str, Any]:
    """Return what the dropdowns offer: what is on record."""
    found = facets(svc.store)
    return {"requesters": [(str(i), name) for i, name in found.requesters],
            "templates": [(tid, template_title(svc, tid)) for tid in found.templates],
            "urgencies": [(u, u) for u in found.urgencies],
            "statuses": [(s, STATUS_LABELS.get(s, s)) for s in found.statuses],
            "customers": found.customers}


def _row(svc: App, row: RequestRow) -> dict[str, object]:
    """Return what one request's row shows."""
    return {"created": when(row.created_at, svc.config.timezone), "summary": row.summary,
            "requester": row.requester_name or str(row.requester_id), "username": row.requester_username,
            "customer": row.customer or "—", "template": template_title(svc, row.template_id),
            "urgency": row.urgency or "—", "status": STATUS_LABELS.get(row.status, row.status),
            "tone": {"resolved": "ok", "needs-attention": "bad"}.get(row.status, ""),
            "jira_key": row.jira_key or "—", "jira_url": row.jira_url if row.jira_key else None,
            "response": duration(row.time_to_response), "resolution": duration(row.time_to_resolution),
            "followups": row.followups}


async def requests_list(request: web.Request) -> web.Response:
    """Show one page of the requests that match the filters."""
    admin, svc = current(request), request.app[STATE].svc
    flt = _filter(request)
    number = page_number(request)
    rows, total = search(svc.store, flt, PER_PAGE, (number - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if number > pages:
        number = pages
        rows, total = search(svc.store, flt, PER_PAGE, (number - 1) * PER_PAGE)
    values = {name: getattr(flt, name) for name in FIELDS}
    return render(request, "requests.html", {
        "admin": admin, "active": "requests", "title": "Requests", "flt": flt, **_choices(svc),
        "columns": COLUMNS, "rows": [_row(svc, r) for r in rows], "values": values, "filtered": any(values.values()),
        "number": number, "pages": pages, "total": total})
