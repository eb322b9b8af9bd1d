"""Filing a group chat message: a private request prefilled from it, quoting it with its author and the group."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from typing import Literal

from bot.app import App
from bot.i18n.catalog import t
from bot.intake.dialog import unheard
from bot.intake.draft import Draft, Step
from bot.intake.speech import Heard
from bot.jira.ticket import Attachment, Reporter
from bot.people.access import ROLES
from bot.storage.store import GroupMessage, StoredDraft
from bot.text.screen import clip

QUOTE_LIMIT = 600


@dataclass(frozen=True)
class GroupAsk:
    """What asking to file a group message came to: a started draft, or why not."""

    kind: Literal["started", "busy", "empty"]
    draft: Draft | None = None
    step: Step | None = None
    busy_with: str | None = None  # the title of the request already being written, when busy


def may_file(svc: App, user_id: int, username: str | None) -> bool:
    """Say whether this person may file group messages (anyone with a role; strangers and revoked people not)."""
    return svc.access.role_of(user_id, username) in ROLES


def busy(stored: StoredDraft | None) -> bool:
    """Say whether the person is already writing a request (one a group message must not replace)."""
    return stored is not None and (stored.draft.template_id is not None or bool(stored.draft.ask))


def voice_of(message: GroupMessage) -> Attachment | None:
    """Return the voice note a group message is, when it has no words of its own to read."""
    if message.text:
        return None
    return next((Attachment.from_dict(f) for f in message.files if f.get("kind") == "voice"), None)


async def file_group_message(svc: App, asker: Reporter, lang: str, message: GroupMessage,
                             stored: StoredDraft | None, heard: Heard | None = None) -> GroupAsk:
    """Start the asker's private request from a group message and keep it; heard is what its voice note said.

    A request the asker is already writing is never replaced: they finish or cancel it first.
    """
    if stored is not None and busy(stored):
        template = svc.engine.template_of(stored.draft)
        return GroupAsk("busy", busy_with=template.title.get(lang) if template else "—")
    spoken = voice_of(message)
    text = message.text or (heard.text if heard is not None else None)
    files = tuple(Attachment.from_dict(f) for f in message.files if f.get("kind") != "voice")
    if text is None and not files and spoken is None:
        return GroupAsk("empty")
    draft = svc.engine.new_draft(asker, lang)
    draft.origin = {"chat_id": message.chat_id, "message_id": message.message_id, "title": message.chat_title}
    if text is not None:
        hints = await svc.model.hints(text, lang, svc.engine.today(), svc.engine.templates) if svc.model else None
        # Reading an ask fuzzy-matches it against every customer: with a long list that is worth a thread.
        step = await asyncio.to_thread(
            svc.engine.start_from_message, draft, text, forwarded=True, forwarded_from=message.author, files=files,
            hints=hints, spoken=spoken if heard is not None and heard.text else None)
    else:
        # Only files, or a voice note that could not be read: they go to the issue, the form is asked for.
        for item in (*files, *([spoken] if spoken else [])):
            svc.engine.keep_file(draft, item)
        draft.stage, draft.seq = "template", draft.seq + 1
        notice = (unheard(heard.problem or "down", lang, svc.engine.voice_seconds)
                  if spoken is not None and heard is not None else None)
        step = Step(svc.engine.prompt(draft), notice)
    quote = t("group_quote", lang, author=message.author, group=message.chat_title,
              text=clip(text or "📎", QUOTE_LIMIT))
    step = dataclasses.replace(step, lead="\n\n".join(line for line in (quote, step.lead) if line))
    # Kept before anyone is told: the request survives whatever happens to the messages about it.
    svc.store.save_draft(draft, asker.id)
    if draft.template_id is not None:
        svc.metrics.dialogs.labels(draft.template_id, "started").inc()
    return GroupAsk("started", draft, step)
