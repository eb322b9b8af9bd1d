"""Callback data: every kind of button declared once, with its pattern and the way to and from typed values.

A client sends back whatever callback data it likes, so data is read only through a kind's parse, which answers
None for anything the kind could not have built. Every pattern is anchored at both ends and spells out its
characters, so what a handler is registered for is exactly what its kind parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

from bot.i18n.catalog import LANGUAGES

# Telegram carries 1 to 64 bytes of callback data.
LIMIT = 64
# Numbers as the bot writes them: no sign, no leading zeros.
_NUMBER = r"0|[1-9][0-9]{0,17}"
# A Jira issue key: project key, dash, number.
_KEY = r"[A-Z][A-Z0-9_]*-[0-9]+"
# The dialog engine's button tokens ("create", "opt:2", "tpl:bug", "editq:customer").
_TOKEN = r"[A-Za-z0-9_.:-]+"

V = TypeVar("V")


class Kind(Generic[V]):
    """One kind of button: the pattern its data matches, and how a value becomes data and data a value again."""

    def __init__(self, name: str, pattern: str, build: Callable[[V], str], read: Callable[[re.Match[str]], V]
                 ) -> None:
        """Declare a kind; pattern is the whole data, without anchors."""
        self.name = name
        self.pattern = re.compile(rf"^(?:{pattern})\Z")
        self._build = build
        self._read = read

    def __repr__(self) -> str:
        return f"Kind({self.name})"

    def data(self, value: V) -> str:
        """Return the callback data for a value; raise ValueError when it would not fit or not parse back."""
        data = self._build(value)
        found = self.pattern.match(data)
        if found is None or self._read(found) != value:
            raise ValueError(f"{self.name} button cannot carry {value!r}")
        if len(data.encode("utf-8")) > LIMIT:
            raise ValueError(f"callback data longer than {LIMIT} bytes: {data!r}")
        return data

    def parse(self, data: str | None) -> V | None:
        """Return the value a button's data carries, or None when the data is not of this kind."""
        if data is None or len(data.encode("utf-8", "surrogatepass")) > LIMIT:
            return None
        found = self.pattern.match(data)
        return self._read(found) if found else None


# -- the request dialog -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogTap:
    """A dialog button: the number of the prompt it belongs to and the engine's token."""

    seq: int | None
    token: str


@dataclass(frozen=True)
class DraftChoice:
    """Continue the open draft, or throw it away and start over."""

    keep: bool


@dataclass(frozen=True)
class Fix:
    """Bring a request Jira refused back as a draft, to correct and send again."""

    request_id: str


@dataclass(frozen=True)
class SimilarChoice:
    """Join an open issue that looks the same (its key), or file the request as a new one (None)."""

    key: str | None


# Buttons from before prompts were numbered carry the token alone; they are read with no prompt number.
DIALOG: Kind[DialogTap] = Kind(
    "dialog", rf"(?:({_NUMBER})\|)?({_TOKEN})",
    lambda tap: tap.token if tap.seq is None else f"{tap.seq}|{tap.token}",
    lambda m: DialogTap(int(m[1]) if m[1] is not None else None, m[2]))
DRAFT: Kind[DraftChoice] = Kind(
    "draft", r"continue|restart", lambda choice: "continue" if choice.keep else "restart",
    lambda m: DraftChoice(m[0] == "continue"))
FIX: Kind[Fix] = Kind("fix", r"fix:([A-Za-z0-9_-]+)", lambda fix: f"fix:{fix.request_id}", lambda m: Fix(m[1]))
SIMILAR: Kind[SimilarChoice] = Kind(
    "similar", rf"join:({_KEY})|create-new", lambda choice: f"join:{choice.key}" if choice.key else "create-new",
    lambda m: SimilarChoice(m[1]))


# -- issues, replies, settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyTap:
    """Answer on an issue (its key), or not after all (None)."""

    key: str | None


