"""Issues an engineer moves to another project get new keys: notices, replies, /my and comments follow them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from jira import JIRA

from bot.jira.events import Move, parse_issue_history, parse_moves
from tests.conftest import Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import JIRA_SECRET, Served, file_request, serving, told


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    jira.add_project("OPS", "Operations")
    notices = {"webhook_secret": JIRA_SECRET, "poll_seconds": 0, "merge_seconds": 60}
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices=notices):
        yield running


# -- the fake Jira moves issues as Jira does ---------------------------------------------------------------


def test_jira_answers_an_old_key_with_the_issue_under_its_new_one(jira: FakeJira) -> None:
    jira.add_project("OPS", "Operations")
    old = jira.add_issue("Export to Excel fails")["key"]
    issue_id = jira.issues[old]["id"]
    new = jira.move(old, "OPS")
    assert new == "OPS-1" and old not in jira.issues
    client = JIRA(jira.url, basic_auth=("bot@example.com", "jira-api-token-secret"))
    found = client.issue(old, expand="changelog")
    assert found.key == new and found.id == issue_id and found.fields.project.key == "OPS"
    assert [i.key for i in client.search_issues(f"key = {old}")] == [new]
    assert [i.key for i in client.search_issues(f"key in ({old}) AND project = OPS")] == [new]
    assert parse_moves(found.raw) == [Move(old, new)]
    client.add_comment(old, "Still there under the old key")
    assert jira.issues[new]["comments"][-1]["body"] == "Still there under the old key"


def test_moves_are_read_from_webhooks_and_histories_of_either_deployment() -> None:
    cloud_item = {"field": "Key", "fieldtype": "jira", "fieldId": "issuekey", "from": None, "fromString": "SUP-4",
                  "to": None, "toString": "OPS-9"}
    dc_item = {"field": "Key", "fieldtype": "jira", "from": None, "fromString": "SUP-4", "to": None,
               "toString": "OPS-9"}
    status = {"field": "status", "fromString": "To Do", "toString": "Done"}
    webhook = {"webhookEvent": "jira:issue_updated", "issue": {"key": "OPS-9"},
               "changelog": {"id": "1", "items": [status, cloud_item]}}
    history = {"key": "OPS-9", "changelog": {"histories": [{"id": "1", "items": [dc_item]},
                                                           {"id": "2", "items": [status]}]}}
    assert parse_moves(webhook) == parse_moves(history) == [Move("SUP-4", "OPS-9")]
    assert parse_moves({"changelog": {"items": [status]}}) == []
    assert parse_moves({"changelog": {"items": [{"field": "Key", "fromString": "X-1", "toString": None}]}}) == []
    assert parse_moves({"changelog": "nonsense"}) == [] and parse_moves({}) == []
    assert parse_issue_history(history, 0) == [], "a move is not a change a salesperson hears about"


# -- the bot follows the issue --------------------------------------------------------------------------


async def test_a_moved_issue_is_followed_by_notices_replies_and_my(served: Served, tg: FakeTelegram,
                                                                  jira: FakeJira, clock: Clock) -> None:
    user, old = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    new = jira.move(old, "OPS", actor="alice")
    jira.comment(new, "Moved to the operations team, looking at it", actor="alice")
    await told(served, clock)
    await tg.wait_for(lambda: any("operations team" in m.text for m in user.messages), timeout=10)
    notice = next(m for m in user.messages if "operations team" in m.text)
    assert notice.text.startswith(f"{new} ·") and old not in notice.text

    # The Reply button under the message sent before the move names the old key: the answer goes to the new one.
    created = next(m for m in user.messages if f"Created {old}" in m.text)
    await user.tap_data(next(b["callback_data"] for row in created.inline_keyboard for b in row
                             if "callback_data" in b), created.message_id)
    await tg.wait_for(lambda: "Write your answer" in user.last.text, timeout=10)
    assert new in user.last.text
    await user.send("They use Excel 2016")
    await tg.wait_for(lambda: "Added to" in user.last.text, timeout=10)
    assert new in user.last.text
    assert any("They use Excel 2016" in c["body"] for c in jira.issues[new]["comments"])

    # A Telegram reply to the old "Created" message lands there too.
    await user.send("And the file has 40,000 rows", reply_to=created.message_id)
    await tg.wait_for(lambda: sum("Added to" in m.text for m in user.messages) == 2, timeout=10)
    assert any("40,000 rows" in c["body"] for c in jira.issues[new]["comments"])

    await user.send("/my")
    await tg.wait_for(lambda: user.last.buttons() == [new], timeout=10)
    assert new in user.last.text and old not in user.last.text


async def test_without_the_webhook_my_finds_the_move_and_polling_follows_the_new_project(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, old = await file_request(tg, jira)
    new = jira.move(old, "OPS", actor="alice")
    await user.send("/my")
    await tg.wait_for(lambda: user.last.buttons() == [new], timeout=10)
    assert old not in user.last.text and "To Do" in user.last.text
    assert served.svc.store.current_key(old) == new
    # The poll now searches the project the issue went to.
    await asyncio.sleep(1)
    jira.transition(new, "In Progress", actor="alice")
    await served.svc.inbox.poll(served.svc.gateway)
    await told(served, clock)
    await tg.wait_for(lambda: any(m.text.startswith(f"{new} ·") and "In Progress" in m.text
                                  for m in user.messages), timeout=10)


async def test_opening_an_old_key_from_my_shows_the_issue_under_its_new_one(served: Served, tg: FakeTelegram,
                                                                            jira: FakeJira) -> None:
    user, old = await file_request(tg, jira)
    await user.send("/my")
    await tg.wait_for(lambda: old in user.last.buttons(), timeout=10)
    listing = user.last
    new = jira.move(old, "OPS", actor="alice")
    await user.tap_data(next(b["callback_data"] for row in listing.inline_keyboard for b in row), listing.message_id)
    await tg.wait_for(lambda: user.last.text.startswith(f"{new} ·"), timeout=10)
    assert served.svc.store.current_key(old) == new
    assert served.svc.store.request_by_key(new) is not None
