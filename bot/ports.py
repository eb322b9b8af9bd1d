"""What the web server needs from the chat side, so that it and the Telegram adapter need not know each other."""

from __future__ import annotations

from typing import Any, Protocol

from bot.people.access import Person
from bot.people.access_requests import AccessRequest
from bot.storage.store import StoredDraft


class Messenger(Protocol):
    """The bot in the chat: who it is there, whether it is reachable, and telling people what an admin did."""

    def username(self) -> str | None:
        """Return the bot's username, or None until the bot has started."""
        ...

    async def reachable(self) -> tuple[bool, str]:
        """Ask the chat service who the bot is: whether it answered, and its username or what went wrong."""
        ...

    async def announce_access_decision(self, request: AccessRequest) -> bool:
        """Show a decided access request on every admin's copy and tell the person; say whether they were told."""
        ...

    async def announce_role(self, before: Person, role: str, draft: StoredDraft | None) -> bool:
        """Tell a person their new role; draft is the request a revoke discarded. Say whether they were told."""
        ...


class Updates(Protocol):
    """Updates the chat service pushes to the bot's webhook, taken as they come and handled in the background."""

    def seen(self, update_id: int) -> bool:
        """Say whether this update is being handled or was handled recently (the service may send it again)."""
        ...

    async def take(self, data: dict[str, Any]) -> bool:
        """Queue an update for handling; False when it cannot be read (it is logged and skipped)."""
        ...

    async def wait_handled(self, update_id: int, seconds: float) -> bool:
        """Wait until an update has been handled; False if it still is after so many seconds."""
        ...
