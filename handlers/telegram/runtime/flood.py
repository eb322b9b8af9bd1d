"""Riding out Telegram's flood control: a call refused with 429 waits as long as Telegram asks, then goes out."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

# Long enough to outlast any storm Telegram has put a bot through; short enough that calls to a chat Telegram
# keeps refusing do not pile up for ever.
GIVE_UP_AFTER = 600.0

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
    """python-telegram-bot's AIORateLimiter, retrying a refused call for as long as give_up_after, not a few times.

    A message to a person is never dropped because Telegram was busy: each refusal is waited out as Telegram
    says (AIORateLimiter holds back the bot's other calls meanwhile) and the same call is made again, an edit
    as an edit. Only a call still refused after give_up_after seconds fails, with Telegram's RetryAfter.
    """

    def __init__(self, give_up_after: float = GIVE_UP_AFTER) -> None:
        # The number of retries is bounded by the time they take, in process_request.
        super().__init__(max_retries=sys.maxsize)
        self.give_up_after = give_up_after

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Make the call through AIORateLimiter, giving up once waiting would take it past give_up_after."""
        deadline = time.monotonic() + self.give_up_after

        async def attempt(*call_args: Any, **call_kwargs: Any) -> Result:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as refusal:
                if time.monotonic() + _retry_seconds(refusal) > deadline:
                    raise _GaveUp(refusal) from None
                raise

        try:
            return await super().process_request(attempt, args, kwargs, endpoint, data, rate_limit_args)
        except _GaveUp as stop:
            log.error("Telegram kept refusing %s for chat %s for %.0f seconds; given up", endpoint,
                      data.get("chat_id"), self.give_up_after)
            raise stop.refusal from None
