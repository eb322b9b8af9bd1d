"""The Bot API transport under python-telegram-bot: JSON calls, files, timeouts, errors and proxies."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot, InputFile, Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest

from handlers.telegram.runtime.transport import BotApiRequest
from tests.conftest import TOKEN
from tests.fakes.telegram import make_png
from tests.helpers import JSON_VALUES, UPDATE_KINDS

PNG = make_png(8, 8)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    """A loopback HTTP server that records what it was sent and answers as told."""

    def __init__(self, answer: Handler | None = None) -> None:
        self.seen: list[dict[str, Any]] = []
        self.answer = answer
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        entry: dict[str, Any] = {"method": request.method, "path": request.path_qs, "url": str(request.url),
                                 "headers": dict(request.headers), "type": request.content_type}
        if request.content_type == "multipart/form-data":
            parts: dict[str, Any] = {}
            async for part in await request.multipart():
                parts[part.name or ""] = (part.filename, await part.read(), part.headers.get("Content-Type"))
            entry["parts"] = parts
        else:
            entry["body"] = await request.text()
        self.seen.append(entry)
        if self.answer is not None:
            return await self.answer(request)
        return web.json_response({"ok": True, "result": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    running = Server()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def transport() -> AsyncIterator[BotApiRequest]:
    request = BotApiRequest(read_timeout=0.3, pool_timeout=0.1)
    await request.initialize()
    yield request
    await request.shutdown()


async def test_a_call_carries_the_form_values_as_json_with_our_user_agent(server: Server,
                                                                        transport: BotApiRequest) -> None:
    bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=transport)
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    [seen] = server.seen
    assert seen["path"] == f"/bot{TOKEN}/deleteWebhook"
    assert seen["type"] == "application/json"
    # String values, as a form would carry them: the Bot API reads those alike in either encoding.
    assert json.loads(seen["body"]) == {"drop_pending_updates": "true"}
    assert seen["headers"]["User-Agent"] == BaseRequest.USER_AGENT


async def test_files_go_as_multipart_with_name_and_type(transport: BotApiRequest) -> None:
    async def sent(_: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "result": {"message_id": 7, "date": 0,
                                                          "chat": {"id": 42, "type": "private"}}})

    server = Server(sent)
    await server.start()
    try:
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=transport)
        document = InputFile(PNG, filename="screen.png")
        message = await bot.send_document(42, document, caption="Templates")
    finally:
        await server.stop()
    assert message.message_id == 7
    parts = server.seen[0]["parts"]
    assert parts["chat_id"][1] == b"42" and parts["caption"][1] == b"Templates"
    filename, content, mimetype = parts["document"]
    assert (filename, content, mimetype) == ("screen.png", PNG, "image/png")


async def test_a_slow_answer_is_a_timeout(transport: BotApiRequest) -> None:
    async def slow(_: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    server = Server(slow)
    await server.start()
    try:
        with pytest.raises(TimedOut):
            await transport.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST")
    finally:
        await server.stop()


async def test_a_full_pool_is_a_timeout_and_the_call_is_not_sent() -> None:
    release = asyncio.Event()

    async def held(_: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    server = Server(held)
    await server.start()
    transport = BotApiRequest(connection_pool_size=1, read_timeout=5, pool_timeout=0.1, connect_timeout=0.1)
    await transport.initialize()
    try:
        first = asyncio.create_task(transport.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST"))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut):
            await transport.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST")
        release.set()
        assert (await first)[0] == 200
        assert len(server.seen) == 1
    finally:
        await transport.shutdown()
        await server.stop()


async def test_nobody_listening_is_a_network_error(transport: BotApiRequest) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(NetworkError) as caught:
        await transport.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)
    assert "ConnectionRefusedError" in str(caught.value)


# Building the RetryAfter message reads its retry_after, which python-telegram-bot 22 flags as changing type.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_error_statuses_reach_python_telegram_bot(transport: BotApiRequest) -> None:
    async def flooded(_: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3",
                                  "parameters": {"retry_after": 3}}, status=429)

    server = Server(flooded)
    await server.start()
    try:
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=transport)
        with pytest.raises(RetryAfter) as caught:
            await bot.delete_webhook()
        assert "Retry in 3 seconds" in str(caught.value)
    finally:
        await server.stop()


async def test_the_proxy_from_the_environment_is_used_unless_bypassed(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # The "proxy" is the loopback server: a proxied call reaches it with the target's full URL.
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = BotApiRequest()
    await transport.initialize()
    try:
        await transport.do_request(f"http://api.telegram.invalid/bot{TOKEN}/getMe", "POST")
    finally:
        await transport.shutdown()
    assert server.seen[-1]["url"] == f"http://api.telegram.invalid/bot{TOKEN}/getMe"

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = Server()
    await direct.start()
    transport = BotApiRequest()
    await transport.initialize()
    try:
        await transport.do_request(f"{direct.url}/bot{TOKEN}/getMe", "POST")
    finally:
        await transport.shutdown()
        await direct.stop()
    assert len(direct.seen) == 1 and len(server.seen) == 1


async def test_it_must_be_initialized_and_can_be_again(server: Server) -> None:
    transport = BotApiRequest()
    with pytest.raises(RuntimeError):
        await transport.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST")
    for _ in range(2):
        await transport.initialize()
        assert (await transport.do_request(f"{server.url}/bot{TOKEN}/getMe", "POST"))[0] == 200
        await transport.shutdown()


GOOD_MESSAGE = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hi"}
ITEMS = st.one_of(st.just(("message", GOOD_MESSAGE)), st.tuples(UPDATE_KINDS, JSON_VALUES))


@settings(max_examples=80, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(ITEMS, max_size=6))
async def test_a_batch_of_updates_is_read_whole_with_what_cannot_be_read_left_bare(
        transport: BotApiRequest, items: list[tuple[str, Any]]) -> None:
    batch = [{"update_id": 100 + index, kind: value} for index, (kind, value) in enumerate(items)]

    async def updates(_: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "result": batch})

    server = Server(updates)
    await server.start()
    try:
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=transport, get_updates_request=transport)
        got = await bot.get_updates()
    finally:
        await server.stop()
    assert [update.update_id for update in got] == [item["update_id"] for item in batch]
    for update, item in zip(got, batch, strict=True):
        try:
            expected = Update.de_json(item).to_dict()
        except Exception:
            expected = {"update_id": item["update_id"]}
        assert update.to_dict() == expected
