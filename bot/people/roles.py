"""The rules for changing who may use the bot, shared by Telegram and the admin page, each change audited."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalog import t
from bot.people.access import REVOKED, ROLES, Access, Person
from bot.people.access_requests import AccessRequest, AccessRequests
from bot.people.audit import Audit
from bot.people.invites import Invite, InviteError, Invites
from bot.storage.store import StoredDraft

# Why a role change is refused: the actor is no admin, the target is an admin from the config file, the actor
# would demote or revoke themselves, the last admin would go, or the target has that role already.
REFUSALS = ("forbidden", "bootstrap", "self", "last_admin", "unchanged")
VERDICTS = ("sales", "admin", "deny")
# Why a decision on a request for access changed nothing: the actor is no admin, there is no request from that
# person, or an admin decided it already (the first decision wins).
DECISION_REFUSALS = ("forbidden", "gone", "decided")


@dataclass(frozen=True)
class RoleChange:
    """An admin's change to someone's role: the person before and after, and why nothing changed, if it did not.

    discarded is the unfinished request a revoke threw away; before is None only when the person is unknown
    (refusal 'gone').
    """

    before: Person | None
    after: Person | None
    refusal: str | None = None
    discarded: StoredDraft | None = None


@dataclass(frozen=True)
class AccessDecision:
    """An admin's decision on a request for access: the request as it now stands, and why it was not taken."""

    request: AccessRequest | None
    refusal: str | None = None


def describe(name: str, username: str | None, user_id: int) -> str:
    """Return "Ann Smith (@ann, 101)" for audit entries."""
    parts = [f"@{username}" if username else "", str(user_id)]
    return f"{name} ({', '.join(p for p in parts if p)})" if name else ", ".join(p for p in parts if p)


def _audit(access: Access) -> Audit:
    """Return the audit log of the database Access works on."""
    assert access.store is not None, "changing people needs the database"
    return Audit(access.store)


def _target(access: Access, user_id: int) -> tuple[str, str | None]:
    """Return the name and username the bot knows for a user."""
    person = access.person(user_id)
    return (person.name, person.username) if person else ("", None)


def change_role(access: Access, target_id: int, role: str, actor_id: int, actor_name: str) -> str | None:
    """Give target_id a role ('sales', 'admin' or 'revoked'); return a reason from REFUSALS, or None when done.

    Revoking also discards the target's unfinished request.
    """
    if role not in (*ROLES, REVOKED):
        raise ValueError(f"unknown role {role!r}")
    if access.role_by_id(actor_id) != "admin":
        return "forbidden"
    name, username = _target(access, target_id)
    if access.is_bootstrap_admin(target_id, username):
        return "bootstrap"
    current = access.role_of(target_id, username)
    if current == role:
        return "unchanged"
    if current == "admin" and access.admin_count() <= 1:
        return "last_admin"
    if target_id == actor_id:
        return "self"
    access.set_role(target_id, role, actor_id, name=name, username=username)
    if role == REVOKED:
        assert access.store is not None
        access.store.delete_draft(target_id)
    action = "user.revoke" if role == REVOKED else "user.restore" if current == REVOKED else "role.change"
    _audit(access).record(actor_id, actor_name, action,
                          f"{describe(name, username, target_id)}: {current or 'none'} → {role}")
    return None


def give_role(access: Access, target_id: int, role: str, actor_id: int, actor_name: str) -> RoleChange:
    """Change a known person's role by the rules of change_role, the one way Telegram and the admin page do it."""
    before = access.person(target_id)
    if before is None:
        return RoleChange(None, None, "gone")
    assert access.store is not None, "changing people needs the database"
    draft = access.store.get_draft(target_id) if role == REVOKED else None
    refusal = change_role(access, target_id, role, actor_id, actor_name)
    if refusal is not None:
        return RoleChange(before, before, refusal)
    return RoleChange(before, access.person(target_id) or before, None, draft)


