"""Who is told what about their issues: filtering, merging bursts of changes, and short messages for a phone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n.catalog import t
from bot.jira.events import EVENT_KINDS, EventKind, IssueEvent, mentions_marker
from bot.text.dates import format_date
from bot.text.screen import clip

NOTICE_LIMIT = 1000
SUMMARY_CLIP = 60
COMMENT_CLIP = 200
NAME_CLIP = 40
VALUE_CLIP = 40
QUESTION_CLIP = 700
MERGE_WINDOW = 120.0
DEFAULT_MARKERS = ("@sales", "[?]")
DEFAULT_NEEDS_INFO_STATUSES = ("Waiting for sales",)
# What a muted salesperson still hears about.
MUTED_KINDS: frozenset[EventKind] = frozenset({"comment", "resolution"})


@dataclass(frozen=True)
class NoticePolicy:
    """Which changes reach salespeople, and which ones ask them something."""

    kinds: frozenset[EventKind] = frozenset(EVENT_KINDS)
    muted_kinds: frozenset[EventKind] = MUTED_KINDS
    # The bot's own Jira account (accountId on Cloud, user name on Data Center): what it did never notifies.
    bot_actor_ids: frozenset[str] = frozenset()
    needs_info_markers: tuple[str, ...] = DEFAULT_MARKERS
    needs_info_statuses: tuple[str, ...] = DEFAULT_NEEDS_INFO_STATUSES

    def by_bot(self, event: IssueEvent) -> bool:
        """Whether the bot's own Jira account made this change."""
        if event.actor_id is None:
            return False
        actor = event.actor_id.casefold()
        return any(actor == own.casefold() for own in self.bot_actor_ids)


def relevant(event: IssueEvent, policy: NoticePolicy, muted: bool) -> bool:
    """Whether a salesperson (muted: only comments and resolutions) hears about this event."""
    if event.kind not in policy.kinds or policy.by_bot(event):
        return False
    return event.kind in policy.muted_kinds if muted else True


def needs_info(event: IssueEvent, policy: NoticePolicy) -> bool:
    """Whether someone in Jira is asking the salesperson: a marked comment, or a move into a waiting status."""
    if policy.by_bot(event):
        return False
    if event.kind == "comment":
        return mentions_marker(event.body or "", policy.needs_info_markers)
    if event.kind == "status" and event.new:
        wanted = event.new.strip().casefold()
        return any(wanted == status.strip().casefold() for status in policy.needs_info_statuses)
    return False


def merge(events: Sequence[IssueEvent], window: float = MERGE_WINDOW) -> list[list[IssueEvent]]:
    """Group events of one issue that happen within `window` seconds of the group's first event.

    Groups come in the order of their first event and keep their events in input order; different issues
    never share a group. An event id seen twice is kept once.
    """
    groups: list[list[IssueEvent]] = []
    open_group: dict[str, list[IssueEvent]] = {}
    seen: set[str] = set()
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        group = open_group.get(event.issue_key)
        if group is not None and abs(event.at - group[0].at) <= window:
            group.append(event)
            continue
        group = [event]
        groups.append(group)
        open_group[event.issue_key] = group
    return groups


# ---------------------------------------------------------------------- Jira wiki markup as plain text

_MACRO = re.compile(r"\{(?:code|noformat|quote|panel|color|anchor)(?::[^{}\n]*)?\}", re.IGNORECASE)
_MONOSPACE = re.compile(r"\{\{(.*?)\}\}")
_MENTION = re.compile(r"\[~(accountid:)?([^\[\]\n]+)\]", re.IGNORECASE)
_LINK = re.compile(r"\[([^\[\]|\n]*)\|([^\[\]\n]*)\]")
_BARE_LINK = re.compile(r"\[((?:https?|mailto|ftp|file):[^\[\]\s]*)\]", re.IGNORECASE)
_HEADING = re.compile(r"^[ \t]*(?:h[1-6]|bq)\.[ \t]*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*[*#-]+[ \t]+", re.MULTILINE)
_BOLD = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]*?[^\s\\])\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w\\])_(?=\S)([^_\n]*?[^\s\\])_(?!\w)")
_IMAGE = re.compile(r"!([^\s!|]+\.[A-Za-z0-9]{2,5})(?:\|[^!\n]*)?!")
_ESCAPED = re.compile(r"\\([^\w\s\\])")


