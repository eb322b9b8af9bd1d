"""Copying SQLite's write-ahead log into the database file on a thread of its own."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)
CHECKPOINT_SECONDS = 1.0
# Past this many log frames (4 KiB pages) still waiting to be copied, the log is growing faster than it is
# copied back, most likely behind a long read: worth a line in the log, once per episode.
BACKLOG_WARNING_FRAMES = 50_000


class Checkpointer:
    """Checkpoints a database in WAL mode every `every` seconds from its own connection, off the caller's thread.

    A checkpoint writes the logged pages back into the database file and syncs it to disk: on a busy bot that
    took 10–20 ms every few seconds, and SQLite runs it inside whichever commit crosses the threshold. Done
    here, the writers only append to the log. PASSIVE checkpoints never wait for a lock, so a writer is never
    held up by one either.
    """

    def __init__(self, path: Path, every: float = CHECKPOINT_SECONDS,
                 warn_frames: int = BACKLOG_WARNING_FRAMES) -> None:
        self.path = path
        self.every = every
        self.warn_frames = warn_frames
        self.last: tuple[int, int] | None = None  # frames in the log, frames copied, at the last checkpoint
        self.done = 0  # checkpoints completed
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned = False

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open a connection of its own and start the thread; sqlite3.Error if the database cannot be read."""
        if self.running:
            return
        # PASSIVE checkpoints never wait for a lock; the timeout only bounds this first read.
        conn = sqlite3.connect(str(self.path), timeout=1.0, isolation_level=None, check_same_thread=False)
        try:
            # A read of the schema, here rather than on the thread, so a database this connection cannot use is
            # known at once; a checkpoint here would sync the disk on the caller's thread.
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            conn.close()
            raise
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, args=(conn,), name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Checkpoint once more and stop the thread."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the database checkpoint thread did not stop within %.0fs", timeout)
            self._thread = None

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while not self._stopping.wait(self.every):
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy what the log holds into the database file, as far as readers allow."""
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            log.warning("checkpointing %s failed: %s", self.path, exc)
            return
        frames, copied = int(row[1]), int(row[2])
        self.last = (frames, copied)
        self.done += 1
        backlog = frames - copied
        if backlog > self.warn_frames and not self._warned:
            log.warning("%s: %d pages of its write-ahead log wait to be copied back", self.path, backlog)
        self._warned = backlog > self.warn_frames
