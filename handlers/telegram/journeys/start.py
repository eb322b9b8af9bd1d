"""The welcome journey: /start and /help."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from handlers.telegram.common import language, main_keyboard, send, services
from handlers.telegram.journeys import groups


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets the user and shows the New request button."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    target = groups.link_target(context.args[0]) if context.args else None
    if target is not None:
        # Opened from a group's "open the bot" button: the message it names becomes the request.
        await groups.resume(update, context, *target)
        return
    lang = language(user)
    await send(context.bot, chat.id, html.escape(t("start", lang, name=user.first_name)), main_keyboard(lang))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists what the bot can do."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    lang = language(user)
    text = t("help", lang)
    if services(context).access.is_admin(user.id, user.username):
        text += "\n\n" + t("help_admin", lang)
    await send(context.bot, chat.id, html.escape(text), main_keyboard(lang))
