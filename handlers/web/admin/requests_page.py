"""The requests page: every request filed through the bot, searchable, filtered and paginated."""

from __future__ import annotations

from aiohttp import web

from bot.app import App
from bot.reports.dashboard import duration
from bot.reports.request_log import RequestFilter, RequestRow, facets, search
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import Cell, esc, page, page_number, pager, select, table, when

PER_PAGE = 50
STATUS_LABELS = {"waiting": "Waiting for Jira", "needs-attention": "Needs attention",
                 "open": "Open in Jira", "resolved": "Resolved"}
FIELDS = ("text", "requester", "customer", "template", "urgency", "status")


def template_title(svc: App, template_id: str) -> str:
    """Return a template's English title, or its id when it is no longer live."""
    template = svc.engine.templates.get(template_id)
    return template.title.get("en") if template else template_id


def _filter(request: web.Request) -> RequestFilter:
    """Read the filter from the query string, each value trimmed and bounded."""
    values = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    return RequestFilter(**values)


def _filters_form(svc: App, flt: RequestFilter) -> str:
    """Return the search box and the dropdowns, filled with what is on record."""
    found = facets(svc.store)
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
    if rows:
        table_html = (table(HEADERS, [_row(svc, r) for r in rows])
                      + pager("/admin/requests", values, number, pages, total, "requests"))
    elif any(values.values()):
        table_html = '<p class="muted">No request matches these filters.</p>'
    else:
        table_html = '<p class="muted">No requests yet. They appear here as soon as salespeople file them.</p>'
    return page(admin, "requests", "Requests", _filters_form(svc, flt) + table_html)
