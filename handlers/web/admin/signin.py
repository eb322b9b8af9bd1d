"""The sign-in link's landing (a button that uses the link, a cookie, then the dashboard) and signing out."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from bot.i18n.catalog import t
from bot.people.signin import page_language
from handlers.web.admin.auth import STATE, AdminWeb, admin_of, current, drop_cookie, set_cookie, signin_page
from handlers.web.admin.layout import LANG, language, query, redirect, render

# Tokens are 43 characters; anything much longer is not one of ours and is not looked up.
MAX_TOKEN = 100
# Ties the sign-in button to the browser that opened the link, so no other site can sign someone in as another.
LOGIN_COOKIE = "ticketsmith_login"


def _token(value: object) -> str:
    """Return a sign-in token as given, or "" for one that cannot be ours."""
    return value if isinstance(value, str) and len(value) <= MAX_TOKEN else ""


def _refused(request: web.Request, state: AdminWeb, token: str) -> tuple[int | None, web.Response | None]:
    """Return whose a link is and, when it does not work, the page that says why (without using it up)."""
    if not token:
        lead = t("page_link_unknown", language(request)) if request.query.get("token") else ""
        return None, signin_page(request, lead, status=401)
    user_id, refusal = state.sessions.peek(token)
    if user_id is not None:
        request[LANG] = page_language(state.svc.store, user_id)
        refusal = None if admin_of(state.svc, user_id)[0] else "not_admin"
    if user_id is None or refusal is not None:
        return None, signin_page(request, t(f"page_link_{refusal or 'unknown'}", language(request)), status=403)
    return user_id, None


async def confirm(request: web.Request) -> web.StreamResponse:
    """Show a sign-in link's button; the link is used only by pressing it, not by a preview that fetches the URL."""
    state = request.app[STATE]
    token = _token(request.query.get("token", ""))
    _, refusal = _refused(request, state, token)
    if refusal is not None:
        return refusal
    nonce = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"title": t("page_signin_title", language(request)), "token": token,
                                              "nonce": nonce})
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=int(state.sessions.link_minutes * 60), path="/admin/login",
                        httponly=True, samesite="Strict", secure=state.secure_cookie)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    """Use a one-time link: open a session, set its cookie and go to the dashboard."""
    state = request.app[STATE]
    form = await request.post()
    token, nonce = _token(form.get("token", "")), form.get("csrf", "")
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not (isinstance(nonce, str) and expected and hmac.compare_digest(nonce.encode(), expected.encode())):
        # Not pressed on the page this browser opened: show that page again, the link still unused.
        return redirect(query("/admin/login", {"token": token}))
    user_id, refusal = _refused(request, state, token)
    if refusal is not None or user_id is None:
        return refusal or signin_page(request, status=401)
    user_id, why = state.sessions.redeem(token)
    if user_id is None:
        return signin_page(request, t(f"page_link_{why or 'unknown'}", language(request)), status=403)
    name = admin_of(state.svc, user_id)[1]
    _, cookie = state.sessions.open(user_id)
    state.svc.audit.record(user_id, name, "web.signin", "signed in to the admin page with a /web link")
    response = redirect("/admin/")
    set_cookie(state, response, cookie)
    response.del_cookie(LOGIN_COOKIE, path="/admin/login")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session and forget the cookie."""
    state = request.app[STATE]
    state.sessions.end(current(request).session.id)
    response = render(request, "signed_out.html", {"title": t("page_signed_out_title", language(request))})
    drop_cookie(state, response)
    return response
