"""Engineers work in Jira; the salesperson hears about it in Telegram, once, and answers from there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.delivery.inbox import POLL_OVERLAP
from bot.jira.events import sign
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import (
    JIRA_SECRET,
    Served,
    answer_bug_until_summary,
    file_request,
    filed_earlier,
    searches,
    serving,
    told,
)


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    notices = {"webhook_secret": JIRA_SECRET, "poll_seconds": 0, "merge_seconds": 60,
               "answer_transition": "In Progress"}
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices=notices):
        yield running


async def test_status_and_comment_by_webhook_arrive_as_one_notice_once(served: Served, tg: FakeTelegram,
                                                                       jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET, duplicate=True)
    jira.transition(key, "In Progress", actor="alice")
    jira.comment(key, "Looking into it, *reproduced* on our side", actor="alice")
    await told(served, clock)
    await tg.wait_for(lambda: any("To Do → In Progress" in m.text for m in user.messages), timeout=10)
    notices = [m for m in user.messages if m.text.startswith(f"{key} ·")]
    assert len(notices) == 1
    assert "Looking into it, reproduced on our side" in notices[0].text
    assert notices[0].buttons() == ["↩️ Reply"]


async def test_the_bots_own_comment_is_not_announced(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                     clock: Clock) -> None:
    user, _ = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    await user.tap("↩️ Reply")
    await tg.wait_for(lambda: "Write your answer" in user.last.text)
    await user.send("More details: it fails for files over 10 MB")
    await tg.wait_for(lambda: "Added to" in user.last.text, timeout=10)
    before = len(user.messages)
    await told(served, clock)
    assert len(user.messages) == before


async def test_poller_and_webhook_seeing_the_same_change_tell_it_once(served: Served, tg: FakeTelegram,
                                                                      jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    jira.resolve(key, "Fixed", actor="alice")
    await asyncio.sleep(0.3)
    assert served.svc.inbox is not None and served.svc.gateway is not None
    await served.svc.inbox.poll(served.svc.gateway)
    await told(served, clock)
    await tg.wait_for(lambda: any("Fixed" in m.text for m in user.messages), timeout=10)
    assert sum(m.text.startswith(f"{key} ·") for m in user.messages) == 1


async def test_polling_alone_reaches_the_salesperson(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                     clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    jira.assign(key, "alice", actor="bob")
    assert served.svc.inbox is not None and served.svc.gateway is not None
    assert await served.svc.inbox.poll(served.svc.gateway) >= 1
    await told(served, clock)
    await tg.wait_for(lambda: any(m.text.startswith(f"{key} ·") for m in user.messages), timeout=10)


async def test_needs_info_round_trip(served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    jira.transition(key, "Waiting for sales", actor="alice")
    jira.comment(key, "@sales which Excel version does ACME use?", actor="alice")
    await told(served, clock)
    await tg.wait_for(lambda: any("which Excel version" in m.text for m in user.messages), timeout=10)
    question = next(m for m in user.messages if "which Excel version" in m.text and "❓" in m.text)
    await user.send("Excel 2016, German locale", reply_to=question.message_id)
    await tg.wait_for(lambda: "Added to" in user.last.text, timeout=10)
    comments = jira.issues[key]["comments"]
    assert "Excel 2016, German locale" in str(comments[-1]["body"])
    await asyncio.sleep(0.3)
    assert jira.issues[key]["fields"]["status"]["name"] == "In Progress"


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "md5=abc"])
async def test_webhook_with_a_bad_signature_is_refused(served: Served, signature: str | None) -> None:
    body = b'{"webhookEvent": "comment_created"}'
    headers = {"Content-Type": "application/json"}
    if signature:
        headers["X-Hub-Signature"] = signature
    async with served.http.post(f"{served.base}/jira/webhook", data=body, headers=headers) as response:
        assert response.status == 403


async def test_webhook_with_a_good_signature_is_taken(served: Served) -> None:
    body = b'{"webhookEvent": "comment_created"}'
    headers = {"Content-Type": "application/json", "X-Hub-Signature": sign(JIRA_SECRET, body)}
    async with served.http.post(f"{served.base}/jira/webhook", data=body, headers=headers) as response:
        assert response.status == 200 and await response.json() == {"accepted": 0}


async def test_token_in_the_url_for_data_center(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                clock: Clock) -> None:
    async for running in serving(tg, jira, tmp_path, clock, webhook=False,
                                 notices={"webhook_token": "dc-token", "poll_seconds": 0}):
        async with aiohttp.ClientSession() as http:
            for token, status in (("dc-token", 200), ("wrong", 403), ("", 403)):
                async with http.post(f"{running.base}/jira/webhook?token={token}", json={}) as response:
                    assert response.status == status


@pytest.fixture
async def polling(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot that polls Jira only when the test says so."""
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url, notices={"poll_seconds": 0}), clock)
    await running.start()
    yield running
    await running.stop()


