"""The audit page: every change to templates, users and roles, and every sign-in, with who and when."""

from __future__ import annotations

from aiohttp import web

from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import esc, page, page_number, pager, table, when

PER_PAGE = 50


async def audit(request: web.Request) -> web.Response:
    """List recorded changes, newest first, a page at a time."""
    admin, svc = current(request), request.app[STATE].svc
    log = svc.audit
    total = log.count()
    pages = max(1, -(-total // PER_PAGE))
    number = min(page_number(request), pages)
    entries = log.recent(PER_PAGE, (number - 1) * PER_PAGE)
    zone = svc.config.timezone
    rows = [((esc(when(e.at, zone)), "num"),
             esc(e.actor_name or (e.actor_id if e.actor_id is not None else "the bot")),
             f'<span class="pill">{esc(e.action)}</span>', esc(e.detail)) for e in entries]
    if not entries:
        body = '<p class="muted">Nothing has been changed yet.</p>'
    else:
        body = (table(("When", "Who", "What", "Detail"), rows)
                + pager("/admin/audit", {}, number, pages, total, "entries"))
    return page(admin, "audit", "Audit log", body)
