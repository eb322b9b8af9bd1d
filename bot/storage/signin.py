"""The admin page's sign-in links and sessions, known only by their hashes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import StoreBase


@dataclass(frozen=True)
class StoredLogin:
    """A sign-in link to the admin page, known by its token's hash."""

    user_id: int
    expires_at: float
    used_at: float | None


@dataclass(frozen=True)
class StoredSession:
    """A session on the admin page, known by its id's hash."""

    user_id: int
    csrf: str
    created_at: float
    expires_at: float


class SigninStore(StoreBase):
    """Sign-in links and sessions of the admin page, and the language each admin reads it in."""

    def add_web_login(self, token_hash: str, user_id: int, created_at: float, expires_at: float) -> None:
        """Keep a new sign-in link; links a day past their expiry and ended sessions go, so the tables stay small."""
        with self.transaction():
            self.db.execute("DELETE FROM web_logins WHERE expires_at < ?", [created_at - 86400])
            self.db.execute("DELETE FROM web_sessions WHERE expires_at < ?", [created_at])
            self._insert("web_logins", {"token_hash": token_hash, "user_id": user_id, "created_at": created_at,
                                        "expires_at": expires_at, "used_at": None})

    def web_login(self, token_hash: str) -> StoredLogin | None:
        """Return the sign-in link with this token hash, if any."""
        row = self.db.execute("SELECT user_id, expires_at, used_at FROM web_logins WHERE token_hash = ?",
                              [token_hash]).fetchone()
        return StoredLogin(int(row[0]), float(row[1]), row[2]) if row else None

    def use_web_login(self, token_hash: str, at: float) -> None:
        """Mark a sign-in link used."""
        self.db.execute("UPDATE web_logins SET used_at = ? WHERE token_hash = ?", [at, token_hash])

    def add_web_session(self, id_hash: str, user_id: int, csrf: str, created_at: float, expires_at: float) -> None:
        """Keep a new session."""
        self._insert("web_sessions", {"id": id_hash, "user_id": user_id, "csrf": csrf, "created_at": created_at,
                                      "expires_at": expires_at})

    def web_session(self, id_hash: str) -> StoredSession | None:
        """Return the session with this id hash, if any."""
        row = self.db.execute("SELECT user_id, csrf, created_at, expires_at FROM web_sessions WHERE id = ?",
                              [id_hash]).fetchone()
        return StoredSession(int(row[0]), str(row[1]), float(row[2]), float(row[3])) if row else None

    def end_web_session(self, id_hash: str) -> None:
        """Forget a session."""
        self.db.execute("DELETE FROM web_sessions WHERE id = ?", [id_hash])

    def set_page_language(self, user_id: int, lang: str | None) -> None:
        """Record the language an admin chose for the admin page (None: the one the bot speaks with them)."""
        self.db.execute("UPDATE users SET page_lang = ? WHERE id = ?", [lang, user_id])

    def page_language(self, user_id: int) -> str | None:
        """Return the language an admin chose for the admin page, if any."""
        row = self.db.execute("SELECT page_lang FROM users WHERE id = ?", [user_id]).fetchone()
        return str(row[0]) if row and row[0] else None
