"""Messages of the team's group chats the bot may be asked to file, and the group a request came from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.storage.base import StoreBase


@dataclass(frozen=True)
class GroupMessage:
    """A message in a group chat, as much of it as a request needs: who wrote it where, its words and files."""

    chat_id: int
    message_id: int
    chat_title: str
    author: str
    text: str | None = None
    files: tuple[dict[str, Any], ...] = field(default=())  # Attachment.to_dict() of each file it carries
    author_id: int | None = None


class GroupStore(StoreBase):
    """Reads and writes the group messages kept for /ticket links and reactions."""

    def remember_group_message(self, message: GroupMessage, *, keep_seconds: float) -> None:
        """Keep a group message (replacing an earlier copy of it); forget those older than keep_seconds."""
        now = self.clock()
        with self.transaction():
            self._upsert("group_messages", {
                "chat_id": message.chat_id, "message_id": message.message_id, "chat_title": message.chat_title,
                "author": message.author, "author_id": message.author_id, "text": message.text,
                "files": json.dumps(list(message.files), ensure_ascii=False), "seen_at": now,
            }, ("chat_id", "message_id"))
            self.db.execute("DELETE FROM group_messages WHERE seen_at < ?", [now - keep_seconds])

    def group_message(self, chat_id: int, message_id: int) -> GroupMessage | None:
        """Return a kept group message, or None when it was never seen or is forgotten."""
        rows = self._rows("SELECT * FROM group_messages WHERE chat_id = ? AND message_id = ?", [chat_id, message_id])
        if not rows:
            return None
        row = rows[0]
        return GroupMessage(row["chat_id"], row["message_id"], row["chat_title"] or "", row["author"] or "",
                            row["text"], tuple(json.loads(row["files"] or "[]")), row["author_id"])

    def request_origin(self, request_id: str) -> dict[str, Any] | None:
        """Return the group chat message a request was filed from ({"chat_id", "message_id", "title"}), if any."""
        row = self.db.execute("SELECT json_extract(draft, '$.origin') FROM requests WHERE id = ?",
                              [request_id]).fetchone()
        if row is None or row[0] is None:
            return None
        origin = json.loads(row[0])
        return origin if isinstance(origin, dict) else None
