"""The HTTP transport to the Bot API: python-telegram-bot's requests, JSON calls on keep-alive HTTP/1.1."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from handlers.telegram.runtime.http1 import Http1Pool, ProtocolError
from handlers.telegram.runtime.incoming import readable_batch

# A few dozen keep-alive connections carry far more than Telegram's own limits let a bot send.
CONNECTION_POOL_SIZE = 32


class BotApiRequest(BaseRequest):
    """Sends the bot's Bot API calls over bounded pools of keep-alive connections.

    python-telegram-bot's default transport, httpx, checks every pooled connection's socket on every
    request; under a few hundred updates a second that costs more CPU than the bot's own work. The calls
    that carry a JSON object, nearly all of them, go over a small HTTP/1.1 client (runtime/http1.py) that
    costs a fraction of aiohttp's per request. Uploads, downloads and calls through a proxy go over aiohttp,
    already here for the web server; each has a pool of this size. Both queue callers for a free connection
    in FIFO order and keep the same timeouts and errors: TimedOut when one runs out, NetworkError for
    anything else on the wire.
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
        self._json_pool = Http1Pool(connection_pool_size, self.USER_AGENT)
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[tuple[str, str], str | None] = {}
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call gives none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})
            # HTTPS_PROXY, NO_PROXY and friends apply, as they do for python-telegram-bot's httpx. They are
            # read here once: aiohttp's trust_env would read them, and ~/.netrc, on every call.
            self._proxies = urllib.request.getproxies_environment()
            self._proxy_of.clear()
            self._json_pool.reopen()

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        self._json_pool.close()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for this URL's scheme and host, if any."""
        if not self._proxies:
            return None
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxy_of:
            bypass = not key[1] or urllib.request.proxy_bypass(key[1])
            self._proxy_of[key] = None if bypass else self._proxies.get(key[0]) or self._proxies.get("all")
        return self._proxy_of[key]

    def _timeout(self, read: ODVInput[float], write: ODVInput[float], connect: ODVInput[float],
                 pool: ODVInput[float], media: bool) -> aiohttp.ClientTimeout:
        read_s = self._read_timeout if isinstance(read, DefaultValue) else read
        write_s = (self._media_write_timeout if media else self._write_timeout) if isinstance(write, DefaultValue) \
            else write
        connect_s = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        parts = (read_s, write_s, connect_s, pool_s)
        found = self._timeouts.get(parts)
        if found is None:
            # aiohttp has no write timeout of its own: the whole call is bounded by the sum of the four instead.
            total = None if None in parts else sum(part for part in parts if part is not None)
            # aiohttp's connect phase includes the wait for a free pooled connection.
            wait = None if connect_s is None or pool_s is None else connect_s + pool_s
            found = aiohttp.ClientTimeout(total=total, connect=wait, sock_connect=connect_s, sock_read=read_s)
            # Calls use a handful of combinations; the bound keeps odd per-call values from piling up.
            if len(self._timeouts) < 64:
                self._timeouts[parts] = found
        return found

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
        """Send one call; return the status code and the body, with updates that cannot be read left bare."""
        status, body = await self._exchange(url, method, request_data, read_timeout, write_timeout,
                                            connect_timeout, pool_timeout)
        if status == 200 and url.endswith("/getUpdates"):
            body = readable_batch(body)
        return status, body

    async def _exchange(self, url: str, method: str, request_data: RequestData | None, read_timeout: ODVInput[float],
                        write_timeout: ODVInput[float], connect_timeout: ODVInput[float],
                        pool_timeout: ODVInput[float]) -> tuple[int, bytes]:
        """Send one call over the pool its kind takes; return the status code and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This BotApiRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: bytes | aiohttp.FormData | None = None
        headers: dict[str, str] = {}
        if files:
            assert request_data is not None
            body = aiohttp.FormData(quote_fields=False)
            for name, value in request_data.json_parameters.items():
                body.add_field(name, value)
            for name, part in files.items():
                filename, content, *rest = part
                body.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
        elif request_data is not None and request_data.parameters:
            # A JSON object of the same string values a form would carry: the Bot API reads a string value as it
            # reads a form field. json.dumps is several times faster than urlencode, most of all for Cyrillic.
            body = json.dumps(request_data.json_parameters).encode()
            headers["Content-Type"] = "application/json"
        proxy = self._proxy(url)
        if method == "POST" and not files and proxy is None:
            return await self._post_json(url, body if isinstance(body, bytes) else b"", read_timeout,
                                         connect_timeout, pool_timeout)
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, media=bool(files))
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout,
                                             proxy=proxy) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    async def _post_json(self, url: str, body: bytes, read: ODVInput[float], connect: ODVInput[float],
                         pool: ODVInput[float]) -> tuple[int, bytes]:
        """POST a JSON body over the HTTP/1.1 pool, with this transport's timeouts and errors."""
        try:
            return await self._json_pool.post(
                url, body, "application/json" if body else None,
                read=self._read_timeout if isinstance(read, DefaultValue) else read,
                connect=self._connect_timeout if isinstance(connect, DefaultValue) else connect,
                pool=self._pool_timeout if isinstance(pool, DefaultValue) else pool)
        except TimeoutError as err:
            raise TimedOut from err
        except (OSError, ProtocolError) as err:
            raise NetworkError(f"{type(err).__name__}: {err}") from err
