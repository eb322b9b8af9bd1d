"""The fake Jira of the benchmark in a process of its own, driven over a pipe.

Its JQL searches walk every issue, which with a thousand issues costs tens of milliseconds each; in the
benchmark's own process that would hold up the fake Telegram, and so the bot, in a way no real Jira does.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.jira import FakeJira  # noqa: E402

JIRA_NICENESS = 10  # added to the process's nice value: below the bot for the CPU


@dataclass(frozen=True)
class Call:
    """One request the fake Jira received, as much of it as the benchmark counts."""

    method: str
    path: str
    mentions_marker: bool  # the query or body names a ts-<id> label


def _serve(conn: Connection, email: str, api_token: str) -> None:
    """Run a FakeJira and answer the benchmark's commands until told to stop."""
    if hasattr(os, "nice"):
        # A real Jira runs on other machines. This one shares the cores with the bot, and its searches over every
        # issue filed so far cost more than the bot's work: it yields the CPU whenever the bot wants it.
        os.nice(JIRA_NICENESS)
    jira = FakeJira("cloud", email=email, api_token=api_token)
    jira.start()
    # It lives for one scenario: without the cyclic collector its answers never wait for a full collection.
    gc.disable()
    conn.send(jira.url)
    try:
        while True:
            command, args = conn.recv()
            if command == "stop":
                break
            conn.send(_answer(jira, command, args))
    finally:
        jira.stop()


def _answer(jira: FakeJira, command: str, args: Any) -> Any:
    if command == "latency":
        jira.latency = float(args)
        return None
    if command == "fail_next":
        jira.fail_next(*args[0], **args[1])
        return None
    if command == "count":
        return len(jira.issues)
    if command == "issues":
        # Each issue's labels and creation time (time.time()).
        return [(list(issue["fields"].get("labels") or []),
                 datetime.strptime(issue["fields"]["created"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp())
                for issue in list(jira.issues.values())]
    if command == "calls":
        return [Call(r.method, r.path, "ts-" in f"{r.query} {r.json}") for r in list(jira.requests)[int(args):]]
    raise ValueError(f"unknown command {command!r}")


class JiraProcess:
    """A FakeJira in a child process; each method asks it over the pipe without blocking the event loop."""

    def __init__(self, email: str, api_token: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, email, api_token), daemon=True)
        self._lock = asyncio.Lock()
        self.url = ""

    async def start(self) -> None:
        """Start the child and learn its URL."""
        self._process.start()
        self.url = await asyncio.to_thread(self._conn.recv)

    async def _ask(self, command: str, args: Any = None) -> Any:
        async with self._lock:
            await asyncio.to_thread(self._conn.send, (command, args))
            return await asyncio.to_thread(self._conn.recv)

    async def set_latency(self, seconds: float) -> None:
        """Delay every answer by this much."""
        await self._ask("latency", seconds)

    async def fail_next(self, *args: Any, **kwargs: Any) -> None:
        """Answer the next matching requests with an error (FakeJira.fail_next)."""
        await self._ask("fail_next", (args, kwargs))

    async def issue_count(self) -> int:
        """How many issues exist."""
        return int(await self._ask("count"))

    async def issues(self) -> list[tuple[list[str], float]]:
        """Every issue's labels and creation time."""
        return list(await self._ask("issues"))

    async def calls(self, since: int = 0) -> list[Call]:
        """The requests received, from the since-th on."""
        return list(await self._ask("calls", since))

    async def stop(self) -> None:
        """Stop the child."""
        if self._process.is_alive():
            with_lock = self._lock
            async with with_lock:
                await asyncio.to_thread(self._conn.send, ("stop", None))
            await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.kill()
