"""Logging set-up: readable lines or JSON, and secrets scrubbed from every record."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

REDACTED = "[redacted]"
# The user:password@ part of a URL (userinfo holds no slash); the host after it stays readable.
_URL_CREDENTIALS = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@]+@")
# Who and what a log line is about, set where an update or a request is being handled.
USER_ID: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# The levels `logging.level` and `--log-level` take, from the most to the least talkative.
_LEVEL_NUMBERS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
LEVELS = tuple(_LEVEL_NUMBERS)


class AddContext(logging.Filter):
    """Puts the current user id and request id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        user_id, request_id = USER_ID.get(), REQUEST_ID.get()
        record.user_id, record.request_id = user_id, request_id
        parts = [f"user={user_id}" if user_id is not None else "", f"request={request_id}" if request_id else ""]
        context = " ".join(p for p in parts if p)
        record.context = f" [{context}]" if context else ""
        return True


def hide_url_credentials(text: str) -> str:
    """Return text with the credentials of every URL in it masked: https://***@host/."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


class RedactSecrets(logging.Filter):
    """Replaces known secrets and URLs' credentials in every record (tokens travel inside URLs and errors)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """Return text with secrets replaced and URL credentials masked."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return hide_url_credentials(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.scrub(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.scrub(formatted)
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("user_id", "request_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def level_number(name: str) -> int:
    """Return the logging module's number for one of LEVELS."""
    try:
        return _LEVEL_NUMBERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown log level {name!r}; use one of {', '.join(LEVELS)}") from None


def setup_logging(fmt: str = "text", secrets: Iterable[str] = (), level: int | str = logging.INFO,
                  stream: TextIO | None = None) -> RedactSecrets:
    """Configure the root logger at a level (a number or one of LEVELS); return the redaction filter."""
    if isinstance(level, str):
        level = level_number(level)
    handler = logging.StreamHandler(stream or sys.stderr)
    redact = RedactSecrets(secrets)
    handler.addFilter(AddContext())
    handler.addFilter(redact)
    handler.setFormatter(JsonFormatter() if fmt == "json"
                         else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s%(context)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return redact
