"""Durable state in SQLite: drafts, confirmed requests, replies, Jira's events, people, templates and reports.

Store opens the database and brings it up to date; each part of it (a mixin per domain, in its own module of this
package) reads and writes its own tables.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from bot.storage.admin import AdminStore, LinkRequest
from bot.storage.approvals import Approval, ApprovalStore
from bot.storage.drafts import DraftStore, StoredDraft
from bot.storage.events import EventStore
from bot.storage.expectations import ExpectationStore
from bot.storage.figures import FigureStore
from bot.storage.followups import FollowupStore
from bot.storage.groups import GroupMessage, GroupStore
from bot.storage.migrations import migrate
from bot.storage.moves import MoveStore
from bot.storage.people import SEEN_RESOLUTION, PeopleStore
from bot.storage.replies import OutgoingComment, ReplyStore
from bot.storage.reports import ReportStore
from bot.storage.requests import OutboxSummary, Request, RequestState, RequestStore
from bot.storage.signin import SigninStore, StoredLogin, StoredSession
from bot.storage.templates import TemplateStore

# The records the store's parts return are imported from here, with the store itself.
__all__ = [
    "HEARTBEAT_KEY",
    "SEEN_RESOLUTION",
    "Approval",
    "GroupMessage",
    "LinkRequest",
    "OutboxSummary",
    "OutgoingComment",
    "Request",
    "RequestState",
    "Store",
    "StoreUnavailable",
    "StoredDraft",
    "StoredLogin",
    "StoredSession",
]

log = logging.getLogger(__name__)


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


class Store(DraftStore, RequestStore, ReplyStore, EventStore, PeopleStore, AdminStore, TemplateStore, ReportStore,
            SigninStore, ApprovalStore, FollowupStore, GroupStore, MoveStore, ExpectationStore,
            FigureStore):
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
        self._remembered = {}  # see PeopleStore.remember_user
        try:
            migrate(self)
        except sqlite3.Error as error:
            conn.close()
            raise StoreUnavailable(self.path, _why_unusable(self.path, error), existed=existed) from error

    def close(self) -> None:
        """Close the database, first letting SQLite refresh the statistics its query planner reads, if stale."""
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA analysis_limit=1000")
            self.db.execute("PRAGMA optimize")
        self.db.conn.close()

    def optimize(self) -> None:
        """Gather the statistics SQLite's query planner reads, over every table and index (after a large import)."""
        self.db.execute("ANALYZE")


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

    def get_setting(self, key: str) -> str | None:
        """Return a stored setting (such as when Jira was last polled)."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def put_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self._upsert("settings", {"key": key, "value": value}, ("key",))
