"""The admins' dashboard figures: requests per week, response and resolution times, follow-ups, top customers."""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from bot.reports.expectations import ExpectationFigures, figures_apart
from bot.reports.request_log import apart
from bot.reports.urgency import UrgencyReport
from bot.reports.urgency import compute_apart as urgency_apart
from bot.storage.reports import ReportStore, WeekMedian
from bot.storage.store import Store
from bot.text.dates import format_day, format_duration

log = logging.getLogger(__name__)

NO_URGENCY = "(none)"
# The templates drawn one by one; the rest are one series. Two hundred series would read as noise and take the
# page a tenth of a second to draw.
TOP_TEMPLATES = 10
OTHER_TEMPLATES = "(other)"


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, for the weeks it covers."""

    weeks: list[datetime]
    by_template: dict[str, list[int]] = field(default_factory=dict)
    by_urgency: dict[str, list[int]] = field(default_factory=dict)
    total: int = 0
    filed: int = 0
    resolved: int = 0
    median_first_response: float | None = None
    median_resolution: float | None = None
    followup_share: float | None = None
    top_customers: list[tuple[str, int]] = field(default_factory=list)
    # Per week of filing: the median seconds to the first engineer response and to resolution, and the share of
    # the requests filed in Jira that engineering asked about; None for a week without any.
    weekly_first_response: list[float | None] = field(default_factory=list)
    weekly_resolution: list[float | None] = field(default_factory=list)
    weekly_followup_share: list[float | None] = field(default_factory=list)
    # The last week is not over yet: its figures will still grow.
    current_week_partial: bool = False

    @property
    def week_labels(self) -> list[str]:
        """Return each week's first day as "23 Nov"."""
        return [format_day(week, "en", year=False) for week in self.weeks]


