"""/start greets a salesperson and registers the bot's commands, in each language; the bot starts before its
customer list is loaded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.app as core
from bot.intake.customers import Customer
from tests.conftest import Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram


async def test_start_greets_and_registers_commands(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/start")
    assert "Hi Anna" in user.last.text
    assert user.last.reply_keyboard is not None
    assert "📝 New request" in str(user.last.reply_keyboard)
    assert {c["command"] for c in bot.tg.commands_for()} == {"new", "my", "cancel", "settings", "lang", "help", "start"}
    russian = {c["command"]: c["description"] for c in bot.tg.commands_for(language_code="ru")}
    assert russian["new"] == "Новый запрос"


async def test_an_ask_sent_as_the_bot_starts_waits_for_its_customers(
        tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    # The customer list loads on a thread of its own once the bot takes updates: an ask arriving meanwhile waits
    # for it rather than finding no customer.
    listed = threading.Event()
    read = core.read_customers

    def slowly(path: Path) -> Iterator[Customer]:
        customers = read(path)

        def once_listed() -> Iterator[Customer]:
            listed.wait(10)
            yield from customers

        return once_listed()

    monkeypatch.setattr(core, "read_customers", slowly)
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url), clock)
    await running.start()
    try:
        assert not listed.is_set(), "the bot waited for its customers before taking updates"
        threading.Timer(0.3, listed.set).start()
        user = running.user()
        await running.say(user, "ACME can't export invoices to PDF since the update, no rush, whenever you can")
        assert listed.is_set()
        assert "Please check your request" in user.last.text and "ACME Corp GmbH" in user.last.text
    finally:
        await running.stop()
