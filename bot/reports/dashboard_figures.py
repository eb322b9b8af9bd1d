"""Everything the dashboard page shows for its weeks: counted from the requests, and written as and read from JSON."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.reports import urgency
from bot.reports.dashboard import Dashboard, compute
from bot.reports.expectations import ExpectationFigures, Share, deadlines_kept, satisfaction
from bot.storage.expectations import ExpectationReader
from bot.storage.reports import ReportReader

log = logging.getLogger(__name__)

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


def count(path: Path, now: float, weeks: int, zone: tzinfo) -> tuple[DashboardPage, float, str]:
    """Count everything the page shows over the weeks, on read-only connections of its own; return it, the seconds
    it took, and it as JSON."""
    started = time.perf_counter()
    reports, expectations = ReportReader(path), ExpectationReader(path)
    try:
        board = compute(reports, now, weeks, zone)
        report = urgency.compute(reports, board.weeks[0].timestamp(), now)
        expected = ExpectationFigures(deadlines_kept(expectations, now, zone), *satisfaction(expectations, zone))
    finally:
        reports.close()
        expectations.close()
    page = DashboardPage(board, report, expected, now)
    took = time.perf_counter() - started
    return page, took, encode(page, took)


def encode(page: DashboardPage, took: float) -> str:
    """Return the figures, and how long they took to count, as JSON to keep in the database."""
    board = asdict(page.board)
    board["weeks"] = [week.timestamp() for week in page.board.weeks]
    return json.dumps({"shape": SHAPE, "took": took, "board": board, "urgency": asdict(page.urgency),
                       "expected": asdict(page.expected)}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str, zone: tzinfo, counted_at: float) -> tuple[DashboardPage, float] | None:
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
