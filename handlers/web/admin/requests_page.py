"""The requests page: every request filed through the bot, searchable, filtered, sorted, paged and exported as CSV."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from bot.app import App
from bot.reports.dashboard import duration
from bot.reports.request_log import (
    SORT_KEYS,
    Facets,
    RequestFilter,
    RequestRow,
    RequestSort,
    export_csv,
    pager_text,
    search_apart,
)
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import Cell, esc, page, page_number, query, select, table, when

PER_PAGE = 50
STATUS_LABELS = {"waiting": "Waiting for Jira", "needs-attention": "Needs attention",
                 "open": "Open in Jira", "resolved": "Resolved"}
FIELDS = ("text", "requester", "customer", "template", "urgency", "status")
SORT_LABELS = {"created": "Created", "summary": "Summary", "requester": "Requester", "customer": "Customer",
               "template": "Template", "urgency": "Urgency", "status": "Status", "jira": "Jira",
               "response": "First response", "resolution": "Resolved in", "followups": "Follow-ups"}


def template_title(svc: App, template_id: str) -> str:
    """Return a template's English title, or its id when it is no longer live."""
    template = svc.engine.templates.get(template_id)
    return template.title.get("en") if template else template_id


def _filter(request: web.Request) -> RequestFilter:
    """Read the filter from the query string, each value trimmed and bounded."""
    values = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    return RequestFilter(**values)


def _sort(request: web.Request) -> RequestSort:
    """Read the sort from the query string; anything unknown sorts newest first."""
    column = request.query.get("sort", "created")
    return RequestSort(column if column in SORT_KEYS else "created", request.query.get("dir", "desc") != "asc")


def _filters_form(svc: App, flt: RequestFilter, found: Facets, order: RequestSort) -> str:
    """Return the search box, the dropdowns (filled with what is on record) and the sort."""
    requesters = select("requester", [(str(i), name) for i, name in found.requesters], flt.requester,
                        blank="Anyone")
    templates = select("template", [(tid, template_title(svc, tid)) for tid in found.templates], flt.template,
                       blank="Any template")
    urgencies = select("urgency", [(u, u) for u in found.urgencies], flt.urgency, blank="Any urgency")
    statuses = select("status", [(s, STATUS_LABELS.get(s, s)) for s in found.statuses], flt.status,
                      blank="Any status")
    customers = "".join(f'<option value="{esc(c)}">' for c in found.customers)
    return (f'<form class="card filters" method="get" action="/admin/requests" role="search">'
            f'<div><label for="f-text">Search</label><input type="search" id="f-text" name="text" '
            f'value="{esc(flt.text)}" placeholder="Summary, key, customer, name…"></div>'
            f'<div><label for="f-requester">Requester</label>{requesters}</div>'
            f'<div><label for="f-customer">Customer</label><input type="text" id="f-customer" name="customer" '
            f'value="{esc(flt.customer)}" list="customers"><datalist id="customers">{customers}</datalist></div>'
            f'<div><label for="f-template">Template</label>{templates}</div>'
            f'<div><label for="f-urgency">Urgency</label>{urgencies}</div>'
            f'<div><label for="f-status">Status</label>{statuses}</div>'
            f'<div><label for="f-sort">Sort by</label>{select("sort", SORT_LABELS.items(), order.column)}</div>'
            f'<div><label for="f-dir">Order</label>'
            f'{select("dir", [("desc", "Descending"), ("asc", "Ascending")], "desc" if order.descending else "asc")}'
            f'</div>'
            f'<div class="actions"><button>Filter</button><a href="/admin/requests">Clear</a></div></form>')


HEADERS = ("Created", "Summary", "Requester", "Customer", "Template", "Urgency", "Status", "Jira",
           "First response", "Resolved in", "Follow-ups")


