"""The Bot API transport under python-telegram-bot: JSON calls, files, timeouts, errors and proxies."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trustme
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
Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"


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


# -- on the wire: what the transport does with answers as servers really frame them -----------------------------


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """Read one request (head and Content-Length body); b"" when the client closed the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return b""
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


class RawServer:
    """A loopback server that answers each request on a connection with what its script writes."""

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self.script = script
        self.tls = tls
        self.host = host
        self.connections = 0
        self.closed = 0
        self.requests: list[bytes] = []
        self.url = ""
        self._server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while request := await read_request(reader):
                self.requests.append(request)
                await self.script(reader, writer, len(self.requests))
                if writer.is_closing():
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()
            self.closed += 1

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{'https' if self.tls else 'http'}://{host}:{port}/bot{TOKEN}/getMe"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


def answering(*pieces: bytes, pause: float = 0.0, close: bool = False) -> Script:
    """A script writing these pieces one by one (pausing between them), then closing the connection if asked."""
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        if close:
            writer.close()
    return script


async def test_calls_go_out_as_http_1_1_on_one_kept_connection(transport: BotApiRequest) -> None:
    async with RawServer(answering(OK)) as server:
        for _ in range(2):
            assert await transport.do_request(server.url, "POST") == (200, b'{"ok":true}')
    assert server.connections == 1
    head = server.requests[0].partition(b"\r\n\r\n")[0].decode().split("\r\n")
    port = server.url.split(":")[2].split("/")[0]
    assert head[0] == f"POST /bot{TOKEN}/getMe HTTP/1.1"
    assert {f"Host: 127.0.0.1:{port}", f"User-Agent: {BaseRequest.USER_AGENT}"} <= set(head[1:])


async def test_an_ipv6_host_is_named_in_brackets(transport: BotApiRequest) -> None:
    async with RawServer(answering(OK), host="::1") as server:
        assert (await transport.do_request(server.url, "POST"))[0] == 200
    port = server.url.rsplit(":", 2)[1].split("/")[0]
    assert f"\r\nHost: [::1]:{port}\r\n".encode() in server.requests[0]


async def test_a_chunked_answer_is_read_and_the_connection_kept(transport: BotApiRequest) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"4\r\n{\"ok", b"\r\n7;ext=1\r\n\":true}\r\n",
               b"0\r\nX-Trailer: 1\r\n\r\n")
    async with RawServer(answering(*chunked, pause=0.01)) as server:
        for _ in range(2):
            assert await transport.do_request(server.url, "POST") == (200, b'{"ok":true}')
    assert server.connections == 1


async def test_an_answer_without_length_runs_to_the_end_of_the_connection(transport: BotApiRequest) -> None:
    async with RawServer(answering(b"HTTP/1.1 502 Bad Gateway\r\n\r\nupstream ", b"down", close=True)) as server:
        for _ in range(2):
            assert await transport.do_request(server.url, "POST") == (502, b"upstream down")
    assert server.connections == 2


async def test_connection_close_and_http_1_0_are_not_reused(transport: BotApiRequest) -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    old = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    for answer in (closing, old):
        async with RawServer(answering(answer)) as server:
            for _ in range(2):
                assert await transport.do_request(server.url, "POST") == (200, b"{}")
        assert server.connections == 2


async def test_a_connection_the_server_dropped_while_idle_is_replaced(transport: BotApiRequest) -> None:
    async with RawServer(answering(OK, close=True)) as server:
        assert (await transport.do_request(server.url, "POST"))[0] == 200
        for _ in range(200):
            if server.closed:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.02)  # and its close reaches the client
        assert (await transport.do_request(server.url, "POST"))[0] == 200
    assert server.connections == 2


async def test_a_slow_answer_times_out_and_its_connection_is_dropped(transport: BotApiRequest) -> None:
    async def slow_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        if number == 1:
            await asyncio.sleep(0.6)
        writer.write(OK)
        await writer.drain()

    async with RawServer(slow_first) as server:
        with pytest.raises(TimedOut):
            await transport.do_request(server.url, "POST")
        # A fresh connection: the late answer to the first call cannot be taken for the second's.
        assert await transport.do_request(server.url, "POST") == (200, b'{"ok":true}')
    assert server.connections == 2


@pytest.mark.parametrize("answer", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2xx Fine\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
async def test_what_is_not_http_is_a_network_error(transport: BotApiRequest, answer: bytes) -> None:
    async with RawServer(answering(answer)) as server:
        with pytest.raises(NetworkError) as caught:
            await transport.do_request(server.url, "POST")
    assert not isinstance(caught.value, TimedOut)


async def test_an_interim_answer_is_skipped(transport: BotApiRequest) -> None:
    async with RawServer(answering(b"HTTP/1.1 100 Continue\r\n\r\n", OK)) as server:
        assert await transport.do_request(server.url, "POST") == (200, b'{"ok":true}')


async def test_a_server_whose_certificate_is_not_trusted_gets_no_call(transport: BotApiRequest) -> None:
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    async with RawServer(answering(OK), tls=server_tls) as server:
        with pytest.raises(NetworkError) as caught:
            await transport.do_request(server.url, "POST")
    assert "certificate" in str(caught.value).lower()
    assert server.requests == []


async def test_the_pool_carries_at_most_its_size_at_once_in_arrival_order() -> None:
    in_flight, most, order = 0, 0, []

    async def held(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        order.append(request.query["n"])
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.json_response({"ok": True})

    server = Server(held)
    await server.start()
    transport = BotApiRequest(connection_pool_size=2, pool_timeout=5.0)
    await transport.initialize()
    try:
        calls = [asyncio.create_task(transport.do_request(f"{server.url}/bot{TOKEN}/getMe?n={n}", "POST"))
                 for n in range(6)]
        answers = await asyncio.gather(*calls)
    finally:
        await transport.shutdown()
        await server.stop()
    assert [status for status, _ in answers] == [200] * 6
    assert most == 2
    # Two at a time, in the order they were asked for (which of a pair reaches the server first is a race).
    assert [sorted(order[start:start + 2]) for start in (0, 2, 4)] == [["0", "1"], ["2", "3"], ["4", "5"]]
