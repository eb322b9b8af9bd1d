"""The HTTP side: Telegram's webhook, /healthz, /readyz and /metrics, served by the real runner."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.draft import Draft
from bot.jira.events import sign
from bot.jira.ticket import Reporter, Ticket
from tests.conftest import SALES_IDS, Clock, fill_the_disk, free_the_disk
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import JIRA_SECRET, JSON_VALUES, TELEGRAM_SECRET, UPDATE_KINDS, Served, post_update, serving


@pytest.fixture
async def polled(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    async for served in serving(tg, jira, tmp_path, clock, webhook=False):
        yield served


@pytest.fixture
async def hooked(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    async for served in serving(tg, jira, tmp_path, clock, webhook=True):
        yield served


async def get(served: Served, path: str) -> tuple[int, Any]:
    async with served.http.get(served.base + path) as response:
        body = await (response.json() if response.content_type == "application/json" else response.text())
        return response.status, body


async def test_healthz(polled: Served) -> None:
    assert await get(polled, "/healthz") == (200, {"status": "ok"})


async def test_readyz_reports_every_check(polled: Served) -> None:
    status, body = await get(polled, "/readyz")
    assert status == 200 and body["ready"] is True
    assert set(body["checks"]) == {"telegram", "jira", "database", "outbox"}
    assert body["checks"]["telegram"]["detail"] == "@ticketsmith_bot"


async def test_readyz_fails_when_jira_is_down(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock
                                              ) -> None:
    async for served in serving(tg, jira, tmp_path, clock, webhook=False):
        served.svc.gateway.last_success = None  # type: ignore[union-attr]
        jira.go_down()
        status, body = await get(served, "/readyz")
        jira.come_up()
        assert status == 503 and body["checks"]["jira"]["ok"] is False


async def test_readyz_fails_when_the_outbox_backs_up(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                     clock: Clock) -> None:
    async for served in serving(tg, jira, tmp_path, clock, webhook=False, server={"outbox_ready_limit": 0}):
        jira.go_down()
        draft = Draft(id="r1", user_id=SALES_IDS[0], lang="en", reporter=Reporter(SALES_IDS[0], "Anna"),
                      template_id="bug")
        served.svc.store.confirm(draft, SALES_IDS[0], Ticket("SUP", "Bug", "s", "d"))
        status, body = await get(served, "/readyz")
        jira.come_up()
        assert status == 503
        assert body["checks"]["outbox"] == {"ok": False, "detail": "1 waiting (limit 0)"}


async def test_readyz_fails_when_the_database_cannot_grow(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                         clock: Clock) -> None:
    async for served in serving(tg, jira, tmp_path, clock, webhook=False):
        fill_the_disk(served.svc.store)
        status, body = await get(served, "/readyz")
        free_the_disk(served.svc.store)
        assert status == 503 and body["ready"] is False
        assert body["checks"]["database"] == {"ok": False, "detail": "full: 0 bytes left to grow (database or disk)"}
        assert body["checks"]["telegram"]["ok"] and body["checks"]["outbox"]["ok"]


async def test_readyz_writes_to_the_database(polled: Served) -> None:
    status, body = await get(polled, "/readyz")
    assert status == 200 and body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["detail"].startswith("writable, ")
    assert polled.svc.store.get_setting("heartbeat") == repr(polled.svc.clock())


async def test_metrics_count_updates_and_dialogs(polled: Served, tg: FakeTelegram) -> None:
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    await user.send("/new")
    await tg.wait_for(lambda: "What do you need?" in user.last.text)
    await user.tap("Something is broken")
    await tg.wait_for(lambda: "What is wrong?" in user.last.text)
    # The tap is counted once its answer is back too, which may be just after the reply shows.
    for _ in range(100):
        status, text = await get(polled, "/metrics")
        if 'kind="callback_query"' in text:
            break
        await asyncio.sleep(0.02)
    assert status == 200
    assert 'ticketsmith_updates_total{kind="message"} 1.0' in text
    assert 'ticketsmith_updates_total{kind="callback_query"} 1.0' in text
    assert 'ticketsmith_dialogs_total{outcome="started",template="bug"} 1.0' in text
    assert "ticketsmith_handler_seconds_bucket" in text and "ticketsmith_outbox_depth 0.0" in text


async def test_webhook_is_registered_with_its_secret(hooked: Served, tg: FakeTelegram) -> None:
    assert tg.webhook is not None
    assert tg.webhook["url"] == "https://bot.example.com/telegram"
    assert tg.webhook["secret_token"] == TELEGRAM_SECRET


async def test_webhook_update_is_handled_before_it_is_acknowledged(hooked: Served, tg: FakeTelegram) -> None:
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    await user.send("/new")
    update = tg.updates[-1]
    assert await post_update(hooked, update) == 200
    assert "What do you need?" in user.last.text, "answered only after the bot had replied"
    assert await post_update(hooked, update) == 200, "Telegram's retry of the same update"
    assert sum("What do you need?" in m.text for m in user.messages) == 1


@pytest.mark.parametrize("secret", [None, "wrong", ""])
async def test_webhook_refuses_a_wrong_or_missing_secret(hooked: Served, tg: FakeTelegram, secret: str | None
                                                         ) -> None:
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    await user.send("/new")
    assert await post_update(hooked, tg.updates[-1], secret=secret) == 403
    assert user.messages == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"no": "update_id"}'])
async def test_webhook_refuses_what_is_not_an_update(hooked: Served, body: bytes) -> None:
    assert await post_update(hooked, {}, body=body) == 400


DEEP = {"array": b"[" * 100_000 + b"]" * 100_000, "object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000}


@pytest.fixture
async def both_hooks(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    """Telegram's webhook and Jira's, each with its secret."""
    async for served in serving(tg, jira, tmp_path, clock, webhook=True,
                                notices={"webhook_secret": JIRA_SECRET, "poll_seconds": 0}):
        yield served


async def post_jira(served: Served, body: bytes) -> tuple[int, str]:
    headers = {"Content-Type": "application/json", "X-Hub-Signature": sign(JIRA_SECRET, body)}
    async with served.http.post(f"{served.base}/jira/webhook", data=body, headers=headers) as response:
        return response.status, await response.text()


async def post_telegram(served: Served, body: bytes) -> tuple[int, str]:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with served.http.post(f"{served.base}/telegram", data=body, headers=headers) as response:
        return response.status, await response.text()


@pytest.mark.parametrize("shape", sorted(DEEP))
async def test_deeply_nested_json_is_refused_on_both_webhooks_and_serving_goes_on(
        both_hooks: Served, tg: FakeTelegram, caplog: pytest.LogCaptureFixture, shape: str) -> None:
    caplog.set_level(logging.INFO)
    for post in (post_telegram, post_jira):
        status, answer = await post(both_hooks, DEEP[shape])
        assert (status, json.loads(answer)) == (400, {"error": "JSON nested too deeply"})
    refusals = [r for r in caplog.records if "nested too deeply" in r.getMessage()]
    assert [(r.levelno, r.exc_info) for r in refusals] == [(logging.WARNING, None)] * 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await post_jira(both_hooks, b'{"webhookEvent": "comment_created"}') == (200, '{"accepted": 0}')
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    await user.send("/new")
    assert await post_update(both_hooks, tg.updates[-1]) == 200
    assert "What do you need?" in user.last.text


def _nested(depth: int, opener: bytes, middle: bytes, closer: bytes) -> bytes:
    return opener * depth + middle + closer * depth


BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    # Shaped like an update, with anything inside: python-telegram-bot may or may not read it.
    st.builds(lambda update_id, kind, value: json.dumps({"update_id": update_id, kind: value}).encode(),
              st.integers(-(2**63), 2**63), UPDATE_KINDS, JSON_VALUES),
    st.builds(_nested, st.integers(1, 150_000), st.sampled_from([b"[", b'{"a":', b'{"update_id": 1, "message":']),
              st.sampled_from([b"1", b"", b"[]"]), st.sampled_from([b"]", b"}"])),
)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES)
async def test_no_body_ever_makes_either_webhook_fail(both_hooks: Served, body: bytes) -> None:
    for post in (post_telegram, post_jira):
        status, answer = await post(both_hooks, body)
        # 413 for a body past the server's size limit.
        assert status in (200, 400, 413), (post.__name__, status, answer)
    assert (await get(both_hooks, "/healthz"))[0] == 200
