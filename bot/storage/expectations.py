"""What salespeople may expect and what happened: resolution history, deadline notices and "was it solved?"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from bot.storage.base import ReadOnly, StoreBase

# A request still open in Jira: filed, not resolved (the status column is indexed with the date).
_OPEN = "status = 'open'"


class Resolved(NamedTuple):
    """A resolved request as the estimate counts it."""

    template_id: str
    priority: str | None
    created_at: float
    resolved_at: float


class OpenRequest(NamedTuple):
    """An open request, to count the ones ahead of a new one."""

    template_id: str
    priority: str | None
    created_at: float


@dataclass(frozen=True)
class Deadline:
    """A filed request with the date its requester promised, and the deadline notices already sent."""

    request_id: str
    issue_key: str
    user_id: int
    chat_id: int
    lang: str
    template_id: str
    summary: str
    due: str
    sent: frozenset[str]


@dataclass(frozen=True)
class FeedbackAsk:
    """A "was it solved?" question asked about a resolved issue, and its answer once given."""

    request_id: str
    issue_key: str
    user_id: int
    chat_id: int
    template_id: str | None
    asked_at: float
    message_id: int | None
    answer: str | None


class ExpectationStore(StoreBase):
    """Reads the requests' history and writes the deadline_notices and feedback tables."""

    def resolved_since(self, since: float) -> list[Resolved]:
        """Return every request filed since a moment and resolved, with its filed priority."""
        rows = self.db.execute(
            "SELECT template_id, NULLIF(urgency, ''), created_at, resolved_at FROM requests "
            "WHERE status = 'resolved' AND created_at >= ? AND jira_key IS NOT NULL", [since]).fetchall()
        return [Resolved(*row) for row in rows]

    def open_requests(self) -> list[OpenRequest]:
        """Return every filed request whose issue is not resolved yet."""
        rows = self.db.execute(f"SELECT template_id, NULLIF(urgency, ''), created_at FROM requests WHERE {_OPEN}"
                               ).fetchall()
        return [OpenRequest(*row) for row in rows]

    # -- deadlines ----------------------------------------------------------------------------------------

    def deadlines_until(self, last_day: str) -> list[Deadline]:
        """Return open requests due on or before a day (ISO date) that still have a deadline notice to get."""
        rows = self._rows(
            "SELECT r.id, r.jira_key, r.user_id, r.chat_id, r.lang, r.template_id, "
            "json_extract(r.ticket, '$.summary') AS summary, json_extract(r.ticket, '$.duedate') AS due, "
            "(SELECT group_concat(kind) FROM deadline_notices d WHERE d.request_id = r.id AND d.state = 'sent') "
            "AS sent FROM requests r "
            f"WHERE r.{_OPEN} AND due IS NOT NULL AND due <= ? "
            "AND (SELECT count(*) FROM deadline_notices d WHERE d.request_id = r.id AND d.kind = 'overdue' "
            "AND d.state = 'sent') = 0 ORDER BY due, r.created_at", [last_day])
        return [Deadline(r["id"], r["jira_key"], r["user_id"], r["chat_id"], r["lang"] or "en", r["template_id"],
                         r["summary"] or "", r["due"], frozenset((r["sent"] or "").split(",")) - {""})
                for r in rows]

    def claim_deadline_notice(self, request_id: str, kind: str) -> bool:
        """Record that a deadline notice is being sent; False when it was sent already."""
        with self.transaction():
            row = self.db.execute("SELECT state FROM deadline_notices WHERE request_id = ? AND kind = ?",
                                  [request_id, kind]).fetchone()
            if row is not None:
                # A notice left 'sending' by a crash goes out again rather than never.
                return bool(row[0] == "sending")
            self._insert("deadline_notices", {"request_id": request_id, "kind": kind, "state": "sending",
                                              "at": self.clock()})
        return True

    def deadline_notice_sent(self, request_id: str, kind: str) -> None:
        """Record that a deadline notice was sent (or is not to be sent: the person cannot hear it)."""
        self.db.execute("UPDATE deadline_notices SET state = 'sent', at = ? WHERE request_id = ? AND kind = ?",
                        [self.clock(), request_id, kind])

    def deadline_outcomes(self) -> list[tuple[str, str, float | None]]:
        """Return (template, due date, resolved at) of every filed request that had a due date."""
        rows = self.db.execute(
            "SELECT template_id, json_extract(ticket, '$.duedate') AS due, resolved_at FROM requests "
            "WHERE jira_key IS NOT NULL AND due IS NOT NULL").fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    # -- was it solved? ----------------------------------------------------------------------------------

    def claim_feedback(self, request_id: str, issue_key: str, user_id: int, chat_id: int,
                       template_id: str | None) -> bool:
        """Record that the requester is asked whether the issue solved it; False when they were asked before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO feedback (request_id, issue_key, user_id, chat_id, template_id, asked_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", [request_id, issue_key, user_id, chat_id, template_id, self.clock()])
        return bool(cursor.rowcount)

    def set_feedback_message(self, request_id: str, message_id: int | None) -> None:
        """Remember the message that asks, so the answer can show under it."""
        self.db.execute("UPDATE feedback SET message_id = ? WHERE request_id = ?", [message_id, request_id])

    def feedback_on(self, issue_key: str) -> FeedbackAsk | None:
        """Return the question asked about an issue, if one was."""
        rows = self._rows("SELECT * FROM feedback WHERE issue_key = ? LIMIT 1", [issue_key])
        if not rows:
            return None
        r = rows[0]
        return FeedbackAsk(r["request_id"], r["issue_key"], r["user_id"], r["chat_id"], r["template_id"],
                           r["asked_at"], r["message_id"], r["answer"])

    def answer_feedback(self, request_id: str, answer: str) -> bool:
        """Record the answer; False when the question was answered already."""
        cursor = self.db.execute("UPDATE feedback SET answer = ?, answered_at = ? WHERE request_id = ? "
                                 "AND answer IS NULL", [answer, self.clock(), request_id])
        return bool(cursor.rowcount)

    def feedback_answers(self) -> list[tuple[str | None, float, str]]:
        """Return (template, answered at, answer) of every answered question."""
        rows = self.db.execute("SELECT template_id, answered_at, answer FROM feedback WHERE answer IS NOT NULL"
                               ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]


class ExpectationReader(ReadOnly, ExpectationStore):
    """The expectation figures' queries on a read-only connection of their own, for a worker thread."""
