"""Every published version of the templates, and the uploads admins have not published or discarded yet."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.storage.base import StoreBase

_COLUMNS = "number, hash, text, source, author_id, author_name, published_at, note"
# The settings row that keeps an admin's upload, across restarts, until they publish or discard it.
UPLOAD_KEY = "templates.pending.{user_id}"


@dataclass(frozen=True)
class Version:
    """One published version of the templates file."""

    number: int
    hash: str
    text: str
    source: str  # 'file' | 'upload' | 'web' | 'rollback' | 'reload'
    author_id: int | None
    author_name: str
    published_at: float
    note: str


@dataclass(frozen=True)
class PendingUpload:
    """An uploaded templates file waiting for its admin's Publish or Discard."""

    text: str
    name: str
    note: str
    base: str  # the live version the admin saw the diff against


class TemplateStore(StoreBase):
    """Reads and writes the template_versions table and the admins' pending uploads."""

    def latest_template_version(self) -> Version | None:
        """Return the newest published version, if any."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM template_versions ORDER BY number DESC LIMIT 1").fetchone()
        return _version(row) if row else None

    def template_versions(self, limit: int, offset: int) -> list[Version]:
        """Return published versions, newest first (skipping the offset newest)."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM template_versions ORDER BY number DESC LIMIT ? OFFSET ?",
                               [limit, offset]).fetchall()
        return [_version(row) for row in rows]

    def template_version(self, number: int) -> Version | None:
        """Return one published version."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM template_versions WHERE number = ?", [number]).fetchone()
        return _version(row) if row else None

    def template_version_number(self, version_hash: str) -> int | None:
        """Return the newest version number published with this content."""
        row = self.db.execute("SELECT MAX(number) FROM template_versions WHERE hash = ?", [version_hash]).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def template_text(self, version_hash: str) -> str | None:
        """Return the text of the newest version published with this content."""
        row = self.db.execute("SELECT text FROM template_versions WHERE hash = ? ORDER BY number DESC LIMIT 1",
                              [version_hash]).fetchone()
        return str(row[0]) if row else None

    def add_template_version(self, version_hash: str, text: str, source: str, author_id: int | None,
                             author_name: str, note: str) -> Version:
        """Store a new published version under the next number."""
        with self.transaction():
            row = self.db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM template_versions").fetchone()
            version = Version(number=int(row[0]), hash=version_hash, text=text, source=source, author_id=author_id,
                              author_name=author_name, published_at=self.clock(), note=note)
            self.db.execute(
                f"INSERT INTO template_versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [version.number, version.hash, version.text, version.source, version.author_id,
                 version.author_name, version.published_at, version.note])
        return version

    def keep_template_upload(self, user_id: int, upload: PendingUpload) -> None:
        """Keep an admin's upload until they publish or discard it, in place of their earlier one."""
        self._upsert("settings", {"key": UPLOAD_KEY.format(user_id=user_id),
                                  "value": json.dumps(asdict(upload), ensure_ascii=False)}, ("key",))

    def template_upload(self, user_id: int) -> PendingUpload | None:
        """Return the admin's upload waiting for Publish or Discard, if any."""
        row = self.db.execute("SELECT value FROM settings WHERE key = ?",
                              [UPLOAD_KEY.format(user_id=user_id)]).fetchone()
        if row is None or not row[0]:
            return None
        data = json.loads(row[0])
        return PendingUpload(data["text"], data["name"], data.get("note", ""), data.get("base", ""))

    def drop_template_upload(self, user_id: int) -> None:
        """Forget the admin's pending upload."""
        self.db.execute("DELETE FROM settings WHERE key = ?", [UPLOAD_KEY.format(user_id=user_id)])


def _version(row: Any) -> Version:
    """Turn a template_versions row into a Version."""
    return Version(number=row[0], hash=row[1], text=row[2], source=row[3], author_id=row[4],
                   author_name=row[5] or "", published_at=row[6], note=row[7] or "")
