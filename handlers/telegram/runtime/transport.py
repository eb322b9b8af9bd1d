"""The HTTP transport to the Bot API: python-telegram-bot's requests over aiohttp."""

from __future__ import annotations

import urllib.request
from typing import cast
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from handlers.telegram.runtime.incoming import readable_batch

# A few dozen keep-alive connections carry far more than Telegram's own limits let a bot send.
CONNECTION_POOL_SIZE = 32


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout a call gave, or the default where it gave none (python-telegram-bot's DEFAULT_NONE)."""
    return default if value is BaseRequest.DEFAULT_NONE else cast(float | None, value)


class BotApiRequest(BaseRequest):
    """Sends the bot's Bot API calls over aiohttp, already here for the web server.

    A bounded pool of keep-alive connections serves callers in FIFO order. A call carries its values as a JSON
    object, files as multipart. Timeouts and errors are python-telegram-bot's: TimedOut when a timeout runs
    out (a call that found no free connection in time is not sent), NetworkError for anything else on the wire.
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
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[tuple[str, str], str | None] = {}

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

    async def shutdown(self) -> None:
        """Close the session and its connections."""
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

    def _timeout(self, read: object, write: object, connect: object, pool: object,
                 media: bool) -> aiohttp.ClientTimeout:
        read_s = _seconds(read, self._read_timeout)
        write_s = _seconds(write, self._media_write_timeout if media else self._write_timeout)
        connect_s = _seconds(connect, self._connect_timeout)
        pool_s = _seconds(pool, self._pool_timeout)
        parts = (read_s, write_s, connect_s, pool_s)
        # aiohttp has no write timeout of its own: the whole call is bounded by the sum of the four instead.
        total = None if None in parts else sum(part for part in parts if part is not None)
        # aiohttp's connect phase includes the wait for a free pooled connection.
        wait = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(total=total, connect=wait, sock_connect=connect_s, sock_read=read_s)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one call; return the status code and the body, with updates that cannot be read left bare."""
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
            # reads a form field, and JSON encodes faster than a form, most of all for Cyrillic.
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, media=bool(files))
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout,
                                             proxy=self._proxy(url)) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(_describe(err)) from err
        if status == 200 and url.endswith("/getUpdates"):
            payload = readable_batch(payload)
        return status, payload


def _describe(err: aiohttp.ClientError) -> str:
    """What went wrong on the wire, naming the system's error where aiohttp wraps one (ConnectionRefusedError)."""
    cause = err.os_error if isinstance(err, aiohttp.ClientConnectorError) else err.__cause__
    named = f" ({type(cause).__name__})" if isinstance(cause, OSError) else ""
    return f"aiohttp.{type(err).__name__}{named}: {err}"
