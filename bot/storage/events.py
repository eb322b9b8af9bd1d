"""What Jira reports about issues, waiting to be told, and who is told about which issue."""

from __future__ import annotations

from bot.storage.base import StoreBase


class EventStore(StoreBase):
    """Reads and writes the events, counted_events and subscriptions tables."""

    def add_events(self, events: list[tuple[str, str, str]]) -> int:
        """Store (event id, issue key, JSON) rows not seen before; return how many were new."""
        now, added = self.clock(), 0
        with self.transaction():
            for event_id, issue_key, data in events:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO events (event_id, issue_key, data, received_at, state) "
                    "VALUES (?, ?, ?, ?, 'pending')", [event_id, issue_key, data, now])
                added += cursor.rowcount
        return added

    def issues_with_events_due(self, received_before: float) -> list[str]:
        """Return issues whose oldest pending event arrived before the given time."""
        rows = self.db.execute("SELECT issue_key FROM events WHERE state = 'pending' GROUP BY issue_key "
                               "HAVING MIN(received_at) <= ?", [received_before]).fetchall()
        return [row[0] for row in rows]

    def pending_events(self, issue_key: str) -> list[str]:
        """Return the JSON of an issue's pending events, oldest first."""
        rows = self.db.execute("SELECT data FROM events WHERE state = 'pending' AND issue_key = ? "
                               "ORDER BY received_at, event_id", [issue_key]).fetchall()
        return [row[0] for row in rows]

    def events_done(self, issue_key: str) -> None:
        """Mark an issue's pending events as told."""
        self.db.execute("UPDATE events SET state = 'done' WHERE state = 'pending' AND issue_key = ?", [issue_key])

    def next_event_due(self) -> float | None:
        """Return when the oldest pending event arrived, if any."""
        row = self.db.execute("SELECT MIN(received_at) FROM events WHERE state = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def count_event(self, event_id: str) -> bool:
        """Record that an event is folded into its request's outcomes; False when it was already."""
        cursor = self.db.execute("INSERT OR IGNORE INTO counted_events (event_id) VALUES (?)", [event_id])
        return bool(cursor.rowcount)

    def subscribe(self, issue_key: str, user_id: int, chat_id: int) -> None:
        """Have a user told about an issue they did not file (they joined it)."""
        self._upsert("subscriptions", {"issue_key": issue_key, "user_id": user_id, "chat_id": chat_id,
                                       "since": self.clock()}, ("issue_key", "user_id"))

    def subscribers(self, issue_key: str) -> list[tuple[int, int, str, bool]]:
        """Return (user id, chat id, language, muted) of everyone told about an issue, active users only."""
        rows = self.db.execute(
            "SELECT p.user_id, p.chat_id, COALESCE(u.lang, p.lang, 'en'), COALESCE(u.muted, 0) FROM ("
            "  SELECT user_id, chat_id, lang FROM requests WHERE jira_key = ?"
            "  UNION SELECT s.user_id, s.chat_id, NULL FROM subscriptions s WHERE s.issue_key = ?"
            ") p LEFT JOIN users u ON u.id = p.user_id WHERE COALESCE(u.active, 1) = 1 GROUP BY p.user_id",
            [issue_key, issue_key]).fetchall()
        return [(row[0], row[1], row[2], bool(row[3])) for row in rows]

    def follows(self, user_id: int, issue_key: str) -> bool:
        """Say whether a user filed the issue through the bot or joined it."""
        row = self.db.execute(
            "SELECT 1 FROM requests WHERE jira_key = ? AND user_id = ? "
            "UNION ALL SELECT 1 FROM subscriptions WHERE issue_key = ? AND user_id = ? LIMIT 1",
            [issue_key, user_id, issue_key, user_id]).fetchone()
        return row is not None

    def knows_issue(self, issue_key: str) -> bool:
        """Say whether the bot filed the issue or somebody joined it."""
        row = self.db.execute("SELECT 1 FROM requests WHERE jira_key = ? UNION ALL "
                              "SELECT 1 FROM subscriptions WHERE issue_key = ? LIMIT 1", [issue_key, issue_key]
                              ).fetchone()
        return row is not None

    def watched_among(self, keys: list[str]) -> set[str]:
        """Return those of keys somebody is told about (one query, however many keys)."""
        if not keys:
            return set()
        marks = ", ".join("?" * len(keys))
        rows = self.db.execute(f"SELECT jira_key FROM requests WHERE jira_key IN ({marks}) "
                               f"UNION SELECT issue_key FROM subscriptions WHERE issue_key IN ({marks})",
                               [*keys, *keys]).fetchall()
        return {row[0] for row in rows}

    def watched_projects(self) -> list[str]:
        """Return the Jira projects of the issues somebody is told about."""
        # A skip scan over the jira_key index: from one project's first key straight to the next project's
        # (every key of project P sorts below "P."), so the cost follows the projects, not the issues. The first
        # step is a scalar subquery as the others are: SQLite finds a MIN() there with one step into the index,
        # where from a subquery in FROM it read a covering index of all the requests (90 ms at a million).
        rows = self.db.execute(
            "WITH RECURSIVE own(project) AS ("
            " SELECT (SELECT substr(MIN(jira_key), 1, instr(MIN(jira_key), '-') - 1) FROM requests)"
            "  UNION ALL SELECT (SELECT substr(MIN(jira_key), 1, instr(MIN(jira_key), '-') - 1) FROM requests"
            "                    WHERE jira_key >= own.project || '.') FROM own WHERE own.project <> ''"
            ") SELECT project FROM own WHERE project <> '' "
            "UNION SELECT substr(issue_key, 1, instr(issue_key, '-') - 1) FROM subscriptions "
            "WHERE instr(issue_key, '-') > 1 ORDER BY 1").fetchall()
        return [row[0] for row in rows if row[0]]
