"""A loopback fake of the Telegram Bot API that real python-telegram-bot can poll and call."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import math
import mimetypes
import re
import socket
import struct
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

# Limits of the real Bot API.
MAX_TEXT_UTF16 = 4096
MAX_CAPTION_UTF16 = 1024
MAX_RAW_TEXT_BYTES = 1 << 15
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ANSWER_TEXT = 200

MSG_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# Telegram takes the answer to a button tap only for some seconds (not documented; about 10-15 in practice).
CALLBACK_ANSWER_SECONDS = 15.0
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Types the server leaves out when allowed_updates is not given or empty.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Params whose value is a String in the Bot API, so "123" or "true" must stay text.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "file_id",
        "action",
        "emoji",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
        "description",
        "short_description",
        "name",
        "title",
        "query",
        "document",
        "photo",
        "voice",
        "video",
        "audio",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
    }
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ApiError(Exception):
    """An error reply of the Bot API."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body the server sends for this error."""
        out: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(message: str) -> ApiError:
    """A 400 error with the server's prefix."""
    return ApiError(400, f"Bad Request: {message}")


# ---------------------------------------------------------------------------------------------------
# Text formatting: ports of tdlib's parse_html / parse_markdown_v2 / parse_markdown so that error
# texts, byte offsets and the plain text the user sees match the real server.
# ---------------------------------------------------------------------------------------------------


class ParseError(Exception):
    """An entity parse failure, reported as "can't parse entities: <message>"."""


@dataclass
class Entity:
    """A MessageEntity under construction; offsets in UTF-16 code units."""

    type: str
    offset: int
    length: int
    arg: str = ""

    def as_json(self) -> dict[str, Any]:
        """The Bot API MessageEntity object."""
        out: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": self.type}
        if self.type == "pre" and self.arg:
            out["language"] = self.arg
        elif self.type == "text_link":
            out["url"] = self.arg
        elif self.type == "custom_emoji":
            out["custom_emoji_id"] = self.arg
        elif self.type == "text_mention":
            out["user"] = json.loads(self.arg)
        return out


_PRIORITY = {
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "blockquote": 0,
    "expandable_blockquote": 0,
}
# Entities that tdlib lets auto-detected links run across; all others block them.
_SPLITTABLE = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote"}
)
_SPACE = frozenset(b" \t\r\n\x00\x0b")  # tdlib's is_space; NUL counts, as it ends C strings
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_V2_NAMES = {
    "Bold": "bold",
    "Italic": "italic",
    "Underline": "underline",
    "Strikethrough": "strikethrough",
    "Spoiler": "spoiler",
    "Code": "code",
    "Pre": "pre",
    "PreCode": "pre",
    "TextUrl": "text_link",
    "CustomEmoji": "custom_emoji",
    "BlockQuote": "blockquote",
    "ExpandableBlockQuote": "expandable_blockquote",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _lead(c: int) -> bool:
    return (c & 0xC0) != 0x80


def _units(c: int) -> int:
    # A 4-byte UTF-8 sequence is a surrogate pair in UTF-16.
    return 2 if c >= 0xF0 else 1


def _alpha(c: int) -> bool:
    return 0x61 <= (c | 0x20) <= 0x7A


def _alnum(c: int) -> bool:
    return _alpha(c) or 0x30 <= c <= 0x39


def _decode(raw: bytes | bytearray) -> str:
    return bytes(raw).decode("utf-8", "replace")


def _user_link(url: str) -> int | None:
    """The user id of a tg://user?id=N link, as tdlib's get_link_user_id."""
    low = url.lower()
    if not low.startswith("tg:"):
        return None
    rest = low[3:].removeprefix("//")
    if not rest.startswith("user") or (len(rest) > 4 and rest[4] not in "/?#"):
        return None
    rest = rest[4:].removeprefix("/")
    if not rest.startswith("?"):
        return None
    for part in rest[1:].split("#")[0].split("&"):
        key, _, value = part.partition("=")
        if key == "id" and value.isdigit():
            return int(value)
    return None


def checked_link(url: str) -> str:
    """A normalised URL, or "" where the server would drop the link."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return ""
    low = url.lower()
    if low.startswith(("tg:", "ton:", "tonsite:")):
        scheme, _, rest = url.partition(":")
        rest = rest.removeprefix("//")
        return f"{scheme.lower()}://{rest}" if rest else ""
    match = re.match(r"^(https?)://([^/?#]+)(.*)$", url, re.IGNORECASE)
    if match is None:
        if "://" in url or url.startswith(("/", ".")) or ":" in url.split("/")[0]:
            return ""
        match = re.match(r"^()([^/?#]+)(.*)$", url)
        assert match is not None
    scheme = (match.group(1) or "http").lower()
    host, tail = match.group(2), match.group(3)
    if "." not in host and host.lower() != "localhost":
        return ""
    return f"{scheme}://{host}{tail or '/'}"


def _html_entity(t: bytes, pos: int) -> tuple[int, int]:
    """Decode an HTML character reference at t[pos] == '&'; (0, pos) when it is not one."""
    n = len(t)

    def at(k: int) -> int:
        return t[k] if k < n else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == 0x23:  # '#'
        end += 1
        if at(pos + 2) == 0x78:  # 'x'
            end += 1
            while at(end) and chr(at(end)) in "0123456789abcdefABCDEF":
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while 0x30 <= at(end) <= 0x39:
                code = code * 10 + at(end) - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _alpha(at(end)):
            end += 1
        code = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(t[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    return code, end + 1 if at(end) == 0x3B else end


def _utf8(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


def parse_html(src: str, resolve_user: Callable[[int], dict[str, Any] | None]) -> tuple[str, list[Entity]]:
    """Telegram's HTML parse mode: the plain text and its entities, or ParseError."""
    t = src.encode("utf-8", "surrogatepass")
    n = len(t)

    def at(k: int) -> int:
        return t[k] if k < n else 0

    out = bytearray()
    ents: list[Entity] = []
    u16 = 0
    nested: list[tuple[str, str, int, int]] = []  # tag, argument, UTF-16 offset, byte offset in out
    i = 0
    while i < n:
        c = t[i]
        if c == 0x26:
            code, nxt = _html_entity(t, i)
            if code:
                u16 += 2 if code > 0xFFFF else 1
                out += _utf8(code)
                i = nxt
                continue
        if c != 0x3C:
            if _lead(c):
                u16 += _units(c)
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != 0x2F:
            while at(i) not in _SPACE and at(i) != 0x3E:
                i += 1
            if at(i) == 0:
                raise ParseError(f"Unclosed start tag at byte offset {begin}")
            tag = _decode(t[begin + 1 : i].lower())
            if tag not in _HTML_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            arg = ""
            while at(i) != 0x3E:
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) == 0x3E:
                    break
                name_begin = i
                while at(i) not in _SPACE and at(i) not in b"=>/\"'":
                    i += 1
                name = t[name_begin:i]
                if not name:
                    raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) != 0x3D:
                    if at(i) == 0:
                        raise ParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and name == b"expandable":
                        arg = "1"
                    continue
                i += 1
                while at(i) != 0 and at(i) in _SPACE:
                    i += 1
                if at(i) == 0:
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (0x22, 0x27):
                    token_begin = i
                    while _alnum(at(i)) or at(i) in (0x2E, 0x2D):
                        i += 1
                    value = _decode(t[token_begin:i].lower())
                    if at(i) not in _SPACE and at(i) != 0x3E:
                        raise ParseError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = at(i)
                    i += 1
                    raw = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == 0x26:
                            code, nxt = _html_entity(t, i)
                            if code:
                                raw += _utf8(code)
                                i = nxt
                                continue
                        raw.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = _decode(raw)
                if at(i) == 0:
                    raise ParseError(f"Unclosed start tag at byte offset {begin}")
                attr = name.decode("latin-1")
                if (tag, attr) in (("a", "href"), ("tg-emoji", "emoji-id")):
                    arg = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    arg = value[9:]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    arg = value[3:]
                elif tag == "blockquote" and attr == "expandable":
                    arg = "1"
            if tag == "span" and arg != "spoiler":
                raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            nested.append((tag, arg, u16, len(out)))
        else:
            if not nested:
                raise ParseError(f"Unexpected end tag at byte offset {begin}")
            while at(i) not in _SPACE and at(i) != 0x3E:
                i += 1
            end_tag = _decode(t[begin + 2 : i].lower())
            while at(i) in _SPACE and at(i) != 0:
                i += 1
            if at(i) != 0x3E:
                raise ParseError(f"Unclosed end tag at byte offset {begin}")
            tag, arg, offset, out_begin = nested[-1]
            if end_tag and end_tag != tag:
                raise ParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_tag}>"'
                )
            if u16 > offset:
                _html_close(ents, tag, arg, offset, u16 - offset, _decode(out[out_begin:]), resolve_user)
            nested.pop()
        i += 1
    if nested:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    for ent in ents:
        if ent.type == "code":
            ent.arg = ""
    try:
        text = bytes(out).decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    return text, ents


