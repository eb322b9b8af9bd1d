"""The admins' dashboard figures: requests per week, response and resolution times, follow-ups, top customers."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from bot.storage.store import Store
from bot.text.dates import format_day, format_duration

NO_URGENCY = "(none)"


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

    @property
    def week_labels(self) -> list[str]:
        """Return each week's first day as "23 Nov"."""
        return [format_day(week, "en", year=False) for week in self.weeks]


def _week_starts(now: float, weeks: int, zone: tzinfo) -> list[datetime]:
    today = datetime.fromtimestamp(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def compute(store: Store, now: float, weeks: int = 12, zone: tzinfo | None = None) -> Dashboard:
    """Compute the dashboard over the last `weeks` calendar weeks (Monday to Sunday) in the given time zone."""
    zone = zone or UTC
    starts = _week_starts(now, max(1, weeks), zone)
    since = starts[0].timestamp()
    rows = store.requests_created_between(since, now)
    bounds = [s.timestamp() for s in starts]
    by_template: dict[str, list[int]] = {}
    by_urgency: dict[str, list[int]] = {}
    customers: Counter[str] = Counter()
    responses: list[float] = []
    resolutions: list[float] = []
    filed = followed_up = 0
    for created, template_id, priority, customer, key, first, resolved, followups in rows:
        week = max(i for i, bound in enumerate(bounds) if created >= bound)
        by_template.setdefault(template_id, [0] * len(starts))[week] += 1
        by_urgency.setdefault(priority or NO_URGENCY, [0] * len(starts))[week] += 1
        if customer:
            customers[customer] += 1
        if key:
            filed += 1
            followed_up += 1 if followups else 0
        if first is not None:
            responses.append(max(0.0, first - created))
        if resolved is not None:
            resolutions.append(max(0.0, resolved - created))
    return Dashboard(
        weeks=starts,
        by_template=dict(sorted(by_template.items(), key=lambda kv: -sum(kv[1]))),
        by_urgency=dict(sorted(by_urgency.items(), key=lambda kv: -sum(kv[1]))),
        total=len(rows), filed=filed, resolved=len(resolutions),
        median_first_response=_median(responses), median_resolution=_median(resolutions),
        followup_share=followed_up / filed if filed else None,
        top_customers=sorted(customers.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
    )


def duration(seconds: float | None, lang: str = "en") -> str:
    """Return a wait for the admin page: "45 min", "3 h 20 min" or "2 d 4 h"; "—" when unknown."""
    return format_duration(seconds, lang)
