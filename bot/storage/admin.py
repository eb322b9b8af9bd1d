"""What admins decide: links to Jira users waiting for their confirmation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.base import StoreBase


@dataclass(frozen=True)
class LinkRequest:
    """A salesperson asking to file as a Jira user, what Jira knew of that login, and the admins' messages."""

    id: int
    user_id: int
    chat_id: int
    username: str | None
    name: str
    query: str
    jira_name: str | None  # the one Jira user matching the login exactly, by display name; None when none did
    requested_at: float
    state: str  # 'pending' | 'confirmed' | 'declined' | 'replaced' (by a newer one) | 'withdrawn' (/link off)
    decided_by: int | None = None
    decided_at: float | None = None
    admin_messages: tuple[tuple[int, int], ...] = ()


class AdminStore(StoreBase):
    """Reads and writes the link_requests table."""

    # -- links to Jira users waiting for an admin ----------------------------------------------

    def add_link_request(self, user_id: int, chat_id: int, username: str | None, name: str, query: str,
                         jira_name: str | None) -> tuple[LinkRequest, LinkRequest | None]:
        """Record a pending link request; return it and the user's earlier pending one it replaces, if any."""
        now = self.clock()
        with self.transaction():
            earlier = self.pending_link_request(user_id)
            if earlier is not None:
                self.db.execute("UPDATE link_requests SET state = 'replaced', decided_at = ? WHERE id = ?",
                                [now, earlier.id])
            cursor = self.db.execute(
                "INSERT INTO link_requests (user_id, chat_id, username, name, query, jira_name, requested_at, state, "
                "admin_messages) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', '[]')",
                [user_id, chat_id, (username or "").lstrip("@") or None, name, query, jira_name, now])
            request_id = cursor.lastrowid
        created = self.link_request(int(request_id or 0))
        assert created is not None
        return created, self.link_request(earlier.id) if earlier is not None else None

    def link_request(self, request_id: int) -> LinkRequest | None:
        """Return one link request, whatever its state."""
        rows = self._rows("SELECT * FROM link_requests WHERE id = ?", [request_id])
        return _link_request(rows[0]) if rows else None

    def pending_link_request(self, user_id: int) -> LinkRequest | None:
        """Return the user's link request waiting for an admin, if any."""
        rows = self._rows("SELECT * FROM link_requests WHERE user_id = ? AND state = 'pending' "
                          "ORDER BY id DESC LIMIT 1", [user_id])
        return _link_request(rows[0]) if rows else None

    def decide_link_request(self, request_id: int, state: str, by: int | None) -> LinkRequest | None:
        """Move a pending link request to state, linking the user when 'confirmed'; None when it was not pending."""
        if state not in ("confirmed", "declined", "replaced", "withdrawn"):
            raise ValueError(f"unknown link request state {state!r}")
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE link_requests SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
                [state, by, self.clock(), request_id])
            if not cursor.rowcount:
                return None
            if state == "confirmed":
                self.db.execute("UPDATE users SET jira_user = (SELECT query FROM link_requests WHERE id = ?) "
                                "WHERE id = (SELECT user_id FROM link_requests WHERE id = ?)", [request_id, request_id])
        return self.link_request(request_id)

    def add_link_request_messages(self, request_id: int, messages: list[tuple[int, int]]) -> LinkRequest | None:
        """Remember more admin messages that show a link request, to edit them all once it is decided."""
        with self.transaction():
            found = self.link_request(request_id)
            if found is None:
                return None
            shown = [*found.admin_messages, *messages]
            self.db.execute("UPDATE link_requests SET admin_messages = ? WHERE id = ?",
                            [json.dumps([list(pair) for pair in shown]), request_id])
        return self.link_request(request_id)


def _link_request(row: dict[str, Any]) -> LinkRequest:
    return LinkRequest(
        id=row["id"], user_id=row["user_id"], chat_id=row["chat_id"], username=row["username"],
        name=row["name"] or "", query=row["query"], jira_name=row["jira_name"], requested_at=row["requested_at"],
        state=row["state"], decided_by=row["decided_by"], decided_at=row["decided_at"],
        admin_messages=tuple((int(chat), int(message)) for chat, message in json.loads(row["admin_messages"] or "[]")),
    )
