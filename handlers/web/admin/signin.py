"""The sign-in link's landing (a cookie, then the dashboard) and signing out."""

from __future__ import annotations

from aiohttp import web

from handlers.web.admin.auth import STATE, admin_of, current, drop_cookie, set_cookie, signin_page
from handlers.web.admin.layout import redirect, render

# Tokens are 43 characters; anything much longer is not one of ours and is not looked up.
MAX_TOKEN = 100
REFUSALS = {
    "unknown": "This sign-in link is not valid. Links work only exactly as the bot sent them.",
    "used": "This sign-in link was already used: each link works once.",
    "expired": "This sign-in link has expired.",
    "not_admin": "This Telegram account is not an admin (any more), so it cannot sign in.",
}


async def login(request: web.Request) -> web.StreamResponse:
    """Use a one-time link: open a session, set its cookie and go to the dashboard."""
    state = request.app[STATE]
    token = request.query.get("token", "")
    if not token or len(token) > MAX_TOKEN:
        return signin_page(request, REFUSALS["unknown"] if token else "", status=401)
    user_id, refusal = state.sessions.redeem(token)
    if user_id is not None:
        is_admin, name = admin_of(state.svc, user_id)
        refusal = None if is_admin else "not_admin"
    if user_id is None or refusal is not None:
        return signin_page(request, REFUSALS[refusal or "unknown"], status=403)
    _, cookie = state.sessions.open(user_id)
    state.svc.audit.record(user_id, name, "web.signin", "signed in to the admin page with a /web link")
    response = redirect("/admin/")
    set_cookie(state, response, cookie)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session and forget the cookie."""
    state = request.app[STATE]
    state.sessions.end(current(request).session.id)
    response = render(request, "signed_out.html", {"title": "Signed out"})
    drop_cookie(state, response)
    return response
