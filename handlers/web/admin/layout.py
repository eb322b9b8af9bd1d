"""The admin page's shell: Jinja2 templates with autoescape, the static files, dates, addresses and redirects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.i18n.catalog import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.i18n.plural import Count
from bot.text.dates import format_moment
from bot.text.screen import whole_number

HERE = Path(__file__).parent
STATIC = HERE / "static"
ASSETS = "/admin/assets"
NAV = (("dashboard", "/admin/"), ("requests", "/admin/requests"), ("templates", "/admin/templates"),
       ("users", "/admin/users"), ("audit", "/admin/audit"))
# Each language by its own name, so a reader finds theirs whatever the page is in now.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "de": "Deutsch"}
# The language the guard found for this request's admin.
LANG = web.RequestKey("admin_lang", str)
# Both the page's own policy and the response headers forbid anything not served by this server: no inline
# script or style at all, so text that slipped into the page unescaped could still not run or restyle it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'{styles}; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
# The hashes of inline stylesheets a page carries (a chart's own), each allowed exactly and nothing else inline.
STYLES = web.RequestKey("admin_styles", list)


def policy(styles: list[str] | None = None) -> str:
    """Return the pages' Content-Security-Policy, allowing the given stylesheet hashes."""
    return CSP.format(styles="".join(f" {h}" for h in styles or ()))


def when(at: float | None, zone: tzinfo, lang: str) -> str:
    """Return a moment as "23 Nov 2026 14:05" in the bot's time zone and the reader's language; "—" when unknown."""
    return "—" if at is None else format_moment(at, zone, lang, short=True)


def accepted_language(header: str) -> str:
    """Return the language the browser prefers most among those the page speaks (for pages before signing in)."""
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        base = code.strip().split("-")[0].lower()
        if base in LANGUAGES and weight > 0:
            ranked.append((-weight, position, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def language(request: web.Request) -> str:
    """Return the language of the page for this request: the admin's, or the browser's before signing in."""
    return request.get(LANG) or accepted_language(request.headers.get("Accept-Language", ""))


def translator(lang: str) -> tuple[Callable[..., str], Callable[..., Markup]]:
    """Return t() for plain texts and tm() for texts that carry markup, both in one language.

    tm() trusts the catalog's own markup and escapes every value that fills it.
    """

    def plain(key: str, count: Count | None = None, **values: object) -> str:
        return t(key, lang, count=count, **values)

    def marked(key: str, count: Count | None = None, **values: object) -> Markup:
        safe = {name: escape(value) for name, value in values.items()}
        return Markup(t(key, lang, count=count, **safe))

    return plain, marked


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
    env.globals.update(nav=NAV, assets=ASSETS, query=query, language_names=LANGUAGE_NAMES)
    app.router.add_static(ASSETS, STATIC, append_version=False)


def compile_templates(app: web.Application) -> None:
    """Compile every page template now (a second or so of work), so the first admin to open a page does not wait."""
    env = aiohttp_jinja2.get_env(app)
    for name in env.list_templates():
        env.get_template(name)


def _values(request: web.Request, lang: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """Return what every page template reads, with the page's own values over the defaults."""
    plain, marked = translator(lang)
    return {"admin": None, "active": "", "script": "", "refresh": 0, "lang": lang, "t": plain, "tm": marked,
            "here": request.path_qs, **context}


def render(request: web.Request, template: str, context: Mapping[str, Any], *, status: int = 200) -> web.Response:
    """Return a page drawn from a template with the given values."""
    values = _values(request, language(request), context)
    return aiohttp_jinja2.render_template(template, request, values, status=status)


async def render_apart(request: web.Request, template: str, context: Callable[[], Mapping[str, Any]]) -> web.Response:
    """Return a page as render() does, its values and HTML made on a worker thread: a long page (fifty rows, a year
    of charts) would otherwise hold up every chat while it is drawn."""
    lang = language(request)

    def draw() -> str:
        return aiohttp_jinja2.render_string(template, request, _values(request, lang, context()))

    return web.Response(text=await asyncio.to_thread(draw), content_type="text/html", charset="utf-8")


def redirect(location: str) -> web.Response:
    """Return a 303 to a page of this site, so reloading after a form does not send it again."""
    return web.Response(status=303, headers={"Location": location})


def page_number(request: web.Request) -> int:
    """Return the ?page= number asked for, 1 when missing or nonsense."""
    raw = request.query.get("page", "1")
    return max(1, whole_number(raw, 6) or 1)
