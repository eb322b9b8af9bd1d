"""An update python-telegram-bot cannot read is skipped once, by polling and by webhook, and everyone else is served."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SALES_IDS, Clock, RunningBot
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import Served, post_update, serving

# A poll as a Bot API server older than 9.6 writes it: its options carry no persistent_id, which
# python-telegram-bot 22.8 requires.
OLD_POLL = {"id": "5001", "question": "Team lunch on Friday?", "options": [{"text": "Yes", "voter_count": 2}],
            "total_voter_count": 2, "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False}
ASKED = "What do you need?"


def skipped_logs(caplog: pytest.LogCaptureFixture, update_id: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if str(update_id) in r.getMessage() and "skipped" in r.getMessage()]


async def test_polling_skips_an_unreadable_update_and_serves_the_rest_of_its_batch(
        bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    anna, boris = bot.user(SALES_IDS[0], "Anna"), bot.user(SALES_IDS[1], "Boris")

    async def poll() -> int:
        return bot.tg.inject_raw({"poll": OLD_POLL})

    # Queued together, so the poll arrives in the middle of one getUpdates batch.
    first, bad, second = await asyncio.gather(anna.send("/new"), poll(), boris.send("/new"))
    await bot.tg.wait_for(lambda: ASKED in anna.last.text and ASKED in boris.last.text, timeout=10)
    batches = [{u["update_id"] for u in c.result or []} for c in bot.tg.calls_to("getUpdates")]
    assert {first, bad, second} in batches, "the three came in one batch"
    # Acknowledged: the next poll asks for what comes after it, and it is never fetched again.
    await bot.tg.wait_for(lambda: any(int(c.params.get("offset", 0)) > bad for c in bot.tg.calls_to("getUpdates")))
    assert sum(bad in batch for batch in batches) == 1
    assert bot.tg.pending_updates == []
    # Logged once, as a warning naming it and the reason, without the poll's text.
    logged = skipped_logs(caplog, bad)
    assert [r.levelno for r in logged] == [logging.WARNING]
    assert "persistent_id" in logged[0].getMessage() and "lunch" not in logged[0].getMessage().lower()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Handlers ignore it, and it is not counted as anyone's traffic.
    assert bot.svc is not None
    await bot.processor.wait_handled(second)
    metrics = bot.svc.metrics.render().decode()
    assert 'ticketsmith_updates_total{kind="message"} 2.0' in metrics
    assert 'kind="other"' not in metrics
    await bot.say(anna, "/cancel")
    assert sum(ASKED in m.text for m in anna.messages) == 1


@pytest.fixture
async def hooked(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    async for served in serving(tg, jira, tmp_path, clock, webhook=True):
        yield served


async def test_a_webhook_acknowledges_an_unreadable_update_and_serves_the_next(
        hooked: Served, tg: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bad: dict[str, Any] = {"update_id": 700_000_500, "poll": OLD_POLL}
    assert await post_update(hooked, bad) == 200
    user = tg.user(SALES_IDS[0], "Anna", username="anna")
    await user.send("/new")
    assert await post_update(hooked, tg.updates[-1]) == 200
    assert ASKED in user.last.text
    assert [r.levelno for r in skipped_logs(caplog, 700_000_500)] == [logging.WARNING]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
