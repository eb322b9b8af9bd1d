"""Jira wiki markup: escaping user text so it shows verbatim and cannot break the page."""

from __future__ import annotations

import re
import unicodedata

# Characters that start or end wiki formatting, tables, links, macros, lists or headings.
_SPECIAL = set("*_-+^~|!{}[]#")
_LINE_MARKUP = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.MULTILINE)
BACKSLASH_ENTITY = "&#92;"


def escape(text: str) -> str:
    """Escape text for Jira wiki markup so every character renders as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for char in text:
        if char == "\\":
            # A backslash escapes the next character and "\\" is a forced line break.
            out.append(BACKSLASH_ENTITY)
        elif char in _SPECIAL:
            out.append("\\" + char)
        elif unicodedata.category(char) == "Cc" and char not in "\n\t":
            continue
        else:
            out.append(char)
    # "??" starts a citation; a lone question mark is plain text.
    escaped = "".join(out).replace("??", "\\?\\?")
    return _LINE_MARKUP.sub(lambda m: f"{m[1]}{m[2]}\\.", escaped)


def unescape(text: str) -> str:
    """Undo escape(); used to check that escaping loses nothing."""
    text = re.sub(r"^(\s*)(h[1-6]|bq)\\\.", r"\1\2.", text, flags=re.MULTILINE)
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace(BACKSLASH_ENTITY, "\\")


def slug(text: str, limit: int = 255) -> str:
    """Turn text into a Jira label: lower case, no spaces, only letters, digits and dashes."""
    folded = unicodedata.normalize("NFKC", text).casefold().lower()
    cleaned = re.sub(r"[^\w]+", "-", folded).replace("_", "-")
    return re.sub(r"-{2,}", "-", cleaned).strip("-")[:limit].strip("-")
