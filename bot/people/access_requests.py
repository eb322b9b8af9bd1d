"""Strangers asking for access: one pending request each, decided once, with a cooldown after a denial."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.people.access import label
from bot.storage.store import Store

# After a denial, a new request is possible only this much later: admins are not spammed.
COOLDOWN = 24 * 3600.0

_COLUMNS = ("user_id, chat_id, username, name, lang, requested_at, state, decided_by, decided_at, admin_messages, "
            "granted")


@dataclass(frozen=True)
class AccessRequest:
    """Someone's request to use the bot, and the admins' messages that show it."""

    user_id: int
    chat_id: int
    username: str | None
    name: str
    lang: str
    requested_at: float
    state: str  # 'pending' | 'approved' | 'denied'
    decided_by: int | None
    decided_at: float | None
    admin_messages: tuple[tuple[int, int], ...]
    granted: str | None = None  # the role an approval gave ('sales' or 'admin'); None before it was recorded

    @property
    def label(self) -> str:
        """Return "Ann Smith (@ann)" or whatever part of it is known."""
        return label(self.name, self.username, self.user_id)

    def retry_at(self) -> float | None:
        """Return when a denied requester may ask again (None unless denied)."""
        if self.state != "denied" or self.decided_at is None:
            return None
        return self.decided_at + COOLDOWN

    def may_ask_again(self, now: float) -> bool:
        """Say whether a new request may replace this one: not while pending, nor during a denial's cooldown."""
        if self.state == "pending":
            return False
        retry_at = self.retry_at()
        return retry_at is None or now >= retry_at


def _request(row: Any) -> AccessRequest:
    """Build an AccessRequest from a database row."""
    messages = tuple((int(chat), int(message)) for chat, message in json.loads(row[9] or "[]"))
    return AccessRequest(user_id=row[0], chat_id=row[1], username=row[2], name=row[3] or "", lang=row[4] or "en",
                         requested_at=row[5], state=row[6], decided_by=row[7], decided_at=row[8],
                         admin_messages=messages, granted=row[10])


class AccessRequests:
    """Records requests for access and the admins' decisions on them."""

    def __init__(self, store: Store) -> None:
        """Work on the bot's database."""
        self.store = store

    def ask(self, user_id: int, chat_id: int, username: str | None, name: str, lang: str
            ) -> tuple[AccessRequest, bool]:
        """Record a request unless one is pending or was denied within the cooldown; say whether it is new."""
        now = self.store.clock()
        with self.store.transaction():
            existing = self.get(user_id)
            if existing is not None and not existing.may_ask_again(now):
                return existing, False
            self.store.db.execute(
                f"INSERT OR REPLACE INTO access_requests ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, "
                "NULL, '[]', NULL)", [user_id, chat_id, (username or "").lstrip("@") or None, name, lang, now])
        created = self.get(user_id)
        assert created is not None
        return created, True

    def decide(self, user_id: int, granted: str | None, by: int | None) -> AccessRequest | None:
        """Approve with the role granted, or deny (None); return None when it was already decided (the first wins)."""
        cursor = self.store.db.execute(
            "UPDATE access_requests SET state = ?, decided_by = ?, decided_at = ?, granted = ? WHERE user_id = ? "
            "AND state = 'pending'",
            ["approved" if granted else "denied", by, self.store.clock(), granted, user_id])
        return self.get(user_id) if cursor.rowcount else None

    def pending(self) -> list[AccessRequest]:
        """Return requests waiting for an admin, oldest first."""
        rows = self.store.db.execute(
            f"SELECT {_COLUMNS} FROM access_requests WHERE state = 'pending' ORDER BY requested_at, user_id"
        ).fetchall()
        return [_request(row) for row in rows]

    def get(self, user_id: int) -> AccessRequest | None:
        """Return a user's latest request, whatever its state."""
        row = self.store.db.execute(f"SELECT {_COLUMNS} FROM access_requests WHERE user_id = ?", [user_id]).fetchone()
        return _request(row) if row else None

    def set_admin_messages(self, user_id: int, messages: list[tuple[int, int]]) -> None:
        """Remember which admin messages show the request, to edit them all once it is decided."""
        self.store.db.execute("UPDATE access_requests SET admin_messages = ? WHERE user_id = ?",
                              [json.dumps([list(pair) for pair in messages]), user_id])

    def add_admin_message(self, user_id: int, chat_id: int, message_id: int) -> None:
        """Add one more admin message that shows the request."""
        with self.store.transaction():
            found = self.get(user_id)
            if found is not None:
                self.set_admin_messages(user_id, [*found.admin_messages, (chat_id, message_id)])
