"""The requests page: every request filed through the bot, searchable, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.reports.dashboard import duration
from bot.reports.request_log import RequestFilter, RequestRow, facets, search
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import page_number, render, when

PER_PAGE = 50
STATUSES = ("waiting", "needs-attention", "open", "resolved")
FIELDS = ("text", "requester", "customer", "template", "urgency", "status")


@dataclass(frozen=True)
class Column:
    """One column of the table: the key it is known by in addresses, and its heading."""

    key: str
    label: str


# Each column's key in addresses, and the key of its heading in the catalog.
COLUMNS = (("created", "page_created"), ("summary", "page_summary"), ("requester", "page_requester"),
           ("customer", "page_customer"), ("template", "page_template"), ("urgency", "page_urgency"),
           ("status", "page_status"), ("jira", "page_jira"), ("response", "page_first_response"),
           ("resolution", "page_resolved_in"), ("followups", "page_followups"))


def template_title(svc: App, template_id: str, lang: str) -> str:
    """Return a template's title in a language, or its id when it is no longer live."""
    template = svc.engine.templates.get(template_id)
    return template.title.get(lang) if template else template_id


def status_label(status: str, lang: str) -> str:
    """Return what a request's status is called on the page."""
    return t(f"page_status_{status}", lang) if status in STATUSES else status


def _filter(request: web.Request) -> RequestFilter:
    """Read the filter from the query string, each value trimmed and bounded."""
    values = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    return RequestFilter(**values)


def _choices(svc: App, lang: str) -> dict[str, Any]:
    """Return what the dropdowns offer: what is on record."""
    found = facets(svc.store)
    return {"requesters": [(str(i), name) for i, name in found.requesters],
            "templates": [(tid, template_title(svc, tid, lang)) for tid in found.templates],
            "urgencies": [(u, u) for u in found.urgencies],
            "statuses": [(s, status_label(s, lang)) for s in found.statuses],
            "customers": found.customers}


def _row(svc: App, row: RequestRow, lang: str) -> dict[str, object]:
    """Return what one request's row shows."""
    return {"created": when(row.created_at, svc.config.timezone, lang), "summary": row.summary,
            "requester": row.requester_name or str(row.requester_id), "username": row.requester_username,
            "customer": row.customer or "—", "template": template_title(svc, row.template_id, lang),
            "urgency": row.urgency or "—", "status": status_label(row.status, lang),
            "tone": {"resolved": "ok", "needs-attention": "bad"}.get(row.status, ""),
            "jira_key": row.jira_key or "—", "jira_url": row.jira_url if row.jira_key else None,
            "response": duration(row.time_to_response, lang),
            "resolution": duration(row.time_to_resolution, lang),
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
    lang = admin.lang
    return render(request, "requests.html", {
        "admin": admin, "active": "requests", "title": t("page_nav_requests", lang), "flt": flt,
        **_choices(svc, lang), "columns": [Column(key, t(label, lang)) for key, label in COLUMNS],
        "rows": [_row(svc, r, lang) for r in rows], "values": values, "filtered": any(values.values()),
        "number": number, "pages": pages, "total": total})
