"""Consistent copies of the database while the bot runs, through SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# A backup copies this many pages (4 KiB each) per step and pauses between steps, so the disk keeps serving the bot.
BACKUP_STEP_PAGES = 1024
BACKUP_PAUSE_SECONDS = 0.01


class BackupFailed(Exception):
    """The database could not be copied, or the copy did not pass its check."""


@dataclass(frozen=True)
class Backup:
    """A checked copy of the database."""

    path: Path
    size: int
    requests: int
    seconds: float


def backup_database(source: Path, target: Path, *, step_pages: int = BACKUP_STEP_PAGES,
                    pause: float = BACKUP_PAUSE_SECONDS) -> Backup:
    """Copy the database at source to target while the bot may be writing to it; BackupFailed if that fails.

    The copy is the database as it stood when the backup began: SQLite's online backup runs inside one read
    transaction, which in WAL mode never holds up the bot's writes (without it, a write between two steps would
    start the copy over, and a busy bot would keep it from ever finishing). The copy is written to a temporary
    file beside target and replaces target only after it passed PRAGMA integrity_check and held every request.
    """
    started = time.monotonic()
    if not source.is_file():
        raise BackupFailed(f"there is no database at {source}")
    if target.is_dir():
        raise BackupFailed(f"{target} is a folder; name the file to write the backup to")
    if not target.parent.is_dir():
        raise BackupFailed(f"the folder {target.parent} does not exist")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupFailed(f"{target} is the database itself; name another file")
    try:
        # mode=rw: a missing file is an error here, not a new empty database.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=5)
    except sqlite3.Error as error:
        raise BackupFailed(f"cannot open the database at {source}: {error}") from error
    temp: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
        temp = Path(name)
        src.execute("BEGIN")
        expected = _count_requests(src)
        dst = sqlite3.connect(str(temp), isolation_level=None)
        try:
            src.backup(dst, pages=step_pages,
                       progress=lambda _status, remaining, _total: time.sleep(pause) if remaining else None)
            src.execute("COMMIT")
            # The copy keeps no write-ahead log beside it: one file is the whole backup.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            copied = _count_requests(dst)
        finally:
            dst.close()
        if problems != ["ok"]:
            raise BackupFailed(f"the copy failed SQLite's integrity check: {'; '.join(problems[:3])}")
        if copied != expected:
            raise BackupFailed(f"the copy holds {copied} requests, the database held {expected}")
        with temp.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
        temp = None
        _sync_folder(target.parent)
    except sqlite3.Error as error:
        raise BackupFailed(f"copying {source} failed: {error}") from error
    except OSError as error:
        raise BackupFailed(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        src.close()
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    return Backup(target, target.stat().st_size, copied, time.monotonic() - started)


def _count_requests(conn: sqlite3.Connection) -> int:
    try:
        return int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
    except sqlite3.OperationalError as error:
        raise BackupFailed(f"this is not a ticketsmith database ({error})") from error


def _sync_folder(folder: Path) -> None:
    """Make a rename in folder durable (where the system allows opening a folder)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
