"""The HTTP transport to the Bot API: python-telegram-bot's httpx request with a bounded number in flight."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.request import HTTPXRequest

# A few dozen keep-alive connections carry far more than Telegram's own limits let a bot send.
CONNECTION_POOL_SIZE = 32


class BoundedRequest(HTTPXRequest):
    """An HTTPXRequest that lets at most its pool size of requests into httpx at once; the rest wait here."""

    def __init__(self, connection_pool_size: int = CONNECTION_POOL_SIZE, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        # httpx scans every queued request against every pooled connection each time one is freed, so a
        # few hundred busy chats queued inside it cost more CPU than the requests themselves. Waiting here
        # is a plain FIFO and keeps httpx's queue empty; its pool timeout then only counts real trouble.
        self._slots = asyncio.Semaphore(connection_pool_size)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send one request once a connection slot is free."""
        async with self._slots:
            return await super().do_request(*args, **kwargs)
