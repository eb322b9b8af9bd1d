"""Who may use the bot, from the config's lists of numeric ids and @usernames."""

from __future__ import annotations

from bot.config import AccessConfig


class Access:
    """Answers whether a Telegram user may file requests or administer the bot."""

    def __init__(self, config: AccessConfig) -> None:
        self.config = config

    @staticmethod
    def _listed(people: tuple[int | str, ...], user_id: int, username: str | None) -> bool:
        handle = f"@{username.lower()}" if username else None
        return user_id in people or (handle is not None and handle in people)

    def is_admin(self, user_id: int, username: str | None) -> bool:
        """Say whether the user is an admin."""
        return self._listed(self.config.admins, user_id, username)

    def allowed(self, user_id: int, username: str | None) -> bool:
        """Say whether the user may file requests."""
        return self.is_admin(user_id, username) or self._listed(self.config.users, user_id, username)

    def admin_ids(self) -> list[int]:
        """Return admins listed by numeric id (their private chat has the same id)."""
        return [p for p in self.config.admins if isinstance(p, int)]

    def admin_usernames(self) -> list[str]:
        """Return admins listed by @username."""
        return [p for p in self.config.admins if isinstance(p, str)]