async def test_a_revoked_salesperson_hears_nothing_more_about_their_issues(polling: RunningBot) -> None:
    bot = polling
    anna = bot.user(SALES_IDS[0], "Anna")
    await answer_bug_until_summary(bot, anna)
    await bot.tap(anna, "✅ Create")
    await bot.tg.wait_for(lambda: any("Created SUP-1" in m.text for m in anna.messages), timeout=10)
    boris = bot.user(SALES_IDS[1], "Boris")
    await answer_bug_until_summary(bot, boris)
    await bot.tap(boris, "✅ Create")
    await bot.tap(boris, "Same problem: add my customer to SUP-1")
    admin = bot.user(ADMIN_ID, "Boss")
    await bot.say(admin, "/users")
    await bot.tap(admin, "💼 Anna Petrova")
    await bot.tap(admin, "🚫 Revoke access")
    await bot.tap(admin, "🚫 Yes, revoke")
    assert "access to this bot was revoked" in anna.last.text
    seen = len(anna.messages)
    bot.jira.comment("SUP-1", "Fixed in build 512, please ask the customer to retry", actor="alice")
    assert bot.svc is not None and bot.svc.inbox is not None and bot.svc.gateway is not None
    assert await bot.svc.inbox.poll(bot.svc.gateway) >= 1
    bot.clock.advance(61)
    bot.svc.inbox.kick()
    await bot.tg.wait_for(lambda: any("Fixed in build 512" in m.text for m in boris.messages), timeout=10)
    store = bot.svc.store
    await bot.tg.wait_for(lambda: not store.pending_events("SUP-1"), timeout=10)
    assert len(anna.messages) == seen, [m.text for m in anna.messages[seen:]]


def since_in_jql(moment: float) -> str:
    """The updated clause a poll going back to moment sends (the fake's account reads dates in UTC)."""
    return f'updated >= "{datetime.fromtimestamp(moment - POLL_OVERLAP, UTC):%Y/%m/%d %H:%M}"'


async def test_a_deleted_issue_does_not_stop_notices_about_the_others(served: Served, tg: FakeTelegram,
                                                                     jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    [deleted] = filed_earlier(served.svc.store, jira, 1)
    jira.delete_issue(deleted)
    jira.comment(key, "Reproduced, the fix ships tomorrow", actor="alice")
    assert served.svc.inbox is not None and served.svc.gateway is not None
    assert await served.svc.inbox.poll(served.svc.gateway) >= 1
    await told(served, clock)
    await tg.wait_for(lambda: any("Reproduced, the fix ships tomorrow" in m.text for m in user.messages), timeout=10)


async def test_a_poll_over_years_of_filed_issues_is_one_search_bounded_by_time(served: Served, tg: FakeTelegram,
                                                                              jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    filed_earlier(served.svc.store, jira, 3000)
    jira.comment(key, "Fixed in build 512", actor="alice")
    assert served.svc.inbox is not None and served.svc.gateway is not None
    before = len(searches(jira))
    assert await served.svc.inbox.poll(served.svc.gateway) >= 1
    [jql] = searches(jira)[before:]
    assert "key" not in jql.split("ORDER BY")[0] and len(jql) < 200, jql
    assert jql.startswith('project in ("SUP") AND updated >= "')
    await told(served, clock)
    await tg.wait_for(lambda: any("Fixed in build 512" in m.text for m in user.messages), timeout=10)


async def test_a_restart_polls_on_from_the_last_poll_and_at_most_a_day_back(polling: RunningBot) -> None:
    bot = polling
    assert bot.svc is not None
    filed_earlier(bot.svc.store, bot.jira, 1)
    assert bot.svc.inbox is not None and bot.svc.gateway is not None
    await bot.svc.inbox.poll(bot.svc.gateway)
    last_poll = bot.clock()
    await bot.restart()
    bot.clock.advance(600)
    assert bot.svc.inbox is not None and bot.svc.gateway is not None
    await bot.svc.inbox.poll(bot.svc.gateway)
    assert since_in_jql(last_poll) in searches(bot.jira)[-1]
    await bot.restart()
    bot.clock.advance(7 * 24 * 3600)
    assert bot.svc.inbox is not None and bot.svc.gateway is not None
    await bot.svc.inbox.poll(bot.svc.gateway)
    assert since_in_jql(bot.clock() - 24 * 3600) in searches(bot.jira)[-1]


async def test_a_poll_reads_at_most_its_pages_and_the_next_goes_on_from_there(served: Served,
                                                                              jira: FakeJira) -> None:
    store = served.svc.store
    keys = filed_earlier(store, jira, 5, resolved=False)
    for key in keys:
        jira.comment(key, f"Looked at {key}", actor="alice")
    inbox, gateway = served.svc.inbox, served.svc.gateway
    assert inbox is not None and gateway is not None
    inbox.poll_pages, inbox.page_size = 1, 2
    seen: list[int] = []
    for _ in range(3):
        before = len(searches(jira))
        await inbox.poll(gateway)
        assert len(searches(jira)) - before == 1
        seen.append(sum(bool(store.pending_events(key)) for key in keys))
    assert seen == [2, 4, 5]
    before = len(searches(jira))
    assert await inbox.poll(gateway) == 0
    assert 'updated >= "' in searches(jira)[before]
