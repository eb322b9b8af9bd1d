"""Jira's changes reach the right salespeople once, merged, respecting their settings."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.delivery.inbox import Inbox
from bot.delivery.notices import NoticePolicy
from bot.intake.draft import Draft
from bot.jira.events import IssueEvent
from bot.jira.ticket import Reporter, Ticket
from bot.storage.store import Store
from tests.conftest import Clock


@dataclass
class Chats:
    """A NoticeSink that records what each user was told."""

    told: list[tuple[int, str, str, bool]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)

    async def notice(self, user_id: int, chat_id: int, issue_key: str, text: str, *, asks: bool) -> bool:
        if user_id in self.unreachable:
            return False
        self.told.append((user_id, issue_key, text, asks))
        return True


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    db = Store(tmp_path / "t.db", clock)
    filed(db, "r1", 101, "SUP-1")
    yield db
    db.close()


def filed(store: Store, request_id: str, user_id: int, key: str, lang: str = "en") -> None:
    """A request of user_id that became issue key."""
    draft = Draft(id=request_id, user_id=user_id, lang=lang, reporter=Reporter(user_id, "Anna"), template_id="bug")
    store.remember_user(user_id, user_id, None, "Anna", lang)
    store.confirm(draft, user_id, Ticket("SUP", "Bug", "Export to Excel fails", "d"))
    store.mark_created(request_id, key, f"https://jira/browse/{key}")


def event(kind: str, n: int, at: float, key: str = "SUP-1", actor: str = "alice", **values: str | None) -> IssueEvent:
    return IssueEvent(event_id=f"{key}:{kind}:{n}", issue_key=key, summary="Export to Excel fails", kind=kind,  # type: ignore[arg-type]
                      actor_id=actor, actor_name=actor.title(), at=at, **values)  # type: ignore[arg-type]


def inbox(store: Store, chats: Chats, clock: Clock, **policy: object) -> Inbox:
    return Inbox(store, chats, NoticePolicy(bot_actor_ids=frozenset({"ticketsmith-bot"}), **policy),  # type: ignore[arg-type]
                 issue_url=lambda key: f"https://jira/browse/{key}", window=60, clock=clock)


async def test_changes_within_the_window_come_as_one_message(store: Store, clock: Clock) -> None:
    chats = Chats()
    box = inbox(store, chats, clock)
    now = clock()
    box.accept([event("status", 1, now, old="To Do", new="In Progress"),
                event("comment", 2, now + 5, body="Looking into it", comment_id="10")])
    assert await box.flush_due() == 0, "the window is still open"
    clock.advance(61)
    assert await box.flush_due() == 1
    [(user, key, text, asks)] = chats.told
    assert (user, key, asks) == (101, "SUP-1", False)
    assert "To Do → In Progress" in text and "Looking into it" in text
    assert text.startswith("SUP-1 · Export to Excel fails")


@dataclass
class SlowChats(Chats):
    """Chats that take a while to answer, as Telegram under its rate limit does."""

    async def notice(self, user_id: int, chat_id: int, issue_key: str, text: str, *, asks: bool) -> bool:
        await asyncio.sleep(0.05)
        return await super().notice(user_id, chat_id, issue_key, text, asks=asks)


async def test_two_flushes_at_once_tell_each_change_once(store: Store, clock: Clock) -> None:
    for n in range(2, 12):
        filed(store, f"r{n}", 100 + n, f"SUP-{n}")
    chats = SlowChats()
    box = inbox(store, chats, clock)
    box.accept([event("status", n, clock(), key=f"SUP-{n}", old="To Do", new="Done") for n in range(1, 12)])
    clock.advance(61)
    told = await asyncio.gather(box.flush_due(), box.flush_due())
    assert sorted(told) == [0, 11]
    assert sorted(key for _, key, _, _ in chats.told) == sorted(f"SUP-{n}" for n in range(1, 12))


async def test_the_same_change_from_webhook_and_poller_is_told_once(store: Store, clock: Clock) -> None:
    chats = Chats()
    box = inbox(store, chats, clock)
    change = event("status", 1, clock(), old="To Do", new="Done")
    assert box.accept([change]) == 1
    assert box.accept([change]) == 0
    clock.advance(61)
    await box.flush_due()
    assert box.accept([change]) == 0, "already told: a late repeat is still a repeat"
    clock.advance(61)
    await box.flush_due()
    assert len(chats.told) == 1


async def test_the_bots_own_changes_are_silent(store: Store, clock: Clock) -> None:
    chats = Chats()
    box = inbox(store, chats, clock)
    box.accept([event("comment", 1, clock(), actor="ticketsmith-bot", body="*Anna* (sales, via Telegram): hi")])
    clock.advance(61)
    await box.flush_due()
    assert chats.told == []


async def test_muted_users_hear_only_comments_and_resolution(store: Store, clock: Clock) -> None:
    store.set_muted(101, True)
    chats = Chats()
    box = inbox(store, chats, clock)
    box.accept([event("status", 1, clock(), old="To Do", new="In Progress"),
                event("assignee", 2, clock(), new="Olga")])
    clock.advance(61)
    await box.flush_due()
    assert chats.told == []
    box.accept([event("resolution", 3, clock(), new="Fixed")])
    clock.advance(61)
    await box.flush_due()
    assert len(chats.told) == 1 and "Fixed" in chats.told[0][2]


async def test_a_question_for_sales_is_asked_explicitly(store: Store, clock: Clock) -> None:
    chats = Chats()
    box = inbox(store, chats, clock)
    box.accept([event("comment", 1, clock(), body="@sales which Excel version does ACME use?", comment_id="11")])
    clock.advance(61)
    await box.flush_due()
    [(_, _, text, asks)] = chats.told
    assert asks and "which Excel version does ACME use?" in text and "@sales" not in text


async def test_subscribers_and_other_issues(store: Store, clock: Clock) -> None:
    filed(store, "r2", 102, "SUP-2", lang="de")
    store.remember_user(103, 103, None, "Boris", "en")
    store.subscribe("SUP-1", 103, 103)
    chats = Chats()
    box = inbox(store, chats, clock)
    box.accept([event("status", 1, clock(), old="To Do", new="Done"),
                event("status", 1, clock(), key="SUP-2", old="To Do", new="In Progress")])
    clock.advance(61)
    await box.flush_due()
    assert sorted((user, key) for user, key, _, _ in chats.told) == [(101, "SUP-1"), (102, "SUP-2"), (103, "SUP-1")]
    german = next(text for user, _, text, _ in chats.told if user == 102)
    assert "Status" in german


async def test_users_who_blocked_the_bot_are_skipped(store: Store, clock: Clock) -> None:
    store.set_active(101, False)
    chats = Chats()
    box = inbox(store, chats, clock)
    box.accept([event("status", 1, clock(), old="To Do", new="Done")])
    clock.advance(61)
    await box.flush_due()
    assert chats.told == []


@pytest.mark.parametrize(("query", "index"), [
    ("SELECT * FROM requests WHERE jira_key = 'SUP-1'", "idx_requests_jira_key"),
    ("SELECT id FROM requests WHERE created_at >= 0 AND created_at <= 1", "idx_requests_created_at"),
])
def test_requests_are_found_by_issue_key_and_date_through_an_index(store: Store, query: str, index: str) -> None:
    plan = " ".join(str(row[-1]) for row in store.db.execute(f"EXPLAIN QUERY PLAN {query}").fetchall())
    assert index in plan


def test_the_projects_polled_are_found_by_a_step_into_the_index_each(store: Store) -> None:
    # Asked on the event loop at each poll: a read of every request there held up every chat (90 ms at a million).
    filed(store, "r2", 102, "ABC-7")
    filed(store, "r3", 103, "SUP-10")
    filed(store, "r4", 104, "XY-3")
    store.subscribe("ZZ-4", 105, 105)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        assert store.watched_projects() == ["ABC", "SUP", "XY", "ZZ"]
    finally:
        store.db.conn.set_trace_callback(None)
    plan = " ".join(str(row[-1]) for row in store.db.execute(f"EXPLAIN QUERY PLAN {statements[-1]}").fetchall())
    assert "SCAN requests" not in plan and "idx_requests_jira_key" in plan


def test_no_project_is_polled_before_an_issue_is_filed(tmp_path: Path, clock: Clock) -> None:
    empty = Store(tmp_path / "empty.db", clock)
    try:
        assert empty.watched_projects() == []
    finally:
        empty.close()
