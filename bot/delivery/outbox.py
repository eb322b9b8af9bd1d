"""Delivery of confirmed requests to Jira: retried until filed, filed exactly once."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Protocol

from bot.config import DeliveryConfig
from bot.delivery.worker import Worker
from bot.jira.gateway import CreatedIssue, DeliveryError, JiraGateway
from bot.logs import REQUEST_ID, USER_ID
from bot.metrics import Metrics
from bot.storage.store import OutgoingComment, Request, Store

log = logging.getLogger(__name__)


def marker(request_id: str) -> str:
    """Return the label that identifies a request's issue in Jira."""
    return f"ts-{request_id}"


class DeliveryListener(Protocol):
    """Who hears how delivery went (the Telegram side tells the people concerned)."""

    async def created(self, request: Request, issue: CreatedIssue) -> None:
        """The issue exists."""

    async def delayed(self, request: Request, error: DeliveryError) -> None:
        """Jira is unreachable for now; the request will be retried."""

    async def refused(self, request: Request, error: DeliveryError) -> None:
        """Jira refused the request, or retrying has gone on too long."""

    async def attachment_failed(self, request: Request, name: str, error: DeliveryError) -> None:
        """A file could not be attached to the issue and has been given up."""

    async def comment_posted(self, comment: OutgoingComment) -> None:
        """A reply is now a comment on its issue."""

    async def comment_failed(self, comment: OutgoingComment, error: DeliveryError) -> None:
        """Jira refused a reply, or retrying has gone on too long."""


class FileSource(Protocol):
    """Where the files a salesperson sent can be fetched from (Telegram, for the bot)."""

    async def fetch(self, file_id: str) -> bytes:
        """Return a file's content; raise DeliveryError when it cannot be had."""


