"""Shared fixtures: fake Telegram and Jira servers on loopback, and a real bot wired to both."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import App
from bot.config import load_config
from bot.storage.store import Store
from handlers.telegram.runtime.processor import ChatOrderedProcessor
from handlers.telegram.wiring import allowed_updates, assemble
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram, FakeUser

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token_secret"
ADMIN_ID = 900
SALES_IDS = (101, 102, 103)
START = 1_795_420_800.0  # Monday 2026-11-23 09:00 Europe/Berlin


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write_config(folder: Path, jira_url: str, **overrides: Any) -> Path:
    """Write a config file (and copies of the example templates and customers) into folder."""
    shutil.copy(ROOT / "templates.example.yaml", folder / "templates.yaml")
    shutil.copy(ROOT / "customers.example.yaml", folder / "customers.yaml")
    config: dict[str, Any] = {
        "telegram": {"token": TOKEN},
        "jira": {"url": jira_url, "project": "SUP", "email": "bot@example.com",
                 "api_token": "jira-api-token-secret", "timeout": 5},
        "storage": {"path": "ticketsmith.db"},
        "templates": "templates.yaml",
        "customers": "customers.yaml",
        "timezone": "Europe/Berlin",
        "access": {"admins": [ADMIN_ID], "users": [*SALES_IDS, "@boris"]},
        "drafts": {"expire_hours": 24},
        "delivery": {"first_retry_seconds": 0.05, "max_retry_seconds": 0.2},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class RunningBot:
    """A real python-telegram-bot Application talking to the fakes over HTTP."""

    tg: FakeTelegram
    jira: FakeJira
    config_path: Path
    clock: Clock
    app: Any = None
    svc: App | None = None
    users: dict[int, FakeUser] = field(default_factory=dict)
    rate_limit: bool = False  # through the rate limiter production uses, waiting out 429s

    async def start(self) -> None:
        """Build and start the bot from the config file, as `ticketsmith run` does."""
        self.svc, self.app = build_bot(self.config_path, self.tg, self.clock, rate_limit=self.rate_limit)
        # The same order as Application.run_polling: initialize, post_init, poll, start.
        await self.app.initialize()
        await self.app.post_init(self.app)
        # Reactions come only to a bot that asks for them, as `ticketsmith run` does; otherwise Telegram's default
        # set, so tests may still slip in updates of kinds the bot never asks for.
        wanted = allowed_updates(self.svc.config) if self.svc.config.groups.reactions else None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=wanted)
        await self.app.start()

    async def stop(self) -> None:
        """Stop polling and shut the application down, as on SIGTERM."""
        if self.app is None:
            return
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.post_stop(self.app)
        await self.app.shutdown()
        assert self.svc is not None
        self.svc.store.close()
        self.app = None

    async def restart(self) -> None:
        """Stop and start a fresh Application on the same database."""
        await self.stop()
        await self.start()

    @property
    def processor(self) -> ChatOrderedProcessor:
        processor = self.app.update_processor
        assert isinstance(processor, ChatOrderedProcessor)
        return processor

    def user(self, user_id: int = SALES_IDS[0], first_name: str = "Anna", **kwargs: Any) -> FakeUser:
        """Return a simulated Telegram user."""
        if user_id not in self.users:
            kwargs.setdefault("username", first_name.lower())
            kwargs.setdefault("last_name", "Petrova")
            self.users[user_id] = self.tg.user(user_id, first_name, **kwargs)
        return self.users[user_id]

    async def handled(self, update_id: int) -> None:
        """Wait until the bot has fully handled an update."""
        await self.tg.wait_delivered(update_id)
        await self.processor.wait_handled(update_id)

    async def say(self, user: FakeUser, text: str) -> None:
        """User types text; returns when the bot has answered."""
        await self.handled(await user.send(text))

    async def tap(self, user: FakeUser, label: str) -> None:
        """User taps a button by its label; returns when the bot has answered."""
        await self.handled(await user.tap(label))


def build_bot(config_path: Path, tg: FakeTelegram, clock: Clock, *, rate_limit: bool = False) -> tuple[App, Any]:
    """Build the app and the Application from a config file as `ticketsmith run` does, pointed at the fake Telegram."""
    config = load_config(config_path)
    assert config.telegram is not None
    telegram = dataclasses.replace(config.telegram, api_base_url=tg.base_url, file_base_url=tg.base_file_url)
    return assemble(dataclasses.replace(config, telegram=telegram), clock=clock, rate_limit=rate_limit,
                    sweep_interval=3600)


@pytest.fixture
def jira() -> Iterator[FakeJira]:
    """A fake Jira Cloud on loopback."""
    with FakeJira("cloud", email="bot@example.com", api_token="jira-api-token-secret") as fake:
        yield fake


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A fake Telegram Bot API on loopback."""
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def clock() -> Clock:
    """A hand-moved clock starting on a Monday morning."""
    return Clock()


@pytest.fixture
async def bot(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot wired to the fakes, with the example templates."""
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url), clock)
    await running.start()
    yield running
    await running.stop()


async def created_issue(bot: RunningBot, user: FakeUser) -> dict[str, Any]:
    """Wait for the 'Created' message and return the only issue in Jira."""
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in user.messages), timeout=10)
    assert len(bot.jira.issues) == 1
    return next(iter(bot.jira.issues.values()))


def fill_the_disk(store: Store) -> None:
    """Leave the database no room to grow, as a full disk does: a write that needs a new page fails with SQLITE_FULL.

    The page limit holds for the store's own connection; free pages inside the file are used up first.
    """
    conn = store.db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    try:
        while True:
            conn.execute("INSERT INTO filler VALUES (zeroblob(512))")
    except sqlite3.OperationalError as error:
        assert "full" in str(error)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0


def free_the_disk(store: Store) -> None:
    """Give the database room again, as deleting files on a full disk does."""
    store.db.conn.execute("PRAGMA max_page_count = 1073741823")
    store.db.conn.execute("DROP TABLE filler")
