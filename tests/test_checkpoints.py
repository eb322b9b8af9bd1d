"""The write-ahead log is copied back into the database on a thread of its own, never inside the bot's writes."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage.checkpoints import Checkpointer
from bot.storage.store import Store
from handlers.serve import serve
from tests.conftest import SALES_IDS, Clock, build_bot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram

PAGE = 4096
WAL_HEADER, FRAME_HEADER = 32, 24
AUTOCHECKPOINT_FRAMES = 1000  # SQLite's default wal_autocheckpoint


def wal_frames(db: Path) -> int:
    """How many frames the database's write-ahead log file holds."""
    wal = db.with_name(db.name + "-wal")
    return max(0, (wal.stat().st_size - WAL_HEADER) // (PAGE + FRAME_HEADER)) if wal.exists() else 0


def checkpoint_threads() -> list[threading.Thread]:
    """The checkpoint threads alive in this process."""
    return [thread for thread in threading.enumerate() if thread.name == "sqlite-checkpoint"]


def page(number: int) -> str:
    """A value about a page long, different for each number (SQLite does not rewrite a page that is unchanged)."""
    return f"{number:08d}" * (PAGE // 8)


def fill(write: Callable[[int], object], commits: int) -> None:
    """Commit this many times."""
    for number in range(commits):
        write(number)


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll until the condition holds, or fail."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def writer(db: Path) -> sqlite3.Connection:
    """A connection writing in WAL mode as the Store does, with SQLite's own checkpoints off."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE IF NOT EXISTS blobs (n INTEGER PRIMARY KEY, body TEXT)")
    return conn


def test_store_writes_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    db = tmp_path / "ticketsmith.db"
    store = Store(db)
    store.checkpoint_in_background(every=3600)  # the thread stays asleep until close
    assert len(checkpoint_threads()) == 1
    fill(lambda n: store.put_setting(f"k{n % 50}", page(n)), 3 * AUTOCHECKPOINT_FRAMES)
    # SQLite's own checkpoint, had it run inside a commit, would have restarted the log at 1000 frames.
    assert wal_frames(db) > 2 * AUTOCHECKPOINT_FRAMES
    store.close()
    assert checkpoint_threads() == []
    # Closing checkpointed everything: the log is gone and the data is in the database file.
    assert not db.with_name(db.name + "-wal").exists()
    reopened = Store(db)
    assert reopened.get_setting("k7") == page(2957)
    reopened.close()


def test_a_store_without_the_thread_checkpoints_as_sqlite_does(tmp_path: Path) -> None:
    db = tmp_path / "ticketsmith.db"
    store = Store(db)
    fill(lambda n: store.put_setting(f"k{n % 50}", page(n)), 3 * AUTOCHECKPOINT_FRAMES)
    assert wal_frames(db) < 2 * AUTOCHECKPOINT_FRAMES
    assert checkpoint_threads() == []
    store.close()


def test_a_store_whose_log_cannot_be_checkpointed_apart_keeps_sqlites_own(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "ticketsmith.db"
    store = Store(db)
    # In exclusive locking mode no other connection may open the database once this one has written.
    store.db.conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    store.put_setting("k", "v")
    with caplog.at_level(logging.WARNING, logger="bot.storage.store"):
        store.checkpoint_in_background()
    assert checkpoint_threads() == []
    assert "cannot be checkpointed apart" in caplog.records[0].getMessage()
    assert store.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == AUTOCHECKPOINT_FRAMES
    store.close()


def test_the_thread_copies_the_log_back_while_writes_go_on(tmp_path: Path) -> None:
    db = tmp_path / "data.db"
    conn = writer(db)
    checkpointer = Checkpointer(db, every=0.02)
    checkpointer.start()
    try:
        fill(lambda n: conn.execute("INSERT INTO blobs (body) VALUES (?)", [page(n)]), 2000)
        # The second checkpoint from now began after the last write.
        after = checkpointer.done + 2
        wait_until(lambda: checkpointer.done >= after)
        assert checkpointer.last is not None and checkpointer.last[0] == checkpointer.last[1]
        # Every page is in the database file itself, not only in the log.
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        assert pages > 2000
        assert db.stat().st_size == pages * PAGE
        # Once everything is copied back, the next commit starts the log over instead of growing it.
        size = db.with_name(db.name + "-wal").stat().st_size
        fill(lambda n: conn.execute("INSERT INTO blobs (body) VALUES (?)", [page(n)]), 100)
        assert db.with_name(db.name + "-wal").stat().st_size == size
    finally:
        checkpointer.stop()
        conn.close()
    assert not checkpointer.running


def test_a_long_read_holding_back_the_log_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "data.db"
    conn = writer(db)
    conn.execute("INSERT INTO blobs (body) VALUES ('first')")
    reader = sqlite3.connect(str(db), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM blobs").fetchone()  # holds its snapshot: nothing after it can be copied
    checkpointer = Checkpointer(db, every=3600, warn_frames=200)
    probe = sqlite3.connect(str(db), isolation_level=None)
    try:
        fill(lambda n: conn.execute("INSERT INTO blobs (body) VALUES (?)", [page(n)]), 300)
        with caplog.at_level(logging.WARNING, logger="bot.storage.checkpoints"):
            checkpointer.checkpoint(probe)
            checkpointer.checkpoint(probe)
        assert checkpointer.last is not None and checkpointer.last[0] - checkpointer.last[1] > 200
        warnings = [record.getMessage() for record in caplog.records]
        assert len(warnings) == 1 and "wait to be copied back" in warnings[0]
        reader.execute("COMMIT")
        checkpointer.checkpoint(probe)
        assert checkpointer.last is not None and checkpointer.last[0] == checkpointer.last[1]
    finally:
        for connection in (probe, reader, conn):
            connection.close()


def test_a_database_that_cannot_be_checkpointed_apart_is_known_at_start(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 200)
    with pytest.raises(sqlite3.DatabaseError):
        Checkpointer(broken).start()
    assert checkpoint_threads() == []


def test_a_failing_checkpoint_is_logged_and_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 200)
    checkpointer = Checkpointer(broken)
    conn = sqlite3.connect(str(broken))
    try:
        with caplog.at_level(logging.WARNING, logger="bot.storage.checkpoints"):
            checkpointer.checkpoint(conn)
    finally:
        conn.close()
    assert checkpointer.done == 0
    assert [f"checkpointing {broken} failed" in record.getMessage() for record in caplog.records] == [True]


async def test_the_running_bot_checkpoints_on_its_own_thread(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                             clock: Clock) -> None:
    svc, app = build_bot(write_config(tmp_path, jira.url), tg, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(svc, app, stop))
    try:
        await tg.wait_for(lambda: app.running and bool(checkpoint_threads()), 10)
        assert svc.store.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        sam = tg.user(SALES_IDS[0], "Sam")
        await sam.send("/new")
        await tg.wait_for(lambda: bool(sam.chat.messages), 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert checkpoint_threads() == []