def _html_close(
    ents: list[Entity],
    tag: str,
    arg: str,
    offset: int,
    length: int,
    inner: str,
    resolve_user: Callable[[int], dict[str, Any] | None],
) -> None:
    simple = {
        "i": "italic",
        "em": "italic",
        "b": "bold",
        "strong": "bold",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "u": "underline",
        "ins": "underline",
        "tg-spoiler": "spoiler",
        "span": "spoiler",
    }
    last = ents[-1] if ents else None
    same_span = last is not None and last.offset == offset and last.length == length
    if tag in simple:
        ents.append(Entity(simple[tag], offset, length))
    elif tag == "tg-emoji":
        if not arg.isdigit() or int(arg) == 0:
            raise ParseError("Invalid custom emoji identifier specified")
        ents.append(Entity("custom_emoji", offset, length, arg))
    elif tag == "tg-time":
        pass  # the tag is accepted; its date entity is not modelled
    elif tag == "a":
        _add_link(ents, arg or inner, offset, length, resolve_user)
    elif tag == "pre":
        if last is not None and same_span and last.type == "code" and last.arg:
            last.type = "pre"
        else:
            ents.append(Entity("pre", offset, length))
    elif tag == "code":
        if last is not None and same_span and last.type == "pre" and arg:
            last.arg = arg
        else:
            ents.append(Entity("code", offset, length, arg))
    elif tag == "blockquote":
        ents.append(Entity("expandable_blockquote" if arg else "blockquote", offset, length))


def _add_link(
    ents: list[Entity],
    url: str,
    offset: int,
    length: int,
    resolve_user: Callable[[int], dict[str, Any] | None],
) -> None:
    user_id = _user_link(url)
    if user_id is not None:
        user = resolve_user(user_id)
        if user is not None:
            ents.append(Entity("text_mention", offset, length, json.dumps(user)))
        return
    link = checked_link(url)
    if link:
        ents.append(Entity("text_link", offset, length, link))


def _reserved(ch: int) -> str:
    return f"Character '{chr(ch)}' is reserved and must be escaped with the preceding '\\'"


def parse_markdown_v2(
    src: str, resolve_user: Callable[[int], dict[str, Any] | None]
) -> tuple[str, list[Entity]]:
    """Telegram's MarkdownV2 parse mode: the plain text and its entities, or ParseError."""
    t = src.encode("utf-8", "surrogatepass")
    n = len(t)

    def at(k: int) -> int:
        return t[k] if k < n else 0

    out = bytearray()
    ents: list[Entity] = []
    u16 = 0
    # type, argument, UTF-16 offset, byte offset in the source, byte offset in out
    nested: list[list[Any]] = []
    have_quote = False
    can_start_quote = True
    i = -1
    while True:
        i += 1
        if i >= n:
            break
        c = t[i]
        if c == 0x5C and 0 < at(i + 1) <= 126:
            i += 1
            u16 += 1
            out.append(t[i])
            if t[i] != 0x0D:
                can_start_quote = t[i] == 0x0A
            continue
        reserved = b"_*[]()~`>#+-=|{}.!\n"
        if nested and nested[-1][0] in ("Code", "Pre", "PreCode"):
            reserved = b"`"
        if c not in reserved:
            if _lead(c):
                u16 += _units(c)
                if c != 0x0D:
                    can_start_quote = False
            out.append(c)
            continue
        if _v2_is_end(nested, have_quote, c, at, i):
            i, u16, have_quote, can_start_quote = _v2_close(
                n, nested, ents, out, at, i, u16, c, have_quote, can_start_quote, resolve_user
            )
            continue
        start = i
        kind: str | None
        arg = ""
        if c == 0x5F:
            if at(i + 1) == 0x5F:
                kind = "Underline"
                i += 1
            else:
                kind = "Italic"
        elif c == 0x2A:
            kind = "Bold"
        elif c == 0x7E:
            kind = "Strikethrough"
        elif c == 0x7C:
            if at(i + 1) != 0x7C:
                raise ParseError(_reserved(c))
            i += 1
            kind = "Spoiler"
        elif c == 0x5B:
            kind = "TextUrl"
        elif c == 0x60:
            if at(i + 1) == 0x60 and at(i + 2) == 0x60:
                i += 3
                kind = "Pre"
                lang_end = i
                while at(lang_end) not in _SPACE and at(lang_end) != 0x60:
                    lang_end += 1
                if i != lang_end and lang_end < n and at(lang_end) != 0x60:
                    kind = "PreCode"
                    arg = _decode(t[i:lang_end])
                    i = lang_end
                if at(i) in (0x0A, 0x0D):
                    if at(i + 1) in (0x0A, 0x0D) and at(i) != at(i + 1):
                        i += 2
                    else:
                        i += 1
                i -= 1
            else:
                kind = "Code"
        elif c == 0x21:
            if at(i + 1) != 0x5B:
                raise ParseError(_reserved(c))
            i += 1
            kind = "CustomEmoji"
        elif c == 0x0A:
            u16 += 1
            out.append(0x0A)
            can_start_quote = True
            kind = None
        elif c == 0x3E:
            if not can_start_quote:
                raise ParseError(_reserved(c))
            if have_quote:
                kind = None
            else:
                kind = "BlockQuote"
                have_quote = True
        else:
            raise ParseError(_reserved(c))
        if kind is not None:
            nested.append([kind, arg, u16, start, len(out)])
    if have_quote:
        kind = "BlockQuote"
        if nested[-1][0] == "Spoiler" and nested[-1][3] == n - 2:
            nested.pop()
            kind = "ExpandableBlockQuote"
        if nested[-1][0] == "BlockQuote":
            offset = nested[-1][2]
            if u16 != offset:
                ents.append(Entity(_V2_NAMES[kind], offset, u16 - offset))
            nested.pop()
    if nested:
        raise ParseError(f"Can't find end of {nested[-1][0]} entity at byte offset {nested[-1][3]}")
    return _decode(out), ents


def _v2_is_end(nested: list[list[Any]], have_quote: bool, c: int, at: Callable[[int], int], i: int) -> bool:
    if not nested:
        return False
    if have_quote and c == 0x0A and at(i + 1) != 0x3E:
        return True
    kind = nested[-1][0]
    ends: dict[str, bool] = {
        "Bold": c == 0x2A,
        "Italic": c == 0x5F and at(i + 1) != 0x5F,
        "Code": c == 0x60,
        "Pre": c == 0x60 and at(i + 1) == 0x60 and at(i + 2) == 0x60,
        "PreCode": c == 0x60 and at(i + 1) == 0x60 and at(i + 2) == 0x60,
        "TextUrl": c == 0x5D,
        "Underline": c == 0x5F and at(i + 1) == 0x5F,
        "Strikethrough": c == 0x7E,
        "Spoiler": c == 0x7C and at(i + 1) == 0x7C,
        "CustomEmoji": c == 0x5D,
    }
    return ends.get(kind, False)


def _v2_url(at: Callable[[int], int], i: int, n: int) -> tuple[str, int]:
    """Read "(url)" starting at i == '(' + 1; returns the URL and the index of ')'."""
    url = bytearray()
    begin = i
    while i < n and at(i) != 0x29:
        if at(i) == 0x5C and 0 < at(i + 1) <= 126:
            url.append(at(i + 1))
            i += 2
            continue
        url.append(at(i))
        i += 1
    if at(i) != 0x29:
        raise ParseError(f"Can't find end of a URL at byte offset {begin}")
    return _decode(url), i


def _v2_close(
    n: int,
    nested: list[list[Any]],
    ents: list[Entity],
    out: bytearray,
    at: Callable[[int], int],
    i: int,
    u16: int,
    c: int,
    have_quote: bool,
    can_start_quote: bool,
    resolve_user: Callable[[int], dict[str, Any] | None],
) -> tuple[int, int, bool, bool]:
    kind, arg, offset, byte_offset, out_begin = nested[-1]
    if c == 0x0A and kind != "BlockQuote":
        spoiler_at_end = kind == "Spoiler" and (
            byte_offset == i - 2 or (byte_offset == i - 3 and out and out[-1] == 0x0D)
        )
        if not spoiler_at_end:
            raise ParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")
        nested.pop()
        kind, arg, offset, byte_offset, out_begin = nested[-1]
        if kind != "BlockQuote":
            raise ParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")
        kind = "ExpandableBlockQuote"
    skip = u16 == offset
    link: str | None = None
    if kind in ("Underline", "Spoiler"):
        i += 1
    elif kind in ("Pre", "PreCode"):
        i += 2
    elif kind == "TextUrl":
        if at(i + 1) != 0x28:
            link = _decode(out[out_begin:])
        else:
            link, i = _v2_url(at, i + 2, n)
    elif kind == "CustomEmoji":
        if at(i + 1) != 0x28:
            raise ParseError("The entity must contain a tg://emoji or tg://time URL")
        url, i = _v2_url(at, i + 2, n)
        match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
        if match is None or int(match.group(1)) == 0:
            raise ParseError("Invalid tg://emoji or tg://time URL specified")
        arg = match.group(1)
    elif kind in ("BlockQuote", "ExpandableBlockQuote"):
        have_quote = False
        out.append(c)
        can_start_quote = True
        u16 += 1
        skip = False
    if not skip:
        if link is not None:
            _add_link(ents, link, offset, u16 - offset, resolve_user)
        else:
            ents.append(Entity(_V2_NAMES[kind], offset, u16 - offset, arg))
    nested.pop()
    return i, u16, have_quote, can_start_quote


