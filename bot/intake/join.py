"""Joining an open issue that looks the same, instead of filing a duplicate: a comment, a label, a subscription."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.draft import Draft
from bot.jira.ticket import Ticket
from bot.text.wiki import escape, slug


@dataclass(frozen=True)
class Joined:
    """A draft that went to an existing issue as a comment; the salesperson now follows the issue."""

    key: str
    lang: str


def _comment(svc: App, draft: Draft, ticket: Ticket) -> tuple[str, tuple[str, ...]]:
    """Return the Jira wiki comment that adds this draft's customer and details to an issue, and its labels."""
    template = svc.engine.template_of(draft)
    customer = ticket.customer or "—"
    rows = svc.engine.card_rows(draft, template) if template else []
    head = t("joined_comment", svc.config.jira_language, customer=customer, reporter=draft.reporter.describe())
    table = "\n".join(f"||{escape(label)}|{escape(value)}|" for label, value in rows)
    return f"{escape(head)}\n{table}", (slug(customer),) if ticket.customer else ()


async def join_similar(svc: App, draft: Draft, chat_id: int, key: str,
                       show: Callable[[Joined], Awaitable[object]]) -> Joined | None:
    """Add the draft's customer and details to issue key and follow it; None (and nothing done) unless offered.

    Joining comments on the issue and subscribes the salesperson to it, and the key comes from callback data,
    which is whatever the client sends: only an issue offered for this very draft will do.
    """
    if key not in draft.offered:
        return None
    ticket = svc.engine.preview(draft, svc.now())
    body, labels = _comment(svc, draft, ticket)
    # Queued before anything else happens: the outbox adds label and comment exactly once.
    svc.store.queue_comment(uuid.uuid4().hex[:16], key, draft.user_id, chat_id, draft.lang, body,
                            ticket.attachments, None, labels)
    svc.store.subscribe(key, draft.user_id, chat_id)
    svc.store.delete_draft(draft.user_id)
    if draft.template_id:
        svc.metrics.dialogs.labels(draft.template_id, "joined").inc()
    joined = Joined(key, draft.lang)
    await show(joined)
    svc.outbox.kick()
    return joined
