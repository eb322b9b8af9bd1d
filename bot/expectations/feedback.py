"""Was it solved? When an issue is resolved its requester is asked once; "not solved" goes back to the engineers.

Only the requester answers: the ask is theirs, and joiners hear of the resolution as before. A "not solved"
becomes a comment on the issue and, with feedback.reopen_transition, moves it back where the workflow allows;
the person's next message then adds their sentence on what is still wrong.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.config import Config
from bot.delivery.notices import COMMENT_CLIP, NAME_CLIP, SUMMARY_CLIP, VALUE_CLIP, NoticePolicy, plain_text
from bot.delivery.worker import Worker
from bot.expectations.owed import GIVE_UP_SECONDS, LEASE_SECONDS, retry_in
from bot.i18n.catalog import t
from bot.jira.events import IssueEvent
from bot.jira.gateway import DeliveryError, IssueState, JiraGateway
from bot.jira.ticket import Reporter
from bot.storage.replies import AUTOMATIC
from bot.storage.store import Store
from bot.text.screen import clip
from bot.text.wiki import escape

log = logging.getLogger(__name__)
Outcome = Literal["recorded", "stale", "not_yours"]
IDLE_SECONDS = 900.0


class FeedbackSink(Protocol):
    """Where the question goes (the requester's chat)."""

    async def ask_feedback(self, user_id: int, chat_id: int, issue_key: str, text: str, lang: str) -> int | None:
        """Send the question with 👍 / 👎; return its message id, None if the person cannot be reached.

        Raises when Telegram failed (a timeout, an error on its side): the question is then tried again.
        """


@dataclass(frozen=True)
class Answer:
    """What became of a tap on 👍 or 👎: recorded, already answered, or not the tapper's to answer."""

    outcome: Outcome
    solved: bool = False
    message_id: int | None = None


def last_engineer_comment(state: IssueState | None, policy: NoticePolicy, lang: str) -> tuple[str, str] | None:
    """Return (name, text) of the latest comment not written by the bot, if there is one."""
    for comment in reversed(state.comments if state is not None else ()):
        own = comment.author_id is not None and any(
            comment.author_id.casefold() == mine.casefold() for mine in policy.bot_actor_ids)
        text = plain_text(comment.body)
        if not own and text:
            return clip(comment.author_name or "", NAME_CLIP) or t("notice_someone", lang), clip(text, COMMENT_CLIP)
    return None


def question_text(issue_key: str, summary: str, resolution: str, comment: tuple[str, str] | None, lang: str) -> str:
    """Return the question: the resolution, the engineer's last comment, and "was it solved?"."""
    said = t("feedback_comment", lang, name=comment[0], text=comment[1]) if comment else ""
    return t("feedback_ask", lang, key=issue_key, summary=clip(summary, SUMMARY_CLIP),
             resolution=clip(resolution, VALUE_CLIP), comment=said)


class Feedback(Worker):
    """Asks requesters whether their resolved issue solved the problem, and takes their answer."""

    def __init__(self, store: Store, gateway: JiraGateway, sink: FeedbackSink, config: Config,
                 policy: Callable[[], NoticePolicy], clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.gateway = gateway
        self.sink = sink
        self.config = config
        self.policy = policy
        self.clock = clock

    async def on_events(self, issue_key: str, events: Sequence[IssueEvent]) -> bool:
        """Ask the requester once, when these events leave the issue resolved by someone else; say whether asked."""
        policy = self.policy()
        resolutions = [e for e in events if e.kind == "resolution" and not policy.by_bot(e)]
        if not resolutions or not resolutions[-1].new:
            return False
        request = self.store.request_by_key(issue_key)
        # Never for a salesperson who muted everything but comments and resolutions.
        if request is None or self.store.is_muted(request.user_id) or self.store.feedback_on(issue_key) is not None:
            return False
        try:
            state: IssueState | None = await self.gateway.issue_state(issue_key)
        except DeliveryError as error:
            # The question still goes, without the engineer's last comment.
            log.info("the last comment on %s is unknown: %s", issue_key, error)
            state = None
        lang = self.store.language_choice(request.user_id) or self.store.user_language(request.user_id)
        summary = (state.summary if state else "") or resolutions[-1].summary or request.ticket.summary
        comment = last_engineer_comment(state, policy, lang)
        text = question_text(issue_key, summary, resolutions[-1].new or "", comment, lang)
        # Owed before it is sent: a failed send is tried again by run(), and never lost.
        if not self.store.owe_feedback(request.id, issue_key, request.user_id, request.chat_id,
                                       request.template_id, lang, text):
            return False
        return await self.ask(request.id)

    async def ask(self, request_id: str) -> bool:
        """Make one attempt at an owed question, unless another holds it; say whether Telegram took it."""
        owed = self.store.claim_feedback(request_id, LEASE_SECONDS)
        if owed is None:
            return False
        if self.store.is_muted(owed.user_id):
            self.store.feedback_dropped(request_id)
            return False
        try:
            message_id = await self.sink.ask_feedback(owed.user_id, owed.chat_id, owed.issue_key, owed.question,
                                                      owed.lang)
        except Exception as error:  # Telegram timed out, failed or kept refusing: the question stays owed
            if self.clock() - owed.owed_since >= GIVE_UP_SECONDS:
                self.store.feedback_dropped(request_id)
                log.warning("\"was it solved?\" of request %s given up after %d attempts: %s", request_id,
                            owed.attempts, type(error).__name__)
            else:
                self.store.feedback_retry(request_id, self.clock() + retry_in(owed.attempts))
                self.kick()
            return False
        if message_id is None:
            # Blocked, or without access now: nobody to ask.
            self.store.feedback_dropped(request_id)
            return False
        self.store.feedback_asked(request_id, message_id)
        return True

    async def retry_due(self) -> int:
        """Make an attempt at every owed question whose backoff is over; return how many Telegram took."""
        asked = 0
        for request_id in self.store.feedback_due():
            asked += await self.ask(request_id)
        return asked

    async def run(self) -> None:
        """Try the owed questions again as their backoff ends, until stopped."""
        while not self.stopping:
            try:
                await self.retry_due()
            except Exception:
                log.exception("asking \"was it solved?\" again failed")
            retry = self.store.next_feedback_retry()
            await self.nap(IDLE_SECONDS if retry is None else min(IDLE_SECONDS, retry - self.clock()))

    def answer(self, person: Reporter, is_admin: bool, issue_key: str, solved: bool, chat_id: int, lang: str
               ) -> Answer:
        """Record the requester's answer once; a "not solved" queues a comment (and the reopening) for the outbox."""
        ask = self.store.feedback_on(issue_key)
        if ask is None or ask.user_id != person.id:
            return Answer("not_yours")
        with self.store.transaction():
            if not self.store.answer_feedback(ask.request_id, "solved" if solved else "unsolved"):
                return Answer("stale", message_id=ask.message_id)
            reopen = self.config.feedback.reopen_transition
            if not solved:
                said = t("feedback_jira_unsolved", self.config.jira_language)
                body = f"*{escape(person.name)}* ({'admin' if is_admin else 'sales'}, via Telegram):\n{escape(said)}"
                self.store.queue_comment(f"{AUTOMATIC}fb-{ask.request_id}", issue_key, person.id, chat_id, lang,
                                         body, request_id=ask.request_id, transition=reopen)
                # Their next message says what is still wrong, as a reply on the issue.
                self.store.set_replying(person.id, issue_key)
        return Answer("recorded", solved, message_id=ask.message_id)
