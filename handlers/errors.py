"""The last line of defence: log the error, tell the user their answers are safe, tell the admins."""

from __future__ import annotations

import html
import logging
import traceback

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import t
from handlers.common import language, send, services
from handlers.delivery import tell_admins

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs an unhandled error, reassures the user and sends admins the end of the traceback."""
    error = context.error
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    log.error("unhandled error for user %s", user_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await send(context.bot, update.effective_chat.id,
                   html.escape(t("internal_error", language(update.effective_user))))
    if error is not None:
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        # Telegram caps a message at 4096 characters; the end of a traceback says the most.
        await tell_admins(context.bot, services(context), f"Error for user {user_id}:\n" + "".join(lines)[-3000:])
