"""The HTTP/1.1 client under the Bot API's JSON calls: framing, keep-alive, timeouts, TLS and the pool."""

from __future__ import annotations

import asyncio
import itertools
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trustme
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from handlers.telegram.runtime import http1
from handlers.telegram.runtime.http1 import Http1Pool, ProtocolError

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
TIMEOUTS: dict[str, Any] = {"read": 5.0, "connect": 5.0, "pool": 5.0}


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
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{'https' if self.tls else 'http'}://{host}:{port}/bot123:abc/getMe"
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


@pytest.fixture
async def pool() -> AsyncIterator[Http1Pool]:
    running = Http1Pool(4, "ticketsmith-test")
    yield running
    running.close()


async def test_a_call_goes_out_as_http_1_1_and_its_connection_is_kept(pool: Http1Pool) -> None:
    async with RawServer(answering(OK)) as server:
        first = await pool.post(server.url, b'{"chat_id":"1"}', "application/json", **TIMEOUTS)
        second = await pool.post(server.url, b"", None, **TIMEOUTS)
    assert first == second == (200, b'{"ok":true}')
    assert server.connections == 1
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    port = server.url.split(":")[2].split("/")[0]
    assert lines[0] == "POST /bot123:abc/getMe HTTP/1.1"
    assert {"Host: 127.0.0.1:" + port, "User-Agent: ticketsmith-test", "Content-Type: application/json",
            "Content-Length: 15"} == set(lines[1:])
    assert body == b'{"chat_id":"1"}'
    assert b"Content-Type" not in server.requests[1] and b"Content-Length: 0" in server.requests[1]


async def test_an_ipv6_host_is_named_in_brackets(pool: Http1Pool) -> None:
    async with RawServer(answering(OK), host="::1") as server:
        assert (await pool.post(server.url, b"{}", "application/json", **TIMEOUTS))[0] == 200
    port = server.url.rsplit(":", 2)[1].split("/")[0]
    assert f"\r\nHost: [::1]:{port}\r\n".encode() in server.requests[0]


async def test_a_chunked_answer_is_read_and_the_connection_kept(pool: Http1Pool) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"4\r\n{\"ok", b"\r\n7;ext=1\r\n\":true}\r\n",
               b"0\r\nX-Trailer: 1\r\n\r\n")
    async with RawServer(answering(*chunked, pause=0.01)) as server:
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b'{"ok":true}')
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b'{"ok":true}')
    assert server.connections == 1


async def test_an_answer_without_length_runs_to_the_end_of_the_connection(pool: Http1Pool) -> None:
    async with RawServer(answering(b"HTTP/1.1 502 Bad Gateway\r\n\r\nupstream ", b"down", close=True)) as server:
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (502, b"upstream down")
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (502, b"upstream down")
    assert server.connections == 2


async def test_connection_close_and_http_1_0_are_not_reused(pool: Http1Pool) -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
    old = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    for answer in (closing, old):
        async with RawServer(answering(answer)) as server:
            for _ in range(2):
                assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b"{}")
        assert server.connections == 2


async def test_a_connection_the_server_dropped_while_idle_is_replaced(pool: Http1Pool) -> None:
    async with RawServer(answering(OK, close=True)) as server:
        assert (await pool.post(server.url, b"{}", "application/json", **TIMEOUTS))[0] == 200
        kept = [connection for connections in pool._idle.values() for connection in connections]
        for _ in range(200):  # until the server's close has reached the client
            if not any(connection.open for connection in kept):
                break
            await asyncio.sleep(0.01)
        assert (await pool.post(server.url, b"{}", "application/json", **TIMEOUTS))[0] == 200
    assert server.connections == 2


async def test_a_connection_idle_too_long_is_replaced(pool: Http1Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "IDLE_SECONDS", 0.0)
    async with RawServer(answering(OK)) as server:
        for _ in range(2):
            assert (await pool.post(server.url, b"{}", "application/json", **TIMEOUTS))[0] == 200
    assert server.connections == 2


async def test_a_slow_answer_times_out_and_its_connection_is_dropped(pool: Http1Pool) -> None:
    async def slow_first(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        if number == 1:
            await asyncio.sleep(0.5)
        writer.write(OK)
        await writer.drain()

    async with RawServer(slow_first) as server:
        with pytest.raises(TimeoutError):
            await pool.post(server.url, b"{}", "application/json", read=0.1, connect=1.0, pool=1.0)
        # A fresh connection: the late answer to the first call cannot be taken for the second's.
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b'{"ok":true}')
    assert server.connections == 2


@pytest.mark.parametrize("answer", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2xx Fine\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
async def test_what_is_not_http_is_a_protocol_error(pool: Http1Pool, answer: bytes) -> None:
    async with RawServer(answering(answer)) as server:
        with pytest.raises(ProtocolError):
            await pool.post(server.url, b"{}", "application/json", **TIMEOUTS)


async def test_an_interim_answer_is_skipped(pool: Http1Pool) -> None:
    async with RawServer(answering(b"HTTP/1.1 100 Continue\r\n\r\n", OK)) as server:
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b'{"ok":true}')


