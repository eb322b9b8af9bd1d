"""Urgency in the open: the priority claimed at filing against what engineering did, per template and requester.

"Everything is urgent" shows as a requester whose asks are mostly High or Highest and are often lowered in Jira;
"urgent asks wait" as Highest asks answered no sooner than Low ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.i18n.catalog import t
from bot.reports.request_log import apart, safe_cell
from bot.storage.reports import ReportStore
from bot.storage.store import Store

NO_URGENCY = "(none)"
# Jira's own priority schemes, most urgent first (1); other names are compared only for being different.
_RANK = {"highest": 1, "blocker": 1, "critical": 2, "high": 2, "major": 3, "medium": 3, "low": 4, "minor": 4,
         "lowest": 5, "trivial": 5}
URGENT_RANK = 2
# The CSV's columns, each titled by the catalog text urg_col_<name>.
CSV_COLUMNS = ("by", "name", "claimed", "requests", "changed", "lowered", "raised", "answered", "response",
               "resolved", "resolution")


def rank(priority: str | None) -> int | None:
    """Return how urgent a Jira priority name is (1 most), or None for a name outside Jira's usual schemes."""
    return _RANK.get(priority.strip().casefold()) if priority else None


def is_urgent(priority: str | None) -> bool:
    """Say whether a priority counts as urgent (High or Highest and their older names)."""
    found = rank(priority)
    return found is not None and found <= URGENT_RANK


@dataclass(frozen=True)
class UrgencyLine:
    """The requests of one group claimed at one priority, and what engineering did with them."""

    claimed: str
    requests: int
    changed: int
    lowered: int
    raised: int
    answered: int
    median_response: float | None
    resolved: int
    median_resolution: float | None


@dataclass(frozen=True)
class UrgencyGroup:
    """One template's or one requester's requests, by the priority claimed at filing, most urgent first."""

    name: str
    lines: list[UrgencyLine]

    @property
    def requests(self) -> int:
        """Return how many requests the group filed."""
        return sum(line.requests for line in self.lines)

    @property
    def urgent(self) -> int:
        """Return how many of them were claimed High or Highest."""
        return sum(line.requests for line in self.lines if is_urgent(line.claimed))

    @property
    def urgent_share(self) -> float | None:
        """Return the share of requests claimed urgent."""
        return self.urgent / self.requests if self.requests else None

    @property
    def lowered(self) -> int:
        """Return how many of the group's requests engineering lowered in Jira."""
        return sum(line.lowered for line in self.lines)


@dataclass(frozen=True)
class UrgencyReport:
    """The urgency report over the requests filed in a period."""

    by_template: list[UrgencyGroup]
    by_requester: list[UrgencyGroup]


def _by_claim(name: str) -> tuple[int, str]:
    found = rank(None if name == NO_URGENCY else name)
    return (found if found is not None else 9, name)


def _moved(claimed: str | None, now: str | None) -> tuple[bool, bool, bool]:
    """Say whether engineering changed a claimed priority in Jira, and whether that lowered or raised it."""
    if now is None or (claimed or "").casefold() == now.casefold():
        return False, False, False
    before, after = rank(claimed), rank(now)
    if before is None or after is None:
        return True, False, False
    return True, after > before, after < before


def _groups(store: ReportStore, since: float, until: float, by: str) -> list[UrgencyGroup]:
    # Counted and medians taken inside SQLite: only a row per group and priority claimed (and now) comes out.
    responses = store.urgency_medians(since, until, by, "first_response_at")
    resolutions = store.urgency_medians(since, until, by, "resolved_at")
    counts: dict[tuple[str, str | None], list[int]] = {}
    for row in store.urgency_counts(since, until, by):
        moved = _moved(row.claimed, row.priority)
        total = counts.setdefault((row.name, row.claimed), [0] * 6)
        figures = (row.requests, *(int(flag) * row.requests for flag in moved), row.answered, row.resolved)
        for i, n in enumerate(figures):
            total[i] += n
    grouped: dict[str, list[UrgencyLine]] = {}
    for (name, claimed), (requests, changed, lowered, raised, answered, resolved) in counts.items():
        grouped.setdefault(name, []).append(UrgencyLine(
            claimed=claimed or NO_URGENCY, requests=requests, changed=changed, lowered=lowered, raised=raised,
            answered=answered, median_response=responses.get((name, claimed)), resolved=resolved,
            median_resolution=resolutions.get((name, claimed))))
    groups = [UrgencyGroup(name, sorted(lines, key=lambda line: _by_claim(line.claimed)))
              for name, lines in grouped.items()]
    return sorted(groups, key=lambda g: (-g.requests, g.name))


def compute(store: ReportStore, since: float, until: float) -> UrgencyReport:
    """Compute the urgency report over the requests filed in Jira between since and until."""
    return UrgencyReport(by_template=_groups(store, since, until, "template"),
                         by_requester=_groups(store, since, until, "requester"))


async def compute_apart(store: Store, since: float, until: float) -> UrgencyReport:
    """Compute the urgency report on a worker thread with a connection of its own, so chats are answered meanwhile."""
    return await apart(store, lambda reader: compute(reader, since, until))


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.1f}"


def to_csv(report: UrgencyReport, lang: str = "en") -> bytes:
    """Return the report as CSV in the admin's language, one row per template or requester and claimed priority,
    UTF-8 with a byte order mark (so Excel reads Cyrillic and umlauts)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(f"urg_col_{name}", lang) for name in CSV_COLUMNS])
    for by, groups in ((t("urg_by_template_value", lang), report.by_template),
                       (t("urg_by_requester_value", lang), report.by_requester)):
        for group in groups:
            for line in group.lines:
                writer.writerow([by, safe_cell(group.name), safe_cell(line.claimed), line.requests, line.changed,
                                 line.lowered, line.raised, line.answered, _hours(line.median_response),
                                 line.resolved, _hours(line.median_resolution)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
