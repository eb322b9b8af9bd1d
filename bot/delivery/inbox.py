"""What happens in Jira reaches the salespeople concerned: once, merged, short, whatever reported it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

from bot.delivery.moves import follow
from bot.delivery.notices import NoticePolicy, merge, needs_info, relevant, render_needs_info, render_notice
from bot.delivery.outcomes import record_outcomes
from bot.delivery.worker import Worker
from bot.jira.events import IssueEvent, parse_issue_history, parse_moves, parse_webhook
from bot.jira.gateway import DeliveryError, JiraGateway
from bot.storage.store import Store

log = logging.getLogger(__name__)
POLL_MARK = "jira_polled_at"
POLL_PAGE = "jira_poll_page"
# Changes seen again are dropped by event id; the overlap covers clocks apart and Jira's minute-only dates.
POLL_OVERLAP = 60.0
MAX_LOOK_BACK = 24 * 3600.0
# Issues told at once; their notices go out chat by chat, the chats side by side.
FLUSH_BATCH = 200


@dataclasses.dataclass(frozen=True)
class Notice:
    """One message to one subscriber about one issue."""

    user_id: int
    chat_id: int
    issue_key: str
    text: str
    asks: bool


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
                 window: float = 60.0, clock: Callable[[], float] = time.time, poll_pages: int = 5,
                 page_size: int = 100) -> None:
        super().__init__()
        self._flushing = asyncio.Lock()
        self.store = store
        self.sink = sink
        self.policy = policy
        self.issue_url = issue_url
        self.window = window
        self.clock = clock
        self.poll_pages = poll_pages
        self.page_size = page_size
        # Told each issue's events after its subscribers were (the "was it solved?" question follows a resolution).
        self.after: Callable[[str, list[IssueEvent]], Awaitable[object]] | None = None

    def take_webhook(self, payload: Mapping[str, Any], received_at: float) -> int:
        """Take one Jira webhook body: follow an issue it says was moved, keep its events; return how many were new."""
        follow(self.store, parse_moves(payload))
        return self.accept(parse_webhook(payload, received_at=received_at))

    def accept(self, events: Iterable[IssueEvent]) -> int:
        """Keep events not seen before (by id); return how many were new."""
        rows = [(e.event_id, e.issue_key, _to_json(e)) for e in events]
        added = self.store.add_events(rows) if rows else 0
        if added:
            self.kick()
        return added

    async def flush_due(self) -> int:
        """Tell subscribers about every issue whose first pending event has waited out the window."""
        # One flush at a time: a second one started meanwhile would find the same events still pending while the
        # first is telling them, and tell them twice.
        async with self._flushing:
            due = self.store.issues_with_events_due(self.clock() - self.window)
            told = 0
            for first in range(0, len(due), FLUSH_BATCH):
                told += await self._flush(due[first:first + FLUSH_BATCH])
            return told

    async def _flush(self, issue_keys: list[str]) -> int:
        """Tell these issues' news: one chat's notices in order, different chats side by side."""
        by_chat: dict[int, list[Notice]] = {}
        events_of: dict[str, list[IssueEvent]] = {}
        for issue_key in issue_keys:
            events = events_of[issue_key] = [_from_json(text) for text in self.store.pending_events(issue_key)]
            record_outcomes(self.store, issue_key, events, self.policy)
            for user_id, chat_id, lang, muted in self.store.subscribers(issue_key):
                by_chat.setdefault(chat_id, []).extend(self._notices(user_id, chat_id, lang, muted, issue_key, events))
        # A bulk change in Jira means many chats: sent one after another, a chat kept to Telegram's pace of one
        # message a second would hold up all the others.
        results = await asyncio.gather(*(self._send(notices) for notices in by_chat.values()))
        failed = {key for _, unsent, _ in results for key in unsent}
        for issue_key in issue_keys:
            if self.after is not None:
                try:
                    await self.after(issue_key, events_of[issue_key])
                except Exception:
                    log.exception("following up the events of %s failed", issue_key)
            # Marked done after telling: a crash in between repeats a notice rather than losing it.
            if issue_key not in failed:
                self.store.events_done(issue_key)
        problem = next((error for _, _, error in results if error is not None), None)
        if problem is not None:
            raise problem
        return sum(told for told, _, _ in results)

    def _notices(self, user_id: int, chat_id: int, lang: str, muted: bool, issue_key: str,
                 events: list[IssueEvent]) -> list[Notice]:
        """What one subscriber hears about an issue: merged changes, then each question asked of them."""
        asking = [e for e in events if needs_info(e, self.policy)]
        asked_ids = {e.event_id for e in asking}
        plain = [e for e in events if e.event_id not in asked_ids and relevant(e, self.policy, muted)]
        notices = []
        for group in merge(plain, self.window):
            text = render_notice(group, lang, self.issue_url(issue_key))
            if text:
                notices.append(Notice(user_id, chat_id, issue_key, text, asks=False))
        for event in asking:
            text = render_needs_info(event, lang, markers=self.policy.needs_info_markers)
            notices.append(Notice(user_id, chat_id, issue_key, text, asks=True))
        return notices

    async def _send(self, notices: list[Notice]) -> tuple[int, set[str], Exception | None]:
        """Send one chat's notices in order; return how many arrived, the issues left untold and why."""
        told = 0
        for index, notice in enumerate(notices):
            try:
                if await self.sink.notice(notice.user_id, notice.chat_id, notice.issue_key, notice.text,
                                          asks=notice.asks):
                    told += 1
            except Exception as error:  # the other chats still hear theirs; the loop logs this one
                return told, {later.issue_key for later in notices[index:]}, error
        return told, set(), None

    async def poll(self, gateway: JiraGateway) -> int:
        """Read what changed in the watched issues since the last poll; return how many events were new.

        One search bounded by time over the projects of the watched issues, however many were ever filed; at
        most poll_pages pages a poll, the next poll going on from the page where this one stopped.
        """
        started = self.clock()
        projects = self.store.watched_projects()
        if not projects:
            self.store.put_setting(POLL_MARK, str(started))
            self.store.put_setting(POLL_PAGE, "")
            return 0
        since, page = self._resume(started)
        added = 0
        for _ in range(self.poll_pages):
            try:
                found = await gateway.updated_since(projects, since - POLL_OVERLAP, page, self.page_size)
            except DeliveryError as error:
                if page is None or error.status != 400:
                    raise
                # An expired page token: the same search from its first page; ids remove the repeats.
                log.info("Jira refused to go on with a search (%s); starting it over", error)
                page = None
                continue
            if found.gone_projects:
                log.warning("Jira no longer knows the projects %s; polling the others", ", ".join(found.gone_projects))
            # An issue moved to another project comes back under its new key; its history says which it had.
            follow(self.store, (move for issue in found.issues for move in parse_moves(issue)))
            watched = self.store.watched_among([str(issue.get("key")) for issue in found.issues])
            added += self.accept(event for issue in found.issues if issue.get("key") in watched
                                 for event in parse_issue_history(issue, since - POLL_OVERLAP))
            page = found.next_page
            if page is None:
                self.store.put_setting(POLL_MARK, str(started))
                self.store.put_setting(POLL_PAGE, "")
                return added
        # Unfinished: the next poll asks for the following pages of the same search.
        self.store.put_setting(POLL_PAGE, json.dumps({"since": since, "page": page}))
        return added

    def _resume(self, started: float) -> tuple[float, str | int | None]:
        """Return where this poll starts: the unfinished search of the last poll, or the last poll's time."""
        with contextlib.suppress(ValueError, TypeError, KeyError):
            pending = json.loads(self.store.get_setting(POLL_PAGE) or "null")
            if pending is not None and isinstance(pending["page"], str | int):
                return max(float(pending["since"]), started - MAX_LOOK_BACK), pending["page"]
        mark = self.store.get_setting(POLL_MARK)
        since = float(mark) if mark else started - self.window
        # A bot that was down for long tells only the last day's changes instead of fetching all since.
        return max(since, started - MAX_LOOK_BACK), None

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
