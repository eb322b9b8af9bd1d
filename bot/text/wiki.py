"""Jira wiki markup: escaping user text so it shows verbatim and cannot break the page."""

from __future__ import annotations

import re
import unicodedata

# Characters that start or end wiki formatting, tables, links, macros, lists or headings.
_SPECIAL = set("*_-+^~|!{}[]#")
_MARKUP_WORD = r"(h[1-6]|bq)\."  # a heading or quote, when it starts a line
_LINE_MARKUP = re.compile(r"^(\s*)" + _MARKUP_WORD, re.MULTILINE)
BACKSLASH_ENTITY = "&#92;"
# One character at a time: a backslash would escape the next character ("\\\\" is a forced line break), so it
# becomes an entity; markup characters get a backslash; control characters but newline and tab are dropped.
_ESCAPES: dict[int, str | None] = {
    **{code: None for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"},
    **{ord(char): "\\" + char for char in _SPECIAL},
    ord("\\"): BACKSLASH_ENTITY,
}


# Anything escape() would change (a "?" may start "??"): most answers have none of it, and are returned as they are.
_TOUCHED = re.compile("[" + "".join(re.escape(chr(code)) for code in _ESCAPES) + r"?]|" + _MARKUP_WORD)


def escape(text: str) -> str:
    """Escape text for Jira wiki markup so every character renders as written."""
    return text if _TOUCHED.search(text) is None else _escape_all(text)


def _escape_all(text: str) -> str:
    """Escape every character of text that needs it (escape() without its shortcut)."""
    escaped = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ESCAPES)
    # "??" starts a citation; a lone question mark is plain text.
    escaped = escaped.replace("??", "\\?\\?")
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
