"""An OpenAI-compatible speech-to-text server on 127.0.0.1: POST /v1/audio/transcriptions, as whisper.cpp serves it.

Tests say what a recording contains (`says`); the server answers `{"text": ...}` for it, or misbehaves on request:
slowly, with HTTP 500, with a reply that is not JSON, or in another language than the hint asked for.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

Mode = Literal["ok", "slow", "failing", "garbage", "wrong_language"]


@dataclass(frozen=True)
class Transcription:
    """One request the bot made: the form fields it sent and the audio."""

    model: str
    language: str | None
    response_format: str | None
    filename: str | None
    content_type: str | None
    audio: bytes
    authorization: str | None


@dataclass(frozen=True)
class Recording:
    """What a recording says, and in which language it was spoken."""

    text: str
    language: str


class FakeSpeech:
    """The transcription endpoint of a speech-to-text server, with the modes tests need."""

    def __init__(self, *, api_key: str | None = None, slow_seconds: float = 5.0) -> None:
        self.api_key = api_key
        self.slow_seconds = slow_seconds
        self.mode: Mode = "ok"
        self.requests: list[Transcription] = []
        self.recordings: dict[bytes, Recording] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    def says(self, audio: bytes, text: str, language: str = "en") -> bytes:
        """Record that this audio, spoken in language, says text; return the audio."""
        self.recordings[audio] = Recording(text, language)
        return audio

    async def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5, access_log=None)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def stop(self) -> None:
        """Shut the server down."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return web.json_response({"error": {"message": "file is required", "type": "invalid_request_error"}},
                                     status=400)
        audio = upload.file.read()
        model = form.get("model")
        if not isinstance(model, str) or not model:
            return web.json_response({"error": {"message": "model is required", "type": "invalid_request_error"}},
                                     status=400)
        language, fmt = form.get("language"), form.get("response_format")
        self.requests.append(Transcription(
            model, language if isinstance(language, str) else None, fmt if isinstance(fmt, str) else None,
            upload.filename, upload.content_type, audio, request.headers.get("Authorization")))
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response({"error": {"message": "Incorrect API key provided", "type": "invalid_api_key"}},
                                     status=401)
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        if self.mode == "failing":
            return web.json_response({"error": {"message": "CUDA out of memory", "type": "server_error"}}, status=500)
        if self.mode == "garbage":
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
        recording = self.recordings.get(audio, Recording("", "en"))
        if self.mode == "wrong_language":
            # The hint is ignored: the words come back in the language they were spoken in, whatever was asked for.
            return web.json_response({"text": recording.text, "language": recording.language})
        return web.json_response({"text": recording.text})
