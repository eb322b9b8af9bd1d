"""Killing the real `ticketsmith run` process at the worst moment loses nothing and files nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.conftest import SALES_IDS, TOKEN, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram, FakeUser

SCRIPT = Path(sys.executable).parent / "ticketsmith"


class BotProcess:
    """`ticketsmith run` in a child process, as an operator runs it."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.log = config.parent / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.logs = ""  # what it logged, once stopped

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "JIRA_"))}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(SCRIPT), "run", "--config", str(self.config)], env=env,
                                            stdout=subprocess.DEVNULL, stderr=log)

    async def _exited(self, seconds: float) -> bool:
        # Poll instead of wait(): the fake Telegram lives on this event loop and must keep answering.
        assert self.process is not None
        for _ in range(int(seconds / 0.05)):
            if self.process.poll() is not None:
                return True
            await asyncio.sleep(0.05)
        return False

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self._exited(10)

    async def stop(self) -> str:
        """Stop gracefully (SIGTERM), as systemd does, and return what it logged."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            if not await self._exited(20):
                self.process.kill()
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


@contextlib.asynccontextmanager
async def running(config: Path) -> AsyncIterator[BotProcess]:
    """Run `ticketsmith run` for the block, then stop it gracefully whatever happened, keeping its log."""
    bot = BotProcess(config)
    bot.start()
    try:
        yield bot
    finally:
        bot.logs = await bot.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram, FakeJira, Path]]:
    telegram = FakeTelegram(token=TOKEN)
    await telegram.start()
    with FakeJira("cloud", email="bot@example.com", api_token="jira-api-token-secret") as jira:
        config = write_config(tmp_path, jira.url, telegram={"token": TOKEN, "api_base_url": telegram.base_url,
                                                            "file_base_url": telegram.base_file_url})
        yield telegram, jira, config
    await telegram.stop()


async def until(condition: Callable[[], bool], seconds: float = 20) -> None:
    """Poll a condition the fake Telegram does not see change (Jira's state, a process)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


async def reply(tg: FakeTelegram, user: FakeUser, text: str) -> None:
    """Wait until the newest bot message in the user's chat contains text."""
    await tg.wait_for(lambda: bool(user.messages) and text in user.last.text, timeout=20)


# The bug template up to the summary card: what the salesperson sends or taps, and the reply it waits for.
TO_SUMMARY = (
    ("send", "/new", "What do you need?"),
    ("tap", "Something is broken", "What is wrong?"),
    ("send", "Export to Excel fails since the update", "Which customer?"),
    ("send", "acme", "How urgent"),
    ("tap", "Can wait", "By when"),
    ("tap", "No deadline", "Screenshots"),
    ("tap", "Skip ⏭", "Please check your request"),
)


async def walk(tg: FakeTelegram, user: FakeUser, steps: tuple[tuple[str, str, str], ...] = TO_SUMMARY) -> None:
    """Take these steps of the bug template (all of them: up to the summary card), waiting for each reply."""
    for kind, text, expected in steps:
        answered = len(user.callback_answers)
        await (user.send(text) if kind == "send" else user.tap(text))
        await reply(tg, user, expected)
        if kind == "tap":
            # A tap's answer goes out alongside its reply and may land just after it.
            await tg.wait_for(lambda before=answered: len(user.callback_answers) > before, timeout=20)


async def test_kill_during_create_then_restart_files_exactly_once(world: tuple[FakeTelegram, FakeJira, Path]
                                                                   ) -> None:
    tg, jira, config = world
    async with running(config) as bot:
        user = tg.user(SALES_IDS[0], "Anna", username="anna")
        await walk(tg, user)
        jira.latency = 1.5
        await user.tap("✅ Create")
        await until(lambda: len(jira.creates) == 1)
        # Jira has the issue but its answer is still on the way: the bot dies without hearing it.
        await bot.kill()
        await until(lambda: len(jira.issues) == 1)
        assert not any("Created" in m.text for m in user.messages)
        jira.latency = 0
        bot.start()
        await tg.wait_for(lambda: any("Created SUP-1" in m.text for m in user.messages), timeout=60)
        await until(lambda: "found existing" in bot.log.read_text(encoding="utf-8"))
        assert len(jira.issues) == 1
        assert len(jira.creates) == 1, "after the restart the bot found the issue instead of creating it again"
        assert sum("Created SUP-" in m.text for m in user.messages) == 1
    logs = bot.logs
    assert logs.count("ready:") == 2, logs[-3000:]
    assert bot.process is not None and bot.process.returncode == 0, "SIGTERM ends the bot cleanly"
    assert TOKEN not in logs and "jira-api-token-secret" not in logs


async def test_kill_mid_dialog_keeps_every_answer(world: tuple[FakeTelegram, FakeJira, Path]) -> None:
    tg, _, config = world
    async with running(config) as bot:
        user = tg.user(SALES_IDS[0], "Anna", username="anna")
        await walk(tg, user, TO_SUMMARY[:3])
        await bot.kill()
        bot.start()
        await user.send("acme")
        await reply(tg, user, "How urgent")
        assert "3/" in user.last.text


async def test_a_tap_made_while_the_bot_was_down_is_acted_on(world: tuple[FakeTelegram, FakeJira, Path]) -> None:
    tg, jira, config = world
    async with running(config) as bot:
        user = tg.user(SALES_IDS[0], "Anna", username="anna")
        await walk(tg, user)
        answered = len(user.callback_answers)
        await bot.kill()
        await user.tap("✅ Create")
        # The restart took longer than Telegram takes answers to a tap for.
        tg.callback_answer_seconds = 0
        bot.start()
        await tg.wait_for(lambda: any("Created SUP-1" in m.text for m in user.messages), timeout=60)
        assert len(jira.creates) == 1
        assert len(user.callback_answers) == answered, "Telegram refused the late answer"
        assert not any("went wrong" in m.text for m in user.messages)
    assert "not answered" in bot.logs and "unhandled error" not in bot.logs
