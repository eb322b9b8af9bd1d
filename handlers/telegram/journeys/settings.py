"""The settings journey: choose to hear everything, or only comments and resolutions."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from handlers.telegram.callbacks import MUTE, Mute
from handlers.telegram.common import acknowledge, edit, language, send, services, tapped


def _markup(lang: str, muted: bool) -> InlineKeyboardMarkup:
    mark = {False: "✅ " if not muted else "", True: "✅ " if muted else ""}
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(mark[False] + t("settings_all", lang), callback_data=MUTE.data(Mute(False)))],
        [InlineKeyboardButton(mark[True] + t("settings_quiet", lang), callback_data=MUTE.data(Mute(True)))],
    ])


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows which Jira changes the user hears about, with buttons to change it."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc, lang = services(context), language(user)
    muted = svc.store.is_muted(user.id)
    await send(context.bot, chat.id, html.escape(t("settings_title", lang)), _markup(lang, muted))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switches between everything and only comments and resolutions."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, MUTE)
    if tap is None:
        return
    muted = tap.on
    svc.store.set_muted(user.id, muted)
    await acknowledge(query, t("settings_saved", lang))
    if query.message is not None:
        await edit(context.bot, query.message.chat.id, query.message.message_id,
                   html.escape(t("settings_title", lang)), _markup(lang, muted))
