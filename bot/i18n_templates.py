"""The bot's texts for admins managing templates from Telegram, in every supported language."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
}
