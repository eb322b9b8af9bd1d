"""What admins decide and did: requests for access, links to Jira users, invites, and the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.base import StoreBase
from bot.text.screen import label

# After a denial, a new request is possible only this much later: admins are not spammed.
COOLDOWN = 24 * 3600.0

_ACCESS_COLUMNS = ("user_id, chat_id, username, name, lang, requested_at, state, decided_by, decided_at, "
                   "admin_messages, granted")
_INVITE_COLUMNS = "code, role, created_by, created_at, expires_at, used_by, used_at"


@dataclass(frozen=True)
class AccessRequest:
    """Someone's request to use the bot, and the admins' messages that show it."""

    user_id: int
    chat_id: int
    username: str | None
    name: str
    lang: str
    requested_at: float
    state: str  # 'pending' | 'approved' | 'denied'
    decided_by: int | None
    decided_at: float | None
    admin_messages: tuple[tuple[int, int], ...]
    granted: str | None = None  # the role an approval gave ('sales' or 'admin'); None before it was recorded

    @property
    def label(self) -> str:
        """Return "Ann Smith (@ann)" or whatever part of it is known."""
        return label(self.name, self.username, self.user_id)

    def retry_at(self) -> float | None:
        """Return when a denied requester may ask again (None unless denied)."""
        if self.state != "denied" or self.decided_at is None:
            return None
        return self.decided_at + COOLDOWN

    def may_ask_again(self, now: float) -> bool:
        """Say whether a new request may replace this one: not while pending, nor during a denial's cooldown."""
        if self.state == "pending":
            return False
        retry_at = self.retry_at()
        return retry_at is None or now >= retry_at


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
class Invite:
    """A one-time code that grants a role to whoever opens the link first, until it expires."""

    code: str
    role: str
    created_by: int | None
    created_at: float
    expires_at: float
    used_by: int | None
    used_at: float | None

    def usable(self, now: float) -> bool:
        """Say whether the invite can still be redeemed."""
        return self.used_by is None and now < self.expires_at


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change."""

    id: int
    at: float
    actor_id: int | None
    actor_name: str
    action: str
    detail: str


class AdminStore(StoreBase):
    """Reads and writes the access_requests, link_requests, invites and audit tables."""

    # -- requests for access -------------------------------------------------------------------

    def access_request(self, user_id: int) -> AccessRequest | None:
        """Return a user's latest request for access, whatever its state."""
        row = self.db.execute(f"SELECT {_ACCESS_COLUMNS} FROM access_requests WHERE user_id = ?",
                              [user_id]).fetchone()
        return _access_request(row) if row else None

    def open_access_request(self, user_id: int, chat_id: int, username: str | None, name: str, lang: str) -> None:
        """Record a pending request for access in place of the user's earlier one."""
        self.db.execute(
            f"INSERT OR REPLACE INTO access_requests ({_ACCESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, "
            "NULL, '[]', NULL)", [user_id, chat_id, (username or "").lstrip("@") or None, name, lang, self.clock()])

    def decide_access_request(self, user_id: int, state: str, granted: str | None, by: int | None) -> bool:
        """Move a pending request to 'approved' (with the role granted) or 'denied'; False when it was not pending."""
        cursor = self.db.execute(
            "UPDATE access_requests SET state = ?, decided_by = ?, decided_at = ?, granted = ? WHERE user_id = ? "
            "AND state = 'pending'", [state, by, self.clock(), granted, user_id])
        return bool(cursor.rowcount)

    def pending_access_requests(self) -> list[AccessRequest]:
        """Return requests for access waiting for an admin, oldest first."""
        rows = self.db.execute(
            f"SELECT {_ACCESS_COLUMNS} FROM access_requests WHERE state = 'pending' ORDER BY requested_at, user_id"
        ).fetchall()
        return [_access_request(row) for row in rows]

    def set_access_request_messages(self, user_id: int, messages: list[tuple[int, int]]) -> None:
        """Remember which admin messages show a request for access."""
        self.db.execute("UPDATE access_requests SET admin_messages = ? WHERE user_id = ?",
                        [json.dumps([list(pair) for pair in messages]), user_id])

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

    # -- invites -------------------------------------------------------------------------------

    def add_invite(self, invite: Invite) -> None:
        """Store a new invite."""
        self.db.execute(f"INSERT INTO invites ({_INVITE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [invite.code, invite.role, invite.created_by, invite.created_at, invite.expires_at,
                         invite.used_by, invite.used_at])

    def invite(self, code: str) -> Invite | None:
        """Return an invite by its code, used or not."""
        row = self.db.execute(f"SELECT {_INVITE_COLUMNS} FROM invites WHERE code = ?", [code]).fetchone()
        return _invite(row) if row else None

    def use_invite(self, code: str, user_id: int) -> None:
        """Record that user_id redeemed the invite now."""
        self.db.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?", [user_id, self.clock(), code])

    def unused_invites(self) -> list[Invite]:
        """Return invites not used and not expired, newest first."""
        rows = self.db.execute(
            f"SELECT {_INVITE_COLUMNS} FROM invites WHERE used_by IS NULL AND expires_at > ? "
            "ORDER BY created_at DESC, code", [self.clock()]).fetchall()
        return [_invite(row) for row in rows]

    def withdraw_invite(self, code: str) -> bool:
        """Delete an unused invite; say whether there was one."""
        cursor = self.db.execute("DELETE FROM invites WHERE code = ? AND used_by IS NULL", [code])
        return cursor.rowcount > 0

    # -- the audit log -------------------------------------------------------------------------

    def add_audit_entry(self, actor_id: int | None, actor_name: str, action: str, detail: str) -> None:
        """Record that actor did action now."""
        self.db.table("audit").insert({"at": self.clock(), "actor_id": actor_id, "actor_name": actor_name,
                                       "action": action, "detail": detail})

    def audit_entries(self, limit: int, offset: int) -> list[AuditEntry]:
        """Return recorded changes, newest first."""
        rows = self.db.execute(
            "SELECT id, at, actor_id, actor_name, action, detail FROM audit ORDER BY at DESC, id DESC "
            "LIMIT ? OFFSET ?", [limit, offset]).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3] or "", r[4], r[5] or "") for r in rows]

    def audit_count(self) -> int:
        """Return how many changes are recorded."""
        return int(self.db.execute("SELECT count(*) FROM audit").fetchone()[0])


def _access_request(row: Any) -> AccessRequest:
    """Build an AccessRequest from a database row."""
    messages = tuple((int(chat), int(message)) for chat, message in json.loads(row[9] or "[]"))
    return AccessRequest(user_id=row[0], chat_id=row[1], username=row[2], name=row[3] or "", lang=row[4] or "en",
                         requested_at=row[5], state=row[6], decided_by=row[7], decided_at=row[8],
                         admin_messages=messages, granted=row[10])


def _link_request(row: dict[str, Any]) -> LinkRequest:
    return LinkRequest(
        id=row["id"], user_id=row["user_id"], chat_id=row["chat_id"], username=row["username"],
        name=row["name"] or "", query=row["query"], jira_name=row["jira_name"], requested_at=row["requested_at"],
        state=row["state"], decided_by=row["decided_by"], decided_at=row["decided_at"],
        admin_messages=tuple((int(chat), int(message)) for chat, message in json.loads(row["admin_messages"] or "[]")),
    )


def _invite(row: Any) -> Invite:
    """Build an Invite from a database row."""
    return Invite(code=row[0], role=row[1], created_by=row[2], created_at=row[3], expires_at=row[4],
                  used_by=row[5], used_at=row[6])
