"""The gate in front of every journey: known users pass, strangers may ask for access, revoked users stay out."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n.catalog import normalize_language, t
from bot.logs import USER_ID
from bot.people.access import REVOKED, ROLES
from handlers.telegram.admin import access_requests, invites
from handlers.telegram.callbacks import ASK_ACCESS
from handlers.telegram.common import CURRENT_LANGUAGE, acknowledge, language, send, services


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let users with a role through and remember them; answer everyone else here."""
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
    # An invite link works for anyone, so it is handled before anybody is turned away.
    if await invites.redeem_from_start(update, context):
        raise ApplicationHandlerStop
    role = svc.access.role_of(user.id, user.username)
    if role in ROLES:
        svc.store.remember_user(user.id, chat.id, user.username, user.full_name, lang)
        return
    query = update.callback_query
    if role != REVOKED and query is not None and ASK_ACCESS.parse(query.data) is not None:
        return  # the ask journey takes it from here
    if query is not None:
        await acknowledge(query)
    if role == REVOKED:
        await send(context.bot, chat.id, html.escape(t("access_revoked", lang)))
    else:
        await access_requests.refuse(context.bot, svc, chat.id, user.id, lang)
    raise ApplicationHandlerStop