class Outbox(Worker):
    """Works through pending requests in the background; the dialog never waits on Jira."""

    def __init__(self, store: Store, gateway: JiraGateway, listener: DeliveryListener, config: DeliveryConfig,
                 *, files: FileSource | None = None, clock: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random, metrics: Metrics | None = None,
                 answer_transition: tuple[tuple[str, ...], str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.gateway = gateway
        self.listener = listener
        self.config = config
        self.files = files
        self.metrics = metrics
        # (waiting statuses, transition): an answered question moves its issue on.
        self.answer_transition = answer_transition
        self.clock = clock
        self.jitter = jitter

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Return seconds to wait after the given number of failed attempts."""
        base = min(self.config.max_retry_seconds, self.config.first_retry_seconds * 2 ** max(0, attempts - 1))
        delay = base * (0.5 + self.jitter() / 2)
        return float(max(delay, retry_after or 0.0))

    async def deliver(self, request: Request) -> None:
        """Make one attempt at filing a request (or at uploading its files, once the issue exists)."""
        USER_ID.set(request.user_id)
        REQUEST_ID.set(request.id)
        if request.state == "attaching":
            await self._upload(request)
            return
        request = self.store.mark_sending(request.id)
        try:
            issue = await self._file(request)
        except DeliveryError as error:
            self._count("transient" if error.transient else "refused")
            await self._failed(request, error)
            return
        if issue is None:
            return
        self._count("found" if issue.existed else "created")
        files_left = bool(request.pending_attachments()) and self.files is not None
        self.store.mark_created(request.id, issue.key, issue.url, attachments_left=files_left)
        log.info("request %s filed as %s%s", request.id, issue.key, " (found existing)" if issue.existed else "")
        await self._notify(self.listener.created, request, issue)
        if files_left:
            updated = self.store.get_request(request.id)
            assert updated is not None
            await self._upload(updated)

    async def _file(self, request: Request) -> CreatedIssue | None:
        """Find the request's issue or create it; None while neither is safe yet.

        A request's issue carries its marker label, set in the create request itself, and the store records
        when a create was last possibly on its way, before it is sent (so a crash mid-call leaves the mark).
        After a create that got no answer the issue may exist although Jira's search does not show it yet:
        Cloud's search is eventually consistent, and a Data Center cluster indexes other nodes' changes with
        a delay. So a missing marker is trusted only search_consistency_seconds after that moment; until then
        the request is looked for again as backoff allows, and only then created again, with the same marker.
        """
        label = marker(request.id)
        if request.create_sent_at is not None:
            found = await self.gateway.find(label)
            if found is not None:
                return found
            settled_at = request.create_sent_at + self.gateway.search_consistency_seconds
            now = self.clock()
            if now < settled_at:
                look_again = min(settled_at, now + self.backoff(request.attempts, None))
                self.store.mark_retry(request.id, request.last_error or "waiting for Jira's search", look_again)
                log.info("request %s is not in Jira's search yet; looking again in %.0fs, filing it again in %.0fs "
                         "if it is still missing", request.id, look_again - now, settled_at - now)
                return None
        self.store.set_create_sent(request.id, self.clock())
        try:
            return await self.gateway.create(request.ticket, label)
        except DeliveryError as error:
            # Jira refusing the create means there is no issue. Without an answer, or with a 5xx that may come
            # after the work was done, there may be one, and it may have landed until now.
            refused = error.status is not None and error.status < 500
            self.store.set_create_sent(request.id, None if refused else self.clock())
            raise

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.jira_calls.labels(outcome).inc()

    async def _upload(self, request: Request) -> None:
        """Upload the request's remaining files to its issue, one at a time."""
        pending = request.pending_attachments()
        if self.files is None or request.jira_key is None or not pending:
            self.store.mark_created(request.id, request.jira_key or "", request.jira_url or "")
            return
        for index, item in enumerate(pending):
            last = index == len(pending) - 1
            try:
                data = await self.files.fetch(item.file_id)
                await self.gateway.attach(request.jira_key, item.name, data)
            except DeliveryError as error:
                age_hours = (self.clock() - request.queued_at) / 3600
                if error.transient and age_hours < self.config.max_age_hours:
                    wait = self.backoff(request.attempts + index, error.retry_after)
                    self.store.mark_retry(request.id, error.message, self.clock() + wait)
                    log.warning("file %s of request %s not uploaded, retrying in %.0fs: %s",
                                item.name, request.id, wait, error.message)
                    return
                self.store.mark_uploaded(request.id, item.file_id, last=last)
                log.error("file %s of request %s given up: %s", item.name, request.id, error.message)
                await self._notify(self.listener.attachment_failed, request, item.name, error)
                continue
            self.store.mark_uploaded(request.id, item.file_id, last=last)

    async def _failed(self, request: Request, error: DeliveryError) -> None:
        age_hours = (self.clock() - request.queued_at) / 3600
        if error.transient and age_hours < self.config.max_age_hours:
            wait = self.backoff(request.attempts, error.retry_after)
            self.store.mark_retry(request.id, error.message, self.clock() + wait)
            log.warning("request %s not filed (attempt %d), retrying in %.0fs: %s",
                        request.id, request.attempts, wait, error.message)
            if not request.told_unreachable:
                self.store.mark_told_unreachable(request.id)
                await self._notify(self.listener.delayed, request, error)
            return
        self.store.mark_needs_attention(request.id, error.message)
        log.error("request %s needs attention: %s", request.id, error.message)
        await self._notify(self.listener.refused, request, error)

    async def _notify(self, callback: Callable[..., object], subject: object, *details: object) -> None:
        try:
            result = callback(subject, *details)
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            # Telling people is best effort; the request's state is already stored.
            log.exception("could not send the delivery notice for %s", getattr(subject, "id", subject))

    async def deliver_comment(self, comment: OutgoingComment) -> None:
        """Make one attempt at posting a reply as a comment, then attach its files."""
        USER_ID.set(comment.user_id)
        REQUEST_ID.set(comment.request_id)
        comment = self.store.comment_sending(comment.id)
        try:
            if comment.labels:
                await self.gateway.add_labels(comment.issue_key, comment.labels)
            jira_id = await self.gateway.post_comment(comment.issue_key, comment.body, comment.marker,
                                                      search_first=comment.attempts > 1)
        except DeliveryError as error:
            self._count("comment-transient" if error.transient else "comment-refused")
            age_hours = (self.clock() - comment.created_at) / 3600
            if error.transient and age_hours < self.config.max_age_hours:
                self.store.comment_retry(comment.id, error.message,
                                         self.clock() + self.backoff(comment.attempts, error.retry_after))
                log.warning("comment %s on %s not posted, will retry: %s", comment.id, comment.issue_key, error)
                return
            self.store.comment_failed(comment.id, error.message)
            await self._notify(self.listener.comment_failed, comment, error)
            return
        self._count("comment-posted")
        self.store.comment_posted(comment.id, jira_id)
        for item in comment.files:
            try:
                assert self.files is not None
                await self.gateway.attach(comment.issue_key, item.name, await self.files.fetch(item.file_id))
            except (DeliveryError, AssertionError) as error:
                # Best effort: the words are in Jira already; the user hears which file did not make it.
                log.warning("file %s of comment %s not attached: %s", item.name, comment.id, error)
        # Only a person's answer moves a waiting issue on: not a reminder or a "not solved" the bot wrote itself.
        if self.answer_transition is not None and not comment.automatic:
            try:
                await self.gateway.move_on(comment.issue_key, *self.answer_transition)
            except DeliveryError as error:
                log.warning("%s not moved on after the answer: %s", comment.issue_key, error)
        if comment.transition:
            try:
                await self.gateway.reopen(comment.issue_key, comment.transition)
            except DeliveryError as error:
                log.warning("%s not moved by '%s': %s", comment.issue_key, comment.transition, error)
        log.info("comment %s posted on %s", comment.id, comment.issue_key)
        await self._notify(self.listener.comment_posted, comment)

    async def deliver_due(self) -> int:
        """Attempt every request and reply that is due now; return how many were attempted."""
        count = 0
        while not self.stopping:
            comments = self.store.due_comments(self.clock(), limit=10)
            for comment in comments:
                try:
                    await self.deliver_comment(comment)
                except Exception:
                    log.exception("posting comment %s failed unexpectedly", comment.id)
                    self.store.comment_retry(comment.id, "internal error",
                                             self.clock() + self.backoff(comment.attempts + 1, None))
                count += 1
            due = self.store.due_requests(self.clock(), limit=10 * self.gateway.workers)
            if not due and not comments:
                break
            # Requests are independent, so they go to Jira side by side, as many as it has workers for.
            slots = asyncio.Semaphore(self.gateway.workers)
            await asyncio.gather(*(self._deliver_guarded(request, slots) for request in due))
            count += len(due)
        return count

    async def _deliver_guarded(self, request: Request, slots: asyncio.Semaphore) -> None:
        async with slots:
            try:
                await self.deliver(request)
            except Exception:
                # A bug must not spin: park the request with backoff and keep serving the others.
                log.exception("delivering request %s failed unexpectedly", request.id)
                retry_at = self.clock() + self.backoff(request.attempts, None)
                self.store.mark_retry(request.id, "internal error", retry_at)

    async def run(self) -> None:
        """Deliver until stopped, sleeping until the next request is due or a new one arrives."""
        while not self.stopping:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox pass failed")
            next_due = self.store.next_due_time()
            await self.nap(60.0 if next_due is None else min(60.0, next_due - self.clock()))