def _week_starts(now: float, weeks: int, zone: tzinfo) -> list[datetime]:
    today = datetime.fromtimestamp(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _weekly(medians: list[WeekMedian], weeks: int) -> tuple[list[float | None], float | None, int]:
    """Split the store's medians into the per-week series, the median over all weeks and how many it covers."""
    series: list[float | None] = [None] * weeks
    overall, count = None, 0
    for week, median, n in medians:
        if week < 0:
            overall, count = median, n
        elif week < weeks:
            series[week] = median
    return series, overall, count


def _top(series: dict[str, list[int]], keep: int) -> dict[str, list[int]]:
    """Return the series with the largest totals, largest first, and the others summed as one series."""
    ordered = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    if len(ordered) <= keep + 1:
        return dict(ordered)
    rest = [sum(counts) for counts in zip(*(counts for _, counts in ordered[keep:]), strict=True)]
    return {**dict(ordered[:keep]), OTHER_TEMPLATES: rest}


def compute(store: ReportStore, now: float, weeks: int = 12, zone: tzinfo | None = None) -> Dashboard:
    """Compute the dashboard over the last `weeks` calendar weeks (Monday to Sunday) in the given time zone."""
    zone = zone or UTC
    starts = _week_starts(now, max(1, weeks), zone)
    # Requests created up to now, this instant included.
    bounds = [s.timestamp() for s in starts] + [math.nextafter(now, math.inf)]
    span = len(starts)
    by_template: dict[str, list[int]] = {}
    by_urgency: dict[str, list[int]] = {}
    filed, asked = [0] * span, [0] * span
    total = 0
    for week, template_id, urgency, count, in_jira, followed_up in store.week_counts(bounds):
        by_template.setdefault(template_id, [0] * span)[week] += count
        by_urgency.setdefault(urgency or NO_URGENCY, [0] * span)[week] += count
        filed[week] += in_jira
        asked[week] += followed_up
        total += count
    weekly_response, median_response, _ = _weekly(store.week_medians(bounds, "first_response_at"), span)
    weekly_resolution, median_resolution, resolved = _weekly(store.week_medians(bounds, "resolved_at"), span)
    end_of_last = (starts[-1] + timedelta(weeks=1)).timestamp()
    return Dashboard(
        weeks=starts,
        by_template=_top(by_template, TOP_TEMPLATES),
        by_urgency=dict(sorted(by_urgency.items(), key=lambda kv: -sum(kv[1]))),
        total=total, filed=sum(filed), resolved=resolved,
        median_first_response=median_response, median_resolution=median_resolution,
        followup_share=sum(asked) / sum(filed) if sum(filed) else None,
        top_customers=store.top_customers(bounds[0], bounds[-1]),
        weekly_first_response=weekly_response, weekly_resolution=weekly_resolution,
        weekly_followup_share=[a / f if f else None for a, f in zip(asked, filed, strict=True)],
        current_week_partial=now < end_of_last,
    )


async def compute_apart(store: Store, now: float, weeks: int = 12, zone: tzinfo | None = None) -> Dashboard:
    """Compute the dashboard on a worker thread with a connection of its own, so chats are answered meanwhile."""
    return await apart(store, lambda reader: compute(reader, now, weeks, zone))


# A dashboard computed this recently is shown again while a fresh one is computed in the background, even when
# requests have changed since: at a million requests a year of figures takes a second or more to compute.
FRESH_SECONDS = 60.0
# How often the dashboards admins may open are brought up to date while the bot runs, when requests changed.
REFRESH_SECONDS = 30.0
UNWATCHED_SECONDS = 86400.0
# Figures kept this long are computed again even when no request changed: feedback and questions may have.
UNCHANGED_SECONDS = 600.0


@dataclass
class _Kept:
    at: float
    version: int
    board: Dashboard
    urgency: UrgencyReport
    expected: ExpectationFigures


@dataclass(frozen=True)
class DashboardPage:
    """Everything the dashboard page shows for its weeks: the figures, the urgency report, expectations met."""

    board: Dashboard
    urgency: UrgencyReport
    expected: ExpectationFigures


class Dashboards:
    """The dashboards computed lately, per span and time zone, reused while the requests stay as they were."""

    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        self._kept: dict[tuple[int, str], _Kept] = {}
        self._computing: dict[tuple[int, str], asyncio.Task[DashboardPage]] = {}
        self._asked: dict[tuple[int, str], float] = {}  # when an admin last opened each span

    async def get(self, weeks: int, zone: tzinfo) -> Dashboard:
        """Return the dashboard over the last weeks: as computed before if nothing changed, or at most a minute old."""
        return (await self.page(weeks, zone)).board

    async def page(self, weeks: int, zone: tzinfo) -> DashboardPage:
        """Return all the page shows over the last weeks, kept as the dashboard's figures are."""
        now, key = self._clock(), (weeks, str(zone))
        self._asked[key] = now
        kept = self._kept.get(key)
        if kept is not None and kept.board.weeks == _week_starts(now, max(1, weeks), zone):
            if kept.version == self._store.requests_version():
                if now - kept.at >= UNCHANGED_SECONDS:
                    self._compute(key, weeks, zone)  # what the figures read beside the requests may have changed
                return DashboardPage(kept.board, kept.urgency, kept.expected)
            if now - kept.at < FRESH_SECONDS:
                self._compute(key, weeks, zone)
                return DashboardPage(kept.board, kept.urgency, kept.expected)
        # Shielded: an admin who leaves before it is done does not stop it for the next one.
        return await asyncio.shield(self._compute(key, weeks, zone))

    def kept(self, weeks: int, zone: tzinfo) -> Dashboard | None:
        """Return the dashboard last computed over these weeks, however old, if any."""
        kept = self._kept.get((weeks, str(zone)))
        return kept.board if kept else None

    async def keep_fresh(self, spans: Sequence[int], zone: tzinfo, every: float = REFRESH_SECONDS) -> None:
        """Compute these spans' dashboards soon, then again whenever requests changed, one at a time, until cancelled.

        So an admin never waits for a large history: the page finds figures at most a minute old. Spans nobody
        opened for a day are left as they are, to spare the machine.
        """
        while True:
            await asyncio.sleep(every)  # not during start-up, when the bot has more pressing work
            for weeks in spans:
                key, now = (weeks, str(zone)), self._clock()
                kept = self._kept.get(key)
                wanted = now - self._asked.get(key, -math.inf) < UNWATCHED_SECONDS
                stale = kept is not None and (kept.version != self._store.requests_version()
                                              or kept.board.weeks != _week_starts(now, max(1, weeks), zone)
                                              or now - kept.at >= UNCHANGED_SECONDS)
                if kept is None or (wanted and stale):
                    try:
                        await asyncio.shield(self._compute(key, weeks, zone))
                    except sqlite3.Error:
                        log.exception("could not compute the dashboard over %d weeks", weeks)

    def _compute(self, key: tuple[int, str], weeks: int, zone: tzinfo) -> asyncio.Task[DashboardPage]:
        """Start computing a dashboard, unless one for the same span is being computed already."""
        task = self._computing.get(key)
        if task is None or task.done():
            task = asyncio.create_task(self._fresh(key, weeks, zone))
            self._computing[key] = task
        return task

    async def _fresh(self, key: tuple[int, str], weeks: int, zone: tzinfo) -> DashboardPage:
        now, version = self._clock(), self._store.requests_version()
        board = await compute_apart(self._store, now, weeks, zone)
        urgency = await urgency_apart(self._store, board.weeks[0].timestamp(), now)
        expected = await figures_apart(self._store, now, zone)
        self._kept[key] = _Kept(now, version, board, urgency, expected)
        return DashboardPage(board, urgency, expected)


def duration(seconds: float | None, lang: str = "en") -> str:
    """Return a wait for the admin page: "45 min", "3 h 20 min" or "2 d 4 h"; "—" when unknown."""
    return format_duration(seconds, lang)
