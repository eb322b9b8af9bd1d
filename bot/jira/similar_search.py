"""Similar-issue searches started when the summary card appears, so tapping Create rarely waits for Jira."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bot.jira.similar import keywords, similar_jql
from bot.jira.ticket import Ticket
from bot.text.wiki import slug

log = logging.getLogger(__name__)
Found = list[tuple[str, str, str]]  # (key, summary, status) of open issues like the request


def query_for(ticket: Ticket, lang: str) -> str:
    """The JQL that finds open issues like this ticket; ValueError when the ask has no words to search for."""
    # The summary says what the ask is about; the customer is matched by its label instead.
    ask = ticket.summary.replace(ticket.customer, " ") if ticket.customer else ticket.summary
    return similar_jql(ticket.project, slug(ticket.customer) if ticket.customer else None, keywords(ask, lang))


class SimilarSearches:
    """One search per draft, begun early and picked up by Create; a changed draft begins a new one."""

    def __init__(self, search: Callable[[str], Coroutine[Any, Any, Found]], keep_seconds: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._search = search
        self._keep = keep_seconds
        self._clock = clock
        self._begun: dict[int, tuple[str, float, asyncio.Task[Found]]] = {}  # draft owner -> jql, when, search

    def __len__(self) -> int:
        return len(self._begun)

    def start(self, owner: int, jql: str) -> None:
        """Begin this search for a draft unless the same one is already under way or done."""
        now = self._clock()
        # Searches are kept in the order they began, so the expired ones are at the front.
        while self._begun:
            oldest, (_, begun, stale) = next(iter(self._begun.items()))
            if now - begun <= self._keep:
                break
            del self._begun[oldest]
            stale.cancel()
        current = self._begun.get(owner)
        if current is not None and current[0] == jql:
            return
        if current is not None:
            del self._begun[owner]  # begun again below, at the back
            current[2].cancel()
        task = asyncio.create_task(self._search(jql))
        task.add_done_callback(_note_failure)
        self._begun[owner] = (jql, now, task)

    def look_ahead(self, owner: int, ticket: Ticket, lang: str) -> None:
        """Begin the search for the ticket a draft would file now, if its ask has words to search for."""
        with contextlib.suppress(ValueError):
            self.start(owner, query_for(ticket, lang))

    async def result(self, owner: int, jql: str, limit: float) -> Found:
        """The issues this search finds, from the early search when it matches; waits at most limit seconds."""
        self.start(owner, jql)
        task = self._begun[owner][2]
        try:
            return await asyncio.wait_for(asyncio.shield(task), limit)
        finally:
            if task.done():
                self._begun.pop(owner, None)

    def forget(self, owner: int) -> None:
        """Drop a draft's search (it was sent, joined or cancelled)."""
        begun = self._begun.pop(owner, None)
        if begun is not None:
            begun[2].cancel()


def _note_failure(task: asyncio.Task[Found]) -> None:
    # Retrieved here so a search nobody waits for any more does not end as "exception never retrieved".
    if not task.cancelled() and task.exception() is not None:
        log.info("similar-issue search failed: %s", task.exception())
