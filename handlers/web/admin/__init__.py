"""The admin web page on the bot's own HTTP server: sign-in by a /web link, templates, requests, users, audit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.app import App
from bot.people.signin import Sessions, signing_key
from bot.ports import Messenger
from handlers.web.admin import (
    audit_page,
    dashboard_drawing,
    dashboard_page,
    language,
    layout,
    requests_page,
    signin,
    templates_page,
    users_page,
)
from handlers.web.admin.auth import STATE, AdminWeb, guard


async def _home(request: web.Request) -> web.Response:
    """Send /admin to the dashboard at /admin/."""
    raise web.HTTPMovedPermanently("/admin/")


# The pages are readied this long after start (dashboards read back, templates compiled): not while the bot starts.
COMPILE_AFTER_SECONDS = 3.0


def _ready_pages(svc: App) -> Callable[[web.Application], AsyncIterator[None]]:
    """Return the server's companion that readies the pages in the background while it serves: soon after start
    the dashboards kept read back and drawn and the templates compiled; the dashboards counted and kept up to date."""
    async def ready_soon(app: web.Application) -> None:
        await asyncio.sleep(COMPILE_AFTER_SECONDS)
        # The dashboards kept before a restart read back (and drawn, see draw_ahead) first: the slowest to ready.
        await svc.dashboards.read_back(dashboard_page.SPANS, svc.config.timezone)
        await asyncio.to_thread(layout.compile_templates, app)

    async def keep(app: web.Application) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(ready_soon(app)),
                 asyncio.create_task(svc.dashboards.keep_fresh(dashboard_page.SPANS, svc.config.timezone))]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return keep


def add_admin_routes(app: web.Application, svc: App, messenger: Messenger) -> None:
    """Add the admin pages and the guard in front of them to the bot's aiohttp app."""
    server = svc.config.server
    sessions = Sessions(svc.store, signing_key(svc.store), server.admin_session_hours, server.admin_link_minutes)
    svc.dashboards.watch(dashboard_drawing.draw_ahead(svc))
    app[STATE] = AdminWeb(svc, sessions, secure_cookie=server.base_url.startswith("https://"), messenger=messenger)
    app.middlewares.append(guard)
    app.cleanup_ctx.append(_ready_pages(svc))
    layout.setup(app)
    add = app.router
    add.add_get("/admin", _home)
    add.add_get("/admin/", dashboard_page.dashboard)
    add.add_get("/admin/urgency.csv", dashboard_page.urgency_csv)
    add.add_get("/admin/login", signin.confirm)
    add.add_post("/admin/login", signin.login)
    add.add_post("/admin/logout", signin.logout)
    add.add_post("/admin/language", language.choose)
    add.add_get("/admin/requests", requests_page.requests_list)
    add.add_get("/admin/requests.csv", requests_page.requests_csv)
    add.add_get("/admin/templates", templates_page.templates_home)
    add.add_post("/admin/templates/check", templates_page.check)
    add.add_post("/admin/templates/publish", templates_page.publish_text)
    add.add_get("/admin/templates/history", templates_page.history)
    add.add_get("/admin/templates/versions/{number}", templates_page.version_view)
    add.add_post("/admin/templates/versions/{number}/rollback", templates_page.rollback_version)
    add.add_get("/admin/users", users_page.users_home)
    add.add_post("/admin/users/role", users_page.set_role)
    add.add_post("/admin/users/access", users_page.decide)
    add.add_post("/admin/users/invite", users_page.make_invite)
    add.add_post("/admin/users/invite/cancel", users_page.withdraw_invite)
    add.add_get("/admin/audit", audit_page.audit)
