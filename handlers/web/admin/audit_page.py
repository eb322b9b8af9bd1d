"""The audit page: every change to templates, users and roles, and every sign-in, with who and when."""

from __future__ import annotations

from aiohttp import web

from bot.i18n.catalog import t
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import page_number, render, when

PER_PAGE = 50


async def audit(request: web.Request) -> web.Response:
    """List recorded changes, newest first, a page at a time."""
    admin, svc = current(request), request.app[STATE].svc
    log = svc.audit
    total = log.count()
    pages = max(1, -(-total // PER_PAGE))
    number = min(page_number(request), pages)
    zone = svc.config.timezone
    entries = [{"when": when(e.at, zone, admin.lang), "who": e.actor_name or e.actor_id,
                "action": e.action, "detail": e.detail}
               for e in log.recent(PER_PAGE, (number - 1) * PER_PAGE)]
    return render(request, "audit.html", {"admin": admin, "active": "audit",
                                          "title": t("page_audit_title", admin.lang), "entries": entries,
                                          "number": number, "pages": pages, "total": total})
