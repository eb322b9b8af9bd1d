"""The bot in Telegram as the web server sees it: telling people what admins changed, and the webhook's updates."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.app import App
from bot.people.access import Person
from bot.people.access_requests import AccessRequest
from bot.storage.store import StoredDraft
from handlers.telegram.admin import access_requests, users
from handlers.telegram.runtime.incoming import read_update
from handlers.telegram.runtime.processor import ChatOrderedProcessor

log = logging.getLogger(__name__)


class TelegramMessenger:
    """Tells people in Telegram what an admin did on the web page, with the messages the bot's journeys send."""

    def __init__(self, application: Application, svc: App) -> None:  # type: ignore[type-arg]
        self.application = application
        self.svc = svc

    def username(self) -> str | None:
        """Return the bot's username, known once the application has started."""
        try:
            return str(self.application.bot.username)
        except RuntimeError:
            return None

    async def reachable(self) -> tuple[bool, str]:
        """Ask Telegram who the bot is."""
        try:
            me = await self.application.bot.get_me()
        except TelegramError as error:
            return False, f"{type(error).__name__}: {error}"
        return True, f"@{me.username}"

    async def announce_access_decision(self, request: AccessRequest) -> bool:
        """Update every admin's copy of an access request and tell the person; say whether Telegram took it."""
        bot = self.application.bot
        try:
            await access_requests.settle(bot, self.svc, request)
            return await access_requests.tell_requester(bot, self.svc, request)
        except TelegramError as error:
            log.warning("could not tell %s about the access decision: %s", request.user_id, error)
            return False

    async def announce_role(self, before: Person, role: str, draft: StoredDraft | None) -> bool:
        """Tell a person their new role (a revoked one loses the draft's buttons); say whether Telegram took it."""
        try:
            return await users.tell_target(self.application.bot, self.svc, before, role, draft)
        except TelegramError as error:
            log.warning("could not tell %s about their new role: %s", before.id, error)
            return False


class TelegramUpdates:
    """Hands the updates Telegram pushes to the webhook to the application, which handles them in order per chat."""

    def __init__(self, application: Application) -> None:  # type: ignore[type-arg]
        self.application = application

    def _processor(self) -> ChatOrderedProcessor | None:
        processor = self.application.update_processor
        return processor if isinstance(processor, ChatOrderedProcessor) else None

    def seen(self, update_id: int) -> bool:
        """Say whether this update is being handled or was handled recently."""
        processor = self._processor()
        return processor is not None and processor.seen(update_id)

    async def take(self, data: dict[str, Any]) -> bool:
        """Queue the update for the application; False when python-telegram-bot cannot read it (logged)."""
        update = read_update(data, self.application.bot)
        if update is None:
            return False
        await self.application.update_queue.put(update)
        return True

    async def wait_handled(self, update_id: int, seconds: float) -> bool:
        """Wait until the update's handlers are done; False if they still run after so many seconds."""
        processor = self._processor()
        if processor is None:
            return True
        try:
            await processor.wait_handled(update_id, seconds)
        except TimeoutError:
            return False
        return True
