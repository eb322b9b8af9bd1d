"""The admin page's guard: a live session of a current admin, proved by a signed cookie, and CSRF tokens on forms."""

from __future__ import annotations

import contextvars
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.people.signin import Admin, Session, Sessions, page_language
from bot.ports import Messenger
from handlers.web.admin.layout import LANG, STYLES, language, policy, render

COOKIE = "ticketsmith_admin"
CSRF_FIELD = "csrf"
# Reachable without a session: the sign-in link itself, and the script the pages load (it holds no data).
OPEN_PATHS = ("/admin/login", "/admin/assets/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The sign-in link is in the address bar for a moment: no other site may learn it.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def admin_of(svc: App, user_id: int) -> tuple[bool, str]:
    """Say whether a user is an admin right now, and return their name for the page and the audit log."""
    person = svc.access.person(user_id)
    if person is None:
        return svc.access.is_admin(user_id, None), str(user_id)
    return person.role == "admin", person.label


def csrf_ok(session: Session, given: object) -> bool:
    """Say whether a form carried this session's CSRF token."""
    return isinstance(given, str) and hmac.compare_digest(given.encode(), session.csrf.encode())


@dataclass(frozen=True)
class AdminWeb:
    """What the admin pages share: the bot's services, the sessions, how the cookie is set, and the bot in Telegram."""

    svc: App
    sessions: Sessions
    secure_cookie: bool
    messenger: Messenger


STATE = web.AppKey("admin_web", AdminWeb)
# The admin the guard let through; each request is handled in its own task, so this is per request.
_ADMIN: contextvars.ContextVar[Admin | None] = contextvars.ContextVar("admin_web_admin", default=None)


def current(request: web.Request) -> Admin:
    """Return the admin the guard let through for this request."""
    admin = _ADMIN.get()
    assert admin is not None, f"{request.path} is not behind the admin guard"
    return admin


def signin_page(request: web.Request, lead: str = "", *, status: int = 401) -> web.Response:
    """Return the page that explains how to sign in: send /web to the bot."""
    state = request.app[STATE]
    lang = language(request)
    return render(request, "signin.html", {"title": t("page_signin_title", lang), "lead": lead,
                                           "username": state.messenger.username(),
                                           "minutes": state.sessions.link_minutes}, status=status)


def _secure(headers: MutableMapping[str, str], styles: list[str] | None = None) -> None:
    """Add the admin pages' security headers."""
    headers["Content-Security-Policy"] = policy(styles)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value


def set_cookie(state: AdminWeb, response: web.StreamResponse, value: str) -> None:
    """Give the browser the session cookie: not readable by scripts, not sent with other sites' forms."""
    response.set_cookie(COOKIE, value, max_age=int(state.sessions.hours * 3600), path="/admin", httponly=True,
                        samesite="Lax", secure=state.secure_cookie)


def drop_cookie(state: AdminWeb, response: web.StreamResponse) -> None:
    """Tell the browser to forget the session cookie."""
    response.del_cookie(COOKIE, path="/admin", secure=state.secure_cookie, httponly=True, samesite="Lax")


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a request through only with a live session of a current admin and, for forms, its CSRF token."""
    if request.path.startswith(OPEN_PATHS):
        return await handler(request)
    state = request.app[STATE]
    cookie = request.cookies.get(COOKIE)
    session = state.sessions.find(cookie)
    if session is None:
        lead = t("page_session_ended", language(request)) if cookie else ""
        response = signin_page(request, lead)
        if cookie:
            drop_cookie(state, response)
        return response
    # The role is checked on every request: an admin who was demoted is out at once.
    is_admin, name = admin_of(state.svc, session.user_id)
    if not is_admin:
        state.sessions.end(session.id)
        response = signin_page(request, t("page_not_admin", language(request)), status=403)
        drop_cookie(state, response)
        return response
    lang = page_language(state.svc.store, session.user_id)
    request[LANG] = lang
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        if not csrf_ok(session, form.get(CSRF_FIELD)):
            return render(request, "refused_form.html", {"title": t("page_refused_title", lang)}, status=403)
    token = _ADMIN.set(Admin(session.user_id, name, session, lang))
    try:
        return await handler(request)
    finally:
        _ADMIN.reset(token)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Guard /admin/*: sessions, roles and CSRF, plus strict security headers on every admin response."""
    if request.path != "/admin" and not request.path.startswith("/admin/"):
        return await handler(request)
    try:
        response = await _checked(request, handler)
    except web.HTTPException as exc:
        _secure(exc.headers)
        raise
    _secure(response.headers, request.get(STYLES))
    return response
