"""Signing in to the admin page: one-time links from /web, server-side sessions in a signed cookie, CSRF tokens."""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from telegram import Bot

from bot.app import App
from bot.storage.store import Store
from handlers.web.admin.layout import CSP, bare, esc

COOKIE = "ticketsmith_admin"
SECRET_ENV = "TICKETSMITH_WEB_SECRET"
SECRET_SETTING = "web_session_secret"
CSRF_FIELD = "csrf"
# Reachable without a session: the sign-in link itself, and the script the pages load (it holds no data).
OPEN_PATHS = ("/admin/login", "/admin/assets/")

LoginRefusal = Literal["unknown", "used", "expired", "not_admin"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The sign-in link is in the address bar for a moment: no other site may learn it.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _digest(value: str) -> str:
    """Return the SHA-256 of a token: the database never holds a token that would sign anyone in."""
    return hashlib.sha256(value.encode()).hexdigest()


def create_login(store: Store, user_id: int, ttl_seconds: float) -> str:
    """Make a one-time sign-in token for an admin; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = store.clock()
    with store.transaction():
        # Old links and sessions go when new ones are made, so the tables stay small.
        store.db.execute("DELETE FROM web_logins WHERE expires_at < ?", [now - 86400])
        store.db.execute("DELETE FROM web_sessions WHERE expires_at < ?", [now])
        store.db.table("web_logins").insert({"token_hash": _digest(token), "user_id": user_id, "created_at": now,
                                             "expires_at": now + ttl_seconds, "used_at": None})
    return token


def login_url(base_url: str, token: str) -> str:
    """Return the address an admin opens to sign in."""
    return f"{base_url.rstrip('/')}/admin/login?token={token}"


@dataclass(frozen=True)
class Session:
    """A signed-in admin's session, kept server side so signing out and expiry are real."""

    id: str
    user_id: int
    csrf: str
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Admin:
    """The admin behind the current request."""

    user_id: int
    name: str
    session: Session

    @property
    def csrf(self) -> str:
        """Return the token every form of this session must carry back."""
        return self.session.csrf


def signing_key(store: Store, env: Mapping[str, str] | None = None) -> bytes:
    """Return the cookie signing key: the environment's if set, else one made once and kept in the database."""
    given = (os.environ if env is None else env).get(SECRET_ENV, "")
    if given:
        return given.encode()
    stored = store.get_setting(SECRET_SETTING)
    if not stored:
        stored = secrets.token_hex(32)
        store.put_setting(SECRET_SETTING, stored)
    return stored.encode()


class Sessions:
    """Redeems sign-in links and opens, checks and ends sessions."""

    def __init__(self, store: Store, key: bytes, hours: float, link_minutes: float) -> None:
        self.store = store
        self.key = key
        self.hours = hours
        self.link_minutes = link_minutes

    def redeem(self, token: str) -> tuple[int | None, LoginRefusal | None]:
        """Use a sign-in token once; return the admin's id, or why the link does not work."""
        now = self.store.clock()
        with self.store.transaction():
            row = self.store.db.execute("SELECT user_id, expires_at, used_at FROM web_logins WHERE token_hash = ?",
                                        [_digest(token)]).fetchone()
            if row is None:
                return None, "unknown"
            user_id, expires_at, used_at = row
            if used_at is not None:
                return None, "used"
            if expires_at < now:
                return None, "expired"
            self.store.db.execute("UPDATE web_logins SET used_at = ? WHERE token_hash = ?", [now, _digest(token)])
        return int(user_id), None

    def open(self, user_id: int) -> tuple[Session, str]:
        """Start a session; return it and the cookie value that proves it."""
        now = self.store.clock()
        session_id = secrets.token_urlsafe(24)
        session = Session(session_id, user_id, secrets.token_urlsafe(24), now, now + self.hours * 3600)
        self.store.db.table("web_sessions").insert({"id": _digest(session_id), "user_id": user_id,
                                                    "csrf": session.csrf, "created_at": now,
                                                    "expires_at": session.expires_at})
        return session, f"{session_id}.{self._sign(session_id)}"

    def _sign(self, session_id: str) -> str:
        """Return the cookie's signature of a session id."""
        return hmac.new(self.key, session_id.encode(), hashlib.sha256).hexdigest()

    def find(self, cookie: str | None) -> Session | None:
        """Return the live session a cookie proves, or None (unsigned, tampered, unknown or expired)."""
        if not cookie or "." not in cookie:
            return None
        session_id, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(session_id).encode()):
            return None
        row = self.store.db.execute("SELECT user_id, csrf, created_at, expires_at FROM web_sessions WHERE id = ?",
                                    [_digest(session_id)]).fetchone()
        if row is None:
            return None
        if row[3] <= self.store.clock():
            self.end(session_id)
            return None
        return Session(session_id, int(row[0]), str(row[1]), float(row[2]), float(row[3]))

    def end(self, session_id: str) -> None:
        """End a session (sign-out, or its admin lost the role)."""
        self.store.db.execute("DELETE FROM web_sessions WHERE id = ?", [_digest(session_id)])


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
    """What the admin pages share: the bot's services, the sessions and how the cookie is set."""

    svc: App
    sessions: Sessions
    secure_cookie: bool

    def telegram(self, app: web.Application) -> Bot | None:
        """Return the running bot, to tell people in Telegram what an admin did on the page."""
        # Imported here: handlers.web.server imports this package to add its routes.
        from handlers.web.server import APPLICATION

        application = app.get(APPLICATION)
        return application.bot if application is not None else None

    def bot_username(self, app: web.Application) -> str | None:
        """Return the bot's @username, known once the Telegram application has started."""
        bot = self.telegram(app)
        try:
            return str(bot.username) if bot is not None else None
        except RuntimeError:
            return None


