"""Durable state in SQLite: drafts, confirmed requests and who has talked to the bot."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from bot.intake.dialog import Draft
from bot.jira.ticket import Attachment, Ticket

log = logging.getLogger(__name__)

RequestState = Literal["pending", "sending", "attaching", "created", "needs-attention"]


@dataclass(frozen=True)
class StoredDraft:
    """A draft with the Telegram details needed to continue it."""

    draft: Draft
    chat_id: int
    prompt_message_id: int | None
    updated_at: float


@dataclass(frozen=True)
class OutboxSummary:
    """How the delivery backlog stands, for admins."""

    waiting: int
    oldest_created_at: float | None
    last_error: str | None
    needs_attention: int


@dataclass(frozen=True)
class OutgoingComment:
    """A salesperson's reply on its way to Jira as a comment."""

    id: str
    request_id: str | None
    issue_key: str
    user_id: int
    chat_id: int
    lang: str
    body: str
    files: tuple[Attachment, ...]
    state: str
    attempts: int
    created_at: float
    last_error: str | None = None
    ack_message_id: int | None = None
    labels: tuple[str, ...] = ()

    @property
    def marker(self) -> str:
        """Return the invisible anchor that identifies this comment in Jira."""
        return f"ts-c-{self.id}"


@dataclass(frozen=True)
class LinkRequest:
    """A salesperson asking to file as a Jira user, what Jira knew of that login, and the admins' messages."""

    id: int
    user_id: int
    chat_id: int
    username: str | None
    name: str
    query: str
    jira_name: str | None  # the one Jira user matching the login exactly, by display name; None when none did
    requested_at: float
    state: str  # 'pending' | 'confirmed' | 'declined' | 'replaced' (by a newer one) | 'withdrawn' (/link off)
    decided_by: int | None = None
    decided_at: float | None = None
    admin_messages: tuple[tuple[int, int], ...] = ()


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

    def pending_attachments(self) -> list[Attachment]:
        """Return the files not yet uploaded to the issue."""
        return [a for a in self.ticket.attachments if a.file_id not in self.uploaded]


def _ticket_to_json(ticket: Ticket) -> str:
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


def _migration_initial(db: sqlite_utils.Database) -> None:
    db.table("drafts").create({"user_id": int, "chat_id": int, "data": str, "prompt_message_id": int,
                         "updated_at": float}, pk="user_id")
    db.table("requests").create({
        "id": str, "user_id": int, "chat_id": int, "lang": str, "template_id": str, "ticket": str,
        "state": str, "attempts": int, "jira_key": str, "jira_url": str, "last_error": str,
        "next_attempt_at": float, "told_unreachable": int, "created_at": float, "updated_at": float,
    }, pk="id", not_null={"user_id", "chat_id", "template_id", "ticket", "state"})
    db.table("requests").create_index(["state", "next_attempt_at"])
    db.table("requests").create_index(["user_id", "created_at"])
    db.table("users").create({"id": int, "chat_id": int, "username": str, "name": str, "lang": str,
                        "last_seen": float}, pk="id")
    db.table("customers_used").create({"name": str, "uses": int, "last_used": float}, pk="name")


def _migration_uploads(db: sqlite_utils.Database) -> None:
    db.table("requests").add_column("uploaded", str)


def _migration_request_drafts(db: sqlite_utils.Database) -> None:
    db.table("requests").add_column("draft", str)