@dataclass(frozen=True)
class OpenIssue:
    """Show one of the user's issues."""

    key: str


@dataclass(frozen=True)
class MyPage:
    """A page of the user's requests."""

    page: int


@dataclass(frozen=True)
class LanguageChoice:
    """Speak this language, or follow Telegram's ("auto")."""

    code: str


@dataclass(frozen=True)
class Mute:
    """Hear only comments and resolutions (True), or everything."""

    on: bool


REPLY: Kind[ReplyTap] = Kind(
    "reply", rf"reply:({_KEY})|reply-cancel", lambda tap: f"reply:{tap.key}" if tap.key else "reply-cancel",
    lambda m: ReplyTap(m[1]))
OPEN: Kind[OpenIssue] = Kind("open", rf"open:({_KEY})", lambda tap: f"open:{tap.key}", lambda m: OpenIssue(m[1]))
MY_PAGE: Kind[MyPage] = Kind("my", rf"my:({_NUMBER})", lambda tap: f"my:{tap.page}", lambda m: MyPage(int(m[1])))
LANGUAGE: Kind[LanguageChoice] = Kind(
    "language", rf"lang:({'|'.join((*LANGUAGES, 'auto'))})", lambda choice: f"lang:{choice.code}",
    lambda m: LanguageChoice(m[1]))
MUTE: Kind[Mute] = Kind(
    "mute", r"mute:(on|off)", lambda mute: f"mute:{'on' if mute.on else 'off'}", lambda m: Mute(m[1] == "on"))


# -- expectations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackTap:
    """The requester says whether their resolved issue solved the customer's problem."""

    solved: bool
    key: str


@dataclass(frozen=True)
class CustomerUpdate:
    """A status text for the customer about an issue."""

    key: str


FEEDBACK: Kind[FeedbackTap] = Kind(
    "feedback", rf"fb:(y|n):({_KEY})", lambda tap: f"fb:{'y' if tap.solved else 'n'}:{tap.key}",
    lambda m: FeedbackTap(m[1] == "y", m[2]))
UPDATE: Kind[CustomerUpdate] = Kind(
    "update", rf"cu:({_KEY})", lambda tap: f"cu:{tap.key}", lambda m: CustomerUpdate(m[1]))


# -- people and access ------------------------------------------------------------------------------------

Verdict = Literal["sales", "admin", "deny", "show"]
UserAction = Literal["show", "admin", "lead", "sales", "confirm", "revoke", "restore"]


@dataclass(frozen=True)
class AskAccess:
    """A stranger asks the admins to let them in."""


@dataclass(frozen=True)
class AccessVerdict:
    """An admin approves (as salesperson or admin) or denies a stranger's request; 'show' sends its card again."""

    verdict: Verdict
    user_id: int


@dataclass(frozen=True)
class LinkVerdict:
    """An admin confirms or declines a salesperson's link to a Jira user."""

    confirm: bool
    request_id: int


@dataclass(frozen=True)
class WithdrawInvite:
    """An admin withdraws an invite nobody used yet."""

    code: str


@dataclass(frozen=True)
class UsersPage:
    """A page of the people list."""

    page: int


@dataclass(frozen=True)
class UserTap:
    """A button on a person's card (or their line in the list), and the list page to go back to."""

    user_id: int
    action: UserAction
    page: int


ASK_ACCESS: Kind[AskAccess] = Kind("ask", r"access:ask", lambda _: "access:ask", lambda m: AskAccess())
ACCESS: Kind[AccessVerdict] = Kind(
    "access", rf"ar:(sales|admin|deny|show):({_NUMBER})", lambda tap: f"ar:{tap.verdict}:{tap.user_id}",
    lambda m: AccessVerdict(cast(Verdict, m[1]), int(m[2])))
