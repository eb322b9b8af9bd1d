"""Requests waiting for an approver: who may decide, the decision (the first wins), reminders, typed reasons."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from bot.jira.ticket import Ticket
from bot.storage.base import StoreBase
from bot.storage.requests import ticket_to_json

# Expired: nobody decided within approval.expire_hours, and the request went back to its requester.
ApprovalState = Literal["waiting", "approved", "declined", "expired"]
Verdict = Literal["approve", "high", "decline"]


@dataclass(frozen=True)
class Approval:
    """A request's wait for approval, and its outcome once an approver decided."""

    request_id: str
    user_id: int
    chat_id: int
    approvers: tuple[int | str, ...]
    state: ApprovalState
    asked_at: float
    reminded_at: float | None = None
    decided_by: int | None = None
    decided_name: str | None = None
    decided_at: float | None = None
    verdict: Verdict | None = None
    reason: str | None = None
    # The approvers' messages that show the request, edited once it is decided.
    messages: tuple[tuple[int, int], ...] = ()


class ApprovalStore(StoreBase):
    """Reads and writes the approvals and approval_reasons tables."""

    def approval(self, request_id: str) -> Approval | None:
        """Return a request's approval, whatever its state."""
        rows = self._rows("SELECT * FROM approvals WHERE request_id = ?", [request_id])
        return _approval(rows[0]) if rows else None

    def waiting_approvals(self) -> list[Approval]:
        """Return the approvals nobody decided yet, oldest first."""
        rows = self._rows("SELECT * FROM approvals WHERE state = 'waiting' ORDER BY asked_at, request_id")
        return [_approval(row) for row in rows]

    def decide_approval(self, request_id: str, verdict: Verdict, by: int, name: str, reason: str | None,
                        ticket: Ticket | None) -> Approval | None:
        """Record the first decision on a waiting request, and release it to the outbox (with ticket) when approved.

        Returns None when it was decided already or is not waiting: the first decision wins.
        """
        now = self.clock()
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE approvals SET state = ?, verdict = ?, decided_by = ?, decided_name = ?, decided_at = ?, "
                "reason = ? WHERE request_id = ? AND state = 'waiting'",
                ["declined" if verdict == "decline" else "approved", verdict, by, name, now, reason, request_id])
            if not cursor.rowcount:
                return None
            if verdict == "decline":
                self.db.execute("UPDATE requests SET state = 'declined', updated_at = ? WHERE id = ? "
                                "AND state = 'approval'", [now, request_id])
            else:
                assert ticket is not None
                self.db.execute("UPDATE requests SET state = 'pending', ticket = ?, urgency = ?, next_attempt_at = ?, "
                                "approved_at = ?, updated_at = ? WHERE id = ? AND state = 'approval'",
                                [ticket_to_json(ticket), ticket.priority or "", now, now, now, request_id])
            self.db.execute("DELETE FROM approval_reasons WHERE request_id = ?", [request_id])
        return self.approval(request_id)

    def expire_approval(self, request_id: str) -> Approval | None:
        """Close a request nobody decided on, handing it back to its requester; None when decided meanwhile."""
        now = self.clock()
        with self.transaction():
            cursor = self.db.execute("UPDATE approvals SET state = 'expired', decided_at = ? WHERE request_id = ? "
                                     "AND state = 'waiting'", [now, request_id])
            if not cursor.rowcount:
                return None
            # Declined, as far as the request goes: its owner may change it and send it again.
            self.db.execute("UPDATE requests SET state = 'declined', updated_at = ? WHERE id = ? "
                            "AND state = 'approval'", [now, request_id])
            self.db.execute("DELETE FROM approval_reasons WHERE request_id = ?", [request_id])
        return self.approval(request_id)

    def approvals_asked_before(self, before: float) -> list[Approval]:
        """Return the waiting approvals asked for at or before this time, oldest first."""
        rows = self._rows("SELECT * FROM approvals WHERE state = 'waiting' AND asked_at <= ? "
                          "ORDER BY asked_at, request_id", [before])
        return [_approval(row) for row in rows]

    def add_approval_messages(self, request_id: str, messages: list[tuple[int, int]]) -> Approval | None:
        """Remember more approver messages that show a request, to edit them all once it is decided."""
        with self.transaction():
            found = self.approval(request_id)
            if found is None:
                return None
            shown = [*found.messages, *messages]
            self.db.execute("UPDATE approvals SET messages = ? WHERE request_id = ?",
                            [json.dumps([list(pair) for pair in shown]), request_id])
        return self.approval(request_id)

    def approvals_to_remind(self, before: float) -> list[Approval]:
        """Return waiting approvals last asked or reminded about at or before this time, oldest first."""
        rows = self._rows("SELECT * FROM approvals WHERE state = 'waiting' AND COALESCE(reminded_at, asked_at) <= ? "
                          "ORDER BY asked_at, request_id", [before])
        return [_approval(row) for row in rows]

    def mark_reminded(self, request_id: str, at: float) -> bool:
        """Record a reminder about a waiting request; False when it was decided meanwhile."""
        cursor = self.db.execute("UPDATE approvals SET reminded_at = ? WHERE request_id = ? AND state = 'waiting'",
                                 [at, request_id])
        return bool(cursor.rowcount)

    # -- a decline's reason, typed by the approver ---------------------------------------------

    def ask_reason(self, user_id: int, request_id: str, chat_id: int) -> None:
        """Record that an approver is typing why they decline a request (replacing any other they started)."""
        self._upsert("approval_reasons", {"user_id": user_id, "request_id": request_id, "chat_id": chat_id,
                                          "asked_at": self.clock()}, ("user_id",))

    def reason_asked(self, user_id: int) -> str | None:
        """Return the request whose decline reason this approver is typing, if any."""
        row = self.db.execute("SELECT request_id FROM approval_reasons WHERE user_id = ?", [user_id]).fetchone()
        return str(row[0]) if row else None

    def drop_reason(self, user_id: int) -> None:
        """Forget that an approver was typing a reason."""
        self.db.execute("DELETE FROM approval_reasons WHERE user_id = ?", [user_id])


def _approval(row: dict[str, Any]) -> Approval:
    return Approval(
        request_id=row["request_id"], user_id=row["user_id"], chat_id=row["chat_id"],
        approvers=tuple(json.loads(row["approvers"] or "[]")), state=row["state"], asked_at=row["asked_at"],
        reminded_at=row["reminded_at"], decided_by=row["decided_by"], decided_name=row["decided_name"],
        decided_at=row["decided_at"], verdict=row["verdict"], reason=row["reason"],
        messages=tuple((int(chat), int(message)) for chat, message in json.loads(row["messages"] or "[]")),
    )
