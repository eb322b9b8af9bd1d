"""A request being written, as plain data, and the vocabulary the dialog engine speaks: actions in, prompts out.

A draft can be printed, stored and reloaded; adapters turn messages and taps into actions and draw prompts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from bot.jira.ticket import Attachment, Reporter

Stage = Literal["template", "question", "summary", "edit"]
Outcome = Literal["confirmed", "cancelled"]


@dataclass
class Draft:
    """A request being written: everything needed to resume it after a restart."""

    id: str
    user_id: int
    lang: str
    reporter: Reporter
    stage: Stage = "template"
    template_id: str | None = None
    template_version: str | None = None
    current: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    editing: bool = False
    candidates: list[str] = field(default_factory=list)
    typed: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0
    checked_similar: bool = False
    # The open issues shown to join instead of filing anew: a join names one of these or is refused.
    offered: list[str] = field(default_factory=list)
    # A draft started from a free-form message keeps it, to prefill again when another template is chosen.
    ask: str | None = None
    forwarded: bool = False
    forwarded_from: str | None = None
    ask_files: list[dict[str, Any]] = field(default_factory=list)
    # Answers taken from the message, by question id, with the words they came from; cleared once re-answered.
    guessed: dict[str, str] = field(default_factory=dict)
    # Disagreeing with the rubric takes a reason: "pick" while choosing a priority, then the priority chosen.
    disputing: str | None = None
    # The salesperson's own priority and why, shown to the engineers beside the rubric's verdict.
    priority_override: dict[str, str] | None = None
    # Files attached to the issue whatever the form asks: the voice notes the ask or answers were spoken in, the
    # files of the group message the request was filed from.
    kept_files: list[dict[str, Any]] = field(default_factory=list)
    # A request started from a group chat message: {"chat_id", "message_id", "title"}; the group hears its key.
    origin: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form (sharing this draft's lists and dicts: it is written out, not kept)."""
        # Not dataclasses.asdict: its deep copy was most of the cost of saving a draft on every answer.
        values = {name: getattr(self, name) for name in DRAFT_FIELDS}
        values["reporter"] = {"id": self.reporter.id, "name": self.reporter.name, "username": self.reporter.username}
        return values

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draft:
        """Rebuild a draft from to_dict()."""
        values = dict(data)
        values["reporter"] = Reporter(**values["reporter"])
        return cls(**values)


DRAFT_FIELDS = tuple(item.name for item in fields(Draft))


@dataclass(frozen=True)
class Text:
    """The user typed something."""

    text: str


@dataclass(frozen=True)
class Tap:
    """The user pressed a button; seq says which prompt it belonged to (None for commands)."""

    token: str
    seq: int | None = None


@dataclass(frozen=True)
class Files:
    """The user sent photos, documents, voice notes or videos."""

    files: tuple[Attachment, ...]


@dataclass(frozen=True)
class Unsupported:
    """The user sent something the dialog cannot use here, such as a sticker."""

    kind: str


@dataclass(frozen=True)
class Spoken:
    """The user sent a voice note: what it said, or None and why it could not be read."""

    audio: Attachment
    text: str | None
    problem: str | None = None


Action = Text | Tap | Files | Unsupported | Spoken


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; token is what comes back when it is pressed."""

    label: str
    token: str


@dataclass(frozen=True)
class Prompt:
    """What to show the user next."""

    text: str
    seq: int
    stage: Stage
    buttons: tuple[tuple[Button, ...], ...] = ()
    progress: tuple[int, int] | None = None
    hint: str | None = None
    current: str | None = None
    rows: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """The engine's answer to an action."""

    prompt: Prompt | None
    notice: str | None = None
    outcome: Outcome | None = None
    changed: bool = True
    # A plain line above the prompt (what the bot just did), unlike a notice, which is a warning.
    lead: str | None = None
