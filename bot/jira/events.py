"""What happened to a Jira issue, as typed events: from webhooks and from an issue's change history.

Both sources give the same change the same `event_id`, so a change that arrives by webhook, is retried by Jira
and is seen again by the poller after a restart is still one event.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

EventKind = Literal["status", "comment", "assignee", "resolution", "duedate", "priority"]
# What salespeople can hear about; a priority change is only recorded, for the admins' urgency report.
EVENT_KINDS: tuple[EventKind, ...] = ("status", "comment", "assignee", "resolution", "duedate")
SIGNATURE_HEADER = "X-Hub-Signature"

# Changelog item field names (lower case, spaces removed) and the kind they make.
_FIELD_KINDS: dict[str, EventKind] = {
    "status": "status",
    "assignee": "assignee",
    "resolution": "resolution",
    "duedate": "duedate",
    "priority": "priority",
}
_ISSUE_UPDATED = "jira:issue_updated"
_COMMENT_CREATED = "comment_created"
# Data Center reports comment edits and deletions as issue updates that carry the comment.
_NOT_NEW_COMMENT = frozenset({"issue_comment_edited", "issue_comment_deleted"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class IssueEvent:
    """One change to an issue that a salesperson may want to hear about."""

    event_id: str
    issue_key: str
    summary: str
    kind: EventKind
    actor_id: str | None
    actor_name: str | None
    at: float
    old: str | None = None
    new: str | None = None
    comment_id: str | None = None
    body: str | None = None


@dataclass(frozen=True)
class Move:
    """An issue moved to another project: the key it had, and the one Jira gave it there."""

    old_key: str
    new_key: str


# ---------------------------------------------------------------------- defensive access to JSON


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _text(value: Any) -> str | None:
    """A string or an integer id as text; anything else (null, bool, dict, float) as None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def _epoch(value: Any) -> float | None:
    """Seconds since the epoch from Jira's ISO timestamp ('2026-11-23T10:00:00.000+0100')."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def _millis(value: Any) -> float | None:
    """Seconds from a webhook's `timestamp` (milliseconds since the epoch)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value) / 1000.0
    except OverflowError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _actor(user: Any) -> tuple[str | None, str | None]:
    """(accountId on Cloud or name on Data Center, display name) of a Jira user object."""
    person = _map(user)
    ident = _text(person.get("accountId")) or _text(person.get("name")) or _text(person.get("key"))
    name = _text(person.get("displayName")) or _text(person.get("name"))
    return ident or None, name or None


def _adf_text(node: Any, out: list[str]) -> None:
    """Collect the text of an Atlassian Document Format tree (REST v3 and automation send these)."""
    if isinstance(node, Mapping):
        kind = node.get("type")
        text = node.get("text")
        if isinstance(text, str):
            out.append(text)
        elif kind == "mention":
            label = _text(_map(node.get("attrs")).get("text"))
            if label:
                out.append(label)
        elif kind == "hardBreak":
            out.append("\n")
        for child in _list(node.get("content")):
            _adf_text(child, out)
        if kind in ("paragraph", "heading", "listItem", "codeBlock", "blockquote"):
            out.append("\n")
    elif isinstance(node, list):
        for child in node:
            _adf_text(child, out)


def _body(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        parts: list[str] = []
        _adf_text(value, parts)
        return "".join(parts).strip() or None
    return None


def _issue_head(issue: Any) -> tuple[str, str] | None:
    """(key, summary) of an issue object, or None without a usable key."""
    data = _map(issue)
    key = _text(data.get("key"))
    if not key or not key.strip():
        return None
    summary = _text(_map(data.get("fields")).get("summary")) or ""
    return key.strip(), summary


# ---------------------------------------------------------------------- building events


def _item_value(item: Mapping[str, Any], side: str, kind: EventKind) -> str | None:
    """The readable old ('from') or new ('to') value of one changelog item."""
    raw = _text(item.get(side))
    shown = _text(item.get(f"{side}String"))
    if kind == "duedate":
        # Jira sends the date as 'to' ("2026-12-04") and as 'toString' ("2026-12-04 00:00:00.0").
        for candidate in (raw, shown):
            found = _DATE.search(candidate or "")
            if found:
                return found.group(0)
        return shown or raw or None
    return shown or None


def _item_kind(item: Mapping[str, Any]) -> EventKind | None:
    for name in (item.get("fieldId"), item.get("field")):
        if isinstance(name, str):
            kind = _FIELD_KINDS.get(name.replace(" ", "").lower())
            if kind:
                return kind
    return None


def _changelog_events(
    key: str,
    summary: str,
    changelog_id: str,
    items: Iterable[Any],
    actor: tuple[str | None, str | None],
    at: float,
) -> list[IssueEvent]:
    events: list[IssueEvent] = []
    for raw in items:
        item = _map(raw)
        kind = _item_kind(item)
        if kind is None:
            continue
        old, new = _item_value(item, "from", kind), _item_value(item, "to", kind)
        if old == new:
            continue
        events.append(IssueEvent(
            event_id=f"{key}:cl:{changelog_id}:{kind}",
            issue_key=key,
            summary=summary,
            kind=kind,
            actor_id=actor[0],
            actor_name=actor[1],
            at=at,
            old=old,
            new=new,
        ))
    return events


def _comment_event(key: str, summary: str, comment: Any, fallback_at: float | None) -> IssueEvent | None:
    data = _map(comment)
    comment_id = _text(data.get("id"))
    if not comment_id:
        return None
    at = _epoch(data.get("created"))
    if at is None:
        at = fallback_at
    if at is None:
        return None
    actor = _actor(data.get("author"))
    return IssueEvent(
        event_id=f"{key}:c:{comment_id}",
        issue_key=key,
        summary=summary,
        kind="comment",
        actor_id=actor[0],
        actor_name=actor[1],
        at=at,
        comment_id=comment_id,
        body=_body(data.get("body")) or "",
    )


def _unique(events: Iterable[IssueEvent]) -> list[IssueEvent]:
    seen: set[str] = set()
    out: list[IssueEvent] = []
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            out.append(event)
    return out


# ---------------------------------------------------------------------- public API


def parse_webhook(payload: Mapping[str, Any], *, received_at: float | None = None) -> list[IssueEvent]:
    """Turn a Jira webhook body (Cloud or Data Center) into events; unknown or broken bodies give none.

    `received_at` stands in for the time of a change when the body carries no `timestamp`.
    """
    try:
        return _parse_webhook(payload, received_at)
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError):
        return []


