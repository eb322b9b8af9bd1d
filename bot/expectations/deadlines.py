"""The deadline guard: requests with a promised date whose issue is not done are watched, and each notice goes once.

The salesperson hears deadlines.warn_days before the date and once it has passed, with the issue's status and
assignee; with deadlines.comment_in_jira the assignee is reminded in Jira at the same moments.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal, Protocol

from bot.config import DeadlinesConfig
from bot.delivery.notices import SUMMARY_CLIP, VALUE_CLIP
from bot.delivery.worker import Worker
from bot.expectations.owed import GIVE_UP_SECONDS, LEASE_SECONDS, retry_in
from bot.i18n.catalog import t
from bot.jira.gateway import DeliveryError, IssueState, JiraGateway
from bot.storage.expectations import Deadline
from bot.storage.replies import AUTOMATIC
from bot.storage.store import Store
from bot.text.dates import format_date
from bot.text.screen import clip

log = logging.getLogger(__name__)
CHECK_SECONDS = 900.0
NoticeKind = Literal["warn", "overdue"]


class DeadlineSink(Protocol):
    """Where deadline notices go (the salesperson's chat)."""

    async def deadline(self, user_id: int, chat_id: int, issue_key: str, text: str) -> bool:
        """Send one deadline notice offering a status text for the customer; False if the person cannot be reached.

        Raises when Telegram failed (a timeout, an error on its side): the notice is then tried again.
        """


def due_kind(due: date, today: date, warn_days: int) -> NoticeKind | None:
    """Say which notice a promised date calls for today: overdue once it has passed, warn within warn_days."""
    if today > due:
        return "overdue"
    if (due - today).days <= warn_days:
        return "warn"
    return None


def when_text(due: date, today: date, lang: str) -> str:
    """Say how far off a date is: "today", "in 2 days"."""
    left = (due - today).days
    return t("deadline_today", lang) if left <= 0 else t("deadline_in_days", lang, count=left)


def notice_text(kind: NoticeKind, deadline: Deadline, state: IssueState, today: date, url: str, lang: str) -> str:
    """Return the salesperson's deadline notice about an issue that is not done."""
    due = date.fromisoformat(deadline.due)
    summary = clip(state.summary or deadline.summary, SUMMARY_CLIP)
    assignee = clip(state.assignee_name or "", VALUE_CLIP) or t("deadline_nobody", lang)
    key, shown_due, status = deadline.issue_key, format_date(due, lang), clip(state.status, VALUE_CLIP)
    url = url.strip()
    if kind == "warn":
        return t("deadline_warn", lang, key=key, summary=summary, due=shown_due, when=when_text(due, today, lang),
                 status=status, assignee=assignee, url=url)
    return t("deadline_overdue", lang, key=key, summary=summary, due=shown_due, status=status, assignee=assignee,
             url=url)


def jira_text(kind: NoticeKind, deadline: Deadline, state: IssueState, today: date, lang: str) -> str:
    """Return the Jira comment that reminds the assignee (mentioned, when there is one) of the promised date."""
    due = date.fromisoformat(deadline.due)
    mention = f"[~{state.assignee_mention}] " if state.assignee_mention else ""
    if kind == "warn":
        return t("deadline_jira_warn", lang, mention=mention, due=due.isoformat(), when=when_text(due, today, lang))
    return t("deadline_jira_overdue", lang, mention=mention, due=due.isoformat())


class DeadlineGuard(Worker):
    """Looks at the promised dates every CHECK_SECONDS and sends what is due, each notice once."""

    def __init__(self, store: Store, gateway: JiraGateway, sink: DeadlineSink, config: DeadlinesConfig, *,
                 zone: tzinfo, jira_lang: str, issue_url: Callable[[str], str], kick_outbox: Callable[[], None],
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.store = store
        self.gateway = gateway
        self.sink = sink
        self.config = config
        self.zone = zone
        self.jira_lang = jira_lang
        self.issue_url = issue_url
        self.kick_outbox = kick_outbox
        self.clock = clock

    def today(self) -> date:
        """Return today in the configured time zone."""
        return datetime.fromtimestamp(self.clock(), self.zone).date()

    async def check(self) -> int:
        """Send every deadline notice that is due and not sent yet; return how many went out."""
        today = self.today()
        sent = 0
        for deadline in self.store.deadlines_until((today + timedelta(days=self.config.warn_days)).isoformat()):
            try:
                due = date.fromisoformat(deadline.due)
            except ValueError:
                continue
            kind = due_kind(due, today, self.config.warn_days)
            if kind is None or kind in deadline.sent or kind in deadline.later:
                continue
            try:
                state = await self.gateway.issue_state(deadline.issue_key)
            except DeliveryError as error:
                log.info("deadline of %s not checked: %s", deadline.issue_key, error)
                continue
            if state.done:
                # Kept or late, the outcome shows on the dashboard; there is nothing to warn about.
                continue
            sent += await self._tell(kind, deadline, state, today)
        return sent

    async def _tell(self, kind: NoticeKind, deadline: Deadline, state: IssueState, today: date) -> int:
        claimed = self.store.claim_deadline_notice(deadline.request_id, kind, LEASE_SECONDS)
        if claimed is None:
            return 0
        attempt, owed_since = claimed
        if self.config.comment_in_jira:
            body = jira_text(kind, deadline, state, today, self.jira_lang)
            # The comment's id is fixed per request and moment, so a repeated pass cannot post it twice.
            self.store.queue_comment(f"{AUTOMATIC}dl-{kind}-{deadline.request_id}", deadline.issue_key,
                                     deadline.user_id, deadline.chat_id, deadline.lang, body,
                                     request_id=deadline.request_id)
            self.kick_outbox()
        told = False
        # A salesperson who muted everything but comments and resolutions is not told; neither is one without access.
        if not self.store.is_muted(deadline.user_id):
            lang = self.store.language_choice(deadline.user_id) or self.store.user_language(deadline.user_id)
            text = notice_text(kind, deadline, state, today, self.issue_url(deadline.issue_key), lang)
            try:
                told = await self.sink.deadline(deadline.user_id, deadline.chat_id, deadline.issue_key, text)
            except Exception as error:  # Telegram timed out, failed or kept refusing: the notice stays owed
                self._failed(kind, deadline, attempt, owed_since, error)
                return 0
        # Marked after Telegram took it: a crash in between repeats the notice rather than losing it.
        self.store.deadline_notice_sent(deadline.request_id, kind)
        return int(told)

    def _failed(self, kind: NoticeKind, deadline: Deadline, attempt: int, owed_since: float, error: Exception) -> None:
        if self.clock() - owed_since >= GIVE_UP_SECONDS:
            self.store.deadline_notice_sent(deadline.request_id, kind, "dropped")
            log.warning("%s deadline notice of request %s given up after %d attempts: %s", kind,
                        deadline.request_id, attempt, type(error).__name__)
            return
        self.store.deadline_notice_retry(deadline.request_id, kind, self.clock() + retry_in(attempt))

    def _next_nap(self) -> float:
        retry = self.store.next_deadline_retry()
        return CHECK_SECONDS if retry is None else min(CHECK_SECONDS, retry - self.clock())

    async def run(self) -> None:
        """Check the deadlines until stopped."""
        while not self.stopping:
            try:
                await self.check()
            except Exception:
                log.exception("checking deadlines failed")
            # An owed notice is tried again when its backoff is over, not at the next regular check.
            await self.nap(self._next_nap())
