"""Engineers' follow-up questions on filed issues and the priority Jira shows, recorded as the inbox sees them."""

from __future__ import annotations

from typing import NamedTuple

from bot.storage.base import StoreBase


class AskedQuestion(NamedTuple):
    """One question an engineer asked on a filed request."""

    request_id: str
    template_id: str
    asked_at: float
    text: str


class TemplateHandling(NamedTuple):
    """How many of a template's filed requests engineering took up, and how many of those it asked nothing about."""

    template_id: str
    handled: int
    ready: int


class FollowupStore(StoreBase):
    """Reads and writes the followup_questions table and the priority Jira shows for each request."""

    def record_question(self, event_id: str, request_id: str, asked_at: float, text: str) -> bool:
        """Keep an engineer's question on a request under its template; False when that event was kept already."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO followup_questions (event_id, request_id, template_id, asked_at, text) "
            "SELECT ?, id, template_id, ?, ? FROM requests WHERE id = ?", [event_id, asked_at, text, request_id])
        return bool(cursor.rowcount)

    def set_jira_priority(self, request_id: str, priority: str | None) -> None:
        """Record the priority Jira shows for a request after someone changed it there."""
        self.db.execute("UPDATE requests SET jira_priority = ? WHERE id = ?", [priority, request_id])

    def asked_questions(self, since: float) -> list[AskedQuestion]:
        """Return the questions asked on requests filed since then, oldest request first."""
        rows = self.db.execute(
            "SELECT q.request_id, q.template_id, q.asked_at, q.text FROM followup_questions q "
            "JOIN requests r ON r.id = q.request_id WHERE r.created_at >= ? ORDER BY r.created_at, q.asked_at, "
            "q.event_id", [since]).fetchall()
        return [AskedQuestion(*row) for row in rows]

    def template_handling(self, since: float) -> list[TemplateHandling]:
        """Per template, the requests filed since then that engineering responded to, and those it asked nothing."""
        rows = self.db.execute(
            "SELECT template_id, count(*), sum(CASE WHEN followups = 0 THEN 1 ELSE 0 END) FROM requests "
            "WHERE created_at >= ? AND jira_key IS NOT NULL AND first_response_at IS NOT NULL "
            "GROUP BY template_id ORDER BY template_id", [since]).fetchall()
        return [TemplateHandling(str(row[0]), int(row[1]), int(row[2] or 0)) for row in rows]
