"""`ticketsmith backup` copies the database while the bot keeps writing to it, and the copy restores."""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from bot.storage.backup import BackupFailed, backup_database
from bot.storage.store import Store
from tests.helpers import run_cli, write_cli_config

# A long description makes a database of a few MB, copied in many steps.
DESCRIPTION = "The export to Excel fails since the update. " * 40


def file_request(store: Store, number: int) -> str:
    """Confirm a request as the bot does when a salesperson taps Create; return its id."""
    draft = Draft(id=f"r{number}", user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
    store.confirm(draft, 101, Ticket("SUP", "Bug", f"Request {number}", DESCRIPTION, customer="ACME"))
    return draft.id


class Writer:
    """A thread filing requests one after another on its own connection, as a busy bot does."""

    def __init__(self, path: Path, first: int) -> None:
        self.store = Store(path)
        self.next = first
        self.committed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.committed.append(file_request(self.store, self.next))
            self.next += 1

    @contextmanager
    def running(self) -> Iterator[Writer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(10)
            self.store.close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A ticketsmith database holding 400 requests."""
    path = tmp_path / "t.db"
    store = Store(path)
    for number in range(400):
        file_request(store, number)
    store.close()
    return path


def wait_for_commits(writer: Writer, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(writer.committed) < count:
        assert time.monotonic() < deadline, "the writer stopped committing"
        time.sleep(0.005)


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def test_a_backup_taken_while_requests_are_filed_holds_every_earlier_one_and_never_stops_the_writer(
        database: Path, tmp_path: Path) -> None:
    with Writer(database, first=1000).running() as writer:
        wait_for_commits(writer, 5)
        before = [f"r{n}" for n in range(400)] + list(writer.committed)
        # A page at a time: the writer commits between nearly every two steps of the copy.
        done = backup_database(database, tmp_path / "copy.db", step_pages=4, pause=0.001)
        during = len(writer.committed) - (len(before) - 400)
    assert during > 0, "the writer kept committing while the backup ran"
    assert integrity(done.path) == ["ok"]
    copy = Store(done.path)
    try:
        missing = [request_id for request_id in before if copy.get_request(request_id) is None]
        held = len(copy.db.execute("SELECT id FROM requests").fetchall())
    finally:
        copy.close()
    assert missing == []
    assert done.requests == held >= len(before)


def test_the_backup_command_copies_the_running_database_and_the_copy_restores(database: Path,
                                                                               tmp_path: Path) -> None:
    config = write_cli_config(tmp_path, "https://jira.example.com", storage=database.name)
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "ticketsmith.db"
    target.write_bytes(b"yesterday's backup")
    with Writer(database, first=1000).running() as writer:
        wait_for_commits(writer, 5)
        before = [f"r{n}" for n in range(400)] + list(writer.committed)
        result = run_cli("backup", "--config", str(config), str(target))
    assert result.returncode == 0, result.stderr
    summary = re.fullmatch(rf"backup: {re.escape(str(database))} -> {re.escape(str(target))}: (\d+) requests, "
                           r"[\d.]+ MB, integrity ok, [\d.]+ s\n", result.stdout)
    assert summary is not None, result.stdout
    assert int(summary[1]) >= len(before)
    # Only the copy is left in the folder, readable by its owner alone: it holds every request's text.
    assert sorted(p.name for p in folder.iterdir()) == ["ticketsmith.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # Restoring is copying the file back while the bot is stopped.
    restored = tmp_path / "restored" / "t.db"
    restored.parent.mkdir()
    shutil.copy(target, restored)
    store = Store(restored)
    try:
        assert [request_id for request_id in before if store.get_request(request_id) is None] == []
        seventh = store.get_request("r7")
        assert seventh is not None and seventh.ticket.summary == "Request 7"
    finally:
        store.close()


@pytest.mark.parametrize(("target", "reason"), [
    ("missing/copy.db", "the folder {folder}/missing does not exist"),
    ("t.db", "{folder}/t.db is the database itself; name another file"),
    (".", "{folder} is a folder; name the file to write the backup to"),
], ids=["folder-missing", "the-database-itself", "a-folder"])
def test_the_backup_command_says_why_it_cannot_write_the_copy(database: Path, tmp_path: Path, target: str,
                                                              reason: str) -> None:
    config = write_cli_config(tmp_path, "https://jira.example.com", storage=database.name)
    result = run_cli("backup", "--config", str(config), str(tmp_path / target))
    assert result.returncode == 1
    assert result.stderr == f"ticketsmith: backup failed: {reason.format(folder=tmp_path)}\n"
    assert integrity(database) == ["ok"]


def test_no_database_yet_is_an_error_not_an_empty_backup(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path, "https://jira.example.com", storage="never-started.db")
    result = run_cli("backup", "--config", str(config), str(tmp_path / "copy.db"))
    assert result.returncode == 1
    assert result.stderr == f"ticketsmith: backup failed: there is no database at {tmp_path}/never-started.db\n"
    assert not (tmp_path / "never-started.db").exists() and not (tmp_path / "copy.db").exists()


def test_a_file_that_is_not_a_ticketsmith_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    with pytest.raises(BackupFailed, match="not a ticketsmith database"):
        backup_database(other, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
