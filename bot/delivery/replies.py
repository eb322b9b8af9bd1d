"""Answering on an issue from the chat: who may, which issue a message answers, and the comment it becomes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app import App
from bot.jira.ticket import Attachment, Reporter
from bot.text.screen import visible
from bot.text.wiki import escape


@dataclass(frozen=True)
class Answer:
    """A message that answers an issue: queued as a comment, or refused because it is not theirs to answer on."""

    key: str
    refused: bool = False


def comment_body(name: str, text: str, is_admin: bool) -> str:
    """Return the Jira wiki body of a reply, attributed to the person who wrote it."""
    role = "admin" if is_admin else "sales"
    who = escape(name)
    return f"*{who}* ({role}, via Telegram):\n{escape(text)}" if text else f"*{who}* ({role}, via Telegram)"


def may_reply(svc: App, person: Reporter, issue_key: str) -> bool:
    """Say whether a person may comment on an issue from the chat.

    A salesperson answers on the issues of requests they filed and on issues they joined; an admin also on any
    other issue the bot filed or someone joined. An issue the bot knows nothing about (another project, a key
    typed into crafted callback data) is nobody's to comment on from here.
    """
    if svc.store.follows(person.id, issue_key):
        return True
    return svc.access.is_admin(person.id, person.username) and svc.store.knows_issue(issue_key)


def begin_reply(svc: App, person: Reporter, issue_key: str) -> str | None:
    """Take the person's next message as their answer on the issue, if they may answer on it.

    Return the key the answer goes to (the issue's new one when it was moved since the button was sent), or None.
    """
    issue_key = svc.store.current_key(issue_key)
    if not may_reply(svc, person, issue_key):
        return None
    svc.store.set_replying(person.id, issue_key)
    return issue_key


def cancel_reply(svc: App, user_id: int) -> None:
    """Take the person's next message as what it is again, not as an answer on an issue."""
    svc.store.set_replying(user_id, None)


def _target(svc: App, user_id: int, chat_id: int, replied_to: int | None) -> tuple[str, str | None] | None:
    """Return the issue (and request) a message answers: a reply to a notice, or the issue after Reply."""
    if replied_to is not None:
        # Notices are remembered per chat: only a message the bot sent into this chat counts.
        found = svc.store.issue_of_message(chat_id, replied_to)
        if found is not None:
            return found
    key = svc.store.replying_to(user_id)
    if key is None:
        return None
    request = svc.store.request_by_key(key)
    return key, request.id if request else None


async def answer_issue(svc: App, person: Reporter, chat_id: int, lang: str, replied_to: int | None, text: str,
                       files: tuple[Attachment, ...], sending: Callable[[str], Awaitable[int | None]]
                       ) -> Answer | None:
    """Queue a message that answers an issue as a Jira comment; None when it answers none (or says nothing).

    sending tells the person their answer on the issue is on its way and returns that message's id: the outbox
    turns it into "added" once Jira has the comment.
    """
    target = _target(svc, person.id, chat_id, replied_to)
    if target is None:
        return None
    key, request_id = target
    if not may_reply(svc, person, key):
        # Checked again here: Reply may have been pressed with rights the person no longer has.
        cancel_reply(svc, person.id)
        return Answer(key, refused=True)
    text = visible(text)
    if not text and not files:
        return None
    body = comment_body(person.name, text, svc.access.is_admin(person.id, person.username))
    # Stored before anything is sent, so the outbox posts it even if the bot stops now.
    comment = svc.store.queue_comment(uuid.uuid4().hex[:16], key, person.id, chat_id, lang, body, files, request_id)
    cancel_reply(svc, person.id)
    svc.store.set_comment_ack(comment.id, await sending(key))
    svc.outbox.kick()
    return Answer(key)
