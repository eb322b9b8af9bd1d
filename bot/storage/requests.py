"""Confirmed requests on their way to Jira, how each went there, and the customers they named."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.intake.draft import Draft
from bot.jira.ticket import Attachment, Ticket
from bot.storage.base import StoreBase

# "approval": waiting for an approver before the outbox may file it; "declined": an approver said no.
RequestState = Literal["pending", "sending", "attaching", "created", "needs-attention", "approval", "declined"]


@dataclass(frozen=True)
class Request:
    """A confirmed request and how far its delivery to Jira has come."""

    id: str
    user_id: int
    chat_id: int
    lang: str
    template_id: str
    ticket: Ticket
    state: RequestState
    attempts: int
    created_at: float
    jira_key: str | None = None
    jira_url: str | None = None
    last_error: str | None = None
    next_attempt_at: float | None = None
    told_unreachable: bool = False
    uploaded: tuple[str, ...] = ()
    # When a create of this request was last possibly on its way to Jira (None: no create can have landed).
    create_sent_at: float | None = None
    # When it was approved, for a request that waited for approval: Jira is retried for max_age_hours from then.
    approved_at: float | None = None

    @property
    def queued_at(self) -> float:
        """Return when the request was handed to the outbox: when confirmed, or when an approver approved it."""
        return self.approved_at if self.approved_at is not None else self.created_at

    def pending_attachments(self) -> list[Attachment]:
        """Return the files not yet uploaded to the issue."""
        return [a for a in self.ticket.attachments if a.file_id not in self.uploaded]


@dataclass(frozen=True)
class OutboxSummary:
    """How the delivery backlog stands, for admins."""

    waiting: int
    oldest_created_at: float | None
    last_error: str | None
    needs_attention: int


@dataclass(frozen=True)
class RequestOutcome:
    """How the request an issue came from went in Jira so far, for the admins' dashboard."""

    request_id: str
    created_at: float | None
    first_response_at: float | None
    resolved_at: float | None


@dataclass(frozen=True)
class PastRequest:
    """A request from the past, with how it went in Jira, to import."""

    request: Request
    first_response_at: float | None = None
    resolved_at: float | None = None
    followups: int = 0


def _listed(ticket: Ticket) -> dict[str, str]:
    """Return the ticket's values the admins' list filters, sorts and searches on, as their columns hold them."""
    return {"summary": ticket.summary, "customer": ticket.customer or "", "urgency": ticket.priority or ""}


def ticket_to_json(ticket: Ticket) -> str:
    """Return a ticket as the JSON the requests table keeps."""
    data = asdict(ticket)
    data["fields"] = [list(pair) for pair in ticket.fields]
    return json.dumps(data, ensure_ascii=False)


def _ticket_from_json(text: str) -> Ticket:
    data = json.loads(text)
    return Ticket(
        project=data["project"], issue_type=data["issue_type"], summary=data["summary"],
        description=data["description"], priority=data.get("priority"), duedate=data.get("duedate"),
        labels=tuple(data.get("labels", ())), components=tuple(data.get("components", ())),
        fields=tuple((k, v) for k, v in data.get("fields", ())),
        attachments=tuple(Attachment.from_dict(a) for a in data.get("attachments", ())),
        customer=data.get("customer"),
        reporter_query=data.get("reporter_query"),
    )


