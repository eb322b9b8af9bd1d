"""How long a request like this one usually takes, from the bot's own history or, for a new installation, Jira's.

Figures are computed in the background and kept: drawing the summary card only looks them up.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import math
import statistics
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.delivery.worker import Worker
from bot.i18n.catalog import t
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.storage.expectations import ExpectationReader, ExpectationStore
from bot.storage.store import Store
from bot.templates.schema import Template

log = logging.getLogger(__name__)
# Fewer resolved requests than this say nothing rather than guess.
MIN_POINTS = 5
HISTORY_DAYS = 180
DAY = 86400.0
# Open requests change with every filing and resolution; resolution times slowly.
REFRESH_SECONDS = 60.0
# Figures this old are read again even when no request changed.
UNCHANGED_SECONDS = 3600.0
JIRA_REFRESH_SECONDS = 24 * 3600.0
# A kind of request: its template and the priority it was filed with; ANY stands for every priority.
ANY = "\x00any"
Kind = tuple[str, str | None]


@dataclass(frozen=True)
class Estimate:
    """What to expect for one kind of request: resolution times and how many of its kind are open."""

    template_id: str
    priority: str | None  # None when widened to the whole template
    median: float  # seconds from filing to resolution
    p80: float  # 8 of 10 were resolved within this
    points: int
    ahead: int | None  # open requests of the kind filed earlier; None when the history is Jira's, not the bot's


@dataclass(frozen=True)
class Spread:
    """Resolution times of one kind of request: the median, the time 8 of 10 stayed within, and how many."""

    median: float
    p80: float
    points: int


def spread(durations: Sequence[float]) -> Spread:
    """Return the median and the 80th percentile (nearest rank) of resolution times."""
    ordered = sorted(durations)
    return Spread(statistics.median(ordered), ordered[max(0, math.ceil(0.8 * len(ordered)) - 1)], len(ordered))


def days(seconds: float) -> int:
    """Return a wait in whole days, to the nearest; a request resolved within hours took a day."""
    return max(1, round(seconds / DAY))


def _figures(store: ExpectationStore, now: float) -> tuple[dict[Kind, Spread], dict[Kind, array[float]]]:
    """Return the resolution times per kind of request, and the filing times of the open ones, sorted."""
    # Compact arrays, filled as the rows stream by: at a million requests some hundred thousand are open.
    durations: dict[Kind, array[float]] = defaultdict(lambda: array("d"))
    for row in store.resolved_since(now - HISTORY_DAYS * DAY):
        spent = max(0.0, row.resolved_at - row.created_at)
        durations[(row.template_id, row.priority)].append(spent)
        durations[(row.template_id, ANY)].append(spent)
    opened: dict[Kind, array[float]] = defaultdict(lambda: array("d"))
    for request in store.open_requests():
        opened[(request.template_id, request.priority)].append(request.created_at)
        opened[(request.template_id, ANY)].append(request.created_at)
    # Open requests come oldest first: each kind's filing times are in order, ready to bisect.
    return {kind: spread(times) for kind, times in durations.items()}, dict(opened)


class Estimates(Worker):
    """Keeps resolution times and open requests per kind of request, refreshed in the background."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        # Computed when refreshed, so a card only looks them up.
        self._spreads: dict[Kind, Spread] = {}
        self._open: dict[Kind, array[float]] = {}
        self._jira: dict[tuple[str, str], dict[str | None, Spread]] = {}
        # The card's text per template, priority and language, until the figures change.
        self._lines: dict[tuple[str, str | None, str], str | None] = {}
        self._refreshed: float | None = None
        self._generation = 0
        self._version: int | None = None  # requests_version when last refreshed in the background
        self._jira_asked: dict[tuple[str, str], float] = {}

    def refresh(self) -> None:
        """Read the bot's own history of the last HISTORY_DAYS and its open requests (two queries)."""
        self._use(*_figures(self.store, self.clock()))

    async def refresh_apart(self) -> None:
        """Refresh on a worker thread with a connection of its own, so chats are answered meanwhile; not while no
        request changed, unless the figures are an hour old (the history they cover moves on)."""
        now, generation, version = self.clock(), self._generation, self.store.requests_version()
        if (version == self._version and self._refreshed is not None
                and now - self._refreshed < UNCHANGED_SECONDS):
            return

        def read() -> tuple[dict[Kind, Spread], dict[Kind, array[float]]]:
            reader = ExpectationReader(self.store.path)
            try:
                return _figures(reader, now)
            finally:
                reader.close()

        figures = await asyncio.to_thread(read)
        # Figures read meanwhile by another refresh are newer than these.
        if generation == self._generation:
            self._use(*figures)
            self._version = version

    def _use(self, spreads: dict[Kind, Spread], opened: dict[Kind, array[float]]) -> None:
        self._spreads, self._open, self._lines = spreads, opened, {}
        self._refreshed = self.clock()
        self._generation += 1

    def _fresh(self) -> None:
        if self._refreshed is None or self.clock() - self._refreshed > REFRESH_SECONDS:
            self.refresh()

    def _points(self, kind: Kind) -> int:
        found = self._spreads.get(kind)
        return found.points if found is not None else 0

    def needs_jira(self, templates: Iterable[Template], default_project: str) -> list[tuple[str, str]]:
        """Return the (project, issue type) pairs of templates whose own history is too short to go by."""
        self._fresh()
        wanted = {(template.jira.project or default_project, template.jira.issue_type) for template in templates
                  if self._points((template.id, ANY)) < MIN_POINTS}
        return sorted(wanted)

    async def learn_from_jira(self, gateway: JiraGateway, templates: Iterable[Template], default_project: str) -> int:
        """Fetch Jira's resolved issues for templates with too little history of their own; return how many."""
        learned = 0
        for pair in self.needs_jira(templates, default_project):
            asked = self._jira_asked.get(pair)
            if asked is not None and self.clock() - asked < JIRA_REFRESH_SECONDS:
                continue
            self._jira_asked[pair] = self.clock()
            try:
                found = await gateway.resolved_history(*pair, days=HISTORY_DAYS)
            except DeliveryError as error:
                log.info("Jira's history of %s %s is unknown for now: %s", *pair, error)
                continue
            by_priority: dict[str | None, list[float]] = defaultdict(list)
            for priority, created, resolved in found:
                by_priority[priority].append(max(0.0, resolved - created))
                by_priority[ANY].append(max(0.0, resolved - created))
            self._jira[pair] = {level: spread(times) for level, times in by_priority.items()}
            self._lines = {}
            learned += len(found)
        return learned

    def estimate(self, template: Template, priority: str | None, default_project: str,
                 before: float | None = None) -> Estimate | None:
        """Return what to expect for a request of this template and priority; None with too little history.

        Same template and priority first, then the whole template, then Jira's history of its project and type.
        before counts only the open requests filed earlier (for a request already filed).
        """
        levels = (priority, ANY) if priority is not None else (ANY,)
        for level in levels:
            found = self._spreads.get((template.id, level))
            if found is not None and found.points >= MIN_POINTS:
                opened = self._open.get((template.id, level), array("d"))
                ahead = len(opened) if before is None else bisect.bisect_left(opened, before)
                return Estimate(template.id, None if level == ANY else level, found.median, found.p80, found.points,
                                ahead)
        jira = self._jira.get((template.jira.project or default_project, template.jira.issue_type), {})
        for level in levels:
            found = jira.get(level)
            if found is not None and found.points >= MIN_POINTS:
                return Estimate(template.id, None if level == ANY else level, found.median, found.p80, found.points,
                                None)
        return None

    def line(self, template: Template, priority: str | None, lang: str, default_project: str,
             before: float | None = None) -> str | None:
        """Return what to expect as one short text in lang, or None when there is too little history.

        Only looks the figures up: the background refresh (run) reads the history, never a card on its way.
        """
        cached = (template.id, priority, lang)
        if before is None and cached in self._lines:
            return self._lines[cached]
        text = self._line(template, priority, lang, default_project, before)
        if before is None:
            self._lines[cached] = text
        return text

    def _line(self, template: Template, priority: str | None, lang: str, default_project: str,
              before: float | None) -> str | None:
        found = self.estimate(template, priority, default_project, before)
        if found is None:
            return None
        title = template.title.get(lang)
        kind = f"{title}, {found.priority}" if found.priority else title
        text = t("expect_resolved", lang, kind=kind, median=t("expect_days", lang, count=days(found.median)),
                 p80=t("expect_days", lang, count=days(found.p80)))
        if found.ahead is None:
            return text
        ahead = t("expect_ahead", lang, count=found.ahead) if found.ahead else t("expect_none_ahead", lang)
        return f"{text} {ahead}"

    async def run(self, gateway: JiraGateway, templates: Callable[[], Iterable[Template]], default_project: str
                  ) -> None:
        """Refresh the figures, and Jira's history where the bot's own is short, until stopped.

        Jira is first asked a minute after start, when start-up's own calls to it are done.
        """
        first = True
        while not self.stopping:
            try:
                await self.refresh_apart()
                if not first:
                    await self.learn_from_jira(gateway, templates(), default_project)
            except Exception:
                log.exception("refreshing what to expect failed")
            first = False
            await self.nap(REFRESH_SECONDS)