def parse_markdown(
    src: str, resolve_user: Callable[[int], dict[str, Any] | None]
) -> tuple[str, list[Entity]]:
    """Telegram's legacy Markdown parse mode: the plain text and its entities, or ParseError."""
    t = src.encode("utf-8", "surrogatepass")
    n = len(t)

    def at(k: int) -> int:
        return t[k] if k < n else 0

    out = bytearray()
    ents: list[Entity] = []
    u16 = 0
    i = -1
    while True:
        i += 1
        if i >= n:
            break
        c = t[i]
        if c == 0x5C and at(i + 1) in b"_*`[":
            i += 1
            out.append(t[i])
            u16 += 1
            continue
        if c not in b"_*`[":
            if _lead(c):
                u16 += _units(c)
            out.append(c)
            continue
        begin = i
        end_char = 0x5D if c == 0x5B else c
        is_pre = False
        lang = ""
        i += 1
        if c == 0x60 and at(i) == 0x60 and at(i + 1) == 0x60:
            i += 2
            is_pre = True
            lang_end = i
            while at(lang_end) not in _SPACE and at(lang_end) != 0x60:
                lang_end += 1
            if i != lang_end and lang_end < n and at(lang_end) != 0x60:
                lang = _decode(t[i:lang_end])
                i = lang_end
            if at(i) in (0x0A, 0x0D):
                i += 2 if at(i + 1) in (0x0A, 0x0D) and at(i) != at(i + 1) else 1
        offset = u16
        out_begin = len(out)
        while i < n and (at(i) != end_char or (is_pre and not (at(i + 1) == 0x60 and at(i + 2) == 0x60))):
            if _lead(at(i)):
                u16 += _units(at(i))
            out.append(at(i))
            i += 1
        if i == n:
            raise ParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if offset != u16:
            length = u16 - offset
            if c == 0x5F:
                ents.append(Entity("italic", offset, length))
            elif c == 0x2A:
                ents.append(Entity("bold", offset, length))
            elif c == 0x5B:
                if at(i + 1) != 0x28:
                    url = _decode(out[out_begin:])
                else:
                    i += 2
                    raw = bytearray()
                    while i < n and at(i) != 0x29:
                        raw.append(at(i))
                        i += 1
                    url = _decode(raw)
                _add_link(ents, url, offset, length, resolve_user)
            elif is_pre:
                ents.append(Entity("pre", offset, length, lang))
            else:
                ents.append(Entity("code", offset, length))
        if is_pre:
            i += 2
    return _decode(out), ents


_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*(?![\w#])")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![\w$])")),
)


def _u16_index(text: str) -> list[int]:
    """UTF-16 offset of every str index (and of the end)."""
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return out


def find_entities(text: str, *, bot_commands: bool = True) -> list[Entity]:
    """Entities the server detects by itself: links, e-mails, commands, mentions, hashtags."""
    pos = _u16_index(text)
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _AUTO_PATTERNS:
        if kind == "bot_command" and not bot_commands:
            continue
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)'\"":
                    end -= 1
            found.append((start, end, kind))
    found.sort()
    out: list[Entity] = []
    taken_end = -1
    for start, end, kind in found:
        if start >= taken_end:
            out.append(Entity(kind, pos[start], pos[end] - pos[start]))
            taken_end = end
    return out


def sort_entities(ents: list[Entity]) -> None:
    """Order as tdlib does: by offset, longer first, then by type priority."""
    ents.sort(key=lambda e: (e.offset, -e.length, _PRIORITY.get(e.type, 50)))


# Characters tdlib counts as blank when deciding that a text is empty.
_BLANK = frozenset(
    " \n\t\v\x00\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202e\u202f\u205f\u2800\u3000\ufffc"
)
# Removed outright by tdlib's clean_input_string: line/paragraph separators, bidi embeddings, some combiners.
_DROPPED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")


def clean_text(text: str, ents: list[Entity]) -> tuple[str, list[Entity]]:
    """Drop or blank the characters tdlib's clean_input_string does, keeping entities in place."""
    old_pos = _u16_index(text)
    by_u16 = {u: i for i, u in enumerate(old_pos)}
    out: list[str] = []
    new_pos = [0]  # new UTF-16 offset at every old str index
    for ch in text:
        if ch in _DROPPED:
            new_pos.append(new_pos[-1])
            continue
        out.append(" " if ord(ch) < 32 and ch != "\n" else ch)
        new_pos.append(new_pos[-1] + utf16_len(ch))
    for e in ents:
        start, end = by_u16.get(e.offset), by_u16.get(e.offset + e.length)
        if start is not None and end is not None:
            e.offset, e.length = new_pos[start], new_pos[end] - new_pos[start]
    return "".join(out), ents


def finish_text(text: str, ents: list[Entity], *, bot_commands: bool) -> tuple[str, list[Entity]] | None:
    """Clean, trim and auto-detect as tdlib's fix_formatted_text; None when nothing visible is left."""
    text, ents = clean_text(text, [e for e in ents if e.length > 0])
    ents = [e for e in ents if e.length > 0]
    sort_entities(ents)
    if all(ch in _BLANK or 0xE0000 <= ord(ch) <= 0xE01FF for ch in text):
        return None
    pos = _u16_index(text)
    last = len(text) - 1
    while last >= 0 and text[last] in " \n":
        last -= 1
    if last < 0:
        return None
    # The server trims trailing spaces and newlines, cutting entities that covered them.
    end16 = pos[last + 1]
    text = text[: last + 1]
    ents = [e for e in ents if e.offset < end16]
    for e in ents:
        e.length = min(e.length, end16 - e.offset)
    # Leading spaces go too, but only up to the first entity.
    first_ent = ents[0].offset if ents else end16
    lead = 0
    while lead < len(text) and pos[lead] < first_ent and text[lead] in " \n":
        lead += 1
    if lead:
        text = text[lead:]
        for e in ents:
            e.offset -= lead
    blocking = [(e.offset, e.offset + e.length) for e in ents if e.type not in _SPLITTABLE]
    for auto in find_entities(text, bot_commands=bot_commands):
        a, b = auto.offset, auto.offset + auto.length
        if all(b <= s or a >= t for s, t in blocking):
            ents.append(auto)
    sort_entities(ents)
    return text, ents


# ---------------------------------------------------------------------------------------------------
# Media helpers
# ---------------------------------------------------------------------------------------------------


def make_png(width: int = 640, height: int = 480) -> bytes:
    """A small valid grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x80" * width
    pixels = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG, WebP or BMP; None when data is not an image."""
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        return None
    if (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or data[:2] == b"BM":
        return 512, 512  # dimensions of these are not parsed; any plausible size will do
    return None


def photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The PhotoSize ladder the server makes: 90, 320, 800, 1280 and up to 2560 on the long side."""
    side = max(width, height)
    sizes = []
    for limit in (90, 320, 800, 1280):
        if side > limit:
            scale = limit / side
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    scale = min(1.0, 2560 / side)
    sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    return sizes


# ---------------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class ApiCall:
    """One request from the bot: canonical method name, decoded params and the outcome."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int | None = None  # None while in flight or when the bot hung up
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)  # when the request was read, on the monotonic clock

    def __str__(self) -> str:
        """One line for failure dumps."""
        shown = {
            k: (f"<{len(v.content)} bytes>" if isinstance(v, UploadedFile) else v)
            for k, v in self.params.items()
        }
        outcome = "pending" if self.status is None else str(self.status)
        if self.error:
            outcome += f" {self.error}"
        return f"{self.method}({shown}) -> {outcome}"


_FILE_PREFIX = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
_FILE_FOLDER = {
    "document": ("documents", ""),
    "photo": ("photos", ".jpg"),
    "voice": ("voice", ".oga"),
    "video": ("videos", ".mp4"),
    "sticker": ("stickers", ".webp"),
}


@dataclass
class StoredFile:
    """A file the fake server holds; content None means only its size is known."""

    file_id: str
    file_unique_id: str
    content: bytes | None
    file_size: int
    kind: str = "document"
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0
    file_path: str | None = None

    def data(self) -> bytes:
        """The bytes served on download (zeros for a file known only by size)."""
        return self.content if self.content is not None else bytes(self.file_size)

    def as_document(self) -> dict[str, Any]:
        """The Document object."""
        out: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name is not None:
            out["file_name"] = self.file_name
        if self.mime_type is not None:
            out["mime_type"] = self.mime_type
        out["file_size"] = self.file_size
        return out

    def as_photo_size(self) -> dict[str, Any]:
        """The PhotoSize object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width,
            "height": self.height,
        }

    def as_file(self) -> dict[str, Any]:
        """The File object getFile returns."""
        out: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_path is not None:
            out["file_path"] = self.file_path
        return out


@dataclass
class BotMessage:
    """A message the bot put in a chat, in its current state."""

    message_id: int
    chat_id: int
    text: str
    raw_text: str
    parse_mode: str | None
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_keyboard: list[list[dict[str, Any]]] | None = None
    edits: int = 0
    deleted: bool = False
    reply_to_message_id: int | None = None
    kind: str = "text"
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None  # as sent, of any markup type
    file: StoredFile | None = None
    photo: list[StoredFile] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # earlier plain texts, oldest first
    date: int = 0
    edit_date: int | None = None

    def buttons(self) -> list[str]:
        """Labels of the inline buttons, row by row."""
        return [str(button.get("text", "")) for row in self.inline_keyboard for button in row]

    def reply_buttons(self) -> list[str]:
        """Labels of the reply keyboard sent with this message."""
        return [str(button["text"]) for row in self.reply_keyboard or [] for button in row]


class ChatLog:
    """What a user sees in their private chat with the bot (or the members of a group chat, for a group)."""

    def __init__(self, user: FakeUser | FakeGroup) -> None:
        self.user = user
        self.chat_id = user.id
        self.all: list[BotMessage] = []  # includes deleted messages
        self.user_messages: dict[int, dict[str, Any]] = {}
        self.deleted_user_messages: set[int] = set()
        self.actions: list[str] = []
        self.keyboard_hidden = False
        self._ids = itertools.count(1)

    def next_message_id(self) -> int:
        """Message ids in a chat are shared by both sides."""
        return next(self._ids)

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages still visible, oldest first."""
        return [m for m in self.all if not m.deleted]

    @property
    def last(self) -> BotMessage:
        """The newest visible bot message."""
        visible = self.messages
        if not visible:
            raise AssertionError(f"the bot has shown nothing in chat {self.chat_id}")
        return visible[-1]

    @property
    def texts(self) -> list[str]:
        """Plain texts of the visible bot messages."""
        return [m.text for m in self.messages]

    def get(self, message_id: int) -> BotMessage:
        """A bot message by id, deleted or not."""
        for message in self.all:
            if message.message_id == message_id:
                return message
        raise AssertionError(f"no bot message {message_id} in chat {self.chat_id}")

    def find(self, message_id: int) -> BotMessage | None:
        """A bot message by id, or None."""
        return next((m for m in self.all if m.message_id == message_id), None)

    def with_inline_keyboard(self) -> BotMessage | None:
        """The newest visible bot message that has inline buttons."""
        return next((m for m in reversed(self.messages) if m.inline_keyboard), None)

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]] | None:
        """The reply keyboard shown under the input field, if any."""
        if self.keyboard_hidden:
            return None
        for message in reversed(self.all):
            markup = message.reply_markup or {}
            if markup.get("remove_keyboard"):
                return None
            if message.reply_keyboard is not None:
                return message.reply_keyboard
        return None

    def transcript(self) -> str:
        """A readable dump of the chat for failure messages."""
        lines = []
        for message in self.all:
            flags = " (deleted)" if message.deleted else ""
            buttons = f" {message.buttons()}" if message.inline_keyboard else ""
            lines.append(f"  #{message.message_id} {message.kind}{flags}: {message.text!r}{buttons}")
        return "\n".join(lines) or "  (empty)"