async def test_nobody_listening_is_a_connection_error(pool: Http1Pool) -> None:
    async with RawServer(answering(OK)) as server:
        url = server.url
    with pytest.raises(ConnectionRefusedError):
        await pool.post(url, b"{}", "application/json", **TIMEOUTS)


async def test_tls_needs_a_certificate_the_client_trusts() -> None:
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    async with RawServer(answering(OK), tls=server_tls) as server:
        pool = Http1Pool(2, "ticketsmith-test", tls=trusting)
        assert await pool.post(server.url, b"{}", "application/json", **TIMEOUTS) == (200, b'{"ok":true}')
        pool.close()
        stranger = Http1Pool(2, "ticketsmith-test", tls=ssl.create_default_context())
        with pytest.raises(ssl.SSLCertVerificationError):
            await stranger.post(server.url, b"{}", "application/json", **TIMEOUTS)
        stranger.close()


async def test_the_pool_carries_at_most_its_limit_at_once_in_arrival_order() -> None:
    in_flight, most, order = 0, 0, []

    async def held(request: web.Request) -> web.StreamResponse:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        order.append(await request.text())
        await asyncio.sleep(0.05)
        in_flight -= 1
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/{tail:.*}", held)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    pool = Http1Pool(2, "ticketsmith-test")
    try:
        calls = [asyncio.create_task(pool.post(f"http://127.0.0.1:{port}/x", str(n).encode(), "application/json",
                                               **TIMEOUTS)) for n in range(6)]
        answers = await asyncio.gather(*calls)
    finally:
        pool.close()
        await runner.cleanup()
    assert [status for status, _ in answers] == [200] * 6
    assert most == 2
    assert order[:2] == ["0", "1"] and sorted(order) == [str(n) for n in range(6)]
    with pytest.raises(ConnectionError):
        await pool.post(f"http://127.0.0.1:{port}/x", b"", None, **TIMEOUTS)


async def test_callers_still_waiting_when_the_pool_closes_are_refused() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, number: int) -> None:
        await asyncio.sleep(0.1)
        writer.write(OK)
        await writer.drain()

    pool = Http1Pool(1, "ticketsmith-test")
    async with RawServer(slow) as server:
        first = asyncio.create_task(pool.post(server.url, b"{}", "application/json", **TIMEOUTS))
        await asyncio.sleep(0.02)
        second = asyncio.create_task(pool.post(server.url, b"{}", "application/json", **TIMEOUTS))
        await asyncio.sleep(0.02)
        pool.close()
        assert (await first)[0] == 200
        with pytest.raises(ConnectionError):
            await second
    assert server.connections == 1 and len(server.requests) == 1


def test_a_waiter_whose_pool_wait_runs_out_leaves_the_queue() -> None:
    async def scenario() -> None:
        pool = Http1Pool(1, "ticketsmith-test")
        await pool._acquire(None)
        with pytest.raises(TimeoutError):
            await pool._acquire(0.01)
        assert not pool._queue
        pool._release()
        await pool._acquire(0.01)  # the slot was given back, not lost
    asyncio.run(scenario())


class Wire(asyncio.Transport):
    """A transport that keeps what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True


def framed(body: bytes, chunks: list[int] | None) -> bytes:
    """An HTTP/1.1 200 answer carrying body, with Content-Length or in chunks of these sizes."""
    if chunks is None:
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    out, rest = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"], body
    for size in chunks:
        if rest:
            out.append(b"%x\r\n" % len(rest[:size]) + rest[:size] + b"\r\n")
            rest = rest[size:]
    if rest:
        out.append(b"%x\r\n" % len(rest) + rest + b"\r\n")
    return b"".join(out) + b"0\r\n\r\n"


@given(body=st.binary(max_size=3000), chunks=st.none() | st.lists(st.integers(1, 700), max_size=8),
       cuts=st.lists(st.integers(0, 4000), max_size=12))
def test_an_answer_reads_the_same_however_it_is_split(body: bytes, chunks: list[int] | None, cuts: list[int]) -> None:
    loop = asyncio.new_event_loop()
    try:
        connection = http1._Connection(loop)
        wire = Wire()
        connection.connection_made(wire)
        answer = connection.send(b"POST / HTTP/1.1\r\n\r\n")
        data = framed(body, chunks)
        edges = sorted({0, len(data), *(cut for cut in cuts if cut < len(data))})
        for start, end in itertools.pairwise(edges):
            connection.data_received(data[start:end])
        assert answer.done() and answer.result() == (200, body)
        assert connection.reusable and not wire.closed
    finally:
        loop.close()
