"""The HTTP transport to the Bot API: python-telegram-bot's requests sent with aiohttp."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# A few dozen keep-alive connections carry far more than Telegram's own limits let a bot send.
CONNECTION_POOL_SIZE = 32


class AiohttpRequest(BaseRequest):
    """Sends the bot's Bot API calls over one aiohttp session with a bounded pool of keep-alive connections.

    python-telegram-bot's default transport, httpx, checks every pooled connection's socket on every
    request; under a few hundred updates a second that costs more CPU than the bot's own work. aiohttp is
    already here for the web server, queues callers for a free connection in plain FIFO order, and keeps the
    same timeouts and errors: TimedOut when one runs out, NetworkError for anything else on the wire.
    """

    def __init__(self, connection_pool_size: int = CONNECTION_POOL_SIZE, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call gives none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            # trust_env: HTTPS_PROXY and friends apply, as they do for python-telegram-bot's httpx.
            self._session = aiohttp.ClientSession(connector=connector, trust_env=True,
                                                  headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read: ODVInput[float], write: ODVInput[float], connect: ODVInput[float],
                 pool: ODVInput[float], media: bool) -> aiohttp.ClientTimeout:
        read_s = self._read_timeout if isinstance(read, DefaultValue) else read
        write_s = (self._media_write_timeout if media else self._write_timeout) if isinstance(write, DefaultValue) \
            else write
        connect_s = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        parts = (read_s, write_s, connect_s, pool_s)
        # aiohttp has no write timeout of its own: the whole call is bounded by the sum of the four instead.
        total = None if any(part is None for part in parts) else sum(part for part in parts if part is not None)
        # aiohttp's connect phase includes the wait for a free pooled connection.
        wait = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(total=total, connect=wait, sock_connect=connect_s, sock_read=read_s)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one call; return the status code and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: Any = fields or None
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                filename, content, *rest = part
                form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
            body = form
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, media=bool(files))
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