STATE = web.AppKey("admin_web", AdminWeb)
# The admin the guard let through; each request is handled in its own task, so this is per request.
_ADMIN: contextvars.ContextVar[Admin | None] = contextvars.ContextVar("admin_web_admin", default=None)


def current(request: web.Request) -> Admin:
    """Return the admin the guard let through for this request."""
    admin = _ADMIN.get()
    assert admin is not None, f"{request.path} is not behind the admin guard"
    return admin


def signin_page(state: AdminWeb, app: web.Application, lead: str = "", *, status: int = 401) -> web.Response:
    """Return the page that explains how to sign in: send /web to the bot."""
    username = state.bot_username(app)
    bot = f"<b>@{esc(username)}</b>" if username else "the bot"
    body = (f'{f"<p>{esc(lead)}</p>" if lead else ""}'
            f"<p>To open the admin page, send <b>/web</b> to {bot} in Telegram. It answers admins with a sign-in "
            f"link that works once, for {state.sessions.link_minutes:g} minutes.</p>")
    return bare("Sign in", body, status=status)


def _secure(headers: MutableMapping[str, str]) -> None:
    """Add the admin pages' security headers."""
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
        lead = "Your session has ended. Please sign in again." if cookie else ""
        response = signin_page(state, request.app, lead)
        if cookie:
            drop_cookie(state, response)
        return response
    # The role is checked on every request: an admin who was demoted is out at once.
    is_admin, name = admin_of(state.svc, session.user_id)
    if not is_admin:
        state.sessions.end(session.id)
        response = signin_page(state, request.app, "This Telegram account is not an admin (any more).", status=403)
        drop_cookie(state, response)
        return response
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        if not csrf_ok(session, form.get(CSRF_FIELD)):
            body = ("<p>This form is out of date or did not come from the admin page, so nothing was changed.</p>"
                    '<p><a href="/admin/">Back to the admin page</a></p>')
            return bare("Nothing changed", body, status=403)
    token = _ADMIN.set(Admin(session.user_id, name, session))
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
    _secure(response.headers)
    return response
