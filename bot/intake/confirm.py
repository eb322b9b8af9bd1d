"""Confirming a request: written down before Jira hears of it, shown to the salesperson, then filed by the outbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import App
from bot.approval.decide import approvers_for
from bot.intake.customers import Customer
from bot.intake.draft import Draft, Prompt


@dataclass(frozen=True)
class Confirmed:
    """A confirmed draft: its summary card, without buttons, to show while it is on its way to Jira."""

    card: Prompt
    lang: str
    # The request waits for an approver instead of going to Jira at once.
    waiting: bool = False


async def confirm_request(svc: App, draft: Draft, chat_id: int,
                          show: Callable[[Confirmed], Awaitable[object]]) -> Confirmed:
    """Turn a confirmed draft into a pending request, learn its customer, show it, then have the outbox file it.

    A request an approval rule names waits for an approver instead (the caller asks them).
    """
    card = dataclasses.replace(svc.engine.prompt(draft), buttons=())
    ticket = svc.engine.preview(draft, svc.now())
    jira_user = svc.store.jira_user_of(draft.user_id) or (
        svc.config.jira.reporter_for(draft.user_id, draft.reporter.username) if svc.config.jira else None)
    ticket = dataclasses.replace(ticket, reporter_query=jira_user)
    approvers = approvers_for(svc, draft, ticket)
    # Written before Jira is called: from here on the request cannot be lost.
    svc.store.confirm(draft, chat_id, ticket, approvers=approvers)
    if ticket.customer:
        svc.engine.customers.add(Customer(ticket.customer))
    confirmed = Confirmed(card, draft.lang, waiting=approvers is not None)
    # Shown before the outbox is woken, so the salesperson reads "sending" before the key.
    await show(confirmed)
    if not confirmed.waiting:
        svc.outbox.kick()
    return confirmed
