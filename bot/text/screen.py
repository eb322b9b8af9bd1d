"""Small helpers for showing text on a phone screen."""

from __future__ import annotations

import unicodedata

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


# Characters people use to send a "blank" message: they render as nothing.
_INVISIBLE = {"\u2800", "\u3164", "\u115f", "\u1160", "\uffa0"}


def visible(text: str) -> str:
    """Return text stripped of whitespace and invisible characters at both ends ('' if nothing shows)."""
    def shows(char: str) -> bool:
        return not (char.isspace() or char in _INVISIBLE or unicodedata.category(char) in ("Cf", "Cc", "Zs"))

    start = next((i for i, c in enumerate(text) if shows(c)), len(text))
    end = next((i for i in range(len(text), start, -1) if shows(text[i - 1])), start)
    return text[start:end]


# C0 and C1 control characters: terminals, mail clients and Jira's XML export act on them; nobody can read them.
_CONTROLS = (*range(0x20), *range(0x7F, 0xA0))
# Bidi embeddings, overrides and isolates: an unclosed one reverses the rest of the line it stands in.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_NOT_PRINTED = dict.fromkeys(code for code in _CONTROLS if chr(code) not in "\t\n")
_NOT_IN_A_LINE = dict.fromkeys(code for code in (*_CONTROLS, *_BIDI) if not chr(code).isspace())


def printable(text: str) -> str:
    """Return text without control characters; tabs and line feeds stay."""
    return text.translate(_NOT_PRINTED)


def one_line(text: str) -> str:
    """Return text as one line: line breaks and runs of spaces become one space, controls and bidi overrides go."""
    return " ".join(text.translate(_NOT_IN_A_LINE).split())


def whole_number(text: str, digits: int = 18) -> int | None:
    """Return text as a non-negative whole number of at most `digits` ASCII digits, else None.

    str.isdigit() also accepts "²" and other digits int() refuses, and longer numbers overflow SQLite's integers.
    """
    if not text or len(text) > digits or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def label(name: str, username: str | None, user_id: int) -> str:
    """Return "Ann Smith (@ann)" or whatever part of it is known, else the id."""
    handle = f"@{username}" if username else None
    if name and handle:
        return f"{name} ({handle})"
    return name or handle or str(user_id)