def _migration_jira_users(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("jira_user", str)


def _migration_user_active(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("active", int, not_null_default=1)


def _migration_comments(db: sqlite_utils.Database) -> None:
    db.table("comments").create({
        "id": str, "request_id": str, "issue_key": str, "user_id": int, "chat_id": int, "lang": str, "body": str,
        "files": str, "state": str, "attempts": int, "last_error": str, "next_attempt_at": float,
        "jira_comment_id": str, "ack_message_id": int, "created_at": float, "updated_at": float,
    }, pk="id", not_null={"issue_key", "user_id", "body", "state"})
    db.table("comments").create_index(["state", "next_attempt_at"])
    # Which bot message speaks about which issue, so a Telegram reply to it becomes a comment there.
    db.table("notice_messages").create({"chat_id": int, "message_id": int, "issue_key": str, "request_id": str,
                                        "sent_at": float}, pk=("chat_id", "message_id"))
    db.table("users").add_column("replying_to", str)


def _migration_events(db: sqlite_utils.Database) -> None:
    # One row per change seen in Jira, whoever reported it (webhook, poller, a retry): the id decides.
    db.table("events").create({"event_id": str, "issue_key": str, "data": str, "received_at": float, "state": str},
                              pk="event_id")
    db.table("events").create_index(["state", "issue_key"])
    db.table("subscriptions").create({"issue_key": str, "user_id": int, "chat_id": int, "since": float},
                                     pk=("issue_key", "user_id"))
    db.table("users").add_column("muted", int, not_null_default=0)
    db.table("settings").create({"key": str, "value": str}, pk="key")


def _migration_comment_labels(db: sqlite_utils.Database) -> None:
    db.table("comments").add_column("labels", str)


def _migration_language_choice(db: sqlite_utils.Database) -> None:
    db.table("users").add_column("lang_choice", str)


def _migration_admin(db: sqlite_utils.Database) -> None:
    # Roles beyond the config's bootstrap lists: NULL (none), 'sales', 'admin' or 'revoked'.
    db.table("users").add_column("role", str)
    db.table("users").add_column("role_by", int)
    db.table("users").add_column("role_at", float)
    db.table("template_versions").create({
        "number": int, "hash": str, "text": str, "source": str, "author_id": int, "author_name": str,
        "published_at": float, "note": str}, pk="number", not_null={"hash", "text", "source", "published_at"})
    db.table("invites").create({"code": str, "role": str, "created_by": int, "created_at": float,
                                "expires_at": float, "used_by": int, "used_at": float}, pk="code")
    db.table("access_requests").create({
        "user_id": int, "chat_id": int, "username": str, "name": str, "lang": str, "requested_at": float,
        "state": str, "decided_by": int, "decided_at": float, "admin_messages": str}, pk="user_id")
    db.table("audit").create({"id": int, "at": float, "actor_id": int, "actor_name": str, "action": str,
                              "detail": str}, pk="id", not_null={"at", "action"})
    db.table("audit").create_index(["at"])
    db.table("web_logins").create({"token_hash": str, "user_id": int, "created_at": float, "expires_at": float,
                                   "used_at": float}, pk="token_hash")
    db.table("web_sessions").create({"id": str, "user_id": int, "csrf": str, "created_at": float,
                                     "expires_at": float}, pk="id")
    # How the request went in Jira, for the admins' dashboard.
    db.table("requests").add_column("first_response_at", float)
    db.table("requests").add_column("resolved_at", float)
    db.table("requests").add_column("followups", int, not_null_default=0)


def _migration_granted_role(db: sqlite_utils.Database) -> None:
    # The role an approval gave, so the request's card keeps saying so after the role changes again.
    db.table("access_requests").add_column("granted", str)


def _migration_request_lookups(db: sqlite_utils.Database) -> None:
    # Every change Jira reports is matched to its request by key; the dashboard and the requests page read by date.
    db.table("requests").create_index(["jira_key"])
    db.table("requests").create_index(["created_at"])


def _migration_counted_events(db: sqlite_utils.Database) -> None:
    # The Jira events already folded into their request's outcomes (first response, resolution, follow-ups).
    db.table("counted_events").create({"event_id": str}, pk="event_id")


def _migration_link_requests(db: sqlite_utils.Database) -> None:
    # A /link waits here for an admin's confirmation; decided ones stay, so a late tap learns who decided.
    db.table("link_requests").create({
        "id": int, "user_id": int, "chat_id": int, "username": str, "name": str, "query": str, "jira_name": str,
        "requested_at": float, "state": str, "decided_by": int, "decided_at": float, "admin_messages": str,
    }, pk="id", not_null={"user_id", "chat_id", "query", "requested_at", "state"})
    db.table("link_requests").create_index(["user_id", "state"])


def _migration_create_sent(db: sqlite_utils.Database) -> None:
    # When a create may last have been on its way to Jira, so a retry waits for Jira's search to show it before
    # filing again. A request caught between attempts by the upgrade counts from its last update.
    db.table("requests").add_column("create_sent_at", float)
    db.execute("UPDATE requests SET create_sent_at = updated_at WHERE state = 'sending'")


# Named, ordered and recorded: a database is only ever moved forward, one step at a time.
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_initial", _migration_initial),
    ("0002_request_uploads", _migration_uploads),
    ("0003_request_drafts", _migration_request_drafts),
    ("0004_linked_jira_users", _migration_jira_users),
    ("0005_user_active", _migration_user_active),
    ("0006_comments_and_notices", _migration_comments),
    ("0007_jira_events", _migration_events),
    ("0008_comment_labels", _migration_comment_labels),
    ("0009_language_choice", _migration_language_choice),
    ("0010_admin", _migration_admin),
    ("0011_access_granted_role", _migration_granted_role),
    ("0012_request_lookups", _migration_request_lookups),
    ("0013_counted_events", _migration_counted_events),
    ("0014_link_requests", _migration_link_requests),
    ("0015_request_create_sent", _migration_create_sent),
]


class StoreUnavailable(Exception):
    """The database cannot be created or opened where the config puts it."""

    def __init__(self, path: Path, reason: str, *, existed: bool) -> None:
        super().__init__(f"cannot {'open' if existed else 'create'} the database at {path}: {reason}")
        self.path = path
        self.reason = reason


def _why_unusable(path: Path, error: Exception) -> str:
    """Say why the database file cannot be used, in the system's words where SQLite says only 'unable to open'."""
    folder = next((parent for parent in path.parents if parent.exists()), None)
    if folder is not None and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if path.is_dir():
        return "that is a folder, not a file"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    try:
        with path.open("ab"):
            pass
    except OSError as refused:
        return refused.strerror or str(refused)
    return str(error)


# The settings row /readyz rewrites to prove the database takes writes.
HEARTBEAT_KEY = "heartbeat"

# How stale a user's last-seen time may be; lists show it to the minute.
SEEN_RESOLUTION = 60.0


class Store:
    """All reads and writes of ticketsmith's SQLite database."""

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        existed = self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            # WAL with synchronous=NORMAL survives a killed process; every write is committed on return.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(self.path, _why_unusable(self.path, error), existed=existed) from error
        self.db = sqlite_utils.Database(conn)
        self.clock = clock
        # What remember_user last wrote per user, and when: most updates would rewrite the same row.
        self._remembered: dict[int, tuple[tuple[int, str | None, str, str], float]] = {}
        try:
            self._migrate()
        except sqlite3.Error as error:
            conn.close()
            raise StoreUnavailable(self.path, _why_unusable(self.path, error), existed=existed) from error

    def close(self) -> None:
        """Close the database."""
        self.db.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block as one write transaction, taking the write lock at once."""
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    # Plain SQL for the reads and writes each request makes: sqlite-utils' rows_where, insert and upsert first
    # read the schema from sqlite_master (two or three queries each time).
    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts keyed by column name."""
        cursor = self.db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def _insert(self, table: str, row: dict[str, Any], *, ignore: bool = False) -> None:
        """Insert one row; with ignore, a row whose key exists is left as it is."""
        columns = ", ".join(f'"{name}"' for name in row)
        self.db.execute(f'INSERT {"OR IGNORE " if ignore else ""}INTO "{table}" ({columns}) '
                        f'VALUES ({", ".join("?" * len(row))})', list(row.values()))

    def _upsert(self, table: str, row: dict[str, Any], key: tuple[str, ...]) -> None:
        """Insert one row, or update the given columns of the row with the same key."""
        columns = ", ".join(f'"{name}"' for name in row)
        updates = ", ".join(f'"{name}" = excluded."{name}"' for name in row if name not in key)
        target = ", ".join(f'"{name}"' for name in key)
        self.db.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(row))}) '
                        f"ON CONFLICT({target}) DO {f'UPDATE SET {updates}' if updates else 'NOTHING'}",
                        list(row.values()))

    def _migrate(self) -> None:
        self.db.table("_migrations").create({"name": str, "applied_at": float}, pk="name", if_not_exists=True)
        done = {row["name"] for row in self.db.table("_migrations").rows}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                step(self.db)
                self.db.table("_migrations").insert({"name": name, "applied_at": self.clock()})

    def heartbeat(self) -> int:
        """Prove the database takes writes by recording the time; return how many bytes it can still grow by.

        Raises sqlite3.Error when the write fails. A small row often still fits when the disk is full, so the room
        left counts too: the free pages inside the file, the pages it may still add and the space on its disk.
        """
        with self.transaction():
            self._upsert("settings", {"key": HEARTBEAT_KEY, "value": repr(self.clock())}, ("key",))
        page_size, pages, limit, free = (self.db.execute(f"PRAGMA {name}").fetchone()[0]
                                         for name in ("page_size", "page_count", "max_page_count", "freelist_count"))
        inside = (max(0, limit - pages) + free) * page_size
        return int(min(inside, shutil.disk_usage(self.path.parent).free))

    def migrations(self) -> list[str]:
        """Return the names of applied migrations."""
        return [row["name"] for row in self.db.table("_migrations").rows_where(order_by="name")]

    # -- drafts -------------------------------------------------------------------------------

    def get_draft(self, user_id: int) -> StoredDraft | None:
        """Return the user's open draft, if any."""
        row = self.db.execute("SELECT data, chat_id, prompt_message_id, updated_at FROM drafts WHERE user_id = ?",
                              [user_id]).fetchone()
        if row is None:
            return None
        return StoredDraft(Draft.from_dict(json.loads(row[0])), row[1], row[2], row[3])

    def save_draft(self, draft: Draft, chat_id: int, prompt_message_id: int | None = None, *,
                   touch: bool = True) -> None:
        """Write the draft; touch=False keeps its last-activity time (for bookkeeping writes)."""
        # Plain SQL: this runs on every answer, and sqlite-utils' upsert reads the table's schema each time.
        touched = ", updated_at = excluded.updated_at" if touch else ""
        self.db.execute(
            "INSERT INTO drafts (user_id, chat_id, data, prompt_message_id, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, data = excluded.data, "
            f"prompt_message_id = excluded.prompt_message_id{touched}",
            [draft.user_id, chat_id, json.dumps(draft.to_dict(), ensure_ascii=False), prompt_message_id,
             self.clock()])

    def set_prompt_message(self, user_id: int, message_id: int | None) -> None:
        """Remember which message shows the draft's live buttons."""
        self.db.execute("UPDATE drafts SET prompt_message_id = ? WHERE user_id = ?", [message_id, user_id])

    def delete_draft(self, user_id: int) -> None:
        """Drop the user's draft."""
        self.db.execute("DELETE FROM drafts WHERE user_id = ?", [user_id])

    def expired_drafts(self, older_than: float) -> list[StoredDraft]:
        """Return drafts untouched since the given time."""
        rows = self.db.table("drafts").rows_where("updated_at < ?", [older_than], order_by="updated_at")
        return [StoredDraft(Draft.from_dict(json.loads(r["data"])), r["chat_id"], r["prompt_message_id"],
                            r["updated_at"]) for r in rows]

    # -- requests -----------------------------------------------------------------------------

    def confirm(self, draft: Draft, chat_id: int, ticket: Ticket) -> tuple[Request, bool]:
        """Turn a draft into a pending request in one transaction; say whether it is new.

        The request id is the draft id, so a second confirmation of the same draft finds the first.
        """
        with self.transaction():
            existing = self.get_request(draft.id)
            now = self.clock()
            draft_json = json.dumps(draft.to_dict(), ensure_ascii=False)
            if existing is not None and existing.state == "needs-attention":
                # A refused request, corrected by its owner: the same request (and marker) goes out again.
                self.db.execute(
                    "UPDATE requests SET ticket = ?, draft = ?, state = 'pending', attempts = 0, last_error = NULL, "
                    "next_attempt_at = ?, told_unreachable = 0, updated_at = ? WHERE id = ?",
                    [_ticket_to_json(ticket), draft_json, now, now, draft.id])
                self.db.execute("DELETE FROM drafts WHERE user_id = ?", [draft.user_id])
                return self._must_get(draft.id), True
            if existing is not None:
                self.db.execute("DELETE FROM drafts WHERE user_id = ?", [draft.user_id])
                return existing, False
            self._insert("requests", {
                "id": draft.id, "user_id": draft.user_id, "chat_id": chat_id, "lang": draft.lang,
                "template_id": draft.template_id, "ticket": _ticket_to_json(ticket), "state": "pending",
                "attempts": 0, "next_attempt_at": now, "told_unreachable": 0, "created_at": now,
                "updated_at": now, "draft": draft_json,
            })
            self.db.execute("DELETE FROM drafts WHERE user_id = ? AND json_extract(data, '$.id') = ?",
                            [draft.user_id, draft.id])
            if ticket.customer:
                self._record_customer(ticket.customer, now)
        return self._must_get(draft.id), True

    def _must_get(self, request_id: str) -> Request:
        request = self.get_request(request_id)
        assert request is not None
        return request

    def reopen(self, request_id: str, user_id: int) -> Draft | None:
        """Return the draft behind a refused request of this user, to correct and send again."""
        rows = list(self.db.table("requests").rows_where(
            "id = ? AND user_id = ? AND state = 'needs-attention'", [request_id, user_id]))
        if not rows or not rows[0].get("draft"):
            return None
        return Draft.from_dict(json.loads(rows[0]["draft"]))

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

    def queue_comment(self, comment_id: str, issue_key: str, user_id: int, chat_id: int, lang: str, body: str,
                      files: tuple[Attachment, ...] = (), request_id: str | None = None,
                      labels: tuple[str, ...] = ()) -> OutgoingComment:
        """Store a reply before anything is sent to Jira."""
        now = self.clock()
        self._insert("comments", {
            "id": comment_id, "request_id": request_id, "issue_key": issue_key, "user_id": user_id,
            "chat_id": chat_id, "lang": lang, "body": body,
            "files": json.dumps([f.to_dict() for f in files], ensure_ascii=False), "state": "pending",
            "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now,
            "labels": json.dumps(list(labels), ensure_ascii=False),
        }, ignore=True)
        found = self.get_comment(comment_id)
        assert found is not None
        return found

    def get_comment(self, comment_id: str) -> OutgoingComment | None:
        """Return one outgoing comment."""
        rows = self._rows("SELECT * FROM comments WHERE id = ?", [comment_id])
        return _comment(rows[0]) if rows else None

    def due_comments(self, now: float, limit: int = 20) -> list[OutgoingComment]:
        """Return comments waiting to be posted whose next attempt is due, oldest first."""
        rows = self._rows("SELECT * FROM comments WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? "
                          "ORDER BY created_at LIMIT ?", [now, limit])
        return [_comment(r) for r in rows]

    def comment_sending(self, comment_id: str) -> OutgoingComment:
        """Record that an attempt starts now, before Jira is called."""
        self.db.execute("UPDATE comments SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?",
                        [self.clock(), comment_id])
        found = self.get_comment(comment_id)
        assert found is not None
        return found

    def comment_posted(self, comment_id: str, jira_comment_id: str) -> None:
        """Record that the comment is in Jira."""
        self.db.execute("UPDATE comments SET state = 'posted', jira_comment_id = ?, last_error = NULL, "
                        "next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                        [jira_comment_id, self.clock(), comment_id])

    def comment_retry(self, comment_id: str, error: str, at: float) -> None:
        """Record a transient failure of a comment."""
        self.db.execute("UPDATE comments SET last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
                        [error, at, self.clock(), comment_id])

    def comment_failed(self, comment_id: str, error: str) -> None:
        """Record a comment that retrying will not post."""
        self.db.execute("UPDATE comments SET state = 'needs-attention', last_error = ?, next_attempt_at = NULL, "
                        "updated_at = ? WHERE id = ?", [error, self.clock(), comment_id])

    def set_comment_ack(self, comment_id: str, message_id: int | None) -> None:
        """Remember the message that tells the user their reply is on its way."""
        self.db.execute("UPDATE comments SET ack_message_id = ? WHERE id = ?", [message_id, comment_id])

    def remember_notice(self, chat_id: int, message_id: int, issue_key: str, request_id: str | None) -> None:
        """Remember that a bot message is about an issue."""
        self._upsert("notice_messages", {"chat_id": chat_id, "message_id": message_id, "issue_key": issue_key,
                                         "request_id": request_id, "sent_at": self.clock()}, ("chat_id", "message_id"))

    def issue_of_message(self, chat_id: int, message_id: int) -> tuple[str, str | None] | None:
        """Return (issue key, request id) a bot message is about."""
        row = self.db.execute("SELECT issue_key, request_id FROM notice_messages WHERE chat_id = ? AND message_id = ?",
                              [chat_id, message_id]).fetchone()
        return (row[0], row[1]) if row else None

    def set_replying(self, user_id: int, issue_key: str | None) -> None:
        """Remember (or forget) that the user's next message answers an issue."""
        self.db.execute("UPDATE users SET replying_to = ? WHERE id = ?", [issue_key, user_id])

    def replying_to(self, user_id: int) -> str | None:
        """Return the issue the user's next message answers, if they pressed Reply."""
        row = self.db.execute("SELECT replying_to FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    def request_by_key(self, issue_key: str) -> Request | None:
        """Return the request that became this issue."""
        rows = self._rows("SELECT * FROM requests WHERE jira_key = ? LIMIT 1", [issue_key])
        return _request(rows[0]) if rows else None

    def add_events(self, events: list[tuple[str, str, str]]) -> int:
        """Store (event id, issue key, JSON) rows not seen before; return how many were new."""
        now, added = self.clock(), 0
        with self.transaction():
            for event_id, issue_key, data in events:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO events (event_id, issue_key, data, received_at, state) "
                    "VALUES (?, ?, ?, ?, 'pending')", [event_id, issue_key, data, now])
                added += cursor.rowcount
        return added

    def issues_with_events_due(self, received_before: float) -> list[str]:
        """Return issues whose oldest pending event arrived before the given time."""
        rows = self.db.execute("SELECT issue_key FROM events WHERE state = 'pending' GROUP BY issue_key "
                               "HAVING MIN(received_at) <= ?", [received_before]).fetchall()
        return [row[0] for row in rows]

    def pending_events(self, issue_key: str) -> list[str]:
        """Return the JSON of an issue's pending events, oldest first."""
        rows = self.db.execute("SELECT data FROM events WHERE state = 'pending' AND issue_key = ? "
                               "ORDER BY received_at, event_id", [issue_key]).fetchall()
        return [row[0] for row in rows]

    def events_done(self, issue_key: str) -> None:
        """Mark an issue's pending events as told."""
        self.db.execute("UPDATE events SET state = 'done' WHERE state = 'pending' AND issue_key = ?", [issue_key])

    def next_event_due(self) -> float | None:
        """Return when the oldest pending event arrived, if any."""
        row = self.db.execute("SELECT MIN(received_at) FROM events WHERE state = 'pending'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def subscribe(self, issue_key: str, user_id: int, chat_id: int) -> None:
        """Have a user told about an issue they did not file (they joined it)."""
        self._upsert("subscriptions", {"issue_key": issue_key, "user_id": user_id, "chat_id": chat_id,
                                       "since": self.clock()}, ("issue_key", "user_id"))

    def subscribers(self, issue_key: str) -> list[tuple[int, int, str, bool]]:
        """Return (user id, chat id, language, muted) of everyone told about an issue, active users only."""
        rows = self.db.execute(
            "SELECT p.user_id, p.chat_id, COALESCE(u.lang, p.lang, 'en'), COALESCE(u.muted, 0) FROM ("
            "  SELECT user_id, chat_id, lang FROM requests WHERE jira_key = ?"
            "  UNION SELECT s.user_id, s.chat_id, NULL FROM subscriptions s WHERE s.issue_key = ?"
            ") p LEFT JOIN users u ON u.id = p.user_id WHERE COALESCE(u.active, 1) = 1 GROUP BY p.user_id",
            [issue_key, issue_key]).fetchall()
        return [(row[0], row[1], row[2], bool(row[3])) for row in rows]

    def follows(self, user_id: int, issue_key: str) -> bool:
        """Say whether a user filed the issue through the bot or joined it."""
        row = self.db.execute(
            "SELECT 1 FROM requests WHERE jira_key = ? AND user_id = ? "
            "UNION ALL SELECT 1 FROM subscriptions WHERE issue_key = ? AND user_id = ? LIMIT 1",
            [issue_key, user_id, issue_key, user_id]).fetchone()
        return row is not None

    def knows_issue(self, issue_key: str) -> bool:
        """Say whether the bot filed the issue or somebody joined it."""
        row = self.db.execute("SELECT 1 FROM requests WHERE jira_key = ? UNION ALL "
                              "SELECT 1 FROM subscriptions WHERE issue_key = ? LIMIT 1", [issue_key, issue_key]
                              ).fetchone()
        return row is not None

    def watched_issue_keys(self) -> list[str]:
        """Return every issue somebody is told about: the bot's own and joined ones."""
        rows = self.db.execute("SELECT jira_key FROM requests WHERE jira_key IS NOT NULL "
                               "UNION SELECT issue_key FROM subscriptions ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def user_language(self, user_id: int) -> str:
        """Return the language a user last wrote to the bot in."""
        row = self.db.execute("SELECT lang FROM users WHERE id = ?", [user_id]).fetchone()
        return str(row[0]) if row and row[0] else "en"

    def set_language_choice(self, user_id: int, lang: str | None) -> None:
        """Record the language a user chose with /lang (None: follow Telegram)."""
        self.db.execute("UPDATE users SET lang_choice = ? WHERE id = ?", [lang, user_id])

    def language_choice(self, user_id: int) -> str | None:
        """Return the language a user chose with /lang, if any."""
        row = self.db.execute("SELECT lang_choice FROM users WHERE id = ?", [user_id]).fetchone()
        return str(row[0]) if row and row[0] else None

    def set_muted(self, user_id: int, muted: bool) -> None:
        """Record whether a user wants only comments and resolutions."""
        self.db.execute("UPDATE users SET muted = ? WHERE id = ?", [int(muted), user_id])

    def is_muted(self, user_id: int) -> bool:
        """Say whether a user muted everything but comments and resolutions."""
        row = self.db.execute("SELECT muted FROM users WHERE id = ?", [user_id]).fetchone()
        return bool(row and row[0])

    def get_setting(self, key: str) -> str | None:
        """Return a stored setting (such as when Jira was last polled)."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self._upsert("settings", {"key": key, "value": value}, ("key",))

    def requests_of(self, user_id: int) -> list[Request]:
        """Return a user's requests, newest first."""
        rows = self._rows("SELECT * FROM requests WHERE user_id = ? ORDER BY created_at DESC", [user_id])
        return [_request(r) for r in rows]

    # -- users and customers ------------------------------------------------------------------

    def remember_user(self, user_id: int, chat_id: int, username: str | None, name: str, lang: str) -> None:
        """Record who wrote to the bot, where to reach them and the language they get.

        An unchanged record is written again only once its last-seen time is SEEN_RESOLUTION old.
        """
        now, details = self.clock(), (chat_id, (username or "").lower() or None, name, lang)
        last = self._remembered.get(user_id)
        if last is not None and last[0] == details and now - last[1] < SEEN_RESOLUTION:
            return
        self.db.execute(
            "INSERT INTO users (id, chat_id, username, name, lang, last_seen, active) VALUES (?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT(id) DO UPDATE SET chat_id = excluded.chat_id, username = excluded.username, "
            "name = excluded.name, lang = excluded.lang, last_seen = excluded.last_seen, active = 1",
            [user_id, *details, now])
        self._remembered[user_id] = (details, now)

    def set_active(self, user_id: int, active: bool) -> None:
        """Record that a user blocked (or unblocked) the bot."""
        self.db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        self._remembered.pop(user_id, None)  # their next update must mark them active again

    def is_active(self, user_id: int) -> bool:
        """Say whether the bot can still reach a user (unknown users count as reachable)."""
        row = self.db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
        return row is None or bool(row[0])

    def user_chat(self, user_id: int) -> int | None:
        """Return the private chat of a user who has talked to the bot."""
        row = self.db.execute("SELECT chat_id FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def chats_of_usernames(self, usernames: list[str]) -> list[int]:
        """Return the chats of users known by these @usernames."""
        if not usernames:
            return []
        marks = ", ".join("?" for _ in usernames)
        rows = self.db.execute(f"SELECT chat_id FROM users WHERE username IN ({marks})",
                               [u.lstrip("@").lower() for u in usernames]).fetchall()
        return [row[0] for row in rows]

    def link_jira_user(self, user_id: int, jira_user: str | None) -> None:
        """Remember which Jira user a salesperson files as (None unlinks)."""
        self.db.execute("UPDATE users SET jira_user = ? WHERE id = ?", [jira_user, user_id])

    def jira_user_of(self, user_id: int) -> str | None:
        """Return the Jira user a salesperson linked, if any."""
        row = self.db.execute("SELECT jira_user FROM users WHERE id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    # -- links to Jira users waiting for an admin ----------------------------------------------

    def add_link_request(self, user_id: int, chat_id: int, username: str | None, name: str, query: str,
                         jira_name: str | None) -> tuple[LinkRequest, LinkRequest | None]:
        """Record a pending link request; return it and the user's earlier pending one it replaces, if any."""
        now = self.clock()
        with self.transaction():
            earlier = self.pending_link_request(user_id)
            if earlier is not None:
                self.db.execute("UPDATE link_requests SET state = 'replaced', decided_at = ? WHERE id = ?",
                                [now, earlier.id])
            cursor = self.db.execute(
                "INSERT INTO link_requests (user_id, chat_id, username, name, query, jira_name, requested_at, state, "
                "admin_messages) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', '[]')",
                [user_id, chat_id, (username or "").lstrip("@") or None, name, query, jira_name, now])
            request_id = cursor.lastrowid
        created = self.link_request(int(request_id or 0))
        assert created is not None
        return created, self.link_request(earlier.id) if earlier is not None else None

    def link_request(self, request_id: int) -> LinkRequest | None:
        """Return one link request, whatever its state."""
        rows = self._rows("SELECT * FROM link_requests WHERE id = ?", [request_id])
        return _link_request(rows[0]) if rows else None

    def pending_link_request(self, user_id: int) -> LinkRequest | None:
        """Return the user's link request waiting for an admin, if any."""
        rows = self._rows("SELECT * FROM link_requests WHERE user_id = ? AND state = 'pending' "
                          "ORDER BY id DESC LIMIT 1", [user_id])
        return _link_request(rows[0]) if rows else None

    def decide_link_request(self, request_id: int, state: str, by: int | None) -> LinkRequest | None:
        """Move a pending link request to state, linking the user when 'confirmed'; None when it was not pending."""
        if state not in ("confirmed", "declined", "replaced", "withdrawn"):
            raise ValueError(f"unknown link request state {state!r}")
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE link_requests SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
                [state, by, self.clock(), request_id])
            if not cursor.rowcount:
                return None
            if state == "confirmed":
                self.db.execute("UPDATE users SET jira_user = (SELECT query FROM link_requests WHERE id = ?) "
                                "WHERE id = (SELECT user_id FROM link_requests WHERE id = ?)", [request_id, request_id])
        return self.link_request(request_id)

    def add_link_request_messages(self, request_id: int, messages: list[tuple[int, int]]) -> LinkRequest | None:
        """Remember more admin messages that show a link request, to edit them all once it is decided."""
        with self.transaction():
            found = self.link_request(request_id)
            if found is None:
                return None
            shown = [*found.admin_messages, *messages]
            self.db.execute("UPDATE link_requests SET admin_messages = ? WHERE id = ?",
                            [json.dumps([list(pair) for pair in shown]), request_id])
        return self.link_request(request_id)

    def _record_customer(self, name: str, now: float) -> None:
        self.db.execute("INSERT INTO customers_used (name, uses, last_used) VALUES (?, 1, ?) "
                        "ON CONFLICT(name) DO UPDATE SET uses = uses + 1, last_used = excluded.last_used",
                        [name, now])

    def used_customers(self) -> list[str]:
        """Return customers named in earlier requests, most used first."""
        return [r["name"] for r in self.db.table("customers_used").rows_where(order_by="uses desc, name")]


def _comment(row: dict[str, Any]) -> OutgoingComment:
    return OutgoingComment(
        id=row["id"], request_id=row["request_id"], issue_key=row["issue_key"], user_id=row["user_id"],
        chat_id=row["chat_id"], lang=row["lang"] or "en", body=row["body"],
        files=tuple(Attachment.from_dict(f) for f in json.loads(row["files"] or "[]")), state=row["state"],
        attempts=row["attempts"] or 0, created_at=row["created_at"], last_error=row["last_error"],
        ack_message_id=row["ack_message_id"], labels=tuple(json.loads(row.get("labels") or "[]")),
    )


def _link_request(row: dict[str, Any]) -> LinkRequest:
    return LinkRequest(
        id=row["id"], user_id=row["user_id"], chat_id=row["chat_id"], username=row["username"],
        name=row["name"] or "", query=row["query"], jira_name=row["jira_name"], requested_at=row["requested_at"],
        state=row["state"], decided_by=row["decided_by"], decided_at=row["decided_at"],
        admin_messages=tuple((int(chat), int(message)) for chat, message in json.loads(row["admin_messages"] or "[]")),
    )


def _request(row: dict[str, Any]) -> Request:
    return Request(
        id=row["id"], user_id=row["user_id"], chat_id=row["chat_id"], lang=row["lang"] or "en",
        template_id=row["template_id"], ticket=_ticket_from_json(row["ticket"]), state=row["state"],
        attempts=row["attempts"] or 0, created_at=row["created_at"], jira_key=row["jira_key"],
        jira_url=row["jira_url"], last_error=row["last_error"], next_attempt_at=row["next_attempt_at"],
        told_unreachable=bool(row["told_unreachable"]),
        uploaded=tuple(json.loads(row.get("uploaded") or "[]")), create_sent_at=row.get("create_sent_at"),
    )
