"""Voice notes read as typed text: an optional OpenAI-compatible speech-to-text endpoint, within limits and a timeout.

The bot posts the audio to `{url}/v1/audio/transcriptions` (multipart: file, model, language) and takes
`{"text": "..."}` back. Without an endpoint, or when it fails, is slow or hears nothing, the caller learns why,
so the salesperson can be asked to type instead.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Literal

import aiohttp

from bot.config import SpeechConfig
from bot.delivery.outbox import FileSource
from bot.jira.gateway import DeliveryError
from bot.jira.ticket import Attachment
from bot.text.screen import visible

log = logging.getLogger(__name__)
MAX_REPLY_BYTES = 1024 * 1024
# Why a voice note was not read: no endpoint, over a limit, not downloaded, the endpoint failed, was too slow,
# or heard no words.
Problem = Literal["off", "long", "big", "download", "down", "slow", "empty"]


@dataclass(frozen=True)
class Heard:
    """What a voice note said, or why it could not be read (text None)."""

    text: str | None
    problem: Problem | None = None
    seconds: float = 0.0  # how long transcribing took


class SpeechToText:
    """Posts audio to the configured endpoint and returns its transcript, within the configured time."""

    def __init__(self, config: SpeechConfig) -> None:
        self.config = config
        self.url = f"{config.url}/v1/audio/transcriptions"
        self._session: aiohttp.ClientSession | None = None

    async def transcribe(self, audio: bytes, name: str, mime: str | None, lang: str) -> Heard:
        """Return the transcript of audio (the user's language as the hint), or why there is none."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout))
        form = aiohttp.FormData()
        form.add_field("file", audio, filename=name, content_type=mime or "audio/ogg")
        form.add_field("model", self.config.model)
        form.add_field("language", lang)
        form.add_field("response_format", "json")
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        started = time.monotonic()
        try:
            async with self._session.post(self.url, data=form, headers=headers) as response:
                if response.status != 200:
                    log.warning("the speech endpoint answered HTTP %s", response.status)
                    return Heard(None, "down")
                raw = await response.content.read(MAX_REPLY_BYTES + 1)
        except TimeoutError:
            log.warning("the speech endpoint did not answer within %s s", self.config.timeout)
            return Heard(None, "slow", time.monotonic() - started)
        except aiohttp.ClientError as error:
            log.warning("the speech endpoint failed (%s)", type(error).__name__)
            return Heard(None, "down")
        took = time.monotonic() - started
        try:
            payload = json.loads(raw) if len(raw) <= MAX_REPLY_BYTES else None
        except ValueError:
            payload = None
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            log.warning("the speech endpoint's reply is not {\"text\": ...}")
            return Heard(None, "down", took)
        words = " ".join(visible(text).split())
        return Heard(words, None, took) if words else Heard(None, "empty", took)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()


async def hear(speech: SpeechToText | None, files: FileSource, audio: Attachment, seconds: int | None,
               lang: str) -> Heard:
    """Read a voice note the user sent: check the limits, fetch it, and have the endpoint transcribe it."""
    if speech is None:
        return Heard(None, "off")
    if seconds is not None and seconds > speech.config.max_seconds:
        return Heard(None, "long")
    if audio.size is not None and audio.size > speech.config.max_bytes:
        return Heard(None, "big")
    try:
        content = await files.fetch(audio.file_id)
    except DeliveryError as error:
        log.warning("a voice note could not be downloaded: %s", error.message)
        return Heard(None, "download")
    if len(content) > speech.config.max_bytes:
        return Heard(None, "big")
    return await speech.transcribe(content, audio.name, audio.mime, lang)
