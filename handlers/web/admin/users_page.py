"""The users page: people and their roles, invite links, and strangers waiting for access."""

from __future__ import annotations

from aiohttp import web

from bot.app import App
from bot.people.access import REVOKED, ROLES, Person
from bot.people.access_requests import AccessRequests
from bot.people.invites import Invites, invite_link, parse_expiry
from bot.people.roles import VERDICTS, cancel_invite, create_invite, decide_request, give_role
from bot.people.signin import Admin
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import query, redirect, render, when

EXPIRIES = (("1h", "1 hour"), ("12h", "12 hours"), ("1d", "1 day"), ("3d", "3 days"), ("7d", "7 days"),
            ("30d", "30 days"), ("90d", "90 days"))
ROLE_NAMES = {"admin": "admin", "sales": "salesperson", REVOKED: "revoked", None: "no role"}
REFUSED = {
    "forbidden": "Only admins can do that.",
    "bootstrap": "{name} is an admin in the config file; only the config file can change that.",
    "self": "You cannot demote or revoke yourself. Ask another admin.",
    "last_admin": "{name} is the last admin. Make someone else an admin first.",
    "unchanged": "{name} already has that role.",
    "decided": "That request was already decided.",
    "expiry": "Choose how long the invite works: from 1 hour to 90 days.",
    "role": "Choose a role: salesperson or admin.",
    "gone": "That person is not known to the bot.",
    "invite_gone": "That invite was already used or withdrawn.",
}
DONE = {
    "admin": "{name} is now an admin.",
    "sales": "{name} is now a salesperson.",
    REVOKED: "{name} can no longer use the bot.",
    "approved": "{name} may use the bot now.",
    "denied": "{name}'s request was denied.",
    "cancelled": "The invite was withdrawn: its link no longer works.",
}


def _name(svc: App, user_id: object) -> str:
    """Return a person's label for a notice, looked up here rather than taken from the address bar."""
    found = _user_id(user_id)
    person = svc.access.person(found) if found is not None else None
    return person.label if person else "That person"


def _notice(request: web.Request, svc: App) -> tuple[str, str]:
    """Return the notice a redirect after a change asked for, and its tone."""
    name = _name(svc, request.query.get("user", ""))
    refused, done = request.query.get("refused", ""), request.query.get("done", "")
    if refused in REFUSED:
        return REFUSED[refused].format(name=name), "bad"
    if request.query.get("invite"):
        return "Invite link made: send it to the person (marked new below). It works once.", ""
    if done in DONE:
        told = " They were told in Telegram." if request.query.get("told") == "1" else ""
        untold = " Telegram could not be reached to tell them." if request.query.get("told") == "0" else ""
        dropped = " Their unfinished request was discarded." if request.query.get("dropped") == "1" else ""
        return DONE[done].format(name=name) + dropped + told + untold, ""
    return "", ""


def _pending(svc: App) -> list[dict[str, object]]:
    """Return the strangers waiting for access."""
    return [{"label": found.label, "user_id": found.user_id, "lang": found.lang,
             "asked": when(found.requested_at, svc.config.timezone)}
            for found in AccessRequests(svc.store).pending()]


def _invites(svc: App, people: list[Person], username: str | None, fresh: str) -> list[dict[str, object]]:
    """Return the invites nobody used yet, each with its t.me link (or its code before the bot is known)."""
    makers = {person.id: person for person in people}
    found = []
    for invite in Invites(svc.store).pending():
        maker = makers.get(invite.created_by) if invite.created_by is not None else None
        found.append({"role": ROLE_NAMES.get(invite.role, invite.role), "new": invite.code == fresh,
                      "link": invite_link(username, invite.code) if username else invite.code,
                      "maker": maker.label if maker else "—", "code": invite.code,
                      "until": when(invite.expires_at, svc.config.timezone)})
    return found


# A role button: the role it gives, its label, its look, and the "sure?" question before it, if any.
Button = tuple[str, str, str, str | None]
REVOKE: Button = (REVOKED, "Revoke", "danger", "They are refused from now on.")


def _buttons(person: Person) -> list[Button]:
    """Return the role buttons an admin may use on a person."""
    choices: dict[str, list[Button]] = {
        "admin": [("sales", "Make salesperson", "plain", None), REVOKE],
        "sales": [("admin", "Make admin", "plain", None), REVOKE],
        REVOKED: [("sales", "Restore", "plain", None)],
    }
    return choices.get(person.role or "", [("sales", "Make salesperson", "plain", None),
                                           ("admin", "Make admin", "plain", None)])


def _people(admin: Admin, svc: App, people: list[Person]) -> list[dict[str, object]]:
    """Return everyone the bot knows, with their role and the buttons to change it."""
    found: list[dict[str, object]] = []
    for person in people:
        note = ("admin in the config file" if person.bootstrap else "you" if person.id == admin.user_id else "")
        found.append({"name": person.name or person.label, "username": person.username,
                      "tone": {"admin": "admin", REVOKED: "revoked"}.get(person.role or "", ""),
                      "role": ROLE_NAMES.get(person.role, person.role), "blocked": not person.reachable,
                      "seen": when(person.last_seen, svc.config.timezone), "requests": person.requests,
                      "id": person.id, "note": note, "buttons": [] if note else _buttons(person)})
    return found


async def users_home(request: web.Request) -> web.Response:
    """Show access requests, invites and people."""
    admin, state = current(request), request.app[STATE]
    svc = state.svc
    people = svc.access.people()
    notice, tone = _notice(request, svc)
    return render(request, "users.html", {
        "admin": admin, "active": "users", "title": "Users", "notice": notice, "tone": tone,
        "pending": _pending(svc), "expiries": EXPIRIES,
        "invites": _invites(svc, people, state.messenger.username(), request.query.get("invite", "")),
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
