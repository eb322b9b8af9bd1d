"""Reading Telegram's updates: one that python-telegram-bot cannot read is skipped, not fatal to the rest."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Bot, Update

from bot.text.screen import clip

log = logging.getLogger(__name__)


def _skipped(update_id: object, data: dict[str, Any], error: Exception) -> None:
    # The kinds and the error say what was wrong; the update itself is someone's message and stays out of the log.
    kinds = ", ".join(str(key) for key in data if key != "update_id")
    log.warning("update %s skipped: it cannot be read (%s: %s) [%s]", update_id, type(error).__name__,
                clip(str(error), 160), clip(kinds, 100))


def read_update(data: dict[str, Any], bot: Bot | None) -> Update | None:
    """The update in this JSON object, or None (logged) when python-telegram-bot cannot read it."""
    try:
        return Update.de_json(data, bot)
    # A server older or newer than python-telegram-bot leaves out or reshapes any field of any object.
    except Exception as error:
        _skipped(data.get("update_id"), data, error)
        return None


def readable_batch(body: bytes) -> bytes:
    """A getUpdates answer with each update python-telegram-bot cannot read reduced to its bare update_id.

    python-telegram-bot reads a batch whole: one update it cannot read fails the batch, the offset never moves
    past it, and polling fetches the same batch forever. A bare update_id is read, confirmed with the rest of
    the batch, and handled as an update carrying nothing, which the handlers ignore.
    """
    try:
        answer = json.loads(body)
    except ValueError:
        return body  # python-telegram-bot reports an answer that is not JSON itself
    if not isinstance(answer, dict) or answer.get("ok") is not True or not isinstance(answer.get("result"), list):
        return body
    batch: list[Any] = answer["result"]
    readable = [_readable(item) for item in batch]
    if all(kept is item for kept, item in zip(readable, batch, strict=True)):
        return body
    answer["result"] = [kept for kept in readable if kept is not None]
    return json.dumps(answer).encode()


def _readable(item: Any) -> Any:
    """The item if python-telegram-bot reads it, else its bare update_id, or None without one."""
    if not isinstance(item, dict):
        log.warning("update skipped: %s instead of an object", type(item).__name__)
        return None
    update_id = item.get("update_id")
    if not isinstance(update_id, int):
        _skipped(update_id, item, ValueError("no update_id"))
        return None
    return item if read_update(item, None) is not None else {"update_id": update_id}
