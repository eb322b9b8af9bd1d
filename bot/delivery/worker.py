"""A background loop that sleeps until its next job is due, or until it is kicked."""

from __future__ import annotations

import asyncio
import contextlib

MIN_NAP = 0.05


class Worker:
    """Shared waking and stopping for the outbox and the inbox."""

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def stopping(self) -> bool:
        """Say whether stop() was called."""
        return self._stopping

    def kick(self) -> None:
        """Look for work now instead of at the next due time."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the loop to finish after the job in flight."""
        self._stopping = True
        self._wake.set()

    async def nap(self, seconds: float) -> None:
        """Sleep up to seconds, waking early when kicked."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), max(MIN_NAP, seconds))
        self._wake.clear()
