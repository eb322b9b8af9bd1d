"""The bot's texts about users, roles, invites and access requests, in every supported language."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
}
