"""The admins' dashboard figures: requests per week, response and resolution times, follow-ups, top customers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from bot.storage.reports import ReportStore, WeekMedian
from bot.text.dates import format_day, format_duration

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


def week_starts(now: float, weeks: int, zone: tzinfo) -> list[datetime]:
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
    starts = week_starts(now, max(1, weeks), zone)
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


def duration(seconds: float | None, lang: str = "en") -> str:
    """Return a wait for the admin page: "45 min", "3 h 20 min" or "2 d 4 h"; "—" when unknown."""
    return format_duration(seconds, lang)
