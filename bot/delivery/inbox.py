"""What happens in Jira reaches the salespeople concerned: once, merged, short, whatever reported it."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from bot.delivery.notices import NoticePolicy, merge, needs_info, relevant, render_needs_info, render_notice
from bot.delivery.outcomes import record_outcomes
from bot.delivery.worker import Worker
from bot.jira.events import IssueEvent, parse_issue_history
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.storage.store import Store

log = logging.getLogger(__name__)
POLL_MARK = "jira_polled_at"


class NoticeSink(Protocol):
    """Where notices go (the bot's chats)."""

    async def notice(self, user_id: int, chat_id: int, issue_key: str, text: str, *, asks: bool) -> bool:
        """Send one notice; asks=True when Jira asks the salesperson something. False if unreachable."""


def _to_json(event: IssueEvent) -> str:
    return json.dumps(dataclasses.asdict(event), ensure_ascii=False)


def _from_json(text: str) -> IssueEvent:
    return IssueEvent(**json.loads(text))


class Inbox(Worker):
    """Collects Jira events, de-duplicated in the database, and tells subscribers after a short window."""

    def __init__(self, store: Store, sink: NoticeSink, policy: NoticePolicy, *, issue_url: Callable[[str], str],
                 window: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.sink = sink
        self.policy = policy
        self.issue_url = issue_url
        self.window = window
        self.clock = clock

    def accept(self, events: Iterable[IssueEvent]) -> int:
        """Keep events not seen before (by id); return how many were new."""
        rows = [(e.event_id, e.issue_key, _to_json(e)) for e in events]
        added = self.store.add_events(rows) if rows else 0
        if added:
            self.kick()
        return added

    async def flush_due(self) -> int:
        """Tell subscribers about every issue whose first pending event has waited out the window."""
        told = 0
        for issue_key in self.store.issues_with_events_due(self.clock() - self.window):
            events = [_from_json(text) for text in self.store.pending_events(issue_key)]
            record_outcomes(self.store, issue_key, events, self.policy)
            for user_id, chat_id, lang, muted in self.store.subscribers(issue_key):
                told += await self._tell(user_id, chat_id, lang, muted, issue_key, events)
            # Marked done after telling: a crash in between repeats a notice rather than losing it.
            self.store.events_done(issue_key)
        return told

    async def _tell(self, user_id: int, chat_id: int, lang: str, muted: bool, issue_key: str,
                    events: list[IssueEvent]) -> int:
        asking = [e for e in events if needs_info(e, self.policy)]
        asked_ids = {e.event_id for e in asking}
        plain = [e for e in events if e.event_id not in asked_ids and relevant(e, self.policy, muted)]
        told = 0
        for group in merge(plain, self.window):
            text = render_notice(group, lang, self.issue_url(issue_key))
            if text and await self.sink.notice(user_id, chat_id, issue_key, text, asks=False):
                told += 1
        for event in asking:
            text = render_needs_info(event, lang, markers=self.policy.needs_info_markers)
            if await self.sink.notice(user_id, chat_id, issue_key, text, asks=True):
                told += 1
        return told

    async def poll(self, gateway: JiraGateway) -> int:
        """Read what changed in the watched issues since the last poll; return how many events were new."""
        keys = self.store.watched_issue_keys()
        started = self.clock()
        mark = self.store.get_setting(POLL_MARK)
        since = float(mark) if mark else started - self.window
        if not keys:
            self.store.put_setting(POLL_MARK, str(started))
            return 0
        # Jira's relative dates need no time zone; a minute of overlap covers clock skew, ids remove repeats.
        minutes = max(1, math.ceil((started - since) / 60) + 1)
        issues = await gateway.recent_history(keys, minutes)
        added = self.accept(event for issue in issues for event in parse_issue_history(issue, since - 60))
        self.store.put_setting(POLL_MARK, str(started))
        return added

    async def run(self, gateway: JiraGateway | None = None, poll_every: float = 0.0) -> None:
        """Flush due notices (and poll Jira every poll_every seconds, if set) until stopped."""
        next_poll = self.clock()
        while not self.stopping:
            if gateway is not None and poll_every > 0 and self.clock() >= next_poll:
                next_poll = self.clock() + poll_every
                try:
                    await self.poll(gateway)
                except DeliveryError as error:
                    log.warning("polling Jira failed: %s", error)
            try:
                await self.flush_due()
            except Exception:
                log.exception("telling salespeople about Jira changes failed")
            oldest = self.store.next_event_due()
            waits = [60.0]
            if oldest is not None:
                waits.append(oldest + self.window - self.clock())
            if gateway is not None and poll_every > 0:
                waits.append(next_poll - self.clock())
            await self.nap(min(waits))
