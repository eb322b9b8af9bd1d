"""Drafts in progress: one per user, with the message that shows its live buttons."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.intake.draft import Draft
from bot.storage.base import StoreBase


@dataclass(frozen=True)
class StoredDraft:
    """A draft with the Telegram details needed to continue it."""

    draft: Draft
    chat_id: int
    prompt_message_id: int | None
    updated_at: float


class DraftStore(StoreBase):
    """Reads and writes the drafts table."""

    def get_draft(self, user_id: int) -> StoredDraft | None:
        """Return the user's open draft, if any."""
        row = self.db.execute("SELECT data, chat_id, prompt_message_id, updated_at FROM drafts WHERE user_id = ?",
                              [user_id]).fetchone()
        if row is None:
            return None
        return StoredDraft(Draft.from_dict(json.loads(row[0])), row[1], row[2], row[3])

    def save_draft(self, draft: Draft, chat_id: int, prompt_message_id: int | None = None, *,
                   touch: bool = True) -> None:
        """Write the draft; touch=False keeps its last-activity time (for bookkeeping writes)."""
        # Plain SQL: this runs on every answer, and sqlite-utils' upsert reads the table's schema each time.
        touched = ", updated_at = excluded.updated_at" if touch else ""
        self.db.execute(
            "INSERT INTO drafts (user_id, chat_id, data, prompt_message_id, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, data = excluded.data, "
            f"prompt_message_id = excluded.prompt_message_id{touched}",
            [draft.user_id, chat_id, json.dumps(draft.to_dict(), ensure_ascii=False), prompt_message_id,
             self.clock()])

    def set_prompt_message(self, user_id: int, message_id: int | None) -> None:
        """Remember which message shows the draft's live buttons."""
        self.db.execute("UPDATE drafts SET prompt_message_id = ? WHERE user_id = ?", [message_id, user_id])

    def delete_draft(self, user_id: int) -> None:
        """Drop the user's draft."""
        self.db.execute("DELETE FROM drafts WHERE user_id = ?", [user_id])

    def expired_drafts(self, older_than: float) -> list[StoredDraft]:
        """Return drafts untouched since the given time."""
        rows = self.db.table("drafts").rows_where("updated_at < ?", [older_than], order_by="updated_at")
        return [StoredDraft(Draft.from_dict(json.loads(r["data"])), r["chat_id"], r["prompt_message_id"],
                            r["updated_at"]) for r in rows]

    def drafts_on_other_versions(self, live: str) -> list[tuple[str, int]]:
        """Count drafts in progress on a templates version other than the live one, by that version's hash."""
        rows = self.db.execute(
            "SELECT json_extract(data, '$.template_version'), COUNT(*) FROM drafts "
            "WHERE json_extract(data, '$.template_id') IS NOT NULL AND json_extract(data, '$.template_version') != ? "
            "GROUP BY 1", [live]).fetchall()
        return [(str(row[0]), int(row[1])) for row in rows]
