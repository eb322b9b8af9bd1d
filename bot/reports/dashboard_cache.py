"""The dashboard's figures kept per span: in memory and in the database, brought up to date in the background.

At a million requests a year of figures takes seconds to count, so an admin is never made to wait for that: once
counted, the page shows the kept figures, with when they were counted, while newer ones are counted; a span never
counted says it is being counted and shows its figures when they are ready. Counts that take longer than a page
waits run in a process of their own, beside the chats rather than in their way.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.reports.count_process import CountFailed, count_apart
from bot.reports.dashboard import Dashboard, week_starts
from bot.reports.dashboard_figures import DashboardPage, count, decode
from bot.storage.store import Store

log = logging.getLogger(__name__)

# How long a page waits for figures being counted before it shows the kept ones, saying when they were counted.
WAIT_SECONDS = 0.15
# How often the dashboards admins open are brought up to date while the bot runs, when requests changed.
REFRESH_SECONDS = 30.0
# The first refresh after start, once the bot has answered its first updates.
FIRST_REFRESH_SECONDS = 5.0
UNWATCHED_SECONDS = 86400.0
# At most this share of a core goes to keeping each span up to date in the background: a year of figures that takes
# 4 s to count at a million requests is counted again at most every 160 s, however often requests change.
BACKGROUND_SHARE = 0.025
# Figures kept this long are counted again even when no request changed: feedback and questions may have.
UNCHANGED_SECONDS = 600.0
# When an admin opened a span is written down at most this often (it decides what is refreshed after a restart).
ASKED_RESOLUTION = 3600.0
# A span never counted is counted while its page waits when there are no more requests than this (a count then
# takes a few hundredths of a second); with more, the page says it is being counted.
QUICK_REQUESTS = 10_000


@dataclass(frozen=True)
class _Kept:
    page: DashboardPage
    version: int
    took: float  # seconds the count took


def _name(weeks: int, zone: ZoneInfo) -> str:
    return f"dashboard:{weeks}:{zone}"


class Dashboards:
    """The dashboards counted lately, per span and time zone, reused while the requests stay as they were."""

    def __init__(self, store: Store, clock: Callable[[], float], *, wait: float = WAIT_SECONDS,
                 quick: int = QUICK_REQUESTS) -> None:
        self._store = store
        self._clock = clock
        self._wait = wait
        self._quick = quick
        self._kept: dict[str, _Kept] = {}
        self._loaded: set[str] = set()
        self._computing: dict[str, asyncio.Task[DashboardPage]] = {}
        self._one_at_a_time = asyncio.Lock()  # counts share the machine with chats: never two at once
        self._asked: dict[str, float] = {}  # when an admin last opened each span, as far as is known
        self._watchers: list[Callable[[int, DashboardPage], None]] = []

    async def get(self, weeks: int, zone: ZoneInfo) -> Dashboard:
        """Return the dashboard over the last weeks, waiting for it when it was never counted (see page)."""
        return (await self.counted(weeks, zone)).board

    async def page(self, weeks: int, zone: ZoneInfo) -> DashboardPage | None:
        """Return all the page shows over the last weeks, or None while a span never counted is being counted
        (CountFailed when the last count of it failed: it is counted again).

        The kept figures when no request changed since they were counted; else figures counted now, when the last
        count took no longer than the wait, or the kept ones marked as not current while newer ones are counted.
        """
        now, name = self._clock(), _name(weeks, zone)
        kept = await self._load(name, zone)
        self._note_asked(name, now)
        if kept is not None:
            if self._current(kept, weeks, zone, now):
                if now - kept.page.counted_at >= UNCHANGED_SECONDS:
                    # What the figures read beside the requests may have changed.
                    self._compute(name, weeks, zone, kept, ahead=True)
                return kept.page
            counting = self._compute(name, weeks, zone, kept)
            try:
                if kept.took <= self._wait:
                    return await asyncio.wait_for(asyncio.shield(counting), self._wait)
            except TimeoutError:
                pass
            return DashboardPage(kept.page.board, kept.page.urgency, kept.page.expected, kept.page.counted_at,
                                 current=False)
        before = self._computing.get(name)
        counting = self._compute(name, weeks, zone, None)
        if self._apart(None):
            if before is not None and before.done() and not before.cancelled() and before.exception() is not None:
                # Counted again meanwhile, but the admin learns that the last try failed rather than wait on.
                raise CountFailed(str(before.exception()))
            return None
        # Shielded: an admin who leaves before it is done does not stop it for the next one.
        return await asyncio.shield(counting)

    async def counted(self, weeks: int, zone: ZoneInfo) -> DashboardPage:
        """Return what page does, but wait for the figures of a span never counted."""
        shown = await self.page(weeks, zone)
        return shown if shown is not None else await asyncio.shield(self._computing[_name(weeks, zone)])

    def watch(self, watcher: Callable[[int, DashboardPage], None]) -> None:
        """Call watcher with a span and its figures when figures no page waits for become those shown: counted in
        the background or apart, or read back after a restart; only for spans opened within a day."""
        self._watchers.append(watcher)

    async def read_back(self, spans: Sequence[int], zone: ZoneInfo) -> None:
        """Ready the spans opened within a day for the first page after a restart: their kept figures read back and
        handed to the watchers when they are what the page will show, and counted again if requests changed."""
        now = self._clock()
        for weeks in spans:
            name = _name(weeks, zone)
            try:
                kept = await self._load(name, zone)
                if kept is None or now - self._asked.get(name, -math.inf) >= UNWATCHED_SECONDS:
                    continue
                if self._current(kept, weeks, zone, now):
                    self._tell(weeks, zone, kept.page)
                    continue
                if self._apart(kept):
                    self._tell(weeks, zone, kept.page)  # shown while the changed ones are counted
                self._compute(name, weeks, zone, kept, ahead=True)
            except sqlite3.Error:
                log.exception("could not read back the dashboard over %d weeks", weeks)

    def kept(self, weeks: int, zone: ZoneInfo) -> Dashboard | None:
        """Return the dashboard last counted over these weeks that this run has seen, however old, if any."""
        kept = self._kept.get(_name(weeks, zone))
        return kept.page.board if kept else None

    async def keep_fresh(self, spans: Sequence[int], zone: ZoneInfo, every: float = REFRESH_SECONDS) -> None:
        """Count these spans' dashboards soon, then again whenever requests changed, one at a time, until cancelled.

        So an admin never waits for a large history: spans never counted are counted soon after start, and those
        opened within a day are kept up to date, each no more often than BACKGROUND_SHARE allows. Spans nobody
        opened for a day are left as they are.
        """
        await asyncio.sleep(min(every, FIRST_REFRESH_SECONDS))  # not during start-up, when chats come first
        while True:
            for weeks in spans:
                name, now = _name(weeks, zone), self._clock()
                try:
                    kept = await self._load(name, zone)
                    wanted = now - self._asked.get(name, -math.inf) < UNWATCHED_SECONDS
                    stale = kept is not None and (not self._current(kept, weeks, zone, now)
                                                  or now - kept.page.counted_at >= UNCHANGED_SECONDS)
                    due = kept is None or now - kept.page.counted_at >= kept.took / BACKGROUND_SHARE
                    if kept is None or (wanted and stale and due):
                        await asyncio.shield(self._compute(name, weeks, zone, kept, ahead=True))
                except (sqlite3.Error, CountFailed):
                    log.exception("could not count the dashboard over %d weeks", weeks)
            await asyncio.sleep(every)

    def _current(self, kept: _Kept, weeks: int, zone: ZoneInfo, now: float) -> bool:
        """Say whether kept figures cover the weeks as of now and no request changed since they were counted."""
        return kept.version == self._store.requests_version() and kept.page.board.weeks == week_starts(
            now, max(1, weeks), zone)

    def _apart(self, kept: _Kept | None) -> bool:
        """Say whether a count is expected to take longer than a page waits, and so runs in a process of its own."""
        return kept.took > self._wait if kept is not None else self._store.requests_stored() > self._quick

    async def _load(self, name: str, zone: ZoneInfo) -> _Kept | None:
        """Return the figures kept for this span, read from the database the first time they are asked for."""
        if name not in self._loaded:
            self._loaded.add(name)
            row = self._store.kept_figures(name)
            if row is not None:
                if row.asked_at is not None:
                    self._asked.setdefault(name, row.asked_at)
                found = await asyncio.to_thread(decode, row.figures, zone, row.counted_at)
                if found is not None and name not in self._kept:
                    self._kept[name] = _Kept(found[0], row.version, found[1])
        return self._kept.get(name)

    def _tell(self, weeks: int, zone: ZoneInfo, page: DashboardPage) -> None:
        if self._clock() - self._asked.get(_name(weeks, zone), -math.inf) < UNWATCHED_SECONDS:
            for watcher in self._watchers:
                watcher(weeks, page)

    def _note_asked(self, name: str, now: float) -> None:
        before = self._asked.get(name)
        self._asked[name] = now
        if before is None or now - before >= ASKED_RESOLUTION:
            self._store.figures_asked(name, now)

    def _compute(self, name: str, weeks: int, zone: ZoneInfo, kept: _Kept | None, *, ahead: bool = False
                 ) -> asyncio.Task[DashboardPage]:
        """Start counting a dashboard, unless one for the same span is being counted already; the figures go to the
        watchers when the count runs apart (no page waits for it) or when asked to (ahead)."""
        task = self._computing.get(name)
        if task is None or task.done():
            apart = self._apart(kept)
            task = asyncio.create_task(self._fresh(name, weeks, zone, apart=apart, ahead=ahead or apart))
            task.add_done_callback(_report_failure)
            self._computing[name] = task
        return task

    async def _fresh(self, name: str, weeks: int, zone: ZoneInfo, *, apart: bool, ahead: bool) -> DashboardPage:
        async with self._one_at_a_time:
            now, version = self._clock(), self._store.requests_version()
            if apart:
                encoded = await count_apart(self._store.path, now, weeks, zone)
                found = await asyncio.to_thread(decode, encoded, zone, now)
                if found is None:
                    raise CountFailed("the count's figures could not be read")
                page, took = found
            else:
                page, took, encoded = await asyncio.to_thread(count, self._store.path, now, weeks, zone)
        self._kept[name] = _Kept(page, version, took)
        self._store.keep_figures(name, now, version, encoded, self._asked.get(name))
        if ahead:
            self._tell(weeks, zone, page)
        return page


def _report_failure(task: asyncio.Task[DashboardPage]) -> None:
    """Log a count that failed, also when no page was left waiting for it."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("could not count the dashboard: %s", error, exc_info=error)
