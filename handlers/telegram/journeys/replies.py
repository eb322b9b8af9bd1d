"""The reply journey: a salesperson answers about an issue in Telegram and it becomes a Jira comment."""

from __future__ import annotations

import html
import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.app import App
from bot.i18n.catalog import t
from bot.jira.ticket import Attachment
from bot.text.screen import visible
from bot.text.wiki import escape
from handlers.telegram.common import acknowledge, language, send, services
from handlers.telegram.journeys.intake import attachment_of


def reply_markup(issue_key: str, lang: str) -> InlineKeyboardMarkup:
    """Return the Reply button shown under notices about an issue."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("reply_button", lang), callback_data=f"reply:{issue_key}")]])


def comment_body(user: User, text: str, is_admin: bool) -> str:
    """Return the Jira wiki body of a reply, attributed to the salesperson."""
    role = "admin" if is_admin else "sales"
    who = escape(user.full_name or str(user.id))
    return f"*{who}* ({role}, via Telegram):\n{escape(text)}" if text else f"*{who}* ({role}, via Telegram)"


def may_reply(svc: App, user: User, issue_key: str) -> bool:
    """Say whether a user may comment on an issue from Telegram.

    A salesperson answers on the issues of requests they filed and on issues they joined; an admin also on any
    other issue the bot filed or someone joined. An issue the bot knows nothing about (another project, a key
    typed into crafted callback data) is nobody's to comment on from here.
    """
    if svc.store.follows(user.id, issue_key):
        return True
    return svc.access.is_admin(user.id, user.username) and svc.store.knows_issue(issue_key)


def _target(svc: App, user_id: int, message: Message) -> tuple[str, str | None] | None:
    """Return the issue a message answers: a Telegram reply to a notice, or after pressing Reply."""
    if message.reply_to_message is not None:
        # Notices are remembered per chat: only a message the bot sent into this chat counts.
        found = svc.store.issue_of_message(message.chat.id, message.reply_to_message.message_id)
        if found is not None:
            return found
    key = svc.store.replying_to(user_id)
    if key is None:
        return None
    request = svc.store.request_by_key(key)
    return key, request.id if request else None


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turns a message that answers an issue into a queued comment; anything else goes on to the dialog."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    svc = services(context)
    target = _target(svc, user.id, message)
    if target is None:
        return
    key, request_id = target
    lang = language(user)
    if not may_reply(svc, user, key):
        # Checked again here: Reply may have been pressed with rights the user no longer has.
        svc.store.set_replying(user.id, None)
        await send(context.bot, chat.id, html.escape(t("reply_not_yours", lang)))
        raise ApplicationHandlerStop
    text = visible(message.text or message.caption or "")
    attachment = attachment_of(message)
    if not text and attachment is None:
        return
    files: tuple[Attachment, ...] = (attachment,) if attachment else ()
    body = comment_body(user, text, svc.access.is_admin(user.id, user.username))
    # Stored before anything is sent, so the outbox posts it even if the bot stops now.
    comment = svc.store.queue_comment(uuid.uuid4().hex[:16], key, user.id, chat.id, lang, body, files, request_id)
    svc.store.set_replying(user.id, None)
    ack = await send(context.bot, chat.id, html.escape(t("reply_sending", lang, key=key)))
    svc.store.set_comment_ack(comment.id, ack)
    svc.outbox.kick()
    raise ApplicationHandlerStop


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handles Reply under a notice (on an issue the user may answer on), and Don't reply."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    svc, lang = services(context), language(user)
    data = query.data or ""
    chat_id = query.message.chat.id if query.message else user.id
    if data == "reply-cancel":
        await acknowledge(query)
        svc.store.set_replying(user.id, None)
        await send(context.bot, chat_id, html.escape(t("reply_cancelled", lang)))
        return
    key = data.removeprefix("reply:")
    if not may_reply(svc, user, key):
        await acknowledge(query, t("reply_not_yours", lang), show_alert=True)
        return
    await acknowledge(query)
    svc.store.set_replying(user.id, key)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t("reply_cancel", lang), callback_data="reply-cancel")]])
    await send(context.bot, chat_id, html.escape(t("reply_prompt", lang, key=key)), markup)
