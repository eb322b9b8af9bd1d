"""Urgency in the open: the priority claimed at filing against what engineering did, per template and requester.

"Everything is urgent" shows as a requester whose asks are mostly High or Highest and are often lowered in Jira;
"urgent asks wait" as Highest asks answered no sooner than Low ones.
"""

from __future__ import annotations

import csv
import io
from array import array
from dataclasses import dataclass, field

from bot.i18n.catalog import t
from bot.reports.request_log import safe_cell
from bot.storage.reports import ReportStore

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


@dataclass
class _Tally:
    """What one group's requests at one claimed priority add up to, while the report is counted."""

    # How many requests, changed in Jira, lowered, raised, answered and resolved.
    figures: list[int] = field(default_factory=lambda: [0] * 6)
    responses: array[float] = field(default_factory=lambda: array("d"))
    resolutions: array[float] = field(default_factory=lambda: array("d"))

    def line(self, claimed: str | None) -> UrgencyLine:
        """Return the report's line for these requests."""
        requests, changed, lowered, raised, answered, resolved = self.figures
        return UrgencyLine(claimed=claimed or NO_URGENCY, requests=requests, changed=changed, lowered=lowered,
                           raised=raised, answered=answered, median_response=_median(self.responses),
                           resolved=resolved, median_resolution=_median(self.resolutions))


def _median(values: array[float]) -> float | None:
    """Return the median of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _grouped(tallies: dict[tuple[str, str | None], _Tally]) -> list[UrgencyGroup]:
    lines: dict[str, list[UrgencyLine]] = {}
    for (name, claimed), tally in tallies.items():
        lines.setdefault(name, []).append(tally.line(claimed))
    groups = [UrgencyGroup(name, sorted(found, key=lambda line: _by_claim(line.claimed)))
              for name, found in lines.items()]
    return sorted(groups, key=lambda g: (-g.requests, g.name))


def compute(store: ReportStore, since: float, until: float) -> UrgencyReport:
    """Compute the urgency report over the requests filed in Jira between since and until."""
    # One pass over the period's requests, read from their index, counts and waits for both groupings at once;
    # only the waits are kept, in compact arrays.
    by_template: dict[tuple[str, str | None], _Tally] = {}
    by_requester: dict[tuple[str, str | None], _Tally] = {}
    moves: dict[tuple[str | None, str | None], tuple[bool, bool, bool]] = {}
    for row in store.filed_waits(since, until):
        moved = moves.get((row.claimed, row.priority))
        if moved is None:
            moved = moves[(row.claimed, row.priority)] = _moved(row.claimed, row.priority)
        for tallies, name in ((by_template, row.template_id), (by_requester, row.requester)):
            tally = tallies.get((name, row.claimed))
            if tally is None:
                tally = tallies[(name, row.claimed)] = _Tally()
            figures = tally.figures
            figures[0] += 1
            figures[1] += moved[0]
            figures[2] += moved[1]
            figures[3] += moved[2]
            if row.response is not None:
                figures[4] += 1
                tally.responses.append(row.response)
            if row.resolution is not None:
                figures[5] += 1
                tally.resolutions.append(row.resolution)
    return UrgencyReport(by_template=_grouped(by_template), by_requester=_grouped(by_requester))


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
