"""The users page: people and their roles, invite links, and strangers waiting for access."""

from __future__ import annotations

from aiohttp import web

from bot.app import App
from bot.i18n.catalog import t
from bot.people.access import REVOKED, ROLES, Person
from bot.people.access_requests import AccessRequests
from bot.people.invites import Invites, invite_link, parse_expiry
from bot.people.roles import VERDICTS, cancel_invite, create_invite, decide_request, give_role
from bot.people.signin import Admin
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import query, redirect, render, when

# How long an invite may work: (what the form sends, hours or days, how many).
EXPIRIES = (("1h", "page_hours", 1), ("12h", "page_hours", 12), ("1d", "page_days", 1), ("3d", "page_days", 3),
            ("7d", "page_days", 7), ("30d", "page_days", 30), ("90d", "page_days", 90))
# A role as the page's texts name it: page_role_<this>.
ROLE_KEYS = {"admin": "admin", "lead": "lead", "sales": "sales", REVOKED: "revoked", None: "none"}
REFUSED = ("forbidden", "bootstrap", "self", "last_admin", "unchanged", "decided", "expiry", "role", "gone",
           "invite_gone")
DONE = {"admin", "lead", "sales", REVOKED, "approved", "denied", "cancelled"}


def _name(svc: App, user_id: object, lang: str) -> str:
    """Return a person's label for a notice, looked up here rather than taken from the address bar."""
    found = _user_id(user_id)
    person = svc.access.person(found) if found is not None else None
    return person.label if person else t("page_that_person", lang)


def _notice(request: web.Request, svc: App, lang: str) -> tuple[str, str]:
    """Return the notice a redirect after a change asked for, and its tone."""
    name = _name(svc, request.query.get("user", ""), lang)
    refused, done = request.query.get("refused", ""), request.query.get("done", "")
    if refused in REFUSED:
        return t(f"page_refused_{refused}", lang, name=name), "bad"
    if request.query.get("invite"):
        return t("page_invite_made", lang), ""
    if done in DONE:
        parts = [t(f"page_done_{done}", lang, name=name)]
        if request.query.get("dropped") == "1":
            parts.append(t("page_dropped", lang))
        told = request.query.get("told")
        if told in ("0", "1"):
            parts.append(t("page_told" if told == "1" else "page_untold", lang))
        return " ".join(parts), ""
    return "", ""


def _pending(svc: App, lang: str) -> list[dict[str, object]]:
    """Return the strangers waiting for access."""
    return [{"label": found.label, "user_id": found.user_id, "lang": found.lang,
             "asked": when(found.requested_at, svc.config.timezone, lang)}
            for found in AccessRequests(svc.store).pending()]


def _invites(svc: App, people: list[Person], username: str | None, fresh: str, lang: str) -> list[dict[str, object]]:
    """Return the invites nobody used yet, each with its t.me link (or its code before the bot is known)."""
    makers = {person.id: person for person in people}
    found = []
    for invite in Invites(svc.store).pending():
        maker = makers.get(invite.created_by) if invite.created_by is not None else None
        found.append({"role": ROLE_KEYS.get(invite.role, "none"), "new": invite.code == fresh,
                      "link": invite_link(username, invite.code) if username else invite.code,
                      "maker": maker.label if maker else "—", "code": invite.code,
                      "until": when(invite.expires_at, svc.config.timezone, lang)})
    return found


# A role button: the role it gives, its label's key, its look, and the key of the "sure?" question before it, if any.
Button = tuple[str, str, str, str | None]
REVOKE: Button = (REVOKED, "page_revoke", "danger", "page_revoke_confirm")
MAKE_SALES: Button = ("sales", "page_make_sales", "plain", None)
MAKE_ADMIN: Button = ("admin", "page_make_admin", "plain", None)
MAKE_LEAD: Button = ("lead", "page_make_lead", "plain", None)


def _buttons(person: Person) -> list[Button]:
    """Return the role buttons an admin may use on a person."""
    choices: dict[str, list[Button]] = {
        "admin": [MAKE_SALES, MAKE_LEAD, REVOKE],
        "lead": [MAKE_SALES, MAKE_ADMIN, REVOKE],
        "sales": [MAKE_LEAD, MAKE_ADMIN, REVOKE],
        REVOKED: [("sales", "page_restore", "plain", None)],
    }
    return choices.get(person.role or "", [MAKE_SALES, MAKE_ADMIN])


