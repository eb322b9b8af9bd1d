"""The approval use cases: whether a request waits, who approves it, the first decision, and reminders.

A request whose priority a rule names is stored but not filed; the approvers the rule names (by Telegram id,
@username or role) get it, except the requester and anyone whose access was revoked. When nobody the rule names can
decide, the admins do. The first decision wins; an approval releases the request to the outbox with the approver
named in the issue (and, for "Approve as High", its priority lowered); a decline returns it to its owner.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.app import App
from bot.approval.rule import ApprovalRule
from bot.i18n.catalog import t
from bot.intake.draft import Draft
from bot.jira.ticket import TEXT_LIMIT, Reporter, Ticket
from bot.people.access import ROLES
from bot.people.audit import Audit
from bot.people.roles import describe
from bot.storage.store import Approval, Request
from bot.text.wiki import escape

# The priority "Approve as High" files a request with.
LOWERED = "High"
# Why a tap changed nothing: no such request waits (forged or long gone), somebody decided it already, nobody did in
# time and it was closed, the requester would approve their own request, the one who tapped is no approver of it, or
# "Approve as High" was asked where Jira has no priority High.
REFUSALS = ("gone", "decided", "expired", "self", "forbidden", "no_high")
# The longest reason for a decline the requester is shown.
MAX_REASON = 500


@dataclass(frozen=True)
class Decision:
    """A tap on an approval card: the approval as it now stands, and why nothing changed, if it did not."""

    approval: Approval | None
    refusal: str | None = None


def rule_for(svc: App, draft: Draft) -> ApprovalRule | None:
    """Return the rule for a draft's requests: its template's own, else the config's."""
    template = svc.engine.template_of(draft)
    own = template.approval if template is not None else None
    return own or svc.config.approval.rule


def approvers_for(svc: App, draft: Draft, ticket: Ticket) -> tuple[int | str, ...] | None:
    """Return who approves this request before it is filed, or None when it goes to Jira at once."""
    rule = rule_for(svc, draft)
    return rule.approvers if rule is not None and rule.applies(ticket.priority) else None


def _allowed(svc: App, user_id: int) -> bool:
    """Say whether someone may use the bot at all (an approver whose access was revoked is skipped)."""
    return svc.access.role_by_id(user_id) in ROLES


def named_approvers(svc: App, approval: Approval) -> list[int]:
    """Return the people the rule names who can decide: with access, and not the requester."""
    found: list[int] = []
    usernames = [entry for entry in approval.approvers if isinstance(entry, str) and entry.startswith("@")]
    found += [entry for entry in approval.approvers if isinstance(entry, int)]
    found += svc.store.chats_of_usernames(usernames)
    roles = {entry for entry in approval.approvers if isinstance(entry, str) and not entry.startswith("@")}
    if "admin" in roles:
        found += svc.access.admin_chats()
    if "lead" in roles:
        found += [person.id for person in svc.access.people() if person.role == "lead"]
    return [user for user in dict.fromkeys(found) if user != approval.user_id and _allowed(svc, user)]


def deciders(svc: App, approval: Approval) -> list[int]:
    """Return who decides a request: the approvers named, else (nobody of them can) the other admins."""
    named = named_approvers(svc, approval)
    if named:
        return named
    return [user for user in svc.access.admin_chats() if user != approval.user_id and _allowed(svc, user)]


def refusal_for(svc: App, approval: Approval | None, actor_id: int) -> str | None:
    """Say why actor may not decide this approval now (REFUSALS), or None when they may."""
    if approval is None:
        return "gone"
    if approval.state == "expired":
        return "expired"
    if approval.state != "waiting":
        return "decided"
    if actor_id == approval.user_id:
        return "self"
    if actor_id not in deciders(svc, approval):
        return "forbidden"
    return None


def approved_ticket(svc: App, ticket: Ticket, approver: Reporter, lowered: bool) -> Ticket:
    """Return the ticket as filed after approval: the approver named in it, the priority lowered if asked."""
    lang = svc.config.jira_language
    when = f"{svc.now():%Y-%m-%d %H:%M %Z}".strip()
    # Only what people typed is escaped: the date and the bot's own words are written as they should read.
    note = t("approval_jira_approved", lang, who=escape(approver.describe()), when=when)
    if lowered and ticket.priority != LOWERED:
        note += " " + t("approval_jira_lowered", lang, before=escape(ticket.priority or "—"), after=LOWERED)
    row = f"\n||{t('approval_jira_heading', lang)}|{note}|"
    description = ticket.description[:TEXT_LIMIT - len(row)].rstrip("\\") + row
    return dataclasses.replace(ticket, description=description, priority=LOWERED if lowered else ticket.priority)


