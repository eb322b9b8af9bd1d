"""The dashboard's figures on expectations: deadlines kept per template, and satisfaction per template and month."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from bot.storage.expectations import ExpectationReader, ExpectationStore
from bot.storage.store import Store


@dataclass(frozen=True)
class Share:
    """How many of a group went well, out of how many that count."""

    good: int
    total: int

    @property
    def ratio(self) -> float | None:
        """Return the share from 0 to 1, None when nothing counts yet."""
        return self.good / self.total if self.total else None


def deadlines_kept(store: ExpectationStore, now: float, zone: tzinfo = UTC) -> dict[str, Share]:
    """Return per template how many promised dates were kept, of those settled.

    A date is kept when the issue was resolved on or before that day; missed when it was resolved later, or is
    still open after it. Dates still ahead of open issues do not count yet.
    """
    today = datetime.fromtimestamp(now, zone).date()
    kept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for template_id, due_text, resolved_at in store.deadline_outcomes():
        try:
            due = date.fromisoformat(due_text)
        except (TypeError, ValueError):
            continue
        if resolved_at is None:
            if today <= due:
                continue
            kept[template_id][1] += 1
            continue
        kept[template_id][1] += 1
        if datetime.fromtimestamp(resolved_at, zone).date() <= due:
            kept[template_id][0] += 1
    return {template_id: Share(*counts) for template_id, counts in sorted(kept.items())}


def satisfaction(store: ExpectationStore, zone: tzinfo = UTC) -> tuple[dict[str, Share], dict[str, Share]]:
    """Return the share of "solved" answers per template and per month ("2026-11") of the answer."""
    by_template: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for template_id, answered_at, answer in store.feedback_answers():
        month = datetime.fromtimestamp(answered_at, zone).strftime("%Y-%m")
        for counts in (by_template[template_id or "—"], by_month[month]):
            counts[1] += 1
            counts[0] += answer == "solved"
    return ({key: Share(*value) for key, value in sorted(by_template.items())},
            {key: Share(*value) for key, value in sorted(by_month.items())})


@dataclass(frozen=True)
class ExpectationFigures:
    """The dashboard's expectation figures: deadlines kept per template, "solved" per template and per month."""

    deadlines: dict[str, Share]
    solved_by_template: dict[str, Share]
    solved_by_month: dict[str, Share]


async def figures_apart(store: Store, now: float, zone: tzinfo = UTC) -> ExpectationFigures:
    """Compute the figures on a worker thread with a connection of its own, so chats are answered meanwhile."""
    def run() -> ExpectationFigures:
        reader = ExpectationReader(store.path)
        try:
            return ExpectationFigures(deadlines_kept(reader, now, zone), *satisfaction(reader, zone))
        finally:
            reader.close()

    return await asyncio.to_thread(run)
