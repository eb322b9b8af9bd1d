"""Strangers asking for access: one pending request each, decided once, with a cooldown after a denial."""

from __future__ import annotations

from bot.storage.admin import COOLDOWN, AccessRequest
from bot.storage.store import Store

__all__ = ["COOLDOWN", "AccessRequest", "AccessRequests"]


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
            self.store.open_access_request(user_id, chat_id, username, name, lang)
        created = self.get(user_id)
        assert created is not None
        return created, True

    def decide(self, user_id: int, granted: str | None, by: int | None) -> AccessRequest | None:
        """Approve with the role granted, or deny (None); return None when it was already decided (the first wins)."""
        decided = self.store.decide_access_request(user_id, "approved" if granted else "denied", granted, by)
        return self.get(user_id) if decided else None

    def pending(self) -> list[AccessRequest]:
        """Return requests waiting for an admin, oldest first."""
        return self.store.pending_access_requests()

    def get(self, user_id: int) -> AccessRequest | None:
        """Return a user's latest request, whatever its state."""
        return self.store.access_request(user_id)

    def set_admin_messages(self, user_id: int, messages: list[tuple[int, int]]) -> None:
        """Remember which admin messages show the request, to edit them all once it is decided."""
        self.store.set_access_request_messages(user_id, messages)

    def add_admin_message(self, user_id: int, chat_id: int, message_id: int) -> None:
        """Add one more admin message that shows the request."""
        with self.store.transaction():
            found = self.get(user_id)
            if found is not None:
                self.set_admin_messages(user_id, [*found.admin_messages, (chat_id, message_id)])
