"""The admin journey: how delivery stands (/outbox)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from bot.text.dates import format_duration
from handlers.telegram.common import admins_only, language, send, services


@admins_only
async def outbox(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows admins how many requests wait for Jira, the oldest and the last error."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    summary = svc.store.outbox_summary()
    if summary.waiting == 0 and summary.needs_attention == 0:
        await send(context.bot, chat.id, html.escape(t("outbox_empty", lang)))
        return
    age = format_duration(svc.clock() - summary.oldest_created_at if summary.oldest_created_at else None, lang)
    text = t("outbox_status", lang, count=summary.waiting, age=age, error=summary.last_error or "—",
             attention=summary.needs_attention)
    await send(context.bot, chat.id, html.escape(text))
