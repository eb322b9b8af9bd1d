"""The admins' audit log: who changed what, and when."""

from __future__ import annotations

from bot.storage.admin import AuditEntry
from bot.storage.store import Store


class Audit:
    """Records every change to templates, users and roles, and reads them back newest first."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, actor_id: int | None, actor_name: str, action: str, detail: str = "") -> None:
        """Record that actor did action (e.g. "templates.publish") with a human-readable detail."""
        self.store.add_audit_entry(actor_id, actor_name, action, detail)

    def recent(self, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
        """Return recorded changes, newest first."""
        return self.store.audit_entries(limit, offset)

    def count(self) -> int:
        """Return how many changes are recorded."""
        return self.store.audit_count()