def decide(svc: App, request_id: str, verdict: str, actor: Reporter, reason: str | None = None) -> Decision:
    """Apply an approver's Approve, Approve as High or Decline (with a reason); the first decision wins."""
    if verdict not in ("approve", "high", "decline"):
        raise ValueError(f"unknown verdict {verdict!r}")
    approval = svc.store.approval(request_id)
    refusal = refusal_for(svc, approval, actor.id)
    request = svc.store.get_request(request_id)
    if refusal is not None or request is None:
        return Decision(approval, refusal or "gone")
    if verdict == "high" and not may_lower(svc, request):
        # Only forged data gets here: the button is left out where Jira has no priority High to file with.
        return Decision(approval, "no_high")
    ticket = None if verdict == "decline" else approved_ticket(svc, request.ticket, actor, verdict == "high")
    reason = reason.strip()[:MAX_REASON] if reason else None
    decided = svc.store.decide_approval(request_id, verdict, actor.id, actor.name, reason, ticket)  # type: ignore[arg-type]
    if decided is None:
        # Another approver's tap landed in between.
        return Decision(svc.store.approval(request_id), "decided")
    detail = f"{request.ticket.summary} ({request.ticket.priority or '—'}) by {_requester(svc, request)}"
    if verdict == "high":
        detail += f", filed as {LOWERED}"
    if reason:
        detail += f": {reason}"
    action = {"approve": "approval.approve", "high": "approval.approve_high", "decline": "approval.decline"}[verdict]
    Audit(svc.store).record(actor.id, actor.name, action, detail)
    if verdict != "decline":
        svc.outbox.kick()
    return Decision(decided)


def may_lower(svc: App, request: Request) -> bool:
    """Say whether "Approve as High" fits this request: it asks for another priority, and Jira has High for it.

    Jira's priorities come from the create screens read when the templates went live; never read, High is not offered.
    """
    check = svc.templates_check
    if request.ticket.priority == LOWERED or check is None:
        return False
    return LOWERED in check.priorities.get(request.template_id, ())


def expire_due(svc: App) -> list[Approval]:
    """Close the requests nobody decided on within approval.expire_hours, audited; return them as now closed."""
    hours = svc.config.approval.expire_hours
    if hours <= 0:
        return []
    closed: list[Approval] = []
    for waiting in svc.store.approvals_asked_before(svc.clock() - hours * 3600):
        expired = svc.store.expire_approval(waiting.request_id)
        request = svc.store.get_request(waiting.request_id)
        if expired is None or request is None:
            continue
        detail = (f"{request.ticket.summary} ({request.ticket.priority or '—'}) by {_requester(svc, request)}: "
                  f"nobody decided within {hours:g} h")
        Audit(svc.store).record(None, "ticketsmith", "approval.expire", detail)
        closed.append(expired)
    return closed


def _requester(svc: App, request: Request) -> str:
    """Return "Anna Petrova (@anna, 101)" for the requester."""
    person = svc.access.person(request.user_id)
    return describe(person.name, person.username, person.id) if person else str(request.user_id)


def start_decline(svc: App, request_id: str, actor_id: int, chat_id: int) -> str | None:
    """Ask an approver for the reason of their decline; say why not (REFUSALS) when they may not decide."""
    refusal = refusal_for(svc, svc.store.approval(request_id), actor_id)
    if refusal is None:
        svc.store.ask_reason(actor_id, request_id, chat_id)
    return refusal


def due_reminders(svc: App) -> list[Approval]:
    """Return the waiting requests whose approvers are due a reminder, recording it first (one per period)."""
    period = svc.config.approval.remind_hours * 3600
    now = svc.clock()
    return [approval for approval in svc.store.approvals_to_remind(now - period)
            if svc.store.mark_reminded(approval.request_id, now)]
