"""The admins' audit log: who changed what, and when."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.store import Store


@dataclass(frozen=True)
class Entry:
    """One recorded change."""

    id: int
    at: float
    actor_id: int | None
    actor_name: str
    action: str
    detail: str


class Audit:
    """Records every change to templates, users and roles, and reads them back newest first."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, actor_id: int | None, actor_name: str, action: str, detail: str = "") -> None:
        """Record that actor did action (e.g. "templates.publish") with a human-readable detail."""
        self.store.db.table("audit").insert({"at": self.store.clock(), "actor_id": actor_id,
                                             "actor_name": actor_name, "action": action, "detail": detail})

    def recent(self, limit: int = 100, offset: int = 0) -> list[Entry]:
        """Return recorded changes, newest first."""
        rows = self.store.db.execute(
            "SELECT id, at, actor_id, actor_name, action, detail FROM audit ORDER BY at DESC, id DESC "
            "LIMIT ? OFFSET ?", [limit, offset]).fetchall()
        return [Entry(r[0], r[1], r[2], r[3] or "", r[4], r[5] or "") for r in rows]

    def count(self) -> int:
        """Return how many changes are recorded."""
        return int(self.store.db.execute("SELECT count(*) FROM audit").fetchone()[0])
