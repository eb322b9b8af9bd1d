"""Linking a salesperson to their Jira user, so their requests are filed in their name, once an admin confirms it.

A salesperson names their exact Jira login (email on Cloud, user name or email on Data Center). They are never told
whether Jira knows that login or whose it is: only admins see what Jira answered, and an admin can confirm only a
login that matched exactly one Jira user. The first admin's decision wins and goes to the audit log.

Nobody confirms their own link while another admin could: an admin's own request goes to the other admins. An admin
who is the only one may confirm their own link, and the audit log says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.jira.gateway import JiraGateway
from bot.people.access import Access
from bot.people.audit import Audit
from bot.people.roles import describe
from bot.storage.store import LinkRequest, Store

# `/link off` unlinks; no email is "off", and a Data Center user of that name would have to ask an admin.
UNLINK_WORDS = frozenset({"off"})
# The longest email address there can be; anything longer is no Jira login.
MAX_LOGIN = 254
# Why a decision changed nothing: the request is gone (never existed, replaced or withdrawn), somebody decided it
# already, Jira had no exact match to confirm, or the admin would confirm their own link while others could.
REFUSALS = ("gone", "decided", "unmatched", "self")


@dataclass(frozen=True)
class Asked:
    """The outcome of a /link: the pending request, and the earlier one it replaced."""

    request: LinkRequest
    replaced: LinkRequest | None


@dataclass(frozen=True)
class Decision:
    """An admin's tap on a link request: the request as it now stands, and why nothing changed, if it did not."""

    request: LinkRequest | None
    refusal: str | None = None


@dataclass(frozen=True)
class Unlinked:
    """What /link off undid: the Jira login the user filed as, and their pending request."""

    login: str | None
    withdrawn: LinkRequest | None


def who(request: LinkRequest) -> str:
    """Return "Anna Petrova (@anna, 101)" for the person asking."""
    return describe(request.name, request.username, request.user_id)


async def request_link(store: Store, gateway: JiraGateway, user_id: int, chat_id: int, username: str | None,
                       name: str, login: str) -> Asked:
    """Record that a user asks to file as login, with whom Jira knows by it; raises DeliveryError when Jira fails.

    Asking again for the same login keeps the pending request; another login replaces it.
    """
    pending = store.pending_link_request(user_id)
    if pending is not None and pending.query.casefold() == login.casefold():
        return Asked(pending, None)
    found = await gateway.find_user(login)
    jira_name = (found.get("displayName") or login) if found is not None else None
    request, replaced = store.add_link_request(user_id, chat_id, username, name, login, jira_name)
    return Asked(request, replaced)


def admins_to_ask(access: Access, request: LinkRequest) -> list[int]:
    """Return the admin chats that decide a request: all but the requester's own, unless they are the only admin."""
    chats = access.admin_chats()
    if access.admin_count() > 1:
        chats = [chat for chat in chats if chat not in (request.user_id, request.chat_id)]
    return chats


def decide_link(access: Access, store: Store, request_id: int, confirm: bool, actor_id: int,
                actor_name: str) -> Decision:
    """Confirm or decline a pending link request, linking the user on confirmation; say why not when refused.

    Raises PermissionError when the actor is no admin.
    """
    if access.role_by_id(actor_id) != "admin":
        raise PermissionError("only admins decide on links to Jira users")
    request = store.link_request(request_id)
    if request is None or request.state != "pending":
        return Decision(request, _closed(request))
    if confirm and request.jira_name is None:
        return Decision(request, "unmatched")
    own = request.user_id == actor_id
    if confirm and own and access.admin_count() > 1:
        return Decision(request, "self")
    decided = store.decide_link_request(request_id, "confirmed" if confirm else "declined", actor_id)
    if decided is None:
        # Another admin's tap, or the user's /link, landed in between.
        latest = store.link_request(request_id)
        return Decision(latest, _closed(latest))
    detail = f"{who(decided)} as {decided.query}"
    if confirm:
        detail += f" (Jira: {decided.jira_name})"
        if own:
            detail += ", confirmed by themselves as the only admin"
    Audit(store).record(actor_id, actor_name, "link.confirm" if confirm else "link.decline", detail)
    return Decision(decided)


def _closed(request: LinkRequest | None) -> str:
    """Say why a request that is not pending takes no decision: an admin decided it, or it is gone."""
    return "decided" if request is not None and request.state in ("confirmed", "declined") else "gone"


def unlink(store: Store, user_id: int, name: str, username: str | None) -> Unlinked:
    """Stop filing as the linked Jira user and withdraw a pending request; the audit log records an undone link."""
    login = store.jira_user_of(user_id)
    pending = store.pending_link_request(user_id)
    withdrawn = store.decide_link_request(pending.id, "withdrawn", user_id) if pending is not None else None
    if login is not None:
        store.link_jira_user(user_id, None)
        Audit(store).record(user_id, name, "link.remove",
                            f"{describe(name, username, user_id)} no longer files as {login}")
    return Unlinked(login, withdrawn)
