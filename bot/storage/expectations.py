"""What salespeople may expect and what happened: resolution history, deadline notices and "was it solved?"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from bot.storage.base import ReadOnly, StoreBase
from bot.storage.migrations import DUE

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
    later: frozenset[str] = frozenset()  # owed, waiting for their next attempt


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


@dataclass(frozen=True)
class OwedFeedback:
    """A "was it solved?" question taken for an attempt: whom to ask, what, and since when it is owed."""

    request_id: str
    issue_key: str
    user_id: int
    chat_id: int
    lang: str
    question: str
    attempts: int
    owed_since: float


class ExpectationStore(StoreBase):
    """Reads the requests' history and writes the deadline_notices and feedback tables."""

    def resolved_since(self, since: float) -> Iterator[Resolved]:
        """Yield every request filed since a moment and resolved, with its filed priority, read from an index."""
        rows = self.db.execute(
            "SELECT template_id, NULLIF(urgency, ''), created_at, resolved_at FROM requests "
            "INDEXED BY requests_estimates WHERE jira_key IS NOT NULL AND status = 'resolved' AND created_at >= ?",
            [since])
        return map(Resolved._make, rows)

    def open_requests(self) -> Iterator[OpenRequest]:
        """Yield every filed request whose issue is not resolved yet, oldest first, read from an index in its order."""
        rows = self.db.execute("SELECT template_id, NULLIF(urgency, ''), created_at FROM requests "
                               f"INDEXED BY requests_estimates WHERE jira_key IS NOT NULL AND {_OPEN} "
                               "ORDER BY created_at")
        return map(OpenRequest._make, rows)

    # -- deadlines ----------------------------------------------------------------------------------------

    def deadlines_until(self, last_day: str) -> list[Deadline]:
        """Return open requests due on or before a day (ISO date) that still have a deadline notice to get."""
        rows = self._rows(
            "SELECT r.id, r.jira_key, r.user_id, r.chat_id, r.lang, r.template_id, "
            f"json_extract(r.ticket, '$.summary') AS summary, {DUE} AS due, "
            "(SELECT group_concat(kind) FROM deadline_notices d WHERE d.request_id = r.id AND d.state != 'owed') "
            "AS sent, (SELECT group_concat(kind) FROM deadline_notices d WHERE d.request_id = r.id "
            "AND d.state = 'owed' AND d.next_at > ?) AS later FROM requests r "
            # Through the index of promised dates, not every open request's JSON: the unary + keeps SQLite from
            # choosing the status index instead (100,000 open requests at a million: seconds on the event loop).
            f"WHERE r.jira_key IS NOT NULL AND {DUE} IS NOT NULL AND {DUE} <= ? AND +r.{_OPEN} "
            "AND (SELECT count(*) FROM deadline_notices d WHERE d.request_id = r.id AND d.kind = 'overdue' "
            "AND d.state != 'owed') = 0 ORDER BY due, r.created_at", [self.clock(), last_day])
        return [Deadline(r["id"], r["jira_key"], r["user_id"], r["chat_id"], r["lang"] or "en", r["template_id"],
                         r["summary"] or "", r["due"], frozenset((r["sent"] or "").split(",")) - {""},
                         frozenset((r["later"] or "").split(",")) - {""})
                for r in rows]

    def claim_deadline_notice(self, request_id: str, kind: str, lease: float) -> tuple[int, float] | None:
        """Take an owed deadline notice for one attempt, held for lease seconds; return (attempt, owed since).

        None when it was sent (or dropped) already, or another attempt holds it or waits its turn.
        """
        now = self.clock()
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO deadline_notices (request_id, kind, state, at, attempts, next_at) "
                            "VALUES (?, ?, 'owed', ?, 0, ?)", [request_id, kind, now, now])
            taken = self.db.execute(
                "UPDATE deadline_notices SET attempts = attempts + 1, next_at = ? WHERE request_id = ? AND kind = ? "
                "AND state = 'owed' AND coalesce(next_at, 0) <= ?", [now + lease, request_id, kind, now]).rowcount
            if not taken:
                return None
            row = self.db.execute("SELECT attempts, at FROM deadline_notices WHERE request_id = ? AND kind = ?",
                                  [request_id, kind]).fetchone()
        return int(row[0]), float(row[1])

    def deadline_notice_sent(self, request_id: str, kind: str, state: str = "sent") -> None:
        """Record that a deadline notice was sent, is not to be sent (the person cannot hear it), or was dropped."""
        self.db.execute("UPDATE deadline_notices SET state = ?, at = ? WHERE request_id = ? AND kind = ?",
                        [state, self.clock(), request_id, kind])

    def deadline_notice_retry(self, request_id: str, kind: str, at: float) -> None:
        """Leave a deadline notice owed, its next attempt at a moment."""
        self.db.execute("UPDATE deadline_notices SET next_at = ? WHERE request_id = ? AND kind = ? AND state = 'owed'",
                        [at, request_id, kind])

    def next_deadline_retry(self) -> float | None:
        """Return when the next owed deadline notice waiting out its backoff may be tried again, if one is."""
        # One due already but left alone by the check (its issue done meanwhile) must not wake the guard in a loop.
        row = self.db.execute("SELECT min(next_at) FROM deadline_notices WHERE state = 'owed' AND next_at > ?",
                              [self.clock()]).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def deadline_outcomes(self) -> list[tuple[str, str, float | None]]:
        """Return (template, due date, resolved at) of every filed request that had a due date."""
        # Only the requests that carry a date are read, through the index of them (see migration 0031).
        rows = self.db.execute(
            f"SELECT template_id, {DUE}, resolved_at FROM requests INDEXED BY requests_due "
            f"WHERE jira_key IS NOT NULL AND {DUE} IS NOT NULL").fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    # -- was it solved? ----------------------------------------------------------------------------------

    def owe_feedback(self, request_id: str, issue_key: str, user_id: int, chat_id: int, template_id: str | None,
                     lang: str, question: str) -> bool:
        """Record that the requester is owed the question, due now; False when it was owed or asked before."""
        now = self.clock()
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO feedback (request_id, issue_key, user_id, chat_id, template_id, asked_at, state, "
            "attempts, next_at, question, lang) VALUES (?, ?, ?, ?, ?, ?, 'owed', 0, ?, ?, ?)",
            [request_id, issue_key, user_id, chat_id, template_id, now, now, question, lang])
        return bool(cursor.rowcount)

    def claim_feedback(self, request_id: str, lease: float) -> OwedFeedback | None:
        """Take an owed question for one attempt, held for lease seconds; None when asked, dropped or held."""
        now = self.clock()
        with self.transaction():
            taken = self.db.execute(
                "UPDATE feedback SET attempts = attempts + 1, next_at = ? WHERE request_id = ? AND state = 'owed' "
                "AND coalesce(next_at, 0) <= ?", [now + lease, request_id, now]).rowcount
            rows = self._rows("SELECT * FROM feedback WHERE request_id = ?", [request_id]) if taken else []
        if not rows:
            return None
        r = rows[0]
        return OwedFeedback(r["request_id"], r["issue_key"], r["user_id"], r["chat_id"], r["lang"] or "en",
                            r["question"] or "", r["attempts"], r["asked_at"])

    def feedback_due(self) -> list[str]:
        """Return the requests whose owed question may be tried now."""
        rows = self.db.execute("SELECT request_id FROM feedback WHERE state = 'owed' AND coalesce(next_at, 0) <= ? "
                               "ORDER BY next_at", [self.clock()]).fetchall()
        return [row[0] for row in rows]

    def next_feedback_retry(self) -> float | None:
        """Return when the next owed question waiting out its backoff may be tried again, if one is."""
        row = self.db.execute("SELECT min(next_at) FROM feedback WHERE state = 'owed' AND next_at > ?",
                              [self.clock()]).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def feedback_asked(self, request_id: str, message_id: int) -> None:
        """Record that Telegram took the question: the message that asks, so the answer can show under it."""
        self.db.execute("UPDATE feedback SET state = 'asked', message_id = ?, asked_at = ? WHERE request_id = ?",
                        [message_id, self.clock(), request_id])

    def feedback_dropped(self, request_id: str) -> None:
        """Record that the question is not to be asked: the person cannot hear it, or retrying went on too long."""
        self.db.execute("UPDATE feedback SET state = 'dropped' WHERE request_id = ?", [request_id])

    def feedback_retry(self, request_id: str, at: float) -> None:
        """Leave a question owed, its next attempt at a moment."""
        self.db.execute("UPDATE feedback SET next_at = ? WHERE request_id = ? AND state = 'owed'", [at, request_id])

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