def _people(admin: Admin, svc: App, people: list[Person]) -> list[dict[str, object]]:
    """Return everyone the bot knows, with their role and the buttons to change it."""
    found: list[dict[str, object]] = []
    for person in people:
        note = "page_config_admin" if person.bootstrap else "page_you" if person.id == admin.user_id else ""
        found.append({"name": person.name or person.label, "username": person.username,
                      "tone": {"admin": "admin", REVOKED: "revoked"}.get(person.role or "", ""),
                      "role": ROLE_KEYS.get(person.role, "none"), "blocked": not person.reachable,
                      "seen": when(person.last_seen, svc.config.timezone, admin.lang), "requests": person.requests,
                      "id": person.id, "note": note, "buttons": [] if note else _buttons(person)})
    return found


async def users_home(request: web.Request) -> web.Response:
    """Show access requests, invites and people."""
    admin, state = current(request), request.app[STATE]
    svc = state.svc
    people = svc.access.people()
    lang = admin.lang
    notice, tone = _notice(request, svc, lang)
    expiries = [(value, t(key, lang, count=count)) for value, key, count in EXPIRIES]
    return render(request, "users.html", {
        "admin": admin, "active": "users", "title": t("page_nav_users", lang), "notice": notice, "tone": tone,
        "pending": _pending(svc, lang), "expiries": expiries,
        "invites": _invites(svc, people, state.messenger.username(), request.query.get("invite", ""), lang),
        "people": _people(admin, svc, people)})


def _user_id(value: object) -> int | None:
    """Return the user id a form names, if it is a number."""
    raw = value if isinstance(value, str) else ""
    return whole_number(raw)


async def set_role(request: web.Request) -> web.Response:
    """Give a person a role, revoke or restore them, by the same rules as in Telegram; tell them there."""
    admin, state = current(request), request.app[STATE]
    svc = state.svc
    form = await request.post()
    target, role = _user_id(form.get("user_id")), str(form.get("role", ""))
    if role not in (*ROLES, REVOKED):
        return redirect(query("/admin/users", {"refused": "role"}))
    if target is None:
        return redirect(query("/admin/users", {"refused": "gone"}))
    change = give_role(svc.access, target, role, admin.user_id, admin.name)
    if change.refusal == "gone" or change.before is None:
        return redirect(query("/admin/users", {"refused": "gone"}))
    if change.refusal is not None:
        return redirect(query("/admin/users", {"refused": change.refusal, "user": target}))
    told = await state.messenger.announce_role(change.before, role, change.discarded)
    return redirect(query("/admin/users", {"done": role, "user": target, "told": int(told),
                                           "dropped": 1 if change.discarded else None}))


async def decide(request: web.Request) -> web.Response:
    """Approve or deny a stranger's request for access; every admin's copy in Telegram shows the outcome."""
    admin, state = current(request), request.app[STATE]
    svc = state.svc
    form = await request.post()
    target, verdict = _user_id(form.get("user_id")), str(form.get("verdict", ""))
    if target is None or verdict not in VERDICTS:
        return redirect(query("/admin/users", {"refused": "gone"}))
    decision = decide_request(svc.access, AccessRequests(svc.store), target, verdict, admin.user_id, admin.name)
    if decision.refusal is not None or decision.request is None:
        return redirect(query("/admin/users", {"refused": decision.refusal or "gone"}))
    told = await state.messenger.announce_access_decision(decision.request)
    done = "denied" if verdict == "deny" else "approved"
    return redirect(query("/admin/users", {"done": done, "user": target, "told": int(told)}))


async def make_invite(request: web.Request) -> web.Response:
    """Make an invite link for a role, valid for the chosen time."""
    admin, svc = current(request), request.app[STATE].svc
    form = await request.post()
    role = str(form.get("role", ""))
    if role not in ROLES:
        return redirect(query("/admin/users", {"refused": "role"}))
    try:
        ttl = parse_expiry(str(form.get("valid", "")))
    except ValueError:
        return redirect(query("/admin/users", {"refused": "expiry"}))
    invite = create_invite(svc.access, Invites(svc.store), role, admin.user_id, admin.name, ttl)
    return redirect(query("/admin/users", {"invite": invite.code}) + "#invites")


async def withdraw_invite(request: web.Request) -> web.Response:
    """Withdraw an invite nobody used yet."""
    admin, svc = current(request), request.app[STATE].svc
    form = await request.post()
    if not cancel_invite(svc.access, Invites(svc.store), str(form.get("code", ""))[:80], admin.user_id, admin.name):
        return redirect(query("/admin/users", {"refused": "invite_gone"}))
    return redirect(query("/admin/users", {"done": "cancelled"}))
