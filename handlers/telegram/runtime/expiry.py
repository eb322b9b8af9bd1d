"""Dropping drafts nobody has touched for drafts.expire_hours, with a notice to their owner; reminding approvers and
closing requests they left undecided for approval.expire_hours."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.app import App
from handlers.telegram.journeys.approval import close_unanswered, remind_due
from handlers.telegram.journeys.drafts import expire

log = logging.getLogger(__name__)


async def sweep_once(bot: Bot, svc: App) -> int:
    """Expire every draft that is due; return how many."""
    cutoff = svc.clock() - svc.config.draft_expire_hours * 3600
    expired = svc.store.expired_drafts(cutoff)
    for stored in expired:
        await expire(bot, svc, stored)
    return len(expired)


async def sweep_forever(bot: Bot, svc: App, interval: float = 60.0) -> None:
    """Expire due drafts, close and remind of waiting requests every interval seconds until cancelled."""
    while True:
        try:
            await sweep_once(bot, svc)
        except Exception:
            log.exception("draft expiry pass failed")
        try:
            await close_unanswered(bot, svc)
        except Exception:
            log.exception("approval expiry pass failed")
        try:
            await remind_due(bot, svc)
        except Exception:
            log.exception("approval reminder pass failed")
        await asyncio.sleep(interval)
