"""Telegram's flood control: replies refused with 429 wait as long as Telegram says and go out, each once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from handlers.telegram.common import replace, send
from handlers.telegram.runtime.flood import PatientRateLimiter
from tests.conftest import ADMIN_ID, TOKEN, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram, FakeUser

# Each refusal builds a RetryAfter, which reads retry_after, flagged by python-telegram-bot 22 as changing type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

PEOPLE = tuple(range(201, 211))
STEPS = [("send", "/new", "What do you need?"), ("tap", "Something is broken", "What is wrong?"),
         ("send", "Export to Excel fails since the update", "Which customer?"), ("send", "acme", "How urgent"),
         ("tap", "Can wait", "By when"), ("tap", "No deadline", "Screenshots"), ("tap", "Skip ⏭", "Please check")]


@pytest.fixture
async def limited(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot whose calls go through the rate limiter, with ten salespeople and one who is a reference."""
    config = write_config(tmp_path, jira.url, access={"admins": [ADMIN_ID], "users": [*PEOPLE, 300]})
    running = RunningBot(tg, jira, config, clock, rate_limit=True)
    await running.start()
    yield running
    await running.stop()


async def file_request(tg: FakeTelegram, user: FakeUser) -> None:
    """Walk the bug template to its summary card, each step once the bot has answered the last."""
    for how, what, expect in STEPS:
        await (user.send(what) if how == "send" else user.tap(what))
        await tg.wait_for(lambda expect=expect: any(expect in m.text for m in user.messages[-3:]), timeout=60)


@pytest.mark.timeout(150)
async def test_a_storm_of_429s_delays_replies_but_drops_or_repeats_none(limited: RunningBot, tg: FakeTelegram
                                                                         ) -> None:
    reference = limited.user(300, "Rita")
    await file_request(tg, reference)
    sends = sum(1 for c in tg.calls_in(reference.id) if c.method == "sendMessage")
    people = [limited.user(user_id, f"Sales{user_id}") for user_id in PEOPLE]
    # A storm: every send or edit refused for a few seconds, then every second one, as in the incident. Each
    # refusal asks for a second's wait.
    tg.throttle(every=1, retry_after=1, seconds=5)
    dialogs = asyncio.gather(*(file_request(tg, person) for person in people))
    await asyncio.sleep(5)
    tg.throttle(every=2, retry_after=1, seconds=8)
    await dialogs

    for person in people:
        assert person.chat.texts == reference.chat.texts, f"{person.id} got every reply, once each"
        calls = tg.calls_in(person.id)
        assert sum(1 for c in calls if c.method == "sendMessage" and c.status == 200) == sends
        for index, refused in enumerate(calls):
            if refused.method == "editMessageText" and refused.status == 429:
                same = [c for c in calls[index + 1:] if c.params == refused.params]
                assert same and same[0].method == "editMessageText" and same[0].status in (200, 429)
                assert same[0].at - refused.at >= 1.0, "the retry waited as long as Telegram said"
    refusals = [c for c in tg.calls if c.status == 429]
    assert any(c.method == "editMessageText" for c in refusals) and any(c.method == "sendMessage" for c in refusals)


async def test_an_edit_refused_for_a_while_is_made_once_allowed_not_sent_anew(limited: RunningBot,
                                                                               tg: FakeTelegram) -> None:
    user = limited.user(PEOPLE[0], "Anna")
    for how, what, expect in STEPS[:4]:
        await (limited.say(user, what) if how == "send" else limited.tap(user, what))
        assert expect in user.last.text
    before, question, made = list(user.messages), user.last, len(tg.calls_in(user.id))
    tg.throttle(every=1, retry_after=1, seconds=5)
    await user.tap("Can wait")
    await tg.wait_for(lambda: "By when" in user.last.text, timeout=20)
    assert [m.message_id for m in user.messages] == [m.message_id for m in before]
    assert user.last is question and "How urgent" in question.history[-1]
    calls = tg.calls_in(user.id)[made:]
    edits = [c.status for c in calls if c.method == "editMessageText"]
    assert edits[-1] == 200 and len(edits) >= 5 and set(edits[:-1]) == {429}
    assert not [c for c in calls if c.method == "sendMessage"]


async def test_a_chat_refused_for_longer_than_the_limit_is_given_up_with_telegrams_error(
        tg: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    user = tg.user(PEOPLE[0], "Anna")
    await user.send("hi")
    async with ExtBot(TOKEN, base_url=tg.base_url, rate_limiter=PatientRateLimiter(give_up_after=2)) as bot:
        message_id = await send(bot, user.id, "Which customer?")
        assert message_id is not None
        tg.throttle(every=1, retry_after=1, seconds=30)
        started = time.monotonic()
        with pytest.raises(RetryAfter):
            await replace(bot, user.id, message_id, "How urgent is it?")
        assert 1 <= time.monotonic() - started < 3
    assert user.chat.texts == ["Which customer?"]
    assert [c.method for c in tg.calls_in(user.id)] == ["sendMessage", "editMessageText", "editMessageText"]
    given_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert [r.levelno for r in given_up] == [logging.ERROR] and "editMessageText" in given_up[0].getMessage()
