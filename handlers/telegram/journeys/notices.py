"""The being-told journey: Jira's changes and questions arrive in the salesperson's chat."""

from __future__ import annotations

import html

from telegram import Bot

from bot.app import App
from handlers.telegram.common import language_of, send
from handlers.telegram.journeys.replies import reply_markup


def has_access(svc: App, user_id: int) -> bool:
    """Say whether a user may still use the bot: revoked people, and people no longer listed, hear nothing more."""
    return svc.access.allowed(user_id, svc.access.username_of(user_id))


class TelegramNoticeSink:
    """A NoticeSink that sends through the bot and remembers which message is about which issue."""

    def __init__(self, bot: Bot, svc: App) -> None:
        self.bot = bot
        self.svc = svc

    async def notice(self, user_id: int, chat_id: int, issue_key: str, text: str, *, asks: bool) -> bool:
        """Send one notice with a Reply button to someone who still has access; a reply to it becomes a comment."""
        if not has_access(self.svc, user_id):
            return False
        lang = language_of(self.svc, user_id)
        message_id = await send(self.bot, chat_id, html.escape(text), reply_markup(issue_key, lang))
        if message_id is None:
            self.svc.store.set_active(user_id, False)
            return False
        request = self.svc.store.request_by_key(issue_key)
        self.svc.store.remember_notice(chat_id, message_id, issue_key, request.id if request else None)
        self.svc.metrics.notices.labels("needs_info" if asks else "jira").inc()
        return True