def plain_text(markup: str, *, one_line: bool = True) -> str:
    """Show Jira wiki markup as plain text: good enough for a notice, not a full parser."""
    text = markup.replace("\r\n", "\n").replace("\r", "\n")
    text = _MACRO.sub("", text)
    text = _MONOSPACE.sub(r"\1", text)
    text = _MENTION.sub(lambda m: "@user" if m[1] else "@" + m[2], text)
    text = _LINK.sub(lambda m: m[1].strip() or m[2].strip(), text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _LIST_ITEM.sub("• ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = text.replace("\\\\", "\n")
    text = _ESCAPED.sub(r"\1", text)
    if one_line:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _clip_lines(text: str, limit: int) -> str:
    """Shorten multi-line text to limit characters, keeping its line breaks."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


# ---------------------------------------------------------------------- rendering


def _date(value: str, lang: str) -> str:
    try:
        return format_date(date.fromisoformat(value), lang)
    except ValueError:
        return clip(value, VALUE_CLIP)


def _name(event: IssueEvent, lang: str) -> str:
    return clip(event.actor_name or "", NAME_CLIP) or t("notice_someone", lang)


def _header(events: Sequence[IssueEvent]) -> str:
    summary = next((e.summary for e in reversed(events) if e.summary.strip()), "")
    key = events[0].issue_key
    return f"{key} · {clip(summary, SUMMARY_CLIP)}" if summary else key


def _change_line(kind: EventKind, first: IssueEvent, last: IssueEvent, lang: str) -> str | None:
    """One line for all changes of a field in a group: the first old value to the last new one."""
    old, new = first.old, last.new
    if old == new:
        # Changed and changed back within the group: nothing to tell.
        return None
    if kind == "status":
        if not new:
            return None
        shown = clip(new, VALUE_CLIP)
        return t("notice_status", lang, old=clip(old, VALUE_CLIP), new=shown) if old else \
            t("notice_status_new", lang, new=shown)
    if kind == "assignee":
        return t("notice_assigned", lang, name=clip(new, NAME_CLIP)) if new else t("notice_unassigned", lang)
    if kind == "resolution":
        return t("notice_resolved", lang, resolution=clip(new, VALUE_CLIP)) if new else t("notice_reopened", lang)
    if kind == "duedate":
        if old and new:
            return t("notice_due", lang, old=_date(old, lang), new=_date(new, lang))
        return t("notice_due_set", lang, new=_date(new, lang)) if new else \
            t("notice_due_removed", lang, old=_date(old or "", lang))
    return None


def render_notice(events: Sequence[IssueEvent], lang: str, url: str) -> str:
    """One short plain-text message for a merged group of one issue's events ('' when nothing net changed).

    The first line is 'SUP-12 · Export to Excel fails', then one line per change, then the issue's link;
    repeated changes of a field show as first → last; the whole text stays under NOTICE_LIMIT characters.
    """
    if not events:
        return ""
    # Changes in the order they happened; all changes of one field share a line where it first changed.
    firsts: dict[EventKind, IssueEvent] = {}
    lasts: dict[EventKind, IssueEvent] = {}
    order: list[EventKind | IssueEvent] = []
    for event in events:
        if event.kind == "comment":
            order.append(event)
            continue
        if event.kind not in firsts:
            firsts[event.kind] = event
            order.append(event.kind)
        lasts[event.kind] = event
    lines: list[tuple[str, bool]] = []
    for entry in order:
        if isinstance(entry, IssueEvent):
            text = clip(plain_text(entry.body or ""), COMMENT_CLIP) or "…"
            lines.append((t("notice_comment", lang, name=_name(entry, lang), text=text), True))
        else:
            line = _change_line(entry, firsts[entry], lasts[entry], lang)
            if line:
                lines.append((line, False))
    if not lines:
        return ""
    return _fit(_header(events), lines, url.strip(), lang)


def _fit(header: str, lines: list[tuple[str, bool]], url: str, lang: str) -> str:
    """Join the notice, leaving out the latest comments (counted in a '+N more' line) until it fits."""
    kept = list(lines)
    hidden = 0

    def compose() -> str:
        body = [line for line, _ in kept]
        if hidden:
            body.append(t("notice_more_comments", lang, count=hidden))
        return "\n".join([header, *body, *([url] if url else [])])

    text = compose()
    while len(text) >= NOTICE_LIMIT:
        index = next((i for i in range(len(kept) - 1, -1, -1) if kept[i][1]), None)
        if index is None:
            break
        del kept[index]
        hidden += 1
        text = compose()
    if len(text) >= NOTICE_LIMIT:
        text = text[: NOTICE_LIMIT - 2].rstrip() + "…"
    return text


def _without_markers(text: str, markers: Sequence[str]) -> str:
    for marker in markers:
        if marker.strip():
            text = re.sub(re.escape(marker.strip()), "", text, flags=re.IGNORECASE)
    return text


def question_text(event: IssueEvent, markers: Sequence[str] = DEFAULT_MARKERS) -> str:
    """The question a marked comment asks, as plain text without the markers ('' for no comment)."""
    if event.kind != "comment":
        return ""
    return plain_text(_without_markers(event.body or "", markers), one_line=False).strip(" \n:,;-–—")


def render_needs_info(event: IssueEvent, lang: str, *, markers: Sequence[str] = DEFAULT_MARKERS) -> str:
    """A question from Jira to the salesperson, with a line asking them to answer by replying to it."""
    summary = clip(event.summary, SUMMARY_CLIP) or event.issue_key
    if event.kind == "comment":
        question = _clip_lines(question_text(event, markers), QUESTION_CLIP) or "…"
        # A question of several lines starts on its own line.
        shown = ("\n" + question) if "\n" in question else question
        first = t("needs_info_comment", lang, name=_name(event, lang), key=event.issue_key, summary=summary,
                  question=shown)
    else:
        first = t("needs_info_status", lang, key=event.issue_key, summary=summary,
                  status=clip(event.new or "", VALUE_CLIP))
    first = "\n".join(line.rstrip() for line in first.split("\n"))
    text = f"{first}\n\n{t('needs_info_reply', lang, key=event.issue_key)}"
    return text if len(text) < NOTICE_LIMIT else text[: NOTICE_LIMIT - 2].rstrip() + "…"
