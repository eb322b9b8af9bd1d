"""A small HTTP/1.1 client for the Bot API's JSON calls: keep-alive connections, a bounded pool, timeouts."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from typing import cast
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024  # bytes of status line and headers accepted
MAX_BODY = 64 * 1024 * 1024  # bytes of body accepted: a getUpdates answer is far smaller
# A connection idle this long is closed rather than reused: servers drop idle keep-alive connections after
# some seconds, and reusing one just as it is dropped would fail the call.
IDLE_SECONDS = 15.0
Key = tuple[str, str, int]  # scheme, host, port


class ProtocolError(Exception):
    """The server's answer was not HTTP/1.1 as this client reads it."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._status = 0
        self._length: int | None = None
        self._chunked = False
        self._keep_alive = True
        self._body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio.Transport, though they are one.
        self.transport = cast(asyncio.Transport, transport)
        self.open = True

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self._status and self._length is None and not self._chunked:
            self._done(bytes(self._buffer))  # an answer whose end is the end of the connection
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    def eof_received(self) -> bool:
        self.open = False
        return False

    def send(self, data: bytes) -> asyncio.Future[tuple[int, bytes]]:
        """Write a whole request; the future gets the status and the body."""
        assert self.transport is not None
        self._waiter = self._loop.create_future()
        self._buffer.clear()
        self._body.clear()
        self._status, self._length, self._chunked, self._keep_alive = 0, None, False, True
        self.transport.write(data)
        return self._waiter

    @property
    def reusable(self) -> bool:
        """Whether the last answer left the connection open for another request."""
        return self.open and self._keep_alive and self._waiter is None

    def close(self) -> None:
        """Close the connection."""
        self.open = False
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:
            self.close()  # nothing was asked: the connection is out of step
            return
        self._buffer += data
        try:
            self._read()
        except (ProtocolError, ValueError) as exc:
            self._fail(ProtocolError(str(exc)))
            self.close()

    def _read(self) -> None:
        buffer = self._buffer
        while not self._status:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    raise ProtocolError("headers too long")
                return
            self._head(bytes(buffer[:end]).decode("latin-1"))
            del buffer[:end + 4]
        if self._length is not None:
            if len(buffer) >= self._length:
                self._done(bytes(buffer[:self._length]))
        elif self._chunked:
            self._chunks()
        elif len(buffer) > MAX_BODY:
            raise ProtocolError("body too long")

    def _head(self, head: str) -> None:
        lines = head.split("\r\n")
        version, _, rest = lines[0].partition(" ")
        if not version.startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        status = int(rest[:3])
        if 100 <= status < 200:
            return  # an interim answer (100 Continue): the real one follows
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        self._keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._chunked = True
        elif "content-length" in headers:
            self._length = int(headers["content-length"])
            if not 0 <= self._length <= MAX_BODY:
                raise ProtocolError(f"bad content length {self._length}")
        elif status in (204, 304):
            self._length = 0
        else:
            self._keep_alive = False  # the body runs to the end of the connection
        self._status = status

    def _chunks(self) -> None:
        buffer = self._buffer
        while True:
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                return
            size = int(bytes(buffer[:line_end]).split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                trailer_end = buffer.find(b"\r\n\r\n", line_end)
                if buffer[line_end:line_end + 4] == b"\r\n\r\n" or trailer_end >= 0:
                    self._done(bytes(self._body))
                return
            if len(buffer) < line_end + 2 + size + 2:
                return
            self._body += buffer[line_end + 2:line_end + 2 + size]
            if len(self._body) > MAX_BODY:
                raise ProtocolError("body too long")
            del buffer[:line_end + 2 + size + 2]

    def _done(self, body: bytes) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self._status, body))

    def _fail(self, exc: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


class Http1Pool:
    """Keep-alive HTTP/1.1 connections, at most `limit` of them carrying a request at once, callers served FIFO."""

    def __init__(self, limit: int, user_agent: str, tls: ssl.SSLContext | None = None) -> None:
        self.limit = limit
        self._user_agent = user_agent
        self._tls = tls  # the system's trusted CAs unless given
        self._idle: dict[Key, list[_Connection]] = {}
        self._busy = 0
        self._queue: deque[asyncio.Future[None]] = deque()
        self._targets: dict[str, tuple[Key, str]] = {}
        self._closed = False

    def target(self, url: str) -> tuple[Key, str]:
        """Where a URL's request goes (scheme, host, port) and its path with the query."""
        found = self._targets.get(url)
        if found is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {url[:80]}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            found = ((parts.scheme, parts.hostname, port), path)
            if len(self._targets) < 256:  # Bot API URLs are a few dozen; odd ones are not kept
                self._targets[url] = found
        return found

    async def post(self, url: str, body: bytes, content_type: str | None, *, read: float | None,
                   connect: float | None, pool: float | None) -> tuple[int, bytes]:
        """POST body to url; return the status and the body. TimeoutError, OSError or ProtocolError if that fails."""
        key, path = self.target(url)
        await self._acquire(pool)
        connection: _Connection | None = None
        try:
            if self._closed:
                raise ConnectionError("the connection pool is closed")
            connection = await self._connection(key, connect)
            name = f"[{key[1]}]" if ":" in key[1] else key[1]  # an IPv6 address goes in brackets
            host = name if key[2] == (443 if key[0] == "https" else 80) else f"{name}:{key[2]}"
            kind = f"Content-Type: {content_type}\r\n" if content_type else ""
            head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {self._user_agent}\r\n{kind}"
                    f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
            answer = connection.send(head + body)
            if read is None:
                status, data = await answer
            else:
                async with asyncio.timeout(read):
                    status, data = await answer
            if connection.reusable and not self._closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(key, []).append(connection)
                connection = None
            return status, data
        finally:
            if connection is not None:
                connection.close()
            self._release()

    async def _acquire(self, wait: float | None) -> None:
        if self._closed:
            raise ConnectionError("the connection pool is closed")
        if self._busy < self.limit and not self._queue:
            self._busy += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        try:
            if wait is None:
                await turn
            else:
                async with asyncio.timeout(wait):
                    await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release()  # the turn came just as the wait ended: pass it on
            elif turn in self._queue:
                self._queue.remove(turn)
            raise

    def _release(self) -> None:
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes on as it is: busy stays the same
                return
        self._busy -= 1

    async def _connection(self, key: Key, connect: float | None) -> _Connection:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.open and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        scheme, host, port = key
        tls = None
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        if connect is None:
            _, protocol = await loop.create_connection(lambda: _Connection(loop), host, port, ssl=tls)
        else:
            async with asyncio.timeout(connect):
                _, protocol = await loop.create_connection(lambda: _Connection(loop), host, port, ssl=tls)
        return protocol

    def close(self) -> None:
        """Close every idle connection and refuse new requests."""
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def reopen(self) -> None:
        """Take requests again after close."""
        self._closed = False