class RequestStore(StoreBase):
    """Reads and writes the requests table and the customers named in requests."""

    def confirm(self, draft: Draft, chat_id: int, ticket: Ticket, *,
                approvers: tuple[int | str, ...] | None = None) -> tuple[Request, bool]:
        """Turn a draft into a pending request in one transaction; say whether it is new.

        With approvers, the request waits for one of them instead (state 'approval'). The request id is the draft
        id, so a second confirmation of the same draft finds the first.
        """
        state = "pending" if approvers is None else "approval"
        with self.transaction():
            existing = self.get_request(draft.id)
            now = self.clock()
            draft_json = json.dumps(draft.to_dict(), ensure_ascii=False)
            due = now if approvers is None else None
            if existing is not None and existing.state in ("needs-attention", "declined"):
                # A refused or declined request, changed by its owner: the same request (and marker) goes out again.
                self.db.execute(
                    "UPDATE requests SET ticket = ?, draft = ?, state = ?, attempts = 0, last_error = NULL, "
                    "next_attempt_at = ?, told_unreachable = 0, updated_at = ?, summary = ?, customer = ?, "
                    "urgency = ? WHERE id = ?",
                    [ticket_to_json(ticket), draft_json, state, due, now, *_listed(ticket).values(), draft.id])
                self.db.execute("DELETE FROM drafts WHERE user_id = ?", [draft.user_id])
                self._wait_for(draft.id, draft.user_id, chat_id, approvers, now)
                return self._must_get(draft.id), True
            if existing is not None:
                self.db.execute("DELETE FROM drafts WHERE user_id = ?", [draft.user_id])
                return existing, False
            self._insert("requests", {
                "id": draft.id, "user_id": draft.user_id, "chat_id": chat_id, "lang": draft.lang,
                "template_id": draft.template_id, "ticket": ticket_to_json(ticket), "state": state,
                "attempts": 0, "next_attempt_at": due, "told_unreachable": 0, "created_at": now,
                "updated_at": now, "draft": draft_json, **_listed(ticket), "requester": self._requester(draft.user_id),
            })
            self.db.execute("DELETE FROM drafts WHERE user_id = ? AND json_extract(data, '$.id') = ?",
                            [draft.user_id, draft.id])
            if ticket.customer:
                self._record_customer(ticket.customer, now)
            self._wait_for(draft.id, draft.user_id, chat_id, approvers, now)
        return self._must_get(draft.id), True

    def _wait_for(self, request_id: str, user_id: int, chat_id: int, approvers: tuple[int | str, ...] | None,
                  now: float) -> None:
        """Open the request's wait for approval (a new one after a decline), in the caller's transaction."""
        if approvers is None:
            return
        self.db.execute(
            "INSERT OR REPLACE INTO approvals (request_id, user_id, chat_id, approvers, state, asked_at, messages) "
            "VALUES (?, ?, ?, ?, 'waiting', ?, '[]')", [request_id, user_id, chat_id, json.dumps(approvers), now])

    def _requester(self, user_id: int) -> str:
        row = self.db.execute("SELECT COALESCE(NULLIF(name, ''), username) FROM users WHERE id = ?",
                              [user_id]).fetchone()
        return str(row[0]) if row and row[0] else str(user_id)

    def import_requests(self, past: Iterable[PastRequest]) -> int:
        """Record requests filed elsewhere or long ago, with their outcomes, in one transaction; return how many.

        For moving a history in (and for benchmarks): one statement for many rows instead of one per confirm.
        """
        past = list(past)
        rows = [(p.request.id, p.request.user_id, p.request.chat_id, p.request.lang, p.request.template_id,
                 ticket_to_json(p.request.ticket), p.request.state, p.request.attempts, p.request.jira_key,
                 p.request.jira_url, p.request.created_at, p.request.created_at, p.first_response_at,
                 p.resolved_at, p.followups, *_listed(p.request.ticket).values(), p.request.user_id,
                 str(p.request.user_id)) for p in past]
        customers = Counter(p.request.ticket.customer for p in past if p.request.ticket.customer)
        # A larger page cache for the import: every index takes its share of the rows.
        cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute("PRAGMA cache_size=-262144")
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO requests (id, user_id, chat_id, lang, template_id, ticket, state, attempts, jira_key, "
                "jira_url, created_at, updated_at, first_response_at, resolved_at, followups, summary, customer, "
                "urgency, requester, told_unreachable) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "COALESCE((SELECT COALESCE(name, username) FROM users WHERE id = ?), ?), 0)", rows)
            self.db.conn.executemany(
                "INSERT INTO customers_used (name, uses, last_used) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET uses = uses + excluded.uses, "
                "last_used = max(last_used, excluded.last_used)",
                [(name, uses, self.clock()) for name, uses in customers.items()])
        self.db.execute(f"PRAGMA cache_size={int(cache)}")
        return len(rows)

    def _must_get(self, request_id: str) -> Request:
        request = self.get_request(request_id)
        assert request is not None
        return request

    def reopen(self, request_id: str, user_id: int) -> Draft | None:
        """Return the draft behind a refused or declined request of this user, to change and send again."""
        rows = list(self.db.table("requests").rows_where(
            "id = ? AND user_id = ? AND state IN ('needs-attention', 'declined')", [request_id, user_id]))
        if not rows or not rows[0].get("draft"):
            return None
        return Draft.from_dict(json.loads(rows[0]["draft"]))

    def request_draft(self, request_id: str) -> Draft | None:
        """Return the draft a confirmed request was made from, as it stood when confirmed."""
        row = self.db.execute("SELECT draft FROM requests WHERE id = ?", [request_id]).fetchone()
        return Draft.from_dict(json.loads(row[0])) if row and row[0] else None

    def get_request(self, request_id: str) -> Request | None:
        """Return one request."""
        rows = self._rows("SELECT * FROM requests WHERE id = ?", [request_id])
        return _request(rows[0]) if rows else None

    def due_requests(self, now: float, limit: int = 20) -> list[Request]:
        """Return requests waiting for delivery whose next attempt is due, oldest first."""
        rows = self._rows(
            "SELECT * FROM requests WHERE state IN ('pending', 'sending', 'attaching') "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?", [now, limit])
        return [_request(r) for r in rows]

    def next_due_time(self) -> float | None:
        """Return when the next waiting request or reply is due, if any."""
        row = self.db.execute(
            "SELECT MIN(t) FROM (SELECT MIN(next_attempt_at) AS t FROM requests WHERE state IN "
            "('pending', 'sending', 'attaching') UNION ALL SELECT MIN(next_attempt_at) FROM comments "
            "WHERE state IN ('pending', 'sending'))").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def mark_sending(self, request_id: str) -> Request:
        """Record that an attempt starts now, before Jira is called."""
        now = self.clock()
        self.db.execute("UPDATE requests SET state = 'sending', attempts = attempts + 1, updated_at = ? "
                        "WHERE id = ?", [now, request_id])
        request = self.get_request(request_id)
        assert request is not None
        return request

    def set_create_sent(self, request_id: str, at: float | None) -> None:
        """Record when a create of the request was last possibly on its way to Jira (None: none can have landed)."""
        self.db.execute("UPDATE requests SET create_sent_at = ? WHERE id = ?", [at, request_id])

    def mark_created(self, request_id: str, key: str, url: str, *, attachments_left: bool = False) -> None:
        """Record the Jira issue a request became; files still to upload keep it in the outbox."""
        state = "attaching" if attachments_left else "created"
        self.db.execute(
            "UPDATE requests SET state = ?, jira_key = ?, jira_url = ?, last_error = NULL, next_attempt_at = ?, "
            "updated_at = ? WHERE id = ?",
            [state, key, url, self.clock() if attachments_left else None, self.clock(), request_id])

    def mark_uploaded(self, request_id: str, file_id: str, *, last: bool) -> None:
        """Record one uploaded (or given-up) file; the last one completes the request."""
        request = self.get_request(request_id)
        assert request is not None
        uploaded = json.dumps([*request.uploaded, file_id])
        self.db.execute("UPDATE requests SET uploaded = ?, state = ?, next_attempt_at = ?, updated_at = ? "
                        "WHERE id = ?", [uploaded, "created" if last else "attaching",
                                         None if last else self.clock(), self.clock(), request_id])

    def mark_retry(self, request_id: str, error: str, next_attempt_at: float) -> None:
        """Record a transient failure and when to try again (an issue already created stays created)."""
        self.db.execute("UPDATE requests SET last_error = ?, next_attempt_at = ?, updated_at = ?, "
                        "state = CASE WHEN state = 'attaching' THEN 'attaching' ELSE 'sending' END WHERE id = ?",
                        [error, next_attempt_at, self.clock(), request_id])

    def mark_needs_attention(self, request_id: str, error: str) -> None:
        """Record a failure that retrying will not fix."""
        self.db.execute("UPDATE requests SET state = 'needs-attention', last_error = ?, next_attempt_at = NULL, "
                        "updated_at = ? WHERE id = ?", [error, self.clock(), request_id])

    def mark_told_unreachable(self, request_id: str) -> None:
        """Record that the user has been told Jira is unreachable, so they are told once."""
        self.db.execute("UPDATE requests SET told_unreachable = 1 WHERE id = ?", [request_id])

    def outbox_summary(self) -> OutboxSummary:
        """Count requests waiting for Jira and those needing an admin."""
        waiting, oldest = self.db.execute(
            "SELECT COUNT(*), MIN(created_at) FROM requests WHERE state IN ('pending', 'sending', 'attaching')"
        ).fetchone()
        error = self.db.execute(
            "SELECT last_error FROM requests WHERE last_error IS NOT NULL AND state != 'created' "
            "ORDER BY updated_at DESC LIMIT 1").fetchone()
        attention = self.db.execute("SELECT COUNT(*) FROM requests WHERE state = 'needs-attention'").fetchone()[0]
        return OutboxSummary(waiting, oldest, error[0] if error else None, attention)

    def request_by_key(self, issue_key: str) -> Request | None:
        """Return the request that became this issue."""
        rows = self._rows("SELECT * FROM requests WHERE jira_key = ? LIMIT 1", [issue_key])
        return _request(rows[0]) if rows else None

    def requests_of(self, user_id: int) -> list[Request]:
        """Return a user's requests, newest first."""
        rows = self._rows("SELECT * FROM requests WHERE user_id = ? ORDER BY created_at DESC", [user_id])
        return [_request(r) for r in rows]

    def requests_page(self, user_id: int, page: int, size: int) -> tuple[list[Request], int, int]:
        """Return one page of a user's requests, newest first, with the page shown and their total count.

        A page past the last shows the last one.
        """
        total = int(self.db.execute("SELECT COUNT(*) FROM requests WHERE user_id = ?", [user_id]).fetchone()[0])
        page = max(0, min(page, (total - 1) // size)) if total else 0
        rows = self._rows("SELECT * FROM requests WHERE user_id = ? ORDER BY created_at DESC LIMIT ? OFFSET ?",
                          [user_id, size, page * size])
        return [_request(r) for r in rows], page, total

    def request_outcome(self, issue_key: str) -> RequestOutcome | None:
        """Return how the request that became this issue went so far."""
        row = self.db.execute("SELECT id, created_at, first_response_at, resolved_at FROM requests "
                              "WHERE jira_key = ?", [issue_key]).fetchone()
        return RequestOutcome(*row) if row is not None else None

    def set_request_outcome(self, request_id: str, first_response_at: float | None, resolved_at: float | None,
                            followups: int) -> None:
        """Record when a request was first answered and resolved, and count more follow-up questions."""
        self.db.execute("UPDATE requests SET first_response_at = ?, resolved_at = ?, followups = followups + ? "
                        "WHERE id = ?", [first_response_at, resolved_at, followups, request_id])

    def _record_customer(self, name: str, now: float) -> None:
        self.db.execute("INSERT INTO customers_used (name, uses, last_used) VALUES (?, 1, ?) "
                        "ON CONFLICT(name) DO UPDATE SET uses = uses + 1, last_used = excluded.last_used",
                        [name, now])

    def used_customers(self) -> list[str]:
        """Return customers named in earlier requests, most used first."""
        return [row[0] for row in self.db.execute("SELECT name FROM customers_used ORDER BY uses DESC, name")]


def _request(row: dict[str, Any]) -> Request:
    return Request(
        id=row["id"], user_id=row["user_id"], chat_id=row["chat_id"], lang=row["lang"] or "en",
        template_id=row["template_id"], ticket=_ticket_from_json(row["ticket"]), state=row["state"],
        attempts=row["attempts"] or 0, created_at=row["created_at"], jira_key=row["jira_key"],
        jira_url=row["jira_url"], last_error=row["last_error"], next_attempt_at=row["next_attempt_at"],
        told_unreachable=bool(row["told_unreachable"]),
        uploaded=tuple(json.loads(row.get("uploaded") or "[]")), create_sent_at=row.get("create_sent_at"),
        approved_at=row.get("approved_at"),
    )
