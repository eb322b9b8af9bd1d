"""The requests page: every request filed through the bot, searchable, filtered, sorted, paged and exported as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.reports.dashboard import duration
from bot.reports.request_log import (
    SORT_KEYS,
    STATUSES,
    Facets,
    RequestFilter,
    RequestRow,
    RequestSort,
    export_csv,
    pager_text,
    search_apart,
)
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import page_number, query, render_apart, when

PER_PAGE = 50
FIELDS = ("text", "requester", "customer", "template", "urgency", "status")
# Each column's sort key (as in addresses), and the key of its heading in the catalog.
COLUMNS = (("created", "page_created"), ("summary", "page_summary"), ("requester", "page_requester"),
           ("customer", "page_customer"), ("template", "page_template"), ("urgency", "page_urgency"),
           ("status", "page_status"), ("jira", "page_jira"), ("response", "page_first_response"),
           ("resolution", "page_resolved_in"), ("followups", "page_followups"))
# Columns whose first click shows the largest first: the newest, the slowest, the most asked about.
LARGEST_FIRST = ("created", "response", "resolution", "followups")


@dataclass(frozen=True)
class Column:
    """One column of the table: its heading, where clicking it leads, and which way it is sorted now, if it is."""

    key: str
    label: str
    href: str
    sorted: str


def template_title(svc: App, template_id: str, lang: str) -> str:
    """Return a template's title in a language, or its id when it is no longer live."""
    template = svc.engine.templates.get(template_id)
    return template.title.get(lang) if template else template_id


def status_label(status: str, lang: str) -> str:
    """Return what a request's status is called on the page (and in the export)."""
    return t(f"log_status_{status}", lang) if status in STATUSES else status


def _filter(request: web.Request) -> RequestFilter:
    """Read the filter from the query string, each value trimmed and bounded."""
    values = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    return RequestFilter(**values)


def _sort(request: web.Request) -> RequestSort:
    """Read the sort from the query string; anything unknown sorts newest first."""
    column = request.query.get("sort", "created")
    return RequestSort(column if column in SORT_KEYS else "created", request.query.get("dir", "desc") != "asc")


def _order_values(order: RequestSort) -> dict[str, str]:
    """Return the sort as the address carries it: nothing for the usual newest first."""
    return {"sort": "" if order.column == "created" else order.column, "dir": "" if order.descending else "asc"}


def _columns(filters: dict[str, str], order: RequestSort, lang: str) -> list[Column]:
    """Return the headings, each a link that sorts by its column (and turns the order round when it already does)."""
    found = []
    for key, label in COLUMNS:
        if key == order.column:
            descending, now = not order.descending, "desc" if order.descending else "asc"
        else:
            descending, now = key in LARGEST_FIRST, ""
        href = query("/admin/requests", {**filters, **_order_values(RequestSort(key, descending))})
        found.append(Column(key, t(label, lang), href, now))
    return found


def _choices(svc: App, found: Facets, lang: str) -> dict[str, Any]:
    """Return what the dropdowns offer: what is on record, and the columns to sort by."""
    return {"requesters": [(str(i), name) for i, name in found.requesters],
            "templates": [(tid, template_title(svc, tid, lang)) for tid in found.templates],
            "urgencies": [(u, u) for u in found.urgencies],
            "statuses": [(s, status_label(s, lang)) for s in found.statuses],
            "customers": found.customers,
            "sorts": [(key, t(label, lang)) for key, label in COLUMNS],
            "directions": [("desc", t("page_descending", lang)), ("asc", t("page_ascending", lang))]}


def _row(svc: App, row: RequestRow, lang: str) -> dict[str, object]:
    """Return what one request's row shows."""
    return {"created": when(row.created_at, svc.config.timezone, lang), "summary": row.summary,
            "requester": row.requester_name or str(row.requester_id), "username": row.requester_username,
            "customer": row.customer or "—", "template": template_title(svc, row.template_id, lang),
            "urgency": row.urgency or "—", "status": status_label(row.status, lang),
            "tone": {"resolved": "ok", "needs-attention": "bad", "declined": "bad"}.get(row.status, ""),
            "jira_key": row.jira_key or "—", "jira_url": row.jira_url if row.jira_key else None,
            "response": duration(row.time_to_response, lang),
            "resolution": duration(row.time_to_resolution, lang),
            "followups": row.followups}


async def requests_list(request: web.Request) -> web.Response:
    """Show one page of the requests that match the filters, in the order asked for."""
    admin, svc = current(request), request.app[STATE].svc
    lang = admin.lang
    flt, order = _filter(request), _sort(request)
    after, before = request.query.get("after", "")[:64] or None, request.query.get("before", "")[:64] or None
    last = request.query.get("last") == "1"
    found, choices = await search_apart(svc.store, flt, order, PER_PAGE, after=after, before=before, last=last)
    pages = max(1, -(-found.total // PER_PAGE))
    # The page number only labels the page (the keys find it): kept within what exists.
    number = 1 if not found.earlier else pages if not found.later else min(max(2, page_number(request)), pages - 1)
    filters = {name: getattr(flt, name) for name in FIELDS}
    values = {**filters, **_order_values(order)}
    pager: dict[str, object] = {"text": pager_text(number, pages, found.total, lang), "first": None, "previous": None,
                                "next": None, "last": None}
    if found.rows and found.earlier:
        pager |= {"first": query("/admin/requests", values),
                  "previous": query("/admin/requests", {**values, "before": found.rows[0].id, "page": number - 1})}
    if found.rows and found.later:
        pager |= {"next": query("/admin/requests", {**values, "after": found.rows[-1].id, "page": number + 1}),
                  "last": query("/admin/requests", {**values, "last": 1, "page": pages})}
    return await render_apart(request, "requests.html", lambda: {
        "admin": admin, "active": "requests", "title": t("page_nav_requests", lang), "flt": flt, "order": order,
        **_choices(svc, choices, lang), "columns": _columns(filters, order, lang),
        "rows": [_row(svc, r, lang) for r in found.rows], "filtered": any(filters.values()), "pager": pager,
        "export": query("/admin/requests.csv", values)})


async def requests_csv(request: web.Request) -> web.StreamResponse:
    """Send every request that matches the filters, in the list's order, as a CSV file, streamed as it is read."""
    admin, svc = current(request), request.app[STATE].svc
    day = datetime.fromtimestamp(svc.clock(), svc.config.timezone).strftime("%Y-%m-%d")
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="requests-{day}.csv"'})
    await response.prepare(request)
    async for chunk in export_csv(svc.store, _filter(request), _sort(request), admin.lang, svc.config.timezone,
                                  lambda template_id: template_title(svc, template_id, admin.lang)):
        await response.write(chunk)
    await response.write_eof()
    return response
