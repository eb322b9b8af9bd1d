"""The dashboard's figures kept per span: in memory and in the database, brought up to date in the background.

At a million requests a year of figures takes a second or more to count, so an admin is never made to wait for
that once the figures have been counted: the page shows the kept ones, with when they were counted, while newer
ones are counted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.reports import urgency
from bot.reports.dashboard import Dashboard, compute, week_starts
from bot.reports.expectations import ExpectationFigures, Share, deadlines_kept, satisfaction
from bot.storage.expectations import ExpectationReader
from bot.storage.reports import ReportReader
from bot.storage.store import Store

log = logging.getLogger(__name__)

# How long a page waits for figures being counted before it shows the kept ones, saying when they were counted.
WAIT_SECONDS = 0.15
# How often the dashboards admins open are brought up to date while the bot runs, when requests changed.
REFRESH_SECONDS = 30.0
# The first refresh after start, once the bot has answered its first updates.
FIRST_REFRESH_SECONDS = 5.0
UNWATCHED_SECONDS = 86400.0
# Figures kept this long are counted again even when no request changed: feedback and questions may have.
UNCHANGED_SECONDS = 600.0
# When an admin opened a span is written down at most this often (it decides what is refreshed after a restart).
ASKED_RESOLUTION = 3600.0
# Figures kept from an older release of the bot, in another shape, are counted afresh.
SHAPE = 1


@dataclass(frozen=True)
class DashboardPage:
    """Everything the dashboard page shows for its weeks, when it was counted, and whether requests changed since."""

    board: Dashboard
    urgency: urgency.UrgencyReport
    expected: ExpectationFigures
    counted_at: float
    current: bool = True


@dataclass(frozen=True)
class _Kept:
    page: DashboardPage
    version: int
    took: float  # seconds the count took


def _name(weeks: int, zone: tzinfo) -> str:
    return f"dashboard:{weeks}:{zone}"


def _encode(page: DashboardPage, took: float) -> str:
    """Return the figures, and how long they took to count, as JSON to keep in the database."""
    board = asdict(page.board)
    board["weeks"] = [week.timestamp() for week in page.board.weeks]
    return json.dumps({"shape": SHAPE, "took": took, "board": board, "urgency": asdict(page.urgency),
                       "expected": asdict(page.expected)}, ensure_ascii=False, separators=(",", ":"))


def _decode(text: str, zone: tzinfo, counted_at: float) -> tuple[DashboardPage, float] | None:
    """Return the figures kept as JSON and how long they took to count, or None when they are in an older shape or
    unreadable."""
    try:
        data = json.loads(text)
        if data.get("shape") != SHAPE:
            return None
        board: dict[str, Any] = data["board"]
        board["weeks"] = [datetime.fromtimestamp(at, zone) for at in board["weeks"]]
        board["top_customers"] = [(str(name), int(n)) for name, n in board["top_customers"]]

        def groups(found: list[dict[str, Any]]) -> list[urgency.UrgencyGroup]:
            return [urgency.UrgencyGroup(g["name"], [urgency.UrgencyLine(**line) for line in g["lines"]])
                    for g in found]

        def shares(found: dict[str, dict[str, int]]) -> dict[str, Share]:
            return {key: Share(**value) for key, value in found.items()}

        report = urgency.UrgencyReport(groups(data["urgency"]["by_template"]), groups(data["urgency"]["by_requester"]))
        expected = data["expected"]
        return DashboardPage(Dashboard(**board), report, ExpectationFigures(
            shares(expected["deadlines"]), shares(expected["solved_by_template"]),
            shares(expected["solved_by_month"])), counted_at), float(data["took"])
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("kept dashboard figures could not be read; they are counted afresh")
        return None


def _count(store: Store, now: float, weeks: int, zone: tzinfo) -> tuple[DashboardPage, float, str]:
    """Count everything the page shows over the weeks, on read-only connections of its own; return it, the seconds
    it took, and it as JSON."""
    started = time.perf_counter()
    reports, expectations = ReportReader(store.path), ExpectationReader(store.path)
    try:
        board = compute(reports, now, weeks, zone)
        report = urgency.compute(reports, board.weeks[0].timestamp(), now)
        expected = ExpectationFigures(deadlines_kept(expectations, now, zone), *satisfaction(expectations, zone))
    finally:
        reports.close()
        expectations.close()
    page = DashboardPage(board, report, expected, now)
    took = time.perf_counter() - started
    return page, took, _encode(page, took)


class Dashboards:
    """The dashboards counted lately, per span and time zone, reused while the requests stay as they were."""

    def __init__(self, store: Store, clock: Callable[[], float], *, wait: float = WAIT_SECONDS) -> None:
        self._store = store
        self._clock = clock
        self._wait = wait
        self._kept: dict[str, _Kept] = {}
        self._loaded: set[str] = set()
        self._computing: dict[str, asyncio.Task[DashboardPage]] = {}
        self._one_at_a_time = asyncio.Lock()  # counts share the machine with chats: never two at once
        self._asked: dict[str, float] = {}  # when an admin last opened each span, as far as is known

    async def get(self, weeks: int, zone: tzinfo) -> Dashboard:
        """Return the dashboard over the last weeks (see page)."""
        return (await self.page(weeks, zone)).board

    async def page(self, weeks: int, zone: tzinfo) -> DashboardPage:
        """Return all the page shows over the last weeks.

        The kept figures when no request changed since they were counted; else figures counted now, when the last
        count took no longer than the wait, or the kept ones marked as not current while newer ones are counted.
        Only a span never counted before makes the admin wait for the count.
        """
        now, name = self._clock(), _name(weeks, zone)
        kept = await self._load(name, zone)
        self._note_asked(name, now)
        if kept is not None:
            if self._current(kept, weeks, zone, now):
                if now - kept.page.counted_at >= UNCHANGED_SECONDS:
                    self._compute(name, weeks, zone)  # what the figures read beside the requests may have changed
                return kept.page
            counting = self._compute(name, weeks, zone)
            try:
                if kept.took <= self._wait:
                    return await asyncio.wait_for(asyncio.shield(counting), self._wait)
            except TimeoutError:
                pass
            return DashboardPage(kept.page.board, kept.page.urgency, kept.page.expected, kept.page.counted_at,
                                 current=False)
        # Shielded: an admin who leaves before it is done does not stop it for the next one.
        return await asyncio.shield(self._compute(name, weeks, zone))

    def kept(self, weeks: int, zone: tzinfo) -> Dashboard | None:
        """Return the dashboard last counted over these weeks that this run has seen, however old, if any."""
        kept = self._kept.get(_name(weeks, zone))
        return kept.page.board if kept else None

    async def keep_fresh(self, spans: Sequence[int], zone: tzinfo, every: float = REFRESH_SECONDS) -> None:
        """Count these spans' dashboards soon, then again whenever requests changed, one at a time, until cancelled.

        So an admin never waits for a large history: spans never counted are counted soon after start, and those
        opened within a day are kept up to date. Spans nobody opened for a day are left as they are.
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
                    if kept is None or (wanted and stale):
                        await asyncio.shield(self._compute(name, weeks, zone))
                except sqlite3.Error:
                    log.exception("could not count the dashboard over %d weeks", weeks)
            await asyncio.sleep(every)

    def _current(self, kept: _Kept, weeks: int, zone: tzinfo, now: float) -> bool:
        """Say whether kept figures cover the weeks as of now and no request changed since they were counted."""
        return kept.version == self._store.requests_version() and kept.page.board.weeks == week_starts(
            now, max(1, weeks), zone)

    async def _load(self, name: str, zone: tzinfo) -> _Kept | None:
        """Return the figures kept for this span, read from the database the first time they are asked for."""
        if name not in self._loaded:
            self._loaded.add(name)
            row = self._store.kept_figures(name)
            if row is not None:
                if row.asked_at is not None:
                    self._asked.setdefault(name, row.asked_at)
                found = await asyncio.to_thread(_decode, row.figures, zone, row.counted_at)
                if found is not None and name not in self._kept:
                    self._kept[name] = _Kept(found[0], row.version, found[1])
        return self._kept.get(name)

    def _note_asked(self, name: str, now: float) -> None:
        before = self._asked.get(name)
        self._asked[name] = now
        if before is None or now - before >= ASKED_RESOLUTION:
            self._store.figures_asked(name, now)

    def _compute(self, name: str, weeks: int, zone: tzinfo) -> asyncio.Task[DashboardPage]:
        """Start counting a dashboard, unless one for the same span is being counted already."""
        task = self._computing.get(name)
        if task is None or task.done():
            task = asyncio.create_task(self._fresh(name, weeks, zone))
            self._computing[name] = task
        return task

    async def _fresh(self, name: str, weeks: int, zone: tzinfo) -> DashboardPage:
        async with self._one_at_a_time:
            now, version = self._clock(), self._store.requests_version()
            page, took, encoded = await asyncio.to_thread(_count, self._store, now, weeks, zone)
        self._kept[name] = _Kept(page, version, took)
        self._store.keep_figures(name, now, version, encoded, self._asked.get(name))
        return page
