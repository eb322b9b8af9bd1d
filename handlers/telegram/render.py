"""Turning engine prompts into Telegram messages: HTML text within 4096 characters, inline keyboards."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.intake.draft import Prompt
from bot.text.screen import clip
from handlers.telegram.callbacks import DIALOG, DialogTap

# Leave room for entities Telegram counts differently from Python (UTF-16 surrogate pairs).
SAFE_LIMIT = 3900


def utf16_len(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def keyboard(prompt: Prompt) -> InlineKeyboardMarkup | None:
    """Return the prompt's buttons as an inline keyboard."""
    if not prompt.buttons:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(button.label, callback_data=DIALOG.data(DialogTap(prompt.seq, button.token)))
         for button in row]
        for row in prompt.buttons
    ])


def _compose(prompt: Prompt, notice: str | None, value_limit: int, extra: str | None, lead: str | None) -> str:
    parts: list[str] = []
    if notice:
        parts.append(f"⚠️ <i>{html.escape(clip(notice, 1200))}</i>")
    if lead:
        parts.append(f"<i>{html.escape(clip(lead, 1200))}</i>")
    head = f"<b>{html.escape(prompt.text)}</b>"
    if prompt.progress:
        head = f"<b>{prompt.progress[0]}/{prompt.progress[1]}</b> · {head}"
    parts.append(head)
    if prompt.hint:
        parts.append(f"<i>{html.escape(clip(prompt.hint, 1200))}</i>")
    if prompt.current:
        parts.append(f"✏️ {html.escape(clip(prompt.current, value_limit))}")
    if prompt.rows:
        parts.append("\n".join(f"<b>{html.escape(label)}</b>\n{html.escape(clip(value, value_limit))}"
                               for label, value in prompt.rows))
    if extra:
        parts.append(html.escape(extra))
    return "\n\n".join(parts)


def _visible_length(markup: str) -> int:
    return utf16_len(html.unescape(re.sub(r"<[^>]+>", "", markup)))


def prompt_text(prompt: Prompt, notice: str | None = None, extra: str | None = None, lead: str | None = None) -> str:
    """Return the prompt as HTML that fits one Telegram message."""
    limit = 300
    text = _compose(prompt, notice, limit, extra, lead)
    while _visible_length(text) > SAFE_LIMIT and limit > 20:
        limit //= 2
        text = _compose(prompt, notice, limit, extra, lead)
    return text
