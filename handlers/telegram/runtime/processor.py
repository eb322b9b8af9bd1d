"""Update processing: concurrent across chats, strictly in order within one chat."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates of different chats at once, but one chat's updates one after another.

    A double tap on Create, or an answer typed while the previous one is still being handled, must
    see the draft as the previous update left it.
    """

    def __init__(self, max_concurrent_updates: int = 256, metrics: Metrics | None = None,
                 on_handled: Callable[[int], None] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.metrics = metrics
        self.on_handled = on_handled  # told each update id once its handlers are done, e.g. by a load test
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._recent: deque[int] = deque(maxlen=4096)
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._in_flight: set[int] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers after earlier updates of the same chat."""
        key = _chat_key(update)
        started = time.perf_counter()
        if isinstance(update, Update):
            self._in_flight.add(update.update_id)
        try:
            if key is None:
                await coroutine
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._users[key] = self._users.get(key, 0) + 1
            try:
                async with lock:
                    await coroutine
            finally:
                self._users[key] -= 1
                if self._users[key] == 0:
                    del self._users[key]
                    del self._locks[key]
        finally:
            if isinstance(update, Update):
                self._measure(update, time.perf_counter() - started)
                self._finished(update.update_id)

    def _measure(self, update: Update, seconds: float) -> None:
        if self.metrics is None:
            return
        if update.effective_user is None and update.effective_chat is None:
            return  # nobody's traffic: the bare update_id left of an update that could not be read
        kind = "callback_query" if update.callback_query else "message" if update.message else "other"
        self.metrics.updates.labels(kind).inc()
        self.metrics.latency.labels(kind).observe(seconds)

    def seen(self, update_id: int) -> bool:
        """Say whether this update is being handled or was handled recently (Telegram may send it again)."""
        return update_id in self._in_flight or update_id in self._recent

    async def drained(self, limit: float) -> bool:
        """Wait until no update is being handled; False if some still are after limit seconds."""
        for _ in range(int(limit / 0.05) + 1):
            if not self._in_flight:
                return True
            await asyncio.sleep(0.05)
        return not self._in_flight

    def _finished(self, update_id: int) -> None:
        self._in_flight.discard(update_id)
        self._recent.append(update_id)
        if self.on_handled is not None:
            self.on_handled(update_id)
        for future in self._waiters.pop(update_id, []):
            if not future.done():
                future.set_result(None)

    async def wait_handled(self, update_id: int, limit: float = 10.0) -> None:
        """Wait until the update with this id has been fully handled."""
        if update_id in self._recent:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(update_id, []).append(future)
        await asyncio.wait_for(future, limit)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
