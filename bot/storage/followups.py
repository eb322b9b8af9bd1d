"""Engineers' follow-up questions on filed issues and the priority Jira shows, recorded as the inbox sees them."""

from __future__ import annotations

from bot.storage.base import StoreBase


class FollowupStore(StoreBase):
    """Writes the followup_questions table and the priority Jira shows for each request (the reports read them)."""

    def record_question(self, event_id: str, request_id: str, asked_at: float, text: str) -> bool:
        """Keep an engineer's question on a request under its template; False when that event was kept already."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO followup_questions (event_id, request_id, template_id, asked_at, text) "
            "SELECT ?, id, template_id, ?, ? FROM requests WHERE id = ?", [event_id, asked_at, text, request_id])
        return bool(cursor.rowcount)

    def set_jira_priority(self, request_id: str, priority: str | None) -> None:
        """Record the priority Jira shows for a request after someone changed it there."""
        self.db.execute("UPDATE requests SET jira_priority = ? WHERE id = ?", [priority, request_id])

    def kept_comments(self) -> list[tuple[str, str, str]]:
        """Return (event id, JSON, request id) of every comment event kept on an issue the bot filed."""
        rows = self.db.execute(
            "SELECT e.event_id, e.data, r.id FROM events e JOIN requests r ON r.jira_key = e.issue_key "
            "WHERE json_extract(e.data, '$.kind') = 'comment' ORDER BY e.received_at, e.event_id").fetchall()
        return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]
