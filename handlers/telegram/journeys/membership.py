"""The membership journey: a salesperson blocks or unblocks the bot."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from handlers.telegram.common import services

log = logging.getLogger(__name__)


async def member_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Marks a user inactive when they block the bot, and active again when they come back."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    active = change.new_chat_member.status not in (ChatMember.BANNED, ChatMember.LEFT)
    services(context).store.set_active(change.from_user.id, active)
    log.info("user %s %s the bot", change.from_user.id, "unblocked" if active else "blocked")
