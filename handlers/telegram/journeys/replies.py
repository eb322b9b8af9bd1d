"""The reply journey: a salesperson answers about an issue in Telegram and it becomes a Jira comment."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.delivery.replies import answer_issue, begin_reply, cancel_reply
from bot.i18n.catalog import t
from handlers.telegram.callbacks import REPLY, ReplyTap
from handlers.telegram.common import acknowledge, language, reporter, send, services, tapped
from handlers.telegram.journeys.drafts import attachment_of


def reply_markup(issue_key: str, lang: str) -> InlineKeyboardMarkup:
    """Return the Reply button shown under notices about an issue."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("reply_button", lang),
                                                       callback_data=REPLY.data(ReplyTap(issue_key)))]])


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turns a message that answers an issue into a queued comment; anything else goes on to the dialog."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    svc, lang = services(context), language(user)
    attachment = attachment_of(message)

    async def sending(key: str) -> int | None:
        return await send(context.bot, chat.id, html.escape(t("reply_sending", lang, key=key)))

    replied = message.reply_to_message.message_id if message.reply_to_message is not None else None
    answer = await answer_issue(svc, reporter(user), chat.id, lang, replied, message.text or message.caption or "",
                                (attachment,) if attachment else (), sending)
    if answer is None:
        return
    if answer.refused:
        await send(context.bot, chat.id, html.escape(t("reply_not_yours", lang)))
    raise ApplicationHandlerStop


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handles Reply under a notice (on an issue the user may answer on), and Don't reply."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    tap = await tapped(query, REPLY)
    if tap is None:
        return
    chat_id = query.message.chat.id if query.message else user.id
    if tap.key is None:
        await acknowledge(query)
        cancel_reply(svc, user.id)
        await send(context.bot, chat_id, html.escape(t("reply_cancelled", lang)))
        return
    key = begin_reply(svc, reporter(user), tap.key)
    if key is None:
        await acknowledge(query, t("reply_not_yours", lang), show_alert=True)
        return
    await acknowledge(query)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("reply_cancel", lang),
                                                         callback_data=REPLY.data(ReplyTap(None)))]])
    await send(context.bot, chat_id, html.escape(t("reply_prompt", lang, key=key)), markup)
