"""The admin page's shell: Jinja2 templates with autoescape, the static files, dates, addresses and redirects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.text.dates import format_moment
from bot.text.screen import whole_number

HERE = Path(__file__).parent
STATIC = HERE / "static"
ASSETS = "/admin/assets"
NAV = (("dashboard", "Dashboard", "/admin/"), ("requests", "Requests", "/admin/requests"),
       ("templates", "Templates", "/admin/templates"), ("users", "Users", "/admin/users"),
       ("audit", "Audit", "/admin/audit"))
# Both the page's own policy and the response headers forbid anything not served by this server: no inline
# script or style at all, so text that slipped into the page unescaped could still not run or restyle it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def when(at: float | None, zone: tzinfo) -> str:
    """Return a moment as "23 Nov 2026 14:05" in the bot's time zone; "—" when unknown."""
    return "—" if at is None else format_moment(at, zone, "en", short=True)


def query(base: str, values: Mapping[str, object]) -> str:
    """Return base with the non-empty values as its query string."""
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


def setup(app: web.Application) -> None:
    """Load the page templates (every value escaped unless marked safe) and serve the stylesheet and script."""
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.PackageLoader("handlers.web.admin", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(nav=NAV, assets=ASSETS, query=query)
    app.router.add_static(ASSETS, STATIC, append_version=False)


def render(request: web.Request, template: str, context: Mapping[str, Any], *, status: int = 200) -> web.Response:
    """Return a page drawn from a template with the given values."""
    values = {"admin": None, "active": "", "script": "", **context}
    return aiohttp_jinja2.render_template(template, request, values, status=status)


def redirect(location: str) -> web.Response:
    """Return a 303 to a page of this site, so reloading after a form does not send it again."""
    return web.Response(status=303, headers={"Location": location})


def page_number(request: web.Request) -> int:
    """Return the ?page= number asked for, 1 when missing or nonsense."""
    raw = request.query.get("page", "1")
    return max(1, whole_number(raw, 6) or 1)