LINK: Kind[LinkVerdict] = Kind(
    "link", rf"lk:(ok|no):({_NUMBER})", lambda tap: f"lk:{'ok' if tap.confirm else 'no'}:{tap.request_id}",
    lambda m: LinkVerdict(m[1] == "ok", int(m[2])))
INVITE: Kind[WithdrawInvite] = Kind(
    "invite", r"inv:x:([A-Za-z0-9_-]+)", lambda tap: f"inv:x:{tap.code}", lambda m: WithdrawInvite(m[1]))
USERS_PAGE: Kind[UsersPage] = Kind(
    "users", rf"users:({_NUMBER})", lambda tap: f"users:{tap.page}", lambda m: UsersPage(int(m[1])))
USER: Kind[UserTap] = Kind(
    "user", rf"user:({_NUMBER}):(show|admin|lead|sales|confirm|revoke|restore):({_NUMBER})",
    lambda tap: f"user:{tap.user_id}:{tap.action}:{tap.page}",
    lambda m: UserTap(int(m[1]), cast(UserAction, m[2]), int(m[3])))


# -- approval for the top priority -----------------------------------------------------------------------

ApprovalAction = Literal["approve", "high", "decline", "keep"]
_APPROVAL_CODES = {"approve": "ok", "high": "hi", "decline": "no", "keep": "wait"}


@dataclass(frozen=True)
class ApprovalTap:
    """An approver approves a waiting request (as asked, or as High), declines it, or keeps it waiting after all."""

    action: ApprovalAction
    request_id: str


def _approval_data(tap: ApprovalTap) -> str:
    return f"ap:{_APPROVAL_CODES.get(tap.action, tap.action)}:{tap.request_id}"


def _approval_tap(m: re.Match[str]) -> ApprovalTap:
    return ApprovalTap(next(cast(ApprovalAction, a) for a, c in _APPROVAL_CODES.items() if c == m[1]), m[2])


APPROVAL: Kind[ApprovalTap] = Kind("approval", r"ap:(ok|hi|no|wait):([0-9a-f]{16})", _approval_data, _approval_tap)


# -- templates --------------------------------------------------------------------------------------------

TemplatesAction = Literal["dl", "hist", "rb", "rbok", "rbno", "pub", "drop", "add"]


@dataclass(frozen=True)
class TemplatesTap:
    """A templates button: download, history, rollback (ask, confirm, keep), publish or discard an upload, or get
    the file with a suggested question added.

    number is the version a rollback button is about, digest the upload a publish or discard button is about, or
    the suggestion an add button is about.
    """

    action: TemplatesAction
    number: int | None = None
    digest: str | None = None


def _templates_data(tap: TemplatesTap) -> str:
    argument = (tap.number if tap.action in ("rb", "rbok")
                else tap.digest if tap.action in ("pub", "drop", "add") else None)
    return f"tmpl:{tap.action}" if argument is None else f"tmpl:{tap.action}:{argument}"


def _templates_tap(m: re.Match[str]) -> TemplatesTap:
    if m[2] is not None:
        return TemplatesTap(cast(TemplatesAction, m[2]), number=int(m[3]))
    if m[4] is not None:
        return TemplatesTap(cast(TemplatesAction, m[4]), digest=m[5])
    return TemplatesTap(cast(TemplatesAction, m[1]))


TEMPLATES: Kind[TemplatesTap] = Kind(
    "templates", r"tmpl:(?:(dl|hist|rbno)|(rb|rbok):(0|[1-9][0-9]{0,7})|(pub|drop|add):([0-9a-f]{1,64}))",
    _templates_data, _templates_tap)

# Every kind, for checks that must hold for all of them.
KINDS: tuple[Kind[Any], ...] = (
    DIALOG, DRAFT, FIX, SIMILAR, REPLY, OPEN, MY_PAGE, LANGUAGE, MUTE, ASK_ACCESS, ACCESS, LINK, INVITE,
    USERS_PAGE, USER, TEMPLATES, APPROVAL, FEEDBACK, UPDATE)
