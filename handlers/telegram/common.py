"""Helpers every handler module uses: the services, the user's language, safe message edits."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot.app import App
from bot.i18n.catalog import LANGUAGES, normalize_language, t
from bot.jira.ticket import Reporter
from handlers.telegram.callbacks import Kind

log = logging.getLogger(__name__)
V = TypeVar("V")


def services(context: ContextTypes.DEFAULT_TYPE) -> App:
    """Return the running bot's services."""
    found = context.application.bot_data["services"]
    assert isinstance(found, App)
    return found


# The language of the user whose update is being handled, as the gate resolved it (a /lang choice wins).
CURRENT_LANGUAGE: contextvars.ContextVar[tuple[int, str] | None] = contextvars.ContextVar("lang", default=None)


def language(user: User | None) -> str:
    """Return the language to talk to this user in."""
    current = CURRENT_LANGUAGE.get()
    if user is not None and current is not None and current[0] == user.id:
        return current[1]
    return normalize_language(user.language_code if user else None)


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def admins_only(handler: Handler) -> Handler:
    """Run the handler for admins only; anyone else hears that it is for admins (an alert under a button)."""

    @functools.wraps(handler)
    async def checked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is not None and services(context).access.is_admin(user.id, user.username):
            await handler(update, context)
            return
        lang = language(user)
        if update.callback_query is not None:
            await acknowledge(update.callback_query, t("admins_only", lang), show_alert=True)
        elif chat is not None:
            await send(context.bot, chat.id, html.escape(t("admins_only", lang)))

    return checked


def language_of(svc: App, user_id: int) -> str:
    """Return the language to write to a known user in, outside their own update: /lang choice, else their last."""
    return svc.store.language_choice(user_id) or svc.store.user_language(user_id)


def reporter(user: User) -> Reporter:
    """Describe a Telegram user as the requester of a ticket."""
    return Reporter(user.id, user.full_name or str(user.id), user.username)


def main_keyboard(lang: str) -> ReplyKeyboardMarkup:
    """Return the persistent keyboard with the New request button."""
    return ReplyKeyboardMarkup([[t("new_request_button", lang)]], resize_keyboard=True, is_persistent=True)


NEW_REQUEST_LABELS = {t("new_request_button", lang) for lang in LANGUAGES}


def page_row(page: int, pages: int, back: str, forward: str, data: Callable[[int], str]
             ) -> list[InlineKeyboardButton]:
    """The buttons to the page before and after this one, each with data(page) (none at either end)."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(back, callback_data=data(page - 1)))
    if page < pages - 1:
        row.append(InlineKeyboardButton(forward, callback_data=data(page + 1)))
    return row


# Every message is HTML without link previews (links to Jira would otherwise unfurl into large cards).
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def acknowledge(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Answer a button tap: stop its spinner, with a short text or an alert if given."""
    try:
        await query.get_bot().answer_callback_query(query.id, text=text, show_alert=show_alert or None)
    except BadRequest as exc:
        # Telegram takes an answer only for some seconds after the tap; a tap that waited longer (the bot was
        # restarting, say) is still acted on, and its spinner has long stopped. What it had to say comes as a
        # message instead.
        log.info("tap %s not answered: %s", query.id, exc)
        if text:
            chat_id = query.message.chat.id if query.message is not None else query.from_user.id
            await send(query.get_bot(), chat_id, html.escape(text))


async def tapped(query: CallbackQuery, kind: Kind[V]) -> V | None:
    """Return the value a tap's data carries; a tap whose data is not of that kind is answered and comes to None."""
    value = kind.parse(query.data)
    if value is None:
        await acknowledge(query)
    return value


async def send(bot: Bot, chat_id: int, text: str,
               markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None) -> int | None:
    """Send an HTML message; return its id, or None when the user cannot be reached."""
    try:
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                         link_preview_options=NO_PREVIEW)
    except Forbidden:
        log.info("chat %s has blocked the bot", chat_id)
        return None
    except BadRequest as exc:
        if "chat not found" not in str(exc).lower():
            raise
        log.info("chat %s has never talked to the bot", chat_id)
        return None
    return message.message_id


async def edit(bot: Bot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Edit a message in place; return False when it can no longer be edited."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
                                    reply_markup=markup, link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        return "not modified" in str(exc)
    except RetryAfter:
        # The message can still be edited, only not yet: sending it anew would leave two of it.
        raise
    except TelegramError:
        return False
    return True


async def replace(bot: Bot, chat_id: int, message_id: int | None, text: str,
                  markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message in place, or send the text anew when there is none or it can no longer be edited."""
    if message_id is None or not await edit(bot, chat_id, message_id, text, markup):
        await send(bot, chat_id, text, markup)


async def drop_buttons(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Remove the inline buttons of an older prompt so only the newest one is live."""
    if message_id is None:
        return
    with contextlib.suppress(TelegramError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