def _row(svc: App, row: RequestRow) -> tuple[Cell, ...]:
    """Return one request's cells."""
    who = esc(row.requester_name or str(row.requester_id))
    if row.requester_username:
        who += f'<div class="small muted">@{esc(row.requester_username)}</div>'
    if row.jira_key and row.jira_url:
        key = f'<a href="{esc(row.jira_url)}" rel="noreferrer noopener" target="_blank">{esc(row.jira_key)}</a>'
    else:
        key = esc(row.jira_key or "—")
    status = row.status
    tone = {"resolved": "ok", "needs-attention": "bad"}.get(status, "")
    return ((esc(when(row.created_at, svc.config.timezone)), "num"), (esc(row.summary), "wide"), who,
            esc(row.customer or "—"), esc(template_title(svc, row.template_id)), esc(row.urgency or "—"),
            f'<span class="pill {tone}">{esc(STATUS_LABELS.get(status, status))}</span>', (key, "num"),
            (esc(duration(row.time_to_response)), "num"), (esc(duration(row.time_to_resolution)), "num"),
            (str(row.followups), "num"))


def _pager(values: dict[str, str], number: int, pages: int, total: int, first_id: str, last_id: str,
           earlier: bool, later: bool) -> str:
    """Return First/Previous/Next/Last links around "Page 2 of 5 · 93 requests"; pages are found by their keys."""
    def link(label: str, **where: object) -> str:
        return f'<a class="button plain" href="{esc(query("/admin/requests", {**values, **where}))}">{label}</a>'

    parts = [link("⏮ First"), link("◀ Previous", before=first_id, page=number - 1)] if earlier else []
    parts.append(f'<span class="muted">{esc(pager_text(number, pages, total, "en"))}</span>')
    if later:
        parts += [link("Next ▶", after=last_id, page=number + 1), link("Last ⏭", last=1, page=pages)]
    return f'<div class="pager">{"".join(parts)}</div>'


async def requests_list(request: web.Request) -> web.Response:
    """Show one page of the requests that match the filters, in the order asked for."""
    admin, svc = current(request), request.app[STATE].svc
    flt, order = _filter(request), _sort(request)
    after, before = request.query.get("after", "")[:64] or None, request.query.get("before", "")[:64] or None
    last = request.query.get("last") == "1"
    found, choices = await search_apart(svc.store, flt, order, PER_PAGE, after=after, before=before, last=last)
    pages = max(1, -(-found.total // PER_PAGE))
    # The page number only labels the page (the keys find it): kept within what exists.
    number = 1 if not found.earlier else pages if not found.later else min(max(2, page_number(request)), pages - 1)
    values = {name: getattr(flt, name) for name in FIELDS}
    values |= {"sort": "" if order.column == "created" else order.column, "dir": "" if order.descending else "asc"}
    export = f'<p><a class="button plain" href="{esc(query("/admin/requests.csv", values))}">⬇️ Export CSV</a></p>'
    if found.rows:
        table_html = (table(HEADERS, [_row(svc, r) for r in found.rows]) + export
                      + _pager(values, number, pages, found.total, found.rows[0].id, found.rows[-1].id,
                               found.earlier, found.later))
    elif any(getattr(flt, name) for name in FIELDS):
        table_html = '<p class="muted">No request matches these filters.</p>'
    else:
        table_html = '<p class="muted">No requests yet. They appear here as soon as salespeople file them.</p>'
    return page(admin, "requests", "Requests", _filters_form(svc, flt, choices, order) + table_html)


async def requests_csv(request: web.Request) -> web.StreamResponse:
    """Send every request that matches the filters, in the list's order, as a CSV file, streamed as it is read."""
    current(request)
    svc = request.app[STATE].svc
    day = datetime.fromtimestamp(svc.clock(), svc.config.timezone).strftime("%Y-%m-%d")
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="requests-{day}.csv"'})
    await response.prepare(request)
    async for chunk in export_csv(svc.store, _filter(request), _sort(request), "en", svc.config.timezone,
                                  lambda template_id: template_title(svc, template_id)):
        await response.write(chunk)
    await response.write_eof()
    return response
