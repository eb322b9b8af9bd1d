"""Telling people in Telegram what an admin changed on the web page, with the messages the bot's journeys send."""

from __future__ import annotations

import logging

from aiohttp import web
from telegram.error import TelegramError

from bot.people.access import Person
from bot.people.access_requests import AccessRequest
from bot.storage.store import StoredDraft
from handlers.telegram.admin import access_requests, users
from handlers.web.admin.auth import STATE

log = logging.getLogger(__name__)


async def announce_decision(app: web.Application, request: AccessRequest) -> bool:
    """Update every admin's copy of an access request and tell the person; say whether Telegram took it."""
    state = app[STATE]
    bot = state.telegram(app)
    if bot is None:
        return False
    try:
        await access_requests.settle(bot, state.svc, request)
        return await access_requests.tell_requester(bot, state.svc, request)
    except TelegramError as error:
        log.warning("could not tell %s about the access decision: %s", request.user_id, error)
        return False


async def announce_role(app: web.Application, before: Person, role: str, draft: StoredDraft | None) -> bool:
    """Tell a person their new role (a revoked one loses the draft's buttons); say whether Telegram took it."""
    state = app[STATE]
    bot = state.telegram(app)
    if bot is None:
        return False
    try:
        return await users.tell_target(bot, state.svc, before, role, draft)
    except TelegramError as error:
        log.warning("could not tell %s about their new role: %s", before.id, error)
        return False
