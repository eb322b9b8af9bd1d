"""The admin page's language switch: the choice is kept for the admin, on every device they sign in from."""

from __future__ import annotations

from aiohttp import web

from bot.people.signin import choose_page_language
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import redirect


def _local(back: str) -> str:
    """Return the admin page to go back to; anything that is not one of this site's admin pages goes home."""
    if back.startswith("/admin") and not back.startswith("//") and "\\" not in back and len(back) <= 2000:
        return back
    return "/admin/"


async def choose(request: web.Request) -> web.Response:
    """Read the admin page in the chosen language from now on, and show the same page again."""
    admin, svc = current(request), request.app[STATE].svc
    form = await request.post()
    choose_page_language(svc.store, admin.user_id, str(form.get("lang", "")))
    return redirect(_local(str(form.get("back", ""))))
