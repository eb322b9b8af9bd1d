"""An optional external model that reads informal asks; off unless an admin configures its endpoint.

The bot posts the message and the templates' questions as JSON and expects
`{"template": "<id>", "answers": {"<question id>": <value>}}` back. The offline extractor always runs; the model
only fills what it left open, and a slow, failing or odd reply is ignored.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import aiohttp

from bot.intake.model_hints import ModelHints, read_hints
from bot.templates.schema import TemplateSet

log = logging.getLogger(__name__)
MAX_REPLY_BYTES = 256 * 1024


def request_body(text: str, lang: str, today: date, templates: TemplateSet) -> dict[str, Any]:
    """Return what the model is told: the message, the day, and each template's questions."""
    return {
        "text": text,
        "language": lang,
        "today": today.isoformat(),
        "templates": [{
            "id": template.id,
            "title": template.title.get(lang),
            "keywords": list(template.keywords),
            "questions": [{
                "id": q.id, "type": q.type, "text": q.text.get(lang), "required": q.required,
                "options": [o.value for o in q.options],
            } for q in template.questions if q.type != "attachments"],
        } for template in templates.templates],
    }


class ModelExtractor:
    """Asks the configured endpoint what a message says, within a time limit."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = 3.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def hints(self, text: str, lang: str, today: date, templates: TemplateSet) -> ModelHints | None:
        """Return the model's reading of text, or None when it cannot give one in time."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with self._session.post(self.url, json=request_body(text, lang, today, templates),
                                          headers=headers) as response:
                if response.status != 200:
                    log.warning("the extraction model answered HTTP %s; using the offline reading", response.status)
                    return None
                raw = await response.content.read(MAX_REPLY_BYTES + 1)
                if len(raw) > MAX_REPLY_BYTES:
                    log.warning("the extraction model's reply is too large; using the offline reading")
                    return None
                payload = json.loads(raw)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("the extraction model failed (%s); using the offline reading", type(error).__name__)
            return None
        found = read_hints(payload, templates)
        if found is None:
            log.warning("the extraction model's reply is not {template, answers}; using the offline reading")
        return found

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
