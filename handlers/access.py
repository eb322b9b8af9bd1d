"""The gate in front of every journey: known users pass, everyone else is told how to get access."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import normalize_language, t
from bot.logs import USER_ID
from handlers.common import CURRENT_LANGUAGE, language, send, services


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse users who are not listed; remember the ones who are."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or update.my_chat_member is not None:
        raise ApplicationHandlerStop
    USER_ID.set(user.id)
    svc = services(context)
    CURRENT_LANGUAGE.set((user.id, svc.store.language_choice(user.id) or normalize_language(user.language_code)))
    lang = language(user)
    if chat.type != "private":
        # Drafts and answers are personal: the bot works in private chats only.
        raise ApplicationHandlerStop
    if not svc.access.allowed(user.id, user.username):
        if update.callback_query:
            await update.callback_query.answer()
        await send(context.bot, chat.id, t("not_allowed", lang, user_id=user.id))
        raise ApplicationHandlerStop
    svc.store.remember_user(user.id, chat.id, user.username, user.full_name, lang)
