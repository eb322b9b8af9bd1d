"""The last line of defence: log the error, tell the user what became of their answer, tell the admins."""

from __future__ import annotations

import html
import logging
import sqlite3
import traceback

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n.catalog import t
from handlers.telegram.common import language, send, services
from handlers.telegram.journeys.delivery import tell_admins

log = logging.getLogger(__name__)


def _storage_failed(error: BaseException | None) -> bool:
    """Say whether the error came from the database, so the answer being handled was not saved."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, sqlite3.Error):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs an unhandled error, tells the user what is still saved and sends admins the end of the traceback."""
    error = context.error
    user_id = update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    log.error("unhandled error for user %s", user_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        # A failed write lost this answer only; the draft as last saved is still there.
        key = "save_failed" if _storage_failed(error) else "internal_error"
        await send(context.bot, update.effective_chat.id, html.escape(t(key, language(update.effective_user))))
    if error is not None:
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        # Telegram caps a message at 4096 characters; the end of a traceback says the most.
        await tell_admins(context.bot, services(context), f"Error for user {user_id}:\n" + "".join(lines)[-3000:])
