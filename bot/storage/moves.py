"""Issues moved to another project in Jira: the keys they had, and everything the bot keeps following the new one."""

from __future__ import annotations

from bot.storage.base import StoreBase


class MoveStore(StoreBase):
    """Reads and writes the issue_moves table, and renames an issue's key wherever the bot keeps it."""

    def move_issue(self, old_key: str, new_key: str) -> bool:
        """Record that an issue now has another key and follow it everywhere; False when nothing was to change."""
        if old_key == new_key:
            return False
        with self.transaction():
            known = self.db.execute("SELECT new_key FROM issue_moves WHERE old_key = ?", [old_key]).fetchone()
            if known is not None and known[0] == new_key:
                return False
            self._upsert("issue_moves", {"old_key": old_key, "new_key": new_key, "moved_at": self.clock()},
                         ("old_key",))
            # Keys it had before old_key lead to the newest one too, in one step.
            self.db.execute("UPDATE issue_moves SET new_key = ? WHERE new_key = ?", [new_key, old_key])
            # A key given back to its first project (moved there and back) is no longer an old one.
            self.db.execute("DELETE FROM issue_moves WHERE old_key = new_key")
            self.db.execute("UPDATE requests SET jira_key = ?, jira_url = REPLACE(jira_url, ?, ?) WHERE jira_key = ?",
                            [new_key, f"/browse/{old_key}", f"/browse/{new_key}", old_key])
            for table, column in (("comments", "issue_key"), ("notice_messages", "issue_key"),
                                  ("events", "issue_key"), ("users", "replying_to")):
                self.db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [new_key, old_key])
            # Someone following both keys (joined before and after) keeps one subscription.
            self.db.execute("UPDATE OR IGNORE subscriptions SET issue_key = ? WHERE issue_key = ?", [new_key, old_key])
            self.db.execute("DELETE FROM subscriptions WHERE issue_key = ?", [old_key])
        return True

    def current_key(self, key: str) -> str:
        """Return the key an issue has now, given any key it had (buttons sent before a move carry the old one)."""
        row = self.db.execute("SELECT new_key FROM issue_moves WHERE old_key = ?", [key]).fetchone()
        return str(row[0]) if row else key
