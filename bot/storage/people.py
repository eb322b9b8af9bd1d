"""Who has talked to the bot: where to reach them, their language and settings, their Jira user and role."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import StoreBase

# How stale a user's last-seen time may be; lists show it to the minute.
SEEN_RESOLUTION = 60.0


@dataclass(frozen=True)
class KnownUser:
    """A user as stored: who they are, the role admins gave them, when last seen and how much they filed."""

    id: int
    name: str
    username: str | None
    last_seen: float | None
    active: bool
    role: str | None  # the stored role only; the config's lists are not applied here
    requests: int


class PeopleStore(StoreBase):
    """Reads and writes the users table."""

    # What remember_user last wrote per user, and when: most updates would rewrite the same row.
    _remembered: dict[int, tuple[tuple[int, str | None, str, str], float]]

    def remember_user(self, user_id: int, chat_id: int, username: str | None, name: str, lang: str) -> None:
        """Record who wrote to the bot, where to reach them and the language they get.

        An unchanged record is written again only once its last-seen time is SEEN_RESOLUTION old.
        """
        now, details = self.clock(), (chat_id, (username or "").lower() or None, name, lang)
        last = self._remembered.get(user_id)
        if last is not None and last[0] == details and now - last[1] < SEEN_RESOLUTION:
            return
        self.db.execute(
            "INSERT INTO users (id, chat_id, username, name, lang, last_seen, active) VALUES (?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT(id) DO UPDATE SET chat_id = excluded.chat_id, username = excluded.username, "
            "name = excluded.name, lang = excluded.lang, last_seen = excluded.last_seen, active = 1",
            [user_id, *details, now])
        if last is None or last[0][2] != name:
            # The requests list shows (and sorts and searches) requesters by their current name.
            shown = name or username or str(user_id)
            self.db.execute("UPDATE requests SET requester = ? WHERE user_id = ? AND requester <> ?",
                            [shown, user_id, shown])
        self._remembered[user_id] = (details, now)

    def set_active(self, user_id: int, active: bool) -> None:
        """Record that a user blocked (or unblocked) the bot."""
        self.db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        self._remembered.pop(user_id, None)  # their next update must mark them active again

    def user_chat(self, user_id: int) -> int | None:
        """Return the private chat of a user who has talked to the bot."""
        row = self.db.execute("SELECT chat_id FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def chats_of_usernames(self, usernames: list[str]) -> list[int]:
        """Return the chats of users known by these @usernames."""
        if not usernames:
            return []
        marks = ", ".join("?" for _ in usernames)
        rows = self.db.execute(f"SELECT chat_id FROM users WHERE username IN ({marks})",
                               [u.lstrip("@").lower() for u in usernames]).fetchall()
        return [row[0] for row in rows]

    def link_jira_user(self, user_id: int, jira_user: str | None) -> None:
        """Remember which Jira user a salesperson files as (None unlinks)."""
        self.db.execute("UPDATE users SET jira_user = ? WHERE id = ?", [jira_user, user_id])

    def jira_user_of(self, user_id: int) -> str | None:
        """Return the Jira user a salesperson linked, if any."""
        row = self.db.execute("SELECT jira_user FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    def user_language(self, user_id: int) -> str:
        """Return the language a user last wrote to the bot in."""
        row = self.db.execute("SELECT lang FROM users WHERE id = ?", [user_id]).fetchone()
        return str(row[0]) if row and row[0] else "en"

    def set_language_choice(self, user_id: int, lang: str | None) -> None:
        """Record the language a user chose with /lang (None: follow Telegram)."""
        self.db.execute("UPDATE users SET lang_choice = ? WHERE id = ?", [lang, user_id])

    def language_choice(self, user_id: int) -> str | None:
        """Return the language a user chose with /lang, if any."""
        row = self.db.execute("SELECT lang_choice FROM users WHERE id = ?", [user_id]).fetchone()
        return str(row[0]) if row and row[0] else None

    def set_muted(self, user_id: int, muted: bool) -> None:
        """Record whether a user wants only comments and resolutions."""
        self.db.execute("UPDATE users SET muted = ? WHERE id = ?", [int(muted), user_id])

    def is_muted(self, user_id: int) -> bool:
        """Say whether a user muted everything but comments and resolutions."""
        row = self.db.execute("SELECT muted FROM users WHERE id = ?", [user_id]).fetchone()
        return bool(row and row[0])

    def stored_role(self, user_id: int) -> str | None:
        """Return the role admins gave the user, if any."""
        row = self.db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def set_role(self, user_id: int, role: str, by: int | None, *, name: str = "", username: str | None = None,
                 lang: str = "en") -> None:
        """Record a user's role and who gave it, creating their record (in lang) if they never wrote."""
        now = self.clock()
        with self.transaction():
            found = self.db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone()
            if found is None:
                self.db.table("users").insert({
                    "id": user_id, "chat_id": user_id, "username": (username or "").lower() or None,
                    "name": name, "lang": lang, "active": 1})
            self.db.execute("UPDATE users SET role = ?, role_by = ?, role_at = ? WHERE id = ?",
                            [role, by, now, user_id])

    def granted_admins(self) -> list[int]:
        """Return the users admins made admins."""
        return [row[0] for row in self.db.execute("SELECT id FROM users WHERE role = 'admin'")]

    def username_of(self, user_id: int) -> str | None:
        """Return the @username (without @) the user last wrote with, if known."""
        row = self.db.execute("SELECT username FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    def user_named(self, username: str) -> int | None:
        """Return the id of the user who last wrote with this @username (lower case, without @), if any."""
        row = self.db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
        return int(row[0]) if row else None

    def known_users(self, user_id: int | None = None) -> list[KnownUser]:
        """Return every user who wrote or was given a role (or only the one with user_id), with their request counts."""
        where, params = ("WHERE u.id = ?", [user_id]) if user_id is not None else ("", [])
        rows = self.db.execute(
            "SELECT u.id, u.name, u.username, u.last_seen, u.active, u.role, "
            "(SELECT count(*) FROM requests r WHERE r.user_id = u.id) FROM users u " + where, params).fetchall()
        return [KnownUser(id=row[0], name=row[1] or "", username=row[2], last_seen=row[3], active=bool(row[4]),
                          role=row[5], requests=row[6]) for row in rows]
