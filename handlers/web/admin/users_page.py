"""The users page: people and their roles, invite links, and strangers waiting for access."""

from __future__ import annotations

from aiohttp import web

from bot.app import App
from bot.people.access import REVOKED, ROLES, Person
from bot.people.access_requests import AccessRequests
from bot.people.invites import Invite, Invites, invite_link, parse_expiry
from bot.people.roles import VERDICTS, cancel_invite, create_invite, decide_request, give_role
from bot.people.signin import Admin
from bot.text.screen import whole_number
from handlers.web.admin.auth import STATE, current
from handlers.web.admin.layout import (
    Cell,
    csrf_field,
    esc,
    flash,
    page,
    post_button,
    query,
    redirect,
    select,
    table,
    when,
)

EXPIRIES = (("1h", "1 hour"), ("12h", "12 hours"), ("1d", "1 day"), ("3d", "3 days"), ("7d", "7 days"),
            ("30d", "30 days"), ("90d", "90 days"))
ROLE_NAMES = {"admin": "admin", "lead": "lead", "sales": "salesperson", REVOKED: "revoked", None: "no role"}
REFUSED = {
    "forbidden": "Only admins can do that.",
    "bootstrap": "{name} is an admin in the config file; only the config file can change that.",
    "self": "You cannot demote or revoke yourself. Ask another admin.",
    "last_admin": "{name} is the last admin. Make someone else an admin first.",
    "unchanged": "{name} already has that role.",
    "decided": "That request was already decided.",
    "expiry": "Choose how long the invite works: from 1 hour to 90 days.",
    "role": "Choose a role: salesperson, lead or admin.",
    "gone": "That person is not known to the bot.",
    "invite_gone": "That invite was already used or withdrawn.",
}
DONE = {
    "admin": "{name} is now an admin.",
    "sales": "{name} is now a salesperson.",
    "lead": "{name} is now a lead: they also approve requests that wait for approval.",
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


def _notice(request: web.Request, svc: App) -> str:
    """Return the notice a redirect after a change asked for."""
    name = _name(svc, request.query.get("user", ""))
    refused, done = request.query.get("refused", ""), request.query.get("done", "")
    if refused in REFUSED:
        return flash(REFUSED[refused].format(name=name), "bad")
    if request.query.get("invite"):
        return flash("Invite link made: send it to the person (marked new below). It works once.")
    if done in DONE:
        told = " They were told in Telegram." if request.query.get("told") == "1" else ""
        untold = " Telegram could not be reached to tell them." if request.query.get("told") == "0" else ""
        dropped = " Their unfinished request was discarded." if request.query.get("dropped") == "1" else ""
        return flash(DONE[done].format(name=name) + dropped + told + untold)
    return ""


def _requests(admin: Admin, svc: App) -> str:
    """List strangers waiting for access, each with Approve / Approve as admin / Deny."""
    pending = AccessRequests(svc.store).pending()
    if not pending:
        return ""
    rows: list[tuple[Cell, ...]] = []
    for found in pending:
        values = {"user_id": found.user_id}
        actions = (post_button(admin, "/admin/users/access", "Approve", values={**values, "verdict": "sales"})
                   + " " + post_button(admin, "/admin/users/access", "Approve as admin", style="plain",
                                       values={**values, "verdict": "admin"})
                   + " " + post_button(admin, "/admin/users/access", "Deny", style="danger",
                                       values={**values, "verdict": "deny"},
                                       confirm="They can ask again after a day."))
        rows.append((esc(found.label), (str(found.user_id), "num"), esc(found.lang),
                     (esc(when(found.requested_at, svc.config.timezone)), "num"),
                     f'<div class="actions">{actions}</div>'))
    return (f"<h2>Waiting for access ({len(pending)})</h2>"
            + table(("Who", "Telegram id", "Language", "Asked", ""), rows))


def _link(username: str | None, invite: Invite) -> str:
    """Return the invite's t.me link in a box that is easy to copy, or its code before the bot is known."""
    link = invite_link(username, invite.code) if username else invite.code
    return (f'<input type="text" readonly value="{esc(link)}" aria-label="Invite link" '
            f'style="min-width:16rem">')


def _invites(admin: Admin, svc: App, people: list[Person], username: str | None, fresh: str) -> str:
    """Return the invite form and the invites nobody used yet."""
    roles = select("role", [("sales", "Salesperson"), ("lead", "Lead"), ("admin", "Admin")], "sales")
    expiries = select("valid", EXPIRIES, "7d")
    form = (f'<form method="post" action="/admin/users/invite" class="card filters">{csrf_field(admin)}'
            f'<div><label for="f-role">Role</label>{roles}</div>'
            f'<div><label for="f-valid">Works for</label>{expiries}</div>'
            f"<div><button>Make an invite link</button></div></form>")
    rows: list[tuple[Cell, ...]] = []
    makers = {person.id: person for person in people}
    for invite in Invites(svc.store).pending():
        maker = makers.get(invite.created_by) if invite.created_by is not None else None
        new = ' <span class="pill ok">new</span>' if invite.code == fresh else ""
        cancel = post_button(admin, "/admin/users/invite/cancel", "Withdraw", style="plain",
                             values={"code": invite.code})
        rows.append((esc(ROLE_NAMES.get(invite.role, invite.role)) + new, _link(username, invite),
                     esc(maker.label if maker else "—"),
                     (esc(when(invite.expires_at, svc.config.timezone)), "num"), cancel))
    listing = (table(("Role", "Link (send it to the person)", "Made by", "Works until", ""), rows)
               if rows else '<p class="muted">No invite is waiting to be used.</p>')
    hint = ('<p class="small muted">An invite link works once: whoever opens it first in Telegram gets the role. '
            "Withdraw it if it went to the wrong person.</p>")
    return f'<h2>Invite someone</h2>{form}<h2 id="invites">Invites not used yet</h2>{hint}{listing}'


def _actions(admin: Admin, person: Person) -> str:
    """Return the role buttons an admin may use on a person."""
    if person.bootstrap:
        return '<span class="small muted">admin in the config file</span>'
    if person.id == admin.user_id:
        return '<span class="small muted">you</span>'
    values = {"user_id": person.id}

    def role_button(role: str, label: str, style: str = "plain", confirm: str | None = None) -> str:
        """Return a button that gives the person a role."""
        return post_button(admin, "/admin/users/role", label, values={**values, "role": role}, style=style,
                           confirm=confirm)

    buttons = {
        "admin": [role_button("sales", "Make salesperson"), role_button("lead", "Make lead"),
                  role_button(REVOKED, "Revoke", "danger", "They are refused from now on.")],
        "lead": [role_button("sales", "Make salesperson"), role_button("admin", "Make admin"),
                 role_button(REVOKED, "Revoke", "danger", "They are refused from now on.")],
        "sales": [role_button("lead", "Make lead"), role_button("admin", "Make admin"),
                  role_button(REVOKED, "Revoke", "danger", "They are refused from now on.")],
        REVOKED: [role_button("sales", "Restore")],
    }.get(person.role or "", [role_button("sales", "Make salesperson"), role_button("admin", "Make admin")])
    return f'<div class="actions">{" ".join(buttons)}</div>'


def _people(admin: Admin, svc: App, people: list[Person]) -> str:
    """Return everyone the bot knows, with their role and the buttons to change it."""
    rows: list[tuple[Cell, ...]] = []
    for person in people:
        tone = {"admin": "admin", REVOKED: "revoked"}.get(person.role or "", "")
        blocked = "" if person.reachable else ' <span class="pill bad">blocked the bot</span>'
        handle = f'<div class="small muted">@{esc(person.username)}</div>' if person.username else ""
        role = f'<span class="pill {tone}">{esc(ROLE_NAMES.get(person.role, person.role))}</span>{blocked}'
        rows.append((esc(person.name or person.label) + handle, role,
                     (esc(when(person.last_seen, svc.config.timezone)), "num"), (str(person.requests), "num"),
                     (str(person.id), "num"), _actions(admin, person)))
    return "<h2>People</h2>" + table(("Name", "Role", "Last seen", "Requests", "Telegram id", ""), rows)


async def users_home(request: web.Request) -> web.Response:
    """Show access requests, invites and people."""
    admin, state = current(request), request.app[STATE]
    svc = state.svc
    people = svc.access.people()
    body = (_notice(request, svc) + _requests(admin, svc)
            + _invites(admin, svc, people, state.messenger.username(), request.query.get("invite", ""))
            + _people(admin, svc, people))
    return page(admin, "users", "Users", body)


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