def _client_text(key: str, text: str) -> dict[str, Any]:
    """Text as a Telegram client sends it: cleaned, trimmed, with detected entities."""
    done = finish_text(text, [], bot_commands=True)
    if done is None:
        raise AssertionError(f"Telegram clients do not send blank messages: {text!r}")
    clean, entities = done
    out: dict[str, Any] = {key: clean}
    if entities:
        out["entities" if key == "text" else "caption_entities"] = [e.as_json() for e in entities]
    return out


class FakeUser:
    """A human in a private chat with the bot; the chat id equals the user id."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        username: str | None,
        last_name: str | None,
        language_code: str | None,
    ) -> None:
        self._fake = fake
        self.id = user_id
        self.first_name = first_name
        self.username = username
        self.last_name = last_name
        self.language_code = language_code
        self.chat = ChatLog(self)
        self.callback_answers: list[dict[str, Any]] = []
        self.started = False  # the bot can reach a user only after they wrote to it
        self.blocked = False
        self.seen_by_bot = False  # the bot saw them in a group: writing to them first is refused with 403

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def as_json(self) -> dict[str, Any]:
        """The User object of this person."""
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            out["last_name"] = self.last_name
        if self.username is not None:
            out["username"] = self.username
        if self.language_code is not None:
            out["language_code"] = self.language_code
        return out

    def chat_json(self) -> dict[str, Any]:
        """The Chat object of the private chat with this person."""
        out: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name is not None:
            out["last_name"] = self.last_name
        if self.username is not None:
            out["username"] = self.username
        out["type"] = "private"
        return out

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages this user can still see, after edits."""
        return self.chat.messages

    @property
    def last(self) -> BotMessage:
        """The newest bot message this user can see."""
        return self.chat.last

    async def send(self, text: str, *, reply_to: int | None = None) -> int:
        """Type and send a text message; returns the update_id."""
        return await self._post(_client_text("text", text), reply_to)

    async def press(self, label: str) -> int:
        """Press a button of the reply keyboard, which sends its label as text."""
        keyboard = self.chat.reply_keyboard
        labels = [str(b["text"]) for row in keyboard or [] for b in row]
        if label not in labels:
            raise AssertionError(f"no reply-keyboard button {label!r}; the keyboard shows {labels}")
        for message in reversed(self.chat.all):
            if message.reply_keyboard is not None:
                if (message.reply_markup or {}).get("one_time_keyboard"):
                    self.chat.keyboard_hidden = True
                break
        return await self.send(label)

    async def send_sticker(self, emoji: str = "😀") -> int:
        """Send a sticker."""
        stored = self._fake.add_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", kind="sticker", mime_type="image/webp")
        stored.width = stored.height = 512
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "FakeStickers",
            "file_size": stored.file_size,
        }
        return await self._post({"sticker": sticker})

    async def send_photo(
        self,
        content: bytes | None = None,
        caption: str | None = None,
        *,
        size: int | None = None,
        width: int = 640,
        height: int = 480,
        reply_to: int | None = None,
    ) -> int:
        """Send a photo, delivered as several PhotoSize entries like the real API (default: a PNG)."""
        if content is None and size is None:
            content = make_png(width, height)
        if content is not None:
            found = image_size(content)
            if found is None:
                raise AssertionError("Telegram clients only send real images as photos; use send_document")
            width, height = found
        sizes = self._fake.photo_files(content, width, height, size=size)
        return await self._post({"photo": [s.as_photo_size() for s in sizes], **self._caption(caption)}, reply_to)

    async def send_document(
        self,
        content: bytes | None,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        size: int | None = None,
        caption: str | None = None,
    ) -> int:
        """Send a file; content None with size stands for a big file."""
        stored = self._fake.add_file(content, size=size, file_name=file_name, mime_type=mime_type)
        return await self._post({"document": stored.as_document(), **self._caption(caption)})

    async def send_voice(
        self, content: bytes = b"OggS\x00fake-voice", *, duration: int = 3, size: int | None = None
    ) -> int:
        """Send a voice note."""
        stored = self._fake.add_file(content, size=size, kind="voice", mime_type="audio/ogg")
        stored.duration = duration
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return await self._post({"voice": voice})

    async def send_video(
        self,
        content: bytes | None = b"\x00\x00\x00\x18ftypmp42fake-video",
        *,
        file_name: str = "video.mp4",
        duration: int = 5,
        width: int = 1280,
        height: int = 720,
        size: int | None = None,
        caption: str | None = None,
    ) -> int:
        """Send a video."""
        stored = self._fake.add_file(
            content, size=size, kind="video", file_name=file_name, mime_type="video/mp4"
        )
        stored.width, stored.height, stored.duration = width, height, duration
        video = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "duration": duration,
            "file_name": file_name,
            "mime_type": "video/mp4",
            "file_size": stored.file_size,
        }
        return await self._post({"video": video, **self._caption(caption)})

    async def forward(self, text: str, from_name: str, *, from_user_id: int | None = None) -> int:
        """Forward someone's text message; without from_user_id the sender hides their account."""
        origin: dict[str, Any]
        date = int(time.time()) - 3600
        if from_user_id is None:
            origin = {"type": "hidden_user", "date": date, "sender_user_name": from_name}
        else:
            sender = {"id": from_user_id, "is_bot": False, "first_name": from_name}
            origin = {"type": "user", "date": date, "sender_user": sender}
        return await self._post({"forward_origin": origin, **_client_text("text", text)})

    async def tap(self, label: str) -> int:
        """Tap the inline button with exactly this label on the newest message that has inline buttons."""
        message = self.chat.with_inline_keyboard()
        if message is None:
            raise AssertionError(
                f"{self!r} sees no message with inline buttons; the chat is:\n{self.chat.transcript()}"
            )
        for row in message.inline_keyboard:
            for button in row:
                if button.get("text") != label:
                    continue
                if "callback_data" not in button:
                    kinds = sorted(k for k in button if k != "text")
                    raise AssertionError(
                        f"button {label!r} is a {kinds} button: tapping it sends the bot nothing"
                    )
                return await self._fake.inject_callback(self, message, str(button["callback_data"]))
        raise AssertionError(
            f"no button {label!r} on message #{message.message_id} ({message.text!r}); "
            f"its buttons are {message.buttons()}"
        )

    async def tap_data(self, data: str, message_id: int | None = None) -> int:
        """Send a callback query with arbitrary data, as from a stale or crafted button."""
        if message_id is None:
            visible = self.chat.messages
            message = self.chat.with_inline_keyboard() or (visible[-1] if visible else None)
            if message is None:
                raise AssertionError(f"{self!r} sees no bot message to tap on")
        else:
            message = self.chat.get(message_id)
            if message.deleted:
                raise AssertionError(f"message #{message_id} was deleted; nothing to tap")
        return await self._fake.inject_callback(self, message, data)

    @staticmethod
    def _caption(caption: str | None) -> dict[str, Any]:
        if caption is None:
            return {}
        try:
            return _client_text("caption", caption)
        except AssertionError:
            return {}  # a blank caption is simply not there

    async def _post(self, content: dict[str, Any], reply_to: int | None = None) -> int:
        return await self._fake.inject_message(self, content, reply_to)

# The emoji anyone may react with (Bot API ReactionTypeEmoji); others only as a custom emoji (Telegram Premium).
STANDARD_REACTIONS = frozenset({
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮", "💩", "🙏", "👌",
    "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐",
    "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍",
    "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾",
    "🤷‍♂", "🤷", "🤷‍♀", "😡",
})


