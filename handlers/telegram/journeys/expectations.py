"""What to expect, in the chat: deadline notices with a status text for the customer, and "was it solved?"."""

from __future__ import annotations

import html

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.app import App
from bot.expectations.customer_update import customer_update
from bot.i18n.catalog import t
from bot.jira.gateway import DeliveryError
from handlers.telegram.callbacks import FEEDBACK, REPLY, UPDATE, CustomerUpdate, FeedbackTap, ReplyTap
from handlers.telegram.common import acknowledge, edit, language, language_of, reporter, send, services, tapped
from handlers.telegram.journeys.notices import has_access


class TelegramExpectationSink:
    """Sends deadline notices and "was it solved?" questions through the bot."""

    def __init__(self, bot: Bot, svc: App) -> None:
        self.bot = bot
        self.svc = svc

    async def _send(self, user_id: int, chat_id: int, issue_key: str, text: str,
                    markup: InlineKeyboardMarkup, kind: str) -> int | None:
        if not has_access(self.svc, user_id):
            return None
        message_id = await send(self.bot, chat_id, html.escape(text), markup)
        if message_id is None:
            self.svc.store.set_active(user_id, False)
            return None
        request = self.svc.store.request_by_key(issue_key)
        # A Telegram reply to it becomes a comment, as with every notice about an issue.
        self.svc.store.remember_notice(chat_id, message_id, issue_key, request.id if request else None)
        self.svc.metrics.notices.labels(kind).inc()
        return message_id

    async def deadline(self, user_id: int, chat_id: int, issue_key: str, text: str) -> bool:
        """Send a deadline notice with "Update for the customer" and Reply."""
        lang = language_of(self.svc, user_id)
        markup = InlineKeyboardMarkup([
            [InlineKeyboardButton(t("update_button", lang), callback_data=UPDATE.data(CustomerUpdate(issue_key)))],
            [InlineKeyboardButton(t("reply_button", lang), callback_data=REPLY.data(ReplyTap(issue_key)))],
        ])
        return await self._send(user_id, chat_id, issue_key, text, markup, "deadline") is not None

    async def ask_feedback(self, user_id: int, chat_id: int, issue_key: str, text: str, lang: str) -> int | None:
        """Send the question with 👍 Solved / 👎 Not solved."""
        markup = InlineKeyboardMarkup([[
            InlineKeyboardButton(t("feedback_yes", lang), callback_data=FEEDBACK.data(FeedbackTap(True, issue_key))),
            InlineKeyboardButton(t("feedback_no", lang), callback_data=FEEDBACK.data(FeedbackTap(False, issue_key))),
        ]])
        return await self._send(user_id, chat_id, issue_key, text, markup, "feedback")


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends the status text for the customer of an issue the person follows."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    tap = await tapped(query, UPDATE)
    if tap is None:
        return
    svc, lang = services(context), language(user)
    try:
        text = await customer_update(svc, reporter(user), tap.key, lang)
    except DeliveryError:
        await acknowledge(query, t("update_unavailable", lang), show_alert=True)
        return
    if text is None:
        await acknowledge(query, t("update_not_yours", lang), show_alert=True)
        return
    await acknowledge(query)
    chat_id = query.message.chat.id if query.message else user.id
    await send(context.bot, chat_id, html.escape(t("update_intro", lang)))
    await send(context.bot, chat_id, html.escape(text))


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Records 👍 / 👎 from the requester, once; 👎 then takes their next message as a sentence for the issue."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    tap = await tapped(query, FEEDBACK)
    if tap is None:
        return
    svc, lang = services(context), language(user)
    chat_id = query.message.chat.id if query.message else user.id
    answer = svc.feedback.answer(reporter(user), svc.access.is_admin(user.id, user.username), tap.key, tap.solved,
                                 chat_id, lang)
    if answer.outcome == "not_yours":
        await acknowledge(query, t("feedback_not_yours", lang), show_alert=True)
        return
    if answer.outcome == "stale":
        await acknowledge(query, t("feedback_stale", lang), show_alert=True)
        return
    await acknowledge(query)
    message = query.message
    if isinstance(message, Message) and answer.message_id == message.message_id and message.text:
        said = t("feedback_answered_yes" if answer.solved else "feedback_answered_no", lang)
        await edit(context.bot, chat_id, message.message_id, html.escape(f"{message.text}\n\n{said}"), None)
    if answer.solved:
        await send(context.bot, chat_id, html.escape(t("feedback_thanks", lang)))
        return
    svc.outbox.kick()
    text = t("feedback_unsolved", lang, key=tap.key)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("reply_cancel", lang),
                                                         callback_data=REPLY.data(ReplyTap(None)))]])
    await send(context.bot, chat_id, html.escape(text), markup)