def decide_request(access: Access, requests: AccessRequests, user_id: int, verdict: str, actor_id: int,
                   actor_name: str) -> AccessDecision:
    """Approve a request as 'sales' or 'admin', or 'deny' it; say why not (DECISION_REFUSALS) when refused.

    Approving never demotes someone who is an admin by now.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    if access.role_by_id(actor_id) != "admin":
        return AccessDecision(None, "forbidden")
    pending = requests.get(user_id)
    if pending is None:
        return AccessDecision(None, "gone")
    role = None if verdict == "deny" else "admin" if access.role_of(user_id, pending.username) == "admin" else verdict
    decided = requests.decide(user_id, role, actor_id)
    if decided is None:
        return AccessDecision(requests.get(user_id), "decided")
    who = describe(decided.name, decided.username, user_id)
    if role is None:
        _audit(access).record(actor_id, actor_name, "access.deny", who)
        return AccessDecision(decided)
    access.set_role(user_id, role, actor_id, name=decided.name, username=decided.username, lang=decided.lang)
    _audit(access).record(actor_id, actor_name, "access.approve", f"{who} as {role}")
    return AccessDecision(decided)


def granted_role(access: Access, request: AccessRequest) -> str | None:
    """The role an approval gave; for requests decided before that was recorded, the person's role now."""
    return request.granted or access.role_of(request.user_id, request.username)


def create_invite(access: Access, invites: Invites, role: str, actor_id: int, actor_name: str,
                  ttl_seconds: float) -> Invite:
    """Make an invite for role; raises PermissionError for non-admins and ValueError for a bad role or validity."""
    if access.role_by_id(actor_id) != "admin":
        raise PermissionError("only admins make invites")
    invite = invites.create(role, actor_id, ttl_seconds)
    _audit(access).record(actor_id, actor_name, "invite.create",
                          f"{role}, valid for {ttl_seconds / 3600:g} h (code …{invite.code[-4:]})")
    return invite


def redeem_invite(access: Access, invites: Invites, code: str, user_id: int, name: str, username: str | None
                  ) -> tuple[Invite, AccessRequest | None]:
    """Register user_id with the invite's role; return the invite and their access request it settled, if any.

    Raises InviteError: 'unknown', 'used', 'expired', or 'revoked' (a revoked user stays out) and 'member' (they
    already have that role or more); in the last two cases the invite stays usable for the person it was meant for.
    """
    current = access.role_of(user_id, username)
    if current == REVOKED:
        raise InviteError("revoked")
    invite = invites.check(code)
    if current == "admin" or current == invite.role:
        raise InviteError("member")
    invite = invites.redeem(code, user_id)
    access.set_role(user_id, invite.role, invite.created_by, name=name, username=username)
    _audit(access).record(user_id, name, "invite.redeem",
                          f"{describe(name, username, user_id)} as {invite.role} (code …{code[-4:]})")
    # A request they sent before the link came is answered by it: the admins' Approve buttons must not linger.
    settled = AccessRequests(invites.store).decide(user_id, invite.role, invite.created_by)
    return invite, settled


def cancel_invite(access: Access, invites: Invites, code: str, actor_id: int, actor_name: str) -> bool:
    """Withdraw an unused invite; say whether there was one. Raises PermissionError for non-admins."""
    if access.role_by_id(actor_id) != "admin":
        raise PermissionError("only admins withdraw invites")
    if not invites.cancel(code):
        return False
    _audit(access).record(actor_id, actor_name, "invite.cancel", f"code …{code[-4:]}")
    return True


def ago(seconds: float, lang: str) -> str:
    """Say how long ago something happened: "just now", "5 min ago", "3 h ago", "2 d ago"."""
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return t("ago_now", lang)
    if minutes < 60:
        return t("ago_minutes", lang, count=minutes)
    if minutes < 48 * 60:
        return t("ago_hours", lang, count=minutes // 60)
    return t("ago_days", lang, count=minutes // (24 * 60))