@dataclass(frozen=True)
class Posted:
    """A message a member posted in a group: its id, and the update the bot got (None when it sees no such update)."""

    message_id: int
    update_id: int | None


class FakeGroup:
    """A group chat with the bot in it: members post, reply and react; the bot sees what its rights let it see.

    In privacy mode (the default for bots) the bot receives only commands and replies to its own messages; as an
    admin, or with privacy mode off, every message. Reactions reach only a bot that is an admin of the group.
    """

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str, *, privacy: bool, bot_admin: bool) -> None:
        self._fake = fake
        self.id = chat_id
        self.title = title
        self.privacy = privacy
        self.bot_admin = bot_admin
        self.bot_member = True
        self.blocked = False
        self.chat = ChatLog(self)
        self.members: set[int] = set()  # who is in the group (anyone who posted or reacted, or joined)
        self._reactions: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def join(self, user: FakeUser) -> None:
        """Make someone a member of the group without their saying anything."""
        self.members.add(user.id)

    def leave(self, user: FakeUser) -> None:
        """Someone leaves the group."""
        self.members.discard(user.id)

    def __repr__(self) -> str:
        return f"FakeGroup({self.id}, {self.title!r})"

    def chat_json(self) -> dict[str, Any]:
        """The Chat object of this group."""
        return {"id": self.id, "title": self.title, "type": "supergroup", "is_forum": False}

    @property
    def messages(self) -> list[BotMessage]:
        """Bot messages in the group, after edits."""
        return self.chat.messages

    def _sees(self, message: dict[str, Any]) -> bool:
        if self.bot_admin or not self.privacy:
            return True
        text = str(message.get("text") or message.get("caption") or "")
        replied = message.get("reply_to_message") or {}
        return text.startswith("/") or (replied.get("from") or {}).get("id") == self._fake.bot_id

    async def _post(self, user: FakeUser, content: dict[str, Any], reply_to: int | None) -> Posted:
        message: dict[str, Any] = {
            "message_id": self.chat.next_message_id(),
            "from": user.as_json(),
            "chat": self.chat_json(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = self._fake._any_message_json(self.chat, reply_to)
        message.update(content)
        self.chat.user_messages[message["message_id"]] = message
        self.members.add(user.id)
        if not self.bot_member or not self._sees(message):
            return Posted(message["message_id"], None)
        user.seen_by_bot = True
        update_id = self._fake._push({"message": message})
        await asyncio.sleep(0)
        return Posted(message["message_id"], update_id)

    async def post(self, user: FakeUser, text: str, *, reply_to: int | None = None) -> Posted:
        """A member sends a text message to the group, perhaps as a reply."""
        return await self._post(user, _client_text("text", text), reply_to)

    async def post_voice(self, user: FakeUser, content: bytes, *, duration: int = 4) -> Posted:
        """A member sends a voice note to the group."""
        stored = self._fake.add_file(content, kind="voice", mime_type="audio/ogg")
        stored.duration = duration
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "duration": duration,
                 "mime_type": "audio/ogg", "file_size": stored.file_size}
        return await self._post(user, {"voice": voice}, None)

    async def react(self, user: FakeUser, message_id: int, emoji: str | None = None, *,
                    custom_emoji_id: str | None = None) -> int | None:
        """A member adds a reaction to a message; returns the update's id, or None when the bot gets no update."""
        if emoji is not None:
            if emoji not in STANDARD_REACTIONS:
                raise AssertionError(f"{emoji} is not a standard reaction: react with a custom emoji instead")
            added: dict[str, Any] = {"type": "emoji", "emoji": emoji}
        elif custom_emoji_id is not None:
            added = {"type": "custom_emoji", "custom_emoji_id": custom_emoji_id}
        else:
            raise ValueError("give emoji or custom_emoji_id")
        self.members.add(user.id)
        old = self._reactions.get((message_id, user.id), [])
        new = [*old, added]
        self._reactions[(message_id, user.id)] = new
        if not (self.bot_member and self.bot_admin):
            return None
        user.seen_by_bot = True
        update_id = self._fake._push({"message_reaction": {
            "chat": self.chat_json(), "message_id": message_id, "user": user.as_json(), "date": int(time.time()),
            "old_reaction": old, "new_reaction": new,
        }})
        await asyncio.sleep(0)
        return update_id


@dataclass
class _Described:
    """A successful result that also carries the server's human-readable description."""

    result: Any
    description: str


_TOKEN_RE = re.compile(r"\d+:[\w-]+")
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _int(value: Any, default: int = 0) -> int:
    """Lenient integer parsing like the server's: junk reads as the default."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def _decode_param(name: str, value: str) -> Any:
    """Decode a form or query value by the type its parameter has in the Bot API."""
    if name in STRING_PARAMS:
        return value
    if name == "chat_id":
        try:
            return int(value)
        except ValueError:
            return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for the event, at most this long."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class FakeTelegram:
    """The Bot API on 127.0.0.1: records what the bot does and lets tests act as users."""

    def __init__(
        self,
        token: str = "123:TEST",
        bot_username: str = "ticketsmith_bot",
        *,
        download_limit: int = 20 * 1024 * 1024,
        per_chat_rate: float | None = None,
        global_rate: float | None = None,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.download_limit = download_limit
        self.per_chat_rate = per_chat_rate
        # Telegram's limit for a bot as a whole (about 30 messages a second): a bucket of that many sends and
        # edits, refilled at that rate; a send or edit finding it empty is refused with 429.
        self.global_rate = global_rate
        self._bucket: tuple[float, float] | None = None  # sends left, when last counted; full at first
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 1
        self.bot_name = bot_username.removesuffix("bot").rstrip("_").replace("_", " ").title() or bot_username
        self.base_url = ""
        self.base_file_url = ""
        self.port = 0
        self.calls: list[ApiCall] = []
        self._calls_by_chat: dict[int | str, list[ApiCall]] = {}
        self.downloads: list[str] = []  # file paths the bot fetched from the file endpoint
        self.updates: list[dict[str, Any]] = []  # every update ever injected
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self.crashes: list[Exception] = []  # exceptions inside the fake itself; should stay empty
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._group_ids = itertools.count(1)
        self.custom_emoji: dict[str, str] = {}  # custom emoji id -> the emoji it stands for
        self._queue: list[dict[str, Any]] = []
        self._delivered: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._update_ids = itertools.count(700_000_001)
        self._files: dict[str, StoredFile] = {}
        self._paths: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[StoredFile]] = {}
        self._file_seq = itertools.count(1)
        self._callback_seq = itertools.count(1)
        self._open_callbacks: dict[str, tuple[FakeUser, float]] = {}
        self.callback_answer_seconds = CALLBACK_ANSWER_SECONDS  # after this a tap can no longer be answered
        # Per method: the errors its next calls get, each for any call or only one whose text contains a string.
        self._failures: dict[str, list[tuple[ApiError, str | None]]] = {}
        self._sent_at: dict[int, list[float]] = {}
        self._storm: tuple[int, int, float] | None = None  # every, retry_after, until (monotonic)
        self._storm_count = 0
        self._poll_generation = 0
        self._poll_conflict = POLL_CONFLICT
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getChat": self._get_chat,
            "getCustomEmojiStickers": self._get_custom_emoji_stickers,
            "getChatMember": self._get_chat_member,
        }
        # Method names are case-insensitive on the real server.
        self._method_names = {name.lower(): name for name in self._handlers}

    # -- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + (1 << 20))
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a long poll the bot abandons must not go on to swallow updates.
        runner = web.AppRunner(
            app, handle_signals=False, shutdown_timeout=1.0, handler_cancellation=True, access_log=None
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._closing = False
        self.port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        """Release pending long polls and shut the server down."""
        self._closing = True
        self._pulse()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the test's side -----------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The person with this id, created on first use."""
        if user_id not in self._users:
            if user_id <= 0:
                raise ValueError("user ids are positive; private chat ids equal them")
            self._users[user_id] = FakeUser(self, user_id, first_name, username, last_name, language_code)
        return self._users[user_id]

    def group(self, title: str = "Sales team", *, privacy: bool = True, bot_admin: bool = False) -> FakeGroup:
        """A new supergroup the bot was added to (a member, or an admin with bot_admin)."""
        chat_id = -1_001_000_000_000 - next(self._group_ids)
        self._groups[chat_id] = FakeGroup(self, chat_id, title, privacy=privacy, bot_admin=bot_admin)
        return self._groups[chat_id]

    def chat(self, chat_id: int) -> ChatLog:
        """What the bot showed in the private chat with this id."""
        if chat_id not in self._users:
            raise AssertionError(f"no user {chat_id}; known: {sorted(self._users)}")
        return self._users[chat_id].chat

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method."""
        return [c for c in self.calls if c.method == method]

    def calls_in(self, chat_id: int | str) -> list[ApiCall]:
        """Recorded calls naming this chat, in the order they arrived."""
        return self._calls_by_chat.get(chat_id, [])

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[dict[str, str]]:
        """Commands set for a scope key (see setMyCommands) and language; [] when none."""
        return self.commands.get((scope, language_code), [])

    def add_file(
        self,
        content: bytes | None,
        *,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        kind: str = "document",
    ) -> StoredFile:
        """Store a file the bot may fetch; content None with size stands for a file known only by size."""
        if content is None and size is None:
            raise ValueError("give content or size")
        n = next(self._file_seq)
        stored = StoredFile(
            file_id=_FILE_PREFIX.get(kind, "BQACAgIAAxkBAAI") + _b64(struct.pack(">QI", n, self.bot_id)),
            file_unique_id="AgAD" + _b64(struct.pack(">I", n)),
            content=content,
            file_size=size if size is not None else len(content or b""),
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    def photo_files(
        self, content: bytes | None, width: int, height: int, *, size: int | None = None
    ) -> list[StoredFile]:
        """Store a photo as its PhotoSize ladder, smallest first."""
        # Nothing is rescaled: every size serves the original bytes. For a photo known only by size,
        # the smaller entries get byte sizes scaled by area so that they stay downloadable.
        ladder = photo_dimensions(width, height)
        total = size if size is not None else len(content or b"")
        top_w, top_h = ladder[-1]
        sizes = []
        for w, h in ladder:
            part = total if content is not None else max(1, total * w * h // (top_w * top_h))
            stored = self.add_file(content, size=part, kind="photo", mime_type="image/jpeg")
            stored.width, stored.height = w, h
            sizes.append(stored)
        for stored in sizes:
            self._photo_sets[stored.file_id] = sizes
        return sizes

    def file(self, file_id: str) -> StoredFile:
        """A stored file by id."""
        return self._files[file_id]

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        containing: str | None = None,
    ) -> None:
        """Make the next calls of a method fail with this error instead of running.

        With containing, only the calls whose text (or caption) contains it fail; the others run as usual.
        """
        canonical = self._method_names.get(method.lower(), method)
        if status == 429 and retry_after is None:
            found = re.search(r"retry after (\d+)", description)
            retry_after = int(found.group(1)) if found else 1
        error = ApiError(status, description, retry_after)
        self._failures.setdefault(canonical, []).extend([(error, containing)] * times)

    def _failure(self, method: str, params: dict[str, Any]) -> ApiError | None:
        """Take the first queued error this call gets, if any."""
        queued = self._failures.get(method, [])
        said = str(params.get("text") or params.get("caption") or "")
        for index, (error, needle) in enumerate(queued):
            if needle is None or needle in said:
                del queued[index]
                return error
        return None

    def throttle(self, *, every: int, retry_after: int, seconds: float) -> None:
        """For the next seconds, refuse every every-th send or edit with 429 and this retry_after.

        Telegram's flood control answers like this when the bot's traffic as a whole is too much for it; a
        refused call did nothing and may be made again once retry_after has passed.
        """
        if every < 1 or retry_after < 1:
            raise ValueError("every and retry_after are at least 1")
        self._storm = (every, retry_after, time.monotonic() + seconds)
        self._storm_count = 0

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to them get 403; anything they send later unblocks it."""
        # Clients make a blocked user press "Restart" before writing again, which unblocks the bot.
        user = self._users[user_id]
        if not user.blocked:
            user.blocked = True
            self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        """The user restarts the bot."""
        user = self._users[user_id]
        if user.blocked:
            user.blocked = False
            self._member_update(user, "kicked", "member")

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return list(self._queue)

    def delivered(self, update_id: int) -> bool:
        """Whether the bot has fetched this update."""
        return update_id in self._delivered

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109 (the fixture API names it timeout)
        """Wait until predicate() holds, re-checking after every bot call; AssertionError on timeout."""
        # `user.last.text == ...` raises until the bot has said anything; that only means "not yet".
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        problem: BaseException | None = None
        while True:
            event = self._changed
            try:
                if predicate():
                    return
                problem = None
            except (AssertionError, LookupError) as exc:
                problem = exc
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(self._report(f"condition not met within {timeout}s", problem))
            await _wait(event, remaining)

    async def wait_delivered(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109 (the fixture API names it timeout)
        """Wait until the bot has fetched this update through getUpdates."""
        try:
            await self.wait_for(lambda: update_id in self._delivered, timeout)
        except AssertionError:
            raise AssertionError(
                self._report(f"update {update_id} was not fetched within {timeout}s", None)
            ) from None

    def _report(self, headline: str, problem: BaseException | None) -> str:
        lines = [headline]
        if problem is not None:
            lines.append(f"last check failed with: {problem!r}")
        # Empty long polls are noise in a dump.
        shown = [c for c in self.calls if not (c.method == "getUpdates" and not c.result and not c.error)]
        lines.append(f"last bot calls ({len(shown)} shown of {len(self.calls)}):")
        lines.extend(f"  {call}" for call in shown[-12:])
        if self._queue:
            lines.append(f"updates not yet confirmed: {[u['update_id'] for u in self._queue]}")
        for user in self._users.values():
            if user.started:
                lines.append(f"chat {user.id}:")
                lines.append(user.chat.transcript())
        return "\n".join(lines)

    # -- update injection ----------------------------------------------------------------------------

    async def inject_message(
        self, user: FakeUser, content: dict[str, Any], reply_to: int | None = None
    ) -> int:
        """Put a message from the user into the update queue; returns its update_id."""
        chat = user.chat
        message: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": user.as_json(),
            "chat": user.chat_json(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = self._any_message_json(chat, reply_to)
        message.update(content)
        chat.user_messages[message["message_id"]] = message
        return await self._inject(user, {"message": message})

    async def inject_callback(self, user: FakeUser, message: BotMessage, data: str) -> int:
        """Put a callback query for a button on a bot message into the update queue."""
        query_id = str(user.id * 1_000_003 + next(self._callback_seq) * 7919 + 4_200_000_000_000)
        self._open_callbacks[query_id] = (user, time.monotonic())
        seed = hashlib.sha1(f"{self.bot_id}:{user.id}".encode()).digest()
        query = {
            "id": query_id,
            "from": user.as_json(),
            "message": self._message_json(user.chat, message),
            "chat_instance": str(int.from_bytes(seed[:8], "big", signed=True)),
            "data": data,
        }
        return await self._inject(user, {"callback_query": query})

    def inject_raw(self, payload: dict[str, Any]) -> int:
        """Queue an update exactly as given, with the next update_id; returns it.

        The server passes on whatever JSON it has, in whatever shape its version writes it (an older
        self-hosted Bot API server leaves out fields newer clients require), so nothing here is checked.
        """
        return self._push(payload)

    async def _inject(self, user: FakeUser, payload: dict[str, Any]) -> int:
        if user.blocked:
            self.unblock(user.id)
        user.started = True
        update_id = self._push(payload)
        await asyncio.sleep(0)
        return update_id

    def _push(self, payload: dict[str, Any]) -> int:
        update = {"update_id": next(self._update_ids), **payload}
        self.updates.append(update)
        self._queue.append(update)
        self._pulse()
        return int(update["update_id"])

    def _member_update(self, user: FakeUser, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            out: dict[str, Any] = {"status": status, "user": self._bot_json()}
            if status == "kicked":
                out["until_date"] = 0
            return out

        payload = {
            "chat": user.chat_json(),
            "from": user.as_json(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._push({"my_chat_member": payload})

    def _pulse(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- HTTP ------------------------------------------------------------------------------------------

    @staticmethod
    def _json(body: dict[str, Any], status: int) -> web.Response:
        return web.Response(
            body=json.dumps(body, ensure_ascii=False).encode(), status=status, content_type="application/json"
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path[len("/file/bot") :])
        not_found = self._json(ApiError(404, "Not Found").body(), 404)
        if not path.startswith("/bot"):
            return not_found
        token, _, method = path[len("/bot") :].partition("/")
        # The real server answers 404 to a token that is not even shaped like one.
        if not method or "/" in method or not _TOKEN_RE.fullmatch(token):
            return not_found
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            return self._json(exc.body(), exc.status)
        canonical = self._method_names.get(method.lower())
        call = ApiCall(canonical or method, params, files)
        self.calls.append(call)
        chat = params.get("chat_id")
        if isinstance(chat, int | str):
            self._calls_by_chat.setdefault(chat, []).append(call)
        body: dict[str, Any]
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if canonical is None:
                raise ApiError(404, "Not Found")
            failure = self._failure(canonical, params) if canonical is not None else None
            if failure is not None:
                raise failure
            result = await self._handlers[canonical](params, files)
        except ApiError as exc:
            call.status, call.error = exc.status, exc.description
            body = exc.body()
        except asyncio.CancelledError:
            call.error = "the bot hung up"
            self._pulse()
            raise
        except Exception as exc:
            # A bug in the fake must not pass for a Telegram answer: keep it for the test to see.
            self.crashes.append(exc)
            call.status, call.error = 500, f"fake crashed: {exc!r}"
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"}
        else:
            call.status = 200
            body = {"ok": True}
            if isinstance(result, _Described):
                call.result = body["result"] = result.result
                body["description"] = result.description
            else:
                call.result = body["result"] = result
        self._pulse()
        return self._json(body, call.status)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected as request body")
                for key, value in body.items():
                    params[key] = _decode_param(key, value) if isinstance(value, str) else value
        elif ctype == "multipart/form-data":
            total = 0
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is None:
                    params[part.name] = _decode_param(part.name, await part.text())
                    continue
                data = bytes(await part.read(decode=False))
                total += len(data)
                if total > MAX_UPLOAD_BYTES:
                    raise ApiError(413, "Request Entity Too Large")
                files[part.name] = UploadedFile(part.filename, part.headers.get("Content-Type"), data)
            for name, upload in files.items():
                params.setdefault(name, upload)
        else:
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = _decode_param(key, value)
        return params, files

    def _download(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        stored = self._paths.get(file_path)
        if token != self.token or stored is None:
            return self._json(ApiError(404, "Not Found").body(), 404)
        self.downloads.append(file_path)
        return web.Response(body=stored.data(), content_type="application/octet-stream")

    # -- building objects ------------------------------------------------------------------------------

    def _bot_json(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name, "username": self.bot_username}

    def _resolve_user(self, user_id: int) -> dict[str, Any] | None:
        user = self._users.get(user_id)
        return user.as_json() if user is not None else None

    def _message_json(self, chat: ChatLog, message: BotMessage, *, nested: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_json(),
            "chat": chat.user.chat_json(),
            "date": message.date,
        }
        if message.edit_date is not None:
            out["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None and not nested:
            out["reply_to_message"] = self._any_message_json(chat, message.reply_to_message_id)
        if message.kind == "text":
            out["text"] = message.text
            if message.entities:
                out["entities"] = message.entities
        else:
            if message.kind == "document" and message.file is not None:
                out["document"] = message.file.as_document()
            elif message.kind == "photo":
                out["photo"] = [s.as_photo_size() for s in message.photo]
            if message.text:
                out["caption"] = message.text
                if message.entities:
                    out["caption_entities"] = message.entities
        if message.inline_keyboard:
            out["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        return out

    def _any_message_json(self, chat: ChatLog, message_id: int) -> dict[str, Any]:
        found = chat.find(message_id)
        if found is not None:
            return self._message_json(chat, found, nested=True)
        return {k: v for k, v in chat.user_messages[message_id].items() if k != "reply_to_message"}

    # -- shared checks ---------------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> ChatLog:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = _int(raw, default=0) if not isinstance(raw, str) or raw.lstrip("-").isdigit() else 0
        if chat_id < 0:
            group = self._groups.get(chat_id)
            if group is None:
                raise bad_request("chat not found")
            if not group.bot_member:
                raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
            return group.chat
        user = self._users.get(chat_id)
        if user is not None and not user.started and user.seen_by_bot:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        # A user the bot has never heard from is as unknown to it as a made-up id.
        if user is None or not user.started:
            raise bad_request("chat not found")
        return user.chat

    def _format(self, raw: Any, parse_mode: Any, entities: Any, *, caption: bool) -> tuple[str, list[Entity]]:
        if raw is None or raw == "":
            if caption:
                return "", []
            raise bad_request("message text is empty")
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if len(text.encode("utf-8", "surrogatepass")) > MAX_RAW_TEXT_BYTES:
            raise bad_request("text is too long")
        mode = str(parse_mode or "").lower()
        if mode in ("", "none"):
            return text, self._explicit_entities(entities)
        parsers = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
        if mode not in parsers:
            raise bad_request("unsupported parse_mode")
        try:
            return parsers[mode](text, self._resolve_user)
        except ParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None

    @staticmethod
    def _explicit_entities(value: Any) -> list[Entity]:
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            raise bad_request("can't parse entities JSON object")
        out = []
        for item in value:
            if not isinstance(item, dict):
                raise bad_request("can't parse MessageEntity: expected an Object")
            kind = str(item.get("type", ""))
            arg = item.get("url") or item.get("language") or item.get("custom_emoji_id") or ""
            if kind == "text_mention":
                arg = json.dumps(item.get("user", {}))
            out.append(Entity(kind, _int(item.get("offset")), _int(item.get("length")), str(arg)))
        return out

    @staticmethod
    def _finish(text: str, ents: list[Entity], *, caption: bool) -> tuple[str, list[dict[str, Any]]]:
        done = finish_text(text, ents, bot_commands=True)
        if done is None:
            if caption:
                return "", []
            raise bad_request("text must be non-empty")
        text, ents = done
        if utf16_len(text) > (MAX_CAPTION_UTF16 if caption else MAX_TEXT_UTF16):
            raise bad_request("message caption is too long" if caption else "message is too long")
        return text, [e.as_json() for e in ents]

    @staticmethod
    def _parse_markup(value: Any) -> dict[str, Any] | None:
        """Structural checks the Bot API itself makes, before the chat is even looked up."""
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request("can't parse reply keyboard markup JSON object") from None
        if not isinstance(value, dict):
            raise bad_request("object expected as reply markup")
        if "keyboard" in value:
            rows = value["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('field "keyboard" must be an Array of Arrays')
            for button in itertools.chain.from_iterable(rows):
                if isinstance(button, dict):
                    if not isinstance(button.get("text"), str):
                        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
                elif not isinstance(button, str):
                    raise bad_request(
                        "can't parse keyboard button: KeyboardButton must be a String or an Object"
                    )
        if "inline_keyboard" in value:
            rows = value["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for button in itertools.chain.from_iterable(rows):
                prefix = "can't parse inline keyboard button: "
                if not isinstance(button, dict):
                    raise bad_request(prefix + "InlineKeyboardButton must be an Object")
                if "text" not in button:
                    raise bad_request(prefix + 'Can\'t find field "text"')
                if not isinstance(button["text"], str):
                    raise bad_request(prefix + 'Field "text" must be of type String')
                # An empty url or callback_data counts as absent, leaving a bare text button.
                if not any(button.get(k) not in (None, "") for k in _INLINE_ACTIONS):
                    raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        return value

    @staticmethod
    def _inline_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
        if not markup or "keyboard" in markup:
            return []
        return [[dict(b) for b in row] for row in markup.get("inline_keyboard", [])]

    @staticmethod
    def _reply_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]] | None:
        if not markup or "keyboard" not in markup:
            return None
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in markup["keyboard"]]

    def _check_markup_content(self, markup: dict[str, Any] | None, *, inline_only: bool = False) -> None:
        """Checks tdlib and the MTProto server make once the chat is known."""
        if not markup:
            return
        if inline_only and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        reply_rows = self._reply_rows(markup)
        if reply_rows is not None:
            if any(not b["text"] for row in reply_rows for b in row):
                raise bad_request("keyboard button text must be non-empty")
            return
        buttons = [b for row in self._inline_rows(markup) for b in row]
        if any(not b["text"] for b in buttons):
            raise bad_request("inline keyboard button text must be non-empty")
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise bad_request("reply markup is too long")
        for button in buttons:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")

    @staticmethod
    def _reply_target(chat: ChatLog, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = _int(reply.get("message_id")), bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") not in (None, ""):
            message_id = _int(params["reply_to_message_id"])
            allow = bool(params.get("allow_sending_without_reply"))
        else:
            return None
        bot_message = chat.find(message_id)
        exists = (bot_message is not None and not bot_message.deleted) or (
            message_id in chat.user_messages and message_id not in chat.deleted_user_messages
        )
        if exists:
            return message_id
        if allow:
            return None
        raise bad_request("message to be replied not found")

    @staticmethod
    def _check_blocked(chat: ChatLog) -> None:
        if chat.user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_flood(self, chat: ChatLog) -> None:
        """A storm set off by throttle(), then per-chat flood control (only successful sends and edits count)."""
        if self._storm is not None:
            every, retry_after, until = self._storm
            if time.monotonic() >= until:
                self._storm = None
            else:
                self._storm_count += 1
                if self._storm_count % every == 0:
                    raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        if self.global_rate:
            now = time.monotonic()
            left, counted = self._bucket or (self.global_rate, now)
            left = min(self.global_rate, left + (now - counted) * self.global_rate)
            if left < 1:
                self._bucket = (left, now)
                raise ApiError(429, "Too Many Requests: retry after 1", 1)
            self._bucket = (left - 1, now)
        rate = self.per_chat_rate
        if not rate:
            return
        now = time.monotonic()
        window = max(1.0, 1.0 / rate)
        allowed = max(1, round(rate * window))
        stamps = [s for s in self._sent_at.get(chat.chat_id, []) if now - s < window]
        if len(stamps) >= allowed:
            retry = max(1, math.ceil(stamps[0] + window - now))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
        stamps.append(now)
        self._sent_at[chat.chat_id] = stamps

    def _new_message(
        self,
        chat: ChatLog,
        params: dict[str, Any],
        text_key: str,
        text: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        reply_to: int | None,
        kind: str,
    ) -> BotMessage:
        message = BotMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.chat_id,
            text=text,
            raw_text=str(params.get(text_key) or ""),
            parse_mode=params.get("parse_mode"),
            inline_keyboard=self._inline_rows(markup),
            reply_keyboard=self._reply_rows(markup),
            reply_to_message_id=reply_to,
            kind=kind,
            entities=entities,
            reply_markup=markup,
            date=int(time.time()),
        )
        if message.reply_keyboard is not None or (markup or {}).get("remove_keyboard"):
            chat.keyboard_hidden = False
        chat.all.append(message)
        return message

    def _editable(self, chat: ChatLog, message_id: int) -> BotMessage:
        message = chat.find(message_id)
        if message is None or message.deleted:
            if message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return message

    # -- methods -----------------------------------------------------------------------------------------

    async def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = _int(params.get("offset"))
        limit = min(100, max(1, _int(params.get("limit"), 100) or 100))
        timeout = max(0, _int(params.get("timeout")))
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        # Only one long poll may wait: a newer one ends the older one with a conflict.
        self._poll_generation += 1
        self._poll_conflict = POLL_CONFLICT
        generation = self._poll_generation
        self._pulse()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, self._poll_conflict)
            self._queue = [u for u in self._queue if self._allowed(u)]
            batch = self._queue[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                break
            event = self._changed
            await _wait(event, remaining)
        self._delivered.update(u["update_id"] for u in batch)
        return batch

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in OPT_IN_UPDATES

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, files)
        if not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None:
            secret = str(secret)
            if len(secret) > 256:
                raise bad_request("secret token is too long")
            if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
                raise bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        if params.get("drop_pending_updates"):
            self._queue.clear()
        new = {
            "url": url,
            "secret_token": secret or None,
            "max_connections": _int(params.get("max_connections"), 40) or 40,
            "allowed_updates": self._allowed_updates,
            "ip_address": params.get("ip_address"),
        }
        description = "Webhook is already set" if new == self.webhook else "Webhook was set"
        self.webhook = new
        self._poll_generation += 1
        self._poll_conflict = "Conflict: terminated by setWebhook request"
        return _Described(True, description)

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        description = "Webhook is already deleted" if self.webhook is None else "Webhook was deleted"
        self.webhook = None
        return _Described(True, description)

    async def _get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        hook = self.webhook
        info: dict[str, Any] = {
            "url": hook["url"] if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["ip_address"]:
                info["ip_address"] = hook["ip_address"]
            if hook["allowed_updates"]:
                info["allowed_updates"] = hook["allowed_updates"]
        return info

    @staticmethod
    def _scope_key(scope: Any) -> str:
        """Commands key of a scope: default, all_private_chats, chat:<id>, chat_member:<c>:<u>, ..."""
        if not isinstance(scope, dict):
            return "default"
        kind = str(scope.get("type", "default"))
        if kind in ("chat", "chat_administrators"):
            return f"{kind}:{scope.get('chat_id')}"
        if kind == "chat_member":
            return f"chat_member:{scope.get('chat_id')}:{scope.get('user_id')}"
        return kind

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            command, description = str(item.get("command", "")), str(item.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return self.commands.get(key, [])

    async def _delete_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self.commands.pop(key, None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        if chat_id not in (None, ""):
            self._chat(params)
        button = params.get("menu_button")
        self.menu_buttons[None if chat_id in (None, "") else _int(chat_id)] = (
            button if isinstance(button, dict) else {"type": "default"}
        )
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        key = None if chat_id in (None, "") else _int(chat_id)
        return self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        raw, ents = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._parse_markup(params.get("reply_markup"))
        chat = self._chat(params)
        text, entities = self._finish(raw, ents, caption=False)
        self._check_markup_content(markup)
        reply_to = self._reply_target(chat, params)
        self._check_blocked(chat)
        self._check_flood(chat)
        message = self._new_message(chat, params, "text", text, entities, markup, reply_to, "text")
        return self._message_json(chat, message)

    async def _edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        raw, ents = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        chat, message, markup = self._edit_target(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities = self._finish(raw, ents, caption=False)
        self._check_markup_content(markup, inline_only=True)
        rows = self._inline_rows(markup)
        # Leaving reply_markup out of an edit removes the inline keyboard.
        if text == message.text and entities == message.entities and rows == message.inline_keyboard:
            raise ApiError(400, MSG_NOT_MODIFIED)
        self._check_flood(chat)
        message.history.append(message.text)
        message.text, message.entities = text, entities
        message.raw_text, message.parse_mode = str(params.get("text")), params.get("parse_mode")
        self._apply_edit(message, markup, rows)
        return self._message_json(chat, message)

    async def _edit_message_reply_markup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat, message, markup = self._edit_target(params)
        self._check_markup_content(markup, inline_only=True)
        rows = self._inline_rows(markup)
        if rows == message.inline_keyboard:
            raise ApiError(400, MSG_NOT_MODIFIED)
        self._check_flood(chat)
        self._apply_edit(message, markup, rows)
        return self._message_json(chat, message)

    def _edit_target(self, params: dict[str, Any]) -> tuple[ChatLog, BotMessage, dict[str, Any] | None]:
        message_id = _int(params.get("message_id"))
        if params.get("chat_id") in (None, "") and not message_id:
            if params.get("inline_message_id"):
                raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not modelled
            raise bad_request("message identifier is not specified")
        markup = self._parse_markup(params.get("reply_markup"))
        chat = self._chat(params)
        return chat, self._editable(chat, message_id), markup

    @staticmethod
    def _apply_edit(
        message: BotMessage, markup: dict[str, Any] | None, rows: list[list[dict[str, Any]]]
    ) -> None:
        message.inline_keyboard = rows
        message.reply_markup = markup
        message.edits += 1
        message.edit_date = int(time.time())

    async def _delete_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat identifier is not specified")
        message_id = _int(params.get("message_id"))
        if not message_id:
            raise bad_request("message identifier is not specified")
        chat = self._chat(params)
        message = chat.find(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        # Bots may delete incoming messages in private chats too.
        if message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
            chat.deleted_user_messages.add(message_id)
            return True
        raise bad_request("message to delete not found")

    async def _answer_callback_query(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise ApiError(400, QUERY_TOO_OLD)
        user, tapped = self._open_callbacks[query_id]
        if time.monotonic() - tapped > self.callback_answer_seconds:
            del self._open_callbacks[query_id]
            raise ApiError(400, QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > MAX_ANSWER_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        del self._open_callbacks[query_id]
        keys = ("callback_query_id", "text", "show_alert", "url", "cache_time")
        user.callback_answers.append({k: params[k] for k in keys if k in params})
        return True

    async def _send_chat_action(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        action = str(params.get("action") or "").lower()
        if action not in CHAT_ACTIONS and action != "cancel":
            raise bad_request("wrong parameter action in request")
        chat = self._chat(params)
        self._check_blocked(chat)
        chat.actions.append(action)
        return True

    async def _get_chat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat = self._chat(params)
        return {
            **chat.user.chat_json(),
            "accent_color_id": chat.user.id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_chat_member(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat = self._chat(params)
        user_id = _int(params.get("user_id"))
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        group = chat.user
        if isinstance(group, FakeGroup):
            status = "member" if user_id in group.members else "left"
        else:
            status = "member" if user_id == group.id else "left"
        return {"status": status, "user": user.as_json()}

    async def _get_custom_emoji_stickers(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        ids = params.get("custom_emoji_ids")
        if not isinstance(ids, list) or len(ids) > 200:
            raise bad_request("custom_emoji_ids must be a list of at most 200 identifiers")
        return [{
            "file_id": f"CAACAgIAAxUAAWc{emoji_id}", "file_unique_id": f"AgAD{emoji_id[-6:]}", "type": "custom_emoji",
            "width": 100, "height": 100, "is_animated": False, "is_video": False,
            "emoji": self.custom_emoji[str(emoji_id)], "custom_emoji_id": str(emoji_id),
        } for emoji_id in ids if str(emoji_id) in self.custom_emoji]

    async def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > self.download_limit:
            raise bad_request("file is too big")
        if stored.file_path is None:
            folder, ext = _FILE_FOLDER.get(stored.kind, ("documents", ""))
            if stored.kind == "document":
                guessed = mimetypes.guess_extension(stored.mime_type or "") or ""
                ext = (
                    "." + stored.file_name.rsplit(".", 1)[1]
                    if stored.file_name and "." in stored.file_name
                    else guessed
                )
            stored.file_path = f"{folder}/file_{len(self._paths)}{ext}"
            self._paths[stored.file_path] = stored
        return stored.as_file()

    def _input_file(
        self, params: dict[str, Any], files: dict[str, UploadedFile], name: str
    ) -> UploadedFile | str | None:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return files.get(value[len("attach://") :])
        if isinstance(value, UploadedFile | str) and value != "":
            return value
        return None

    def _existing_file(self, value: str, kind: str) -> StoredFile:
        if value.lower().startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")  # nothing outside loopback is reachable
        stored = self._files.get(value)
        if stored is None or stored.kind != kind:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    async def _send_media(
        self, params: dict[str, Any], files: dict[str, UploadedFile], kind: str
    ) -> tuple[ChatLog, str, list[dict[str, Any]], dict[str, Any] | None, int | None, UploadedFile | str]:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        raw, ents = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._parse_markup(params.get("reply_markup"))
        source = self._input_file(params, files, kind)
        if source is None:
            raise bad_request(f"there is no {kind} in the request")
        chat = self._chat(params)
        caption, entities = self._finish(raw, ents, caption=True)
        self._check_markup_content(markup)
        reply_to = self._reply_target(chat, params)
        if isinstance(source, UploadedFile) and not source.content:
            raise bad_request("file must be non-empty")
        return chat, caption, entities, markup, reply_to, source

    async def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat, caption, entities, markup, reply_to, source = await self._send_media(params, files, "document")
        if isinstance(source, UploadedFile):
            mime = (
                source.content_type
                or mimetypes.guess_type(source.filename or "")[0]
                or "application/octet-stream"
            )
            stored = self.add_file(source.content, file_name=source.filename, mime_type=mime)
        else:
            stored = self._existing_file(source, "document")
        self._check_blocked(chat)
        self._check_flood(chat)
        message = self._new_message(chat, params, "caption", caption, entities, markup, reply_to, "document")
        message.file = stored
        return self._message_json(chat, message)

    async def _send_photo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        chat, caption, entities, markup, reply_to, source = await self._send_media(params, files, "photo")
        if isinstance(source, UploadedFile):
            found = image_size(source.content)
            if found is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            sizes = self.photo_files(source.content, *found)
        else:
            sizes = self._photo_sets[self._existing_file(source, "photo").file_id]
        self._check_blocked(chat)
        self._check_flood(chat)
        message = self._new_message(chat, params, "caption", caption, entities, markup, reply_to, "photo")
        message.photo = sizes
        message.file = sizes[-1]
        return self._message_json(chat, message)
