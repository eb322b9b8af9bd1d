"""Informal asks: a plain or forwarded message outside a dialog starts a request prefilled from it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from telegram import (
    Message,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.app import App
from bot.intake.dialog import FREE_FORM_WORDS
from bot.jira.ticket import Attachment
from handlers.telegram.common import language, reporter, services
from handlers.telegram.journeys.drafts import attachment_of, show


def sender_of(origin: MessageOrigin) -> str | None:
    """Name the author of a forwarded message as Telegram shows it."""
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.full_name
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name
    if isinstance(origin, MessageOriginChat):
        return origin.author_signature or origin.sender_chat.title or origin.sender_chat.full_name
    if isinstance(origin, MessageOriginChannel):
        return origin.author_signature or origin.chat.title
    return None


def ask_text(message: Message) -> str | None:
    """Return the words of a message that may be an ask (its text or a file's caption); "hi" or "thanks" is not."""
    text = message.text if message.text is not None else message.caption
    if not text or not text.strip():
        return None
    if message.forward_origin is None and len(text.split()) < FREE_FORM_WORDS:
        return None
    return text


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, spoken: Attachment | None = None,
                kept: Sequence[dict[str, Any]] = ()) -> None:
    """Start a draft from the user's message (or what their voice note said) and ask what it leaves open.

    kept: files kept by an earlier draft this one replaces (a voice note that could not be read), still to attach.
    """
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    svc: App = services(context)
    origin = message.forward_origin
    attachment = attachment_of(message) if spoken is None else None
    draft = svc.engine.new_draft(reporter(user), language(user))
    draft.kept_files = [dict(item) for item in kept]
    hints = None
    if svc.model is not None:
        # Only a courtesy while the model reads: a failed "typing…" must not cost the ask.
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
        hints = await svc.model.hints(text, draft.lang, svc.engine.today(), svc.engine.templates)
    # Reading an ask fuzzy-matches it against every customer: with a long list that is worth a thread.
    step = await asyncio.to_thread(
        svc.engine.start_from_message, draft, text, forwarded=origin is not None,
        forwarded_from=sender_of(origin) if origin else None, files=(attachment,) if attachment else (), hints=hints,
        spoken=spoken)
    # Persisted before the reply: a restart continues from the prefilled draft.
    svc.store.save_draft(draft, chat.id)
    if draft.template_id is not None:
        svc.metrics.dialogs.labels(draft.template_id, "started").inc()
    if step.prompt is not None:
        await show(context.bot, svc, chat.id, user.id, step.prompt, step.notice, edit_id=None, old_id=None,
                   lead=step.lead)
