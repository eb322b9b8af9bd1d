"""Salespeople's replies on their way to Jira as comments, and which bot message speaks about which issue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.jira.ticket import Attachment
from bot.storage.base import StoreBase

# The id prefix of comments the bot writes on its own (deadline reminders, "not solved"): nobody waits for an ack.
AUTOMATIC = "auto-"


@dataclass(frozen=True)
class OutgoingComment:
    """A salesperson's reply on its way to Jira as a comment."""

    id: str
    request_id: str | None
    issue_key: str
    user_id: int
    chat_id: int
    lang: str
    body: str
    files: tuple[Attachment, ...]
    state: str
    attempts: int
    created_at: float
    last_error: str | None = None
    ack_message_id: int | None = None
    labels: tuple[str, ...] = ()
    # The transition (or target status) to move the issue by once the comment is posted, if any.
    transition: str | None = None

    @property
    def automatic(self) -> bool:
        """Say whether the bot wrote this comment on its own, rather than a person replying."""
        return self.id.startswith(AUTOMATIC)

    @property
    def marker(self) -> str:
        """Return the invisible anchor that identifies this comment in Jira."""
        return f"ts-c-{self.id}"


class ReplyStore(StoreBase):
    """Reads and writes the comments and notice_messages tables, and what a user is replying to."""

    def queue_comment(self, comment_id: str, issue_key: str, user_id: int, chat_id: int, lang: str, body: str,
                      files: tuple[Attachment, ...] = (), request_id: str | None = None,
                      labels: tuple[str, ...] = (), transition: str | None = None) -> OutgoingComment:
        """Store a reply before anything is sent to Jira; a comment id stored before is kept as it is."""
        now = self.clock()
        self._insert("comments", {
            "id": comment_id, "request_id": request_id, "issue_key": issue_key, "user_id": user_id,
            "chat_id": chat_id, "lang": lang, "body": body,
            "files": json.dumps([f.to_dict() for f in files], ensure_ascii=False), "state": "pending",
            "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now,
            "labels": json.dumps(list(labels), ensure_ascii=False), "transition": transition,
        }, ignore=True)
        found = self.get_comment(comment_id)
        assert found is not None
        return found

    def get_comment(self, comment_id: str) -> OutgoingComment | None:
        """Return one outgoing comment."""
        rows = self._rows("SELECT * FROM comments WHERE id = ?", [comment_id])
        return _comment(rows[0]) if rows else None

    def due_comments(self, now: float, limit: int = 20) -> list[OutgoingComment]:
        """Return comments waiting to be posted whose next attempt is due, oldest first."""
        rows = self._rows("SELECT * FROM comments WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? "
                          "ORDER BY created_at LIMIT ?", [now, limit])
        return [_comment(r) for r in rows]

    def comment_sending(self, comment_id: str) -> OutgoingComment:
        """Record that an attempt starts now, before Jira is called."""
        self.db.execute("UPDATE comments SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?",
                        [self.clock(), comment_id])
        found = self.get_comment(comment_id)
        assert found is not None
        return found

    def comment_posted(self, comment_id: str, jira_comment_id: str) -> None:
        """Record that the comment is in Jira."""
        self.db.execute("UPDATE comments SET state = 'posted', jira_comment_id = ?, last_error = NULL, "
                        "next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                        [jira_comment_id, self.clock(), comment_id])

    def comment_retry(self, comment_id: str, error: str, at: float) -> None:
        """Record a transient failure of a comment."""
        self.db.execute("UPDATE comments SET last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                        [error, at, self.clock(), comment_id])

    def comment_failed(self, comment_id: str, error: str) -> None:
        """Record a comment that retrying will not post."""
        self.db.execute("UPDATE comments SET state = 'needs-attention', last_error = ?, next_attempt_at = NULL, "
                        "updated_at = ? WHERE id = ?", [error, self.clock(), comment_id])

    def set_comment_ack(self, comment_id: str, message_id: int | None) -> None:
        """Remember the message that tells the user their reply is on its way."""
        self.db.execute("UPDATE comments SET ack_message_id = ? WHERE id = ?", [message_id, comment_id])

    def remember_notice(self, chat_id: int, message_id: int, issue_key: str, request_id: str | None) -> None:
        """Remember that a bot message is about an issue."""
        self._upsert("notice_messages", {"chat_id": chat_id, "message_id": message_id, "issue_key": issue_key,
                                         "request_id": request_id, "sent_at": self.clock()}, ("chat_id", "message_id"))

    def issue_of_message(self, chat_id: int, message_id: int) -> tuple[str, str | None] | None:
        """Return (issue key, request id) a bot message is about."""
        row = self.db.execute("SELECT issue_key, request_id FROM notice_messages WHERE chat_id = ? AND message_id = ?",
                              [chat_id, message_id]).fetchone()
        return (row[0], row[1]) if row else None

    def set_replying(self, user_id: int, issue_key: str | None) -> None:
        """Remember (or forget) that the user's next message answers an issue."""
        self.db.execute("UPDATE users SET replying_to = ? WHERE id = ?", [issue_key, user_id])

    def replying_to(self, user_id: int) -> str | None:
        """Return the issue the user's next message answers, if they pressed Reply."""
        row = self.db.execute("SELECT replying_to FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None


def _comment(row: dict[str, Any]) -> OutgoingComment:
    return OutgoingComment(
        id=row["id"], request_id=row["request_id"], issue_key=row["issue_key"], user_id=row["user_id"],
        chat_id=row["chat_id"], lang=row["lang"] or "en", body=row["body"],
        files=tuple(Attachment.from_dict(f) for f in json.loads(row["files"] or "[]")), state=row["state"],
        attempts=row["attempts"] or 0, created_at=row["created_at"], last_error=row["last_error"],
        ack_message_id=row["ack_message_id"], labels=tuple(json.loads(row.get("labels") or "[]")),
        transition=row.get("transition"),
    )