def _parse_webhook(payload: Mapping[str, Any], received_at: float | None) -> list[IssueEvent]:
    body = _map(payload)
    event_name = body.get("webhookEvent")
    if event_name not in (_ISSUE_UPDATED, _COMMENT_CREATED):
        return []
    head = _issue_head(body.get("issue"))
    if head is None:
        return []
    key, summary = head
    at = _millis(body.get("timestamp"))
    if at is None:
        at = _epoch(_map(_map(body.get("issue")).get("fields")).get("updated"))
    if at is None:
        at = received_at
    events: list[IssueEvent] = []
    if event_name == _ISSUE_UPDATED:
        changelog = _map(body.get("changelog"))
        changelog_id = _text(changelog.get("id"))
        if changelog_id and at is not None:
            events += _changelog_events(key, summary, changelog_id, _list(changelog.get("items")),
                                        _actor(body.get("user")), at)
    new_comment = "comment" in body and _text(body.get("issue_event_type_name")) not in _NOT_NEW_COMMENT
    comment = _comment_event(key, summary, body.get("comment"), at) if new_comment else None
    if comment is not None:
        events.append(comment)
    return _unique(events)


def parse_issue_history(issue: Mapping[str, Any], since: float) -> list[IssueEvent]:
    """Events of an issue fetched with expand=changelog (and its comments) at or after `since`, oldest first."""
    try:
        return _parse_issue_history(issue, since)
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError, RecursionError):
        return []


def _parse_issue_history(issue: Mapping[str, Any], since: float) -> list[IssueEvent]:
    head = _issue_head(issue)
    if head is None:
        return []
    key, summary = head
    data = _map(issue)
    events: list[IssueEvent] = []
    for raw in _list(_map(data.get("changelog")).get("histories")):
        history = _map(raw)
        history_id = _text(history.get("id"))
        at = _epoch(history.get("created"))
        if not history_id or at is None or at < since:
            continue
        events += _changelog_events(key, summary, history_id, _list(history.get("items")),
                                    _actor(history.get("author")), at)
    comments = _map(_map(data.get("fields")).get("comment")).get("comments")
    for raw in _list(comments):
        event = _comment_event(key, summary, raw, None)
        if event is not None and event.at >= since:
            events.append(event)
    # Stable sort: one history's items keep their order.
    return _unique(sorted(events, key=lambda e: e.at))


def parse_moves(data: Mapping[str, Any]) -> list[Move]:
    """The moves a webhook body or an issue fetched with expand=changelog records, oldest first.

    Jira records a move as a changelog item of the field "Key" (field id "issuekey") from the old key to the new.
    """
    try:
        changelog = _map(_map(data).get("changelog"))
        histories = [_map(h) for h in _list(changelog.get("histories"))] or [changelog]
        moves: list[Move] = []
        for history in histories:
            for raw in _list(history.get("items")):
                item = _map(raw)
                field = item.get("fieldId") or item.get("field")
                if not isinstance(field, str) or field.replace(" ", "").lower() not in ("key", "issuekey"):
                    continue
                old, new = _text(item.get("fromString")), _text(item.get("toString"))
                if old and new and old.strip() and new.strip() and old.strip() != new.strip():
                    moves.append(Move(old.strip(), new.strip()))
        return moves
    except (TypeError, ValueError, AttributeError, RecursionError):
        return []


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Check `X-Hub-Signature: sha256=<hex>` (HMAC-SHA256 of the raw body) in constant time."""
    if not secret or not isinstance(header, str):
        return False
    method, _, digest = header.strip().partition("=")
    if method.strip().lower() != "sha256" or not _HEX.fullmatch(digest.strip()):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), digest.strip().lower().encode("ascii"))


def sign(secret: str, body: bytes) -> str:
    """Return the `X-Hub-Signature` value Jira would send for body (for tests and self-checks)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def mentions_marker(body: str, markers: Sequence[str]) -> bool:
    """Whether body contains one of the markers, in any case, as a whole word ('@sales' not in '@salesforce')."""
    if not isinstance(body, str):
        return False
    text = body.casefold()
    for marker in markers:
        wanted = marker.strip().casefold() if isinstance(marker, str) else ""
        if not wanted:
            continue
        # '@sales' is not found in 'bob@sales.example', nor 'sales' in 'presales'.
        before = r"(?<!\w)" if wanted[0].isalnum() or wanted[0] in "_@#" else ""
        after = r"(?!\w)" if wanted[-1].isalnum() or wanted[-1] == "_" else ""
        if re.search(before + re.escape(wanted) + after, text):
            return True
    return False


def kinds(values: Iterable[str]) -> frozenset[EventKind]:
    """The known event kinds among values (for configuration)."""
    return frozenset(kind for kind in EVENT_KINDS if kind in set(values))
