"""Who may use the bot: the config's bootstrap lists plus the roles admins grant, kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import AccessConfig
from bot.storage.store import Store

Role = Literal["sales", "admin"]
ROLES: tuple[Role, ...] = ("sales", "admin")
# A stored role of 'revoked' shuts a user out even if the config lists them as a salesperson.
REVOKED = "revoked"


def label(name: str, username: str | None, user_id: int) -> str:
    """Return "Ann Smith (@ann)" or whatever part of it is known, else the id."""
    handle = f"@{username}" if username else None
    if name and handle:
        return f"{name} ({handle})"
    return name or handle or str(user_id)


@dataclass(frozen=True)
class Person:
    """A user as admins see them: who, their role, when they were last seen and how much they filed."""

    id: int
    name: str
    username: str | None
    role: str | None
    bootstrap: bool
    last_seen: float | None
    requests: int
    reachable: bool

    @property
    def label(self) -> str:
        """Return "Ann Smith (@ann)" or whatever part of it is known."""
        return label(self.name, self.username, self.id)


class Access:
    """Answers whether a Telegram user may file requests or administer the bot, and changes roles."""

    def __init__(self, config: AccessConfig, store: Store | None = None) -> None:
        """Combine the config's lists with the roles stored in the database."""
        self.config = config
        self.store = store

    @staticmethod
    def _listed(people: tuple[int | str, ...], user_id: int, username: str | None) -> bool:
        """Say whether the id or the @username is in a config list."""
        handle = f"@{username.lower()}" if username else None
        return user_id in people or (handle is not None and handle in people)

    def _stored_role(self, user_id: int) -> str | None:
        """Return the role admins gave the user, if any."""
        if self.store is None:
            return None
        row = self.store.db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def is_bootstrap_admin(self, user_id: int, username: str | None) -> bool:
        """Say whether the config lists the user as an admin (such an admin cannot be demoted from Telegram)."""
        return self._listed(self.config.admins, user_id, username)

    def role_of(self, user_id: int, username: str | None) -> str | None:
        """Return 'admin', 'sales', 'revoked' or None (unknown) for a user."""
        if self.is_bootstrap_admin(user_id, username):
            return "admin"
        return self._resolve(user_id, username, self._stored_role(user_id))

    def _resolve(self, user_id: int, username: str | None, stored: str | None) -> str | None:
        """Return the role of a user who is no bootstrap admin: the stored one, else the config's salesperson."""
        if stored is not None:
            return stored
        return "sales" if self._listed(self.config.users, user_id, username) else None

    def is_admin(self, user_id: int, username: str | None) -> bool:
        """Say whether the user is an admin."""
        return self.role_of(user_id, username) == "admin"

    def allowed(self, user_id: int, username: str | None) -> bool:
        """Say whether the user may file requests."""
        return self.role_of(user_id, username) in ROLES

    def set_role(self, user_id: int, role: str, by: int | None, *, name: str = "", username: str | None = None,
                 lang: str = "en") -> None:
        """Give a user a role ('sales', 'admin' or 'revoked'), creating their record (in lang) if they never wrote."""
        assert self.store is not None, "roles need the database"
        if role not in (*ROLES, REVOKED):
            raise ValueError(f"unknown role {role!r}")
        now = self.store.clock()
        with self.store.transaction():
            found = self.store.db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone()
            if found is None:
                self.store.db.table("users").insert({
                    "id": user_id, "chat_id": user_id, "username": (username or "").lower() or None,
                    "name": name, "lang": lang, "active": 1})
            self.store.db.execute("UPDATE users SET role = ?, role_by = ?, role_at = ? WHERE id = ?",
                                  [role, by, now, user_id])

    def admin_ids(self) -> list[int]:
        """Return admins' numeric ids (their private chat has the same id): listed in the config or granted."""
        listed = [p for p in self.config.admins if isinstance(p, int)]
        granted: list[int] = []
        if self.store is not None:
            granted = [row[0] for row in self.store.db.execute("SELECT id FROM users WHERE role = 'admin'")]
        return list(dict.fromkeys(listed + granted))

    def admin_usernames(self) -> list[str]:
        """Return admins listed by @username."""
        return [p for p in self.config.admins if isinstance(p, str)]

    def admin_chats(self) -> list[int]:
        """Return the private chats of every admin the bot can reach: by id, and by @username once they wrote."""
        by_name = self.store.chats_of_usernames(self.admin_usernames()) if self.store is not None else []
        return list(dict.fromkeys([*self.admin_ids(), *by_name]))

    def username_of(self, user_id: int) -> str | None:
        """Return the @username (without @) the user last wrote with, if known."""
        if self.store is None:
            return None
        row = self.store.db.execute("SELECT username FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    def role_by_id(self, user_id: int) -> str | None:
        """Return a user's role knowing only their id (an @username listed in the config is looked up)."""
        return self.role_of(user_id, self.username_of(user_id))

    def admin_count(self) -> int:
        """Return how many admins there are: granted ones plus the config's, counting each person once."""
        ids = set(self.admin_ids())
        unseen = 0
        for handle in self.admin_usernames():
            found = None
            if self.store is not None:
                found = self.store.db.execute("SELECT id FROM users WHERE username = ?",
                                              [handle.lstrip("@").lower()]).fetchone()
            if found is None:
                unseen += 1
            else:
                ids.add(found[0])
        return len(ids) + unseen

    def person(self, user_id: int) -> Person | None:
        """Return one user as admins see them, if they ever wrote or were given a role."""
        return next(iter(self._people("WHERE u.id = ?", [user_id])), None)

    def people(self) -> list[Person]:
        """Return every known user, admins first, then by last activity."""
        found = self._people("", [])
        order = {"admin": 0, "sales": 1, None: 2, REVOKED: 3}
        return sorted(found, key=lambda p: (order.get(p.role, 2), -(p.last_seen or 0), p.id))

    def _people(self, where: str, params: list[object]) -> list[Person]:
        """Return users matching a WHERE clause, with their roles and request counts."""
        if self.store is None:
            return []
        rows = self.store.db.execute(
            "SELECT u.id, u.name, u.username, u.last_seen, u.active, u.role, "
            "(SELECT count(*) FROM requests r WHERE r.user_id = u.id) FROM users u " + where, params).fetchall()
        people = []
        for user_id, name, username, last_seen, active, stored, requests in rows:
            # The stored role came with the row: no query per person.
            bootstrap = self.is_bootstrap_admin(user_id, username)
            role = "admin" if bootstrap else self._resolve(user_id, username, stored)
            people.append(Person(id=user_id, name=name or "", username=username, role=role, bootstrap=bootstrap,
                                 last_seen=last_seen, requests=requests, reachable=bool(active)))
        return people
