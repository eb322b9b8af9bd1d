"""Who may use the bot: the config's bootstrap lists plus the roles admins grant, kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import AccessConfig
from bot.storage.people import KnownUser
from bot.storage.store import Store
from bot.text.screen import label

# A lead files requests like a salesperson and may also approve requests waiting for approval.
Role = Literal["sales", "lead", "admin"]
ROLES: tuple[Role, ...] = ("sales", "lead", "admin")
# A stored role of 'revoked' shuts a user out even if the config lists them as a salesperson.
REVOKED = "revoked"


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
        return self.store.stored_role(user_id) if self.store is not None else None

    def is_bootstrap_admin(self, user_id: int, username: str | None) -> bool:
        """Say whether the config lists the user as an admin (such an admin cannot be demoted from Telegram)."""
        return self._listed(self.config.admins, user_id, username)

    def role_of(self, user_id: int, username: str | None) -> str | None:
        """Return 'admin', 'lead', 'sales', 'revoked' or None (unknown) for a user."""
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
        """Give a user a role ('sales', 'lead', 'admin' or 'revoked'), creating their record (in lang) if new."""
        assert self.store is not None, "roles need the database"
        if role not in (*ROLES, REVOKED):
            raise ValueError(f"unknown role {role!r}")
        self.store.set_role(user_id, role, by, name=name, username=username, lang=lang)

    def admin_ids(self) -> list[int]:
        """Return admins' numeric ids (their private chat has the same id): listed in the config or granted."""
        listed = [p for p in self.config.admins if isinstance(p, int)]
        granted = self.store.granted_admins() if self.store is not None else []
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
        return self.store.username_of(user_id) if self.store is not None else None

    def role_by_id(self, user_id: int) -> str | None:
        """Return a user's role knowing only their id (an @username listed in the config is looked up)."""
        return self.role_of(user_id, self.username_of(user_id))

    def admin_count(self) -> int:
        """Return how many admins there are: granted ones plus the config's, counting each person once."""
        ids = set(self.admin_ids())
        unseen = 0
        for handle in self.admin_usernames():
            found = self.store.user_named(handle.lstrip("@").lower()) if self.store is not None else None
            if found is None:
                unseen += 1
            else:
                ids.add(found)
        return len(ids) + unseen

    def person(self, user_id: int) -> Person | None:
        """Return one user as admins see them, if they ever wrote or were given a role."""
        return next(iter(self._people(user_id)), None)

    def people(self) -> list[Person]:
        """Return every known user, admins first, then by last activity."""
        found = self._people()
        order = {"admin": 0, "lead": 1, "sales": 2, None: 3, REVOKED: 4}
        return sorted(found, key=lambda p: (order.get(p.role, 3), -(p.last_seen or 0), p.id))

    def _people(self, user_id: int | None = None) -> list[Person]:
        """Return every known user (or only user_id), with their roles and request counts."""
        if self.store is None:
            return []
        return [self._person(user) for user in self.store.known_users(user_id)]

    def _person(self, user: KnownUser) -> Person:
        """Return a stored user as admins see them, the config's lists applied to their stored role."""
        # The stored role came with the row: no query per person.
        bootstrap = self.is_bootstrap_admin(user.id, user.username)
        role = "admin" if bootstrap else self._resolve(user.id, user.username, user.role)
        return Person(id=user.id, name=user.name, username=user.username, role=role, bootstrap=bootstrap,
                      last_seen=user.last_seen, requests=user.requests, reachable=user.active)
