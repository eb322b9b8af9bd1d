"""The account-linking journey: /link ties a salesperson to their Jira user, so requests are filed in their name."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.tracker import DeliveryError
from handlers.common import language, send, services


async def link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Finds the Jira user named after /link and remembers it for this salesperson."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    query = " ".join(context.args or []).strip()
    if not query or svc.gateway is None:
        await send(context.bot, chat.id, html.escape(t("link_usage", lang)))
        return
    try:
        found = await svc.gateway.find_user(query)
    except DeliveryError:
        await send(context.bot, chat.id, html.escape(t("link_unavailable", lang)))
        return
    if found is None:
        await send(context.bot, chat.id, html.escape(t("link_not_found", lang, query=query[:100])))
        return
    svc.store.link_jira_user(user.id, query)
    await send(context.bot, chat.id, html.escape(t("linked", lang, name=found.get("displayName", query))))
