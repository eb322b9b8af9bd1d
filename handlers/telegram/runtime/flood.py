"""Riding out Telegram's flood control: replies to people first, a call refused with 429 waits and goes out."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# Long enough to outlast any storm Telegram has put a bot through; short enough that calls to a chat Telegram
# keeps refusing do not pile up for ever.
GIVE_UP_AFTER = 600.0
# Telegram asks bots to send about one message a second to one chat; background sends keep to that.
CHAT_INTERVAL = 1.0
# Replies can fill Telegram's whole rate (a crowd tapping with no pause); a background send waiting longer than
# this for a gap between them goes anyway, so notices slow down then but never stop.
BACKGROUND_PATIENCE = 2.0
# Chats remembered for pacing before the ones quiet for longer than the interval are forgotten.
CHATS_KEPT = 1024

# Set for tasks that send on their own (notices, deliveries, reminders) rather than in reply to someone.
_BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("background_send", default=False)


@contextlib.contextmanager
def background_sends() -> Iterator[None]:
    """Mark what tasks created inside this block send as background sends, which give way to replies."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)

Result = bool | dict[str, Any] | list[dict[str, Any]]


def _retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds, whichever type this python-telegram-bot gives it in."""
    value: Any = error.retry_after
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


class _GaveUp(Exception):
    """Carries the last refusal past AIORateLimiter's retry loop, which would otherwise retry it again."""

    def __init__(self, refusal: RetryAfter) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class PatientRateLimiter(AIORateLimiter):
    """python-telegram-bot's AIORateLimiter with replies to people ahead of background sends, and patient.

    Both kinds share Telegram's ~30 messages a second (AIORateLimiter's overall limit) and its per-group limit.
    A reply to someone asks for a slot at once. Background sends (notices, deliveries, reminders: see
    background_sends) ask one at a time, only while no reply is waiting (or once they have waited
    BACKGROUND_PATIENCE), and keep to one message a second per chat: a drain of a thousand notices takes what
    replies leave, and a reply waits behind one notice at most.

    A message is never dropped because Telegram was busy: each refusal is waited out as Telegram says
    (AIORateLimiter holds back the bot's other calls meanwhile) and the same call is made again, an edit as an
    edit. Only a call still refused after give_up_after seconds fails, with Telegram's RetryAfter.
    """

    def __init__(self, give_up_after: float = GIVE_UP_AFTER, *, overall_max_rate: float = 30,
                 chat_interval: float = CHAT_INTERVAL) -> None:
        # The number of retries is bounded by the time they take, in process_request.
        super().__init__(overall_max_rate=overall_max_rate, max_retries=sys.maxsize)
        self.give_up_after = give_up_after
        self.chat_interval = chat_interval
        self._replies_waiting = 0
        self._no_reply_waiting = asyncio.Event()
        self._no_reply_waiting.set()
        self._background_turn = asyncio.Lock()
        self._last_in_chat: dict[int | str, float] = {}  # monotonic time the last call to a chat started

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Make the call when its turn comes: replies first, then background sends, paced per chat."""
        chat = data.get("chat_id")
        if not isinstance(chat, int | str):
            # Answers to taps and calls about the bot itself name no chat and count against no limit.
            return await self._patient(callback, args, kwargs, endpoint, data, None)
        if not _BACKGROUND.get():
            return await self._reply(chat, callback, args, kwargs, endpoint, data)
        await self._pace(chat)
        await self._background_turn.acquire()
        turn = [True]

        def pass_turn() -> None:
            if turn:
                turn.clear()
                self._background_turn.release()
                self._last_in_chat[chat] = time.monotonic()

        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._no_reply_waiting.wait(), BACKGROUND_PATIENCE)
            return await self._patient(callback, args, kwargs, endpoint, data, pass_turn)
        finally:
            pass_turn()

    async def _reply(self, chat: int | str, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any,
                     kwargs: dict[str, Any], endpoint: str, data: dict[str, Any]) -> Result:
        """Make a call in reply to someone, holding background sends back until it has its slot."""
        self._replies_waiting += 1
        self._no_reply_waiting.clear()
        waiting = [True]

        def started() -> None:
            if waiting:
                waiting.clear()
                self._replies_waiting -= 1
                if not self._replies_waiting:
                    self._no_reply_waiting.set()
                # A notice right after a reply would be a second message in that chat within the second.
                self._last_in_chat[chat] = time.monotonic()

        try:
            return await self._patient(callback, args, kwargs, endpoint, data, started)
        finally:
            started()

    async def _pace(self, chat: int | str) -> None:
        """Wait until this chat has had nothing for chat_interval, then claim it for a background send."""
        while True:
            now = time.monotonic()
            due = self._last_in_chat.get(chat, -self.chat_interval) + self.chat_interval
            if due <= now:
                if len(self._last_in_chat) > CHATS_KEPT:
                    self._last_in_chat = {key: at for key, at in self._last_in_chat.items()
                                          if at > now - self.chat_interval}
                self._last_in_chat[chat] = now
                return
            await asyncio.sleep(due - now)

    async def _patient(self, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any, kwargs: dict[str, Any],
                       endpoint: str, data: dict[str, Any], on_start: Callable[[], None] | None) -> Result:
        """Make the call through AIORateLimiter, giving up once waiting would take it past give_up_after."""
        deadline = time.monotonic() + self.give_up_after

        async def attempt(*call_args: Any, **call_kwargs: Any) -> Result:
            # Past AIORateLimiter's limits: the call has its slot.
            if on_start is not None:
                on_start()
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as refusal:
                if time.monotonic() + _retry_seconds(refusal) > deadline:
                    raise _GaveUp(refusal) from None
                raise

        try:
            return await super().process_request(attempt, args, kwargs, endpoint, data, None)
        except _GaveUp as stop:
            log.error("Telegram kept refusing %s for chat %s for %.0f seconds; given up", endpoint,
                      data.get("chat_id"), self.give_up_after)
            raise stop.refusal from None
