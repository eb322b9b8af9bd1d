"""What every part of the store shares: the connection, the clock, transactions and plain-SQL helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils


class StoreBase:
    """The database and clock the store's parts work on, and the helpers they run their SQL with."""

    db: sqlite_utils.Database
    clock: Callable[[], float]

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


class ReadOnly(StoreBase):
    """A part of the store on a read-only connection of its own, for reports run on a worker thread: the bot's
    connection stays free for chats meanwhile."""

    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=5000")
        self.db = sqlite_utils.Database(conn)

    def close(self) -> None:
        """Close the connection."""
        self.db.conn.close()
