"""Following issues an engineer moved to another project: Jira gives them new keys, and the bot uses those."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.jira.events import Move
from bot.jira.gateway import JiraGateway
from bot.storage.store import Store

log = logging.getLogger(__name__)


def follow(store: Store, moves: Iterable[Move]) -> int:
    """Record moves Jira reported (a webhook, a poll, an answer); return how many were new to the bot."""
    followed = 0
    for move in moves:
        if store.move_issue(move.old_key, move.new_key):
            log.info("%s was moved in Jira and is %s now", move.old_key, move.new_key)
            followed += 1
    return followed


def seen_as(store: Store, asked: str, answered: str) -> str:
    """Jira answered a key with the issue under another one (it was moved): follow it; return the key to use."""
    if answered and answered != asked:
        follow(store, [Move(asked, answered)])
    return answered or asked


async def statuses(store: Store, gateway: JiraGateway, keys: list[str]) -> tuple[dict[str, str], bool]:
    """Each issue's status by the key it has now, and whether any of them was found moved on the way.

    A search for an old key finds the moved issue under its new key, so a key missing from the answer while
    another one came back is asked about alone: Jira says which key it has now.
    """
    found = await gateway.statuses(keys)
    missing = [key for key in keys if key not in found]
    if not missing or all(key in keys for key in found):
        return found, False
    moved = False
    for key in missing:
        now = await gateway.current_key(key)
        if now is not None and now != key:
            moved = follow(store, [Move(key, now)]) > 0 or moved
    return found, moved
