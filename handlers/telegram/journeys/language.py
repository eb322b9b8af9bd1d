"""The language journey: /lang overrides the language Telegram reports."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import normalize_language, t
from handlers.telegram.callbacks import LANGUAGE, LanguageChoice
from handlers.telegram.common import (
    CURRENT_LANGUAGE,
    acknowledge,
    edit,
    language,
    main_keyboard,
    send,
    services,
    tapped,
)

NAMES = {"en": "English", "ru": "Русский", "de": "Deutsch"}


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offers the bot's languages, and following Telegram's."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    lang = language(user)
    rows = [[InlineKeyboardButton(name, callback_data=LANGUAGE.data(LanguageChoice(code)))]
            for code, name in NAMES.items()]
    rows.append([InlineKeyboardButton(t("lang_auto", lang), callback_data=LANGUAGE.data(LanguageChoice("auto")))])
    await send(context.bot, chat.id, html.escape(t("lang_title", lang)), InlineKeyboardMarkup(rows))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stores the choice and answers in the new language."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc = services(context)
    tap = await tapped(query, LANGUAGE)
    if tap is None:
        return
    choice = tap.code
    svc.store.set_language_choice(user.id, choice if choice in NAMES else None)
    lang = choice if choice in NAMES else normalize_language(user.language_code)
    CURRENT_LANGUAGE.set((user.id, lang))
    await acknowledge(query)
    if query.message is not None:
        await edit(context.bot, query.message.chat.id, query.message.message_id, html.escape(t("lang_saved", lang)),
                   None)
        # The persistent button carries a label in a language too.
        await send(context.bot, query.message.chat.id, html.escape(t("help", lang)), main_keyboard(lang))
