"""Small helpers for showing text on a phone screen."""

from __future__ import annotations

BUTTON_TEXT_LIMIT = 40


def short_label(text: str, limit: int = BUTTON_TEXT_LIMIT) -> str:
    """Cut a question to its first sentence and to a button's width."""
    for mark in ("?", ".", "!", ":"):
        index = text.find(mark)
        if 0 < index < len(text) - 1:
            text = text[: index + (1 if mark == "?" else 0)]
            break
    return clip(text, limit)


def clip(text: str, limit: int) -> str:
    """Shorten text to limit characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
