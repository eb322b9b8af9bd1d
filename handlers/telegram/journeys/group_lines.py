"""The group's "is filing this" line, changed to say so when the request it announced is dropped unfiled."""

from __future__ import annotations

import html
import logging

from telegram import Bot

from bot.i18n.catalog import t
from bot.intake.draft import Draft
from handlers.telegram.common import edit

log = logging.getLogger(__name__)


async def not_filed(bot: Bot, draft: Draft) -> None:
    """Tell the group a request begun from its chat was cancelled or left to expire, so nobody waits for its key."""
    origin = draft.origin or {}
    line, chat = origin.get("line_id"), origin.get("chat_id")
    if not isinstance(line, int) or not isinstance(chat, int):
        return
    lang = str(origin.get("lang") or draft.lang)
    text = t("group_not_filed", lang, name=str(origin.get("asker") or draft.reporter.name))
    if not await edit(bot, chat, line, html.escape(text), None):
        log.info("the line in group %s about a dropped request could not be changed", chat)
