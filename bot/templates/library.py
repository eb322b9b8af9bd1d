"""Every published version of the templates, kept in the database, and the file on disk kept in step with it."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from bot.storage.store import Store
from bot.storage.templates import Version
from bot.templates.schema import TemplateSet, parse_templates, version_of
from bot.text.yamlfile import ConfigError, read_text

__all__ = ["FILE_HASH_SETTING", "SOURCES", "TemplateLibrary", "Version"]

log = logging.getLogger(__name__)
SOURCES = ("file", "upload", "web", "rollback", "reload")
# The hash of the templates file as last seen or written, so a change made on disk while the bot was down is noticed.
FILE_HASH_SETTING = "templates.file_hash"


class TemplateLibrary:
    """The published versions of the templates and the file they are written to."""

    def __init__(self, store: Store, path: Path) -> None:
        """Keep versions in the store and write the live one to path."""
        self.store = store
        self.path = path
        self._sets: dict[str, TemplateSet] = {}
        # What boot() found wrong with the file, for the start-up message to admins.
        self.boot_problems: list[str] = []

    def boot(self) -> tuple[TemplateSet, list[str]]:
        """Return the set to go live at start-up, and problems with the file to tell admins."""
        latest = self.latest()
        if latest is not None and not self.path.exists():
            stored = self.set_for(latest.hash)
            if stored is not None:
                log.warning("%s is missing; writing version %d back to it", self.path, latest.number)
                self._write_file(stored.text)
                return self._booted(stored, [])
        try:
            text = read_text(self.path, "templates file")
        except ConfigError as error:
            if latest is None:
                raise
            return self._keep(latest, error.problems)
        if latest is None:
            templates = parse_templates(text, self.path.name)
            self.record(templates, "file", None, "")
            return self._booted(templates, [])
        seen = self.store.get_setting(FILE_HASH_SETTING)
        if version_of(text) in (seen, latest.hash):
            stored = self.set_for(latest.hash)
            if stored is not None:
                return self._booted(stored, [])
        try:
            templates = parse_templates(text, self.path.name)
        except ConfigError as error:
            return self._keep(latest, error.problems)
        # Edited on disk while the bot was stopped: that edit is the newest version now.
        self.record(templates, "file", None, "", note="changed on disk")
        return self._booted(templates, [])

    def _keep(self, latest: Version, problems: list[str]) -> tuple[TemplateSet, list[str]]:
        """Keep the latest stored version live because the file cannot be used."""
        stored = self.set_for(latest.hash)
        if stored is None:
            raise ConfigError([*problems, f"stored templates version {latest.number} cannot be read either"])
        note = f"{self.path.name} was not used; version {latest.number} stays live"
        return self._booted(stored, [*problems, note])

    def _booted(self, templates: TemplateSet, problems: list[str]) -> tuple[TemplateSet, list[str]]:
        """Remember what boot found, for the start-up message to admins."""
        self.boot_problems = problems
        return templates, problems

    def unchanged_on_disk(self, text: str) -> bool:
        """Say whether the file holds what the bot last saw or wrote there: no one has edited it since."""
        return version_of(text) == self.store.get_setting(FILE_HASH_SETTING)

    def latest(self) -> Version | None:
        """Return the newest published version (the live one), if any."""
        return self.store.latest_template_version()

    def history(self, limit: int = 50, offset: int = 0) -> list[Version]:
        """Return published versions, newest first (skipping the offset newest, for pages)."""
        return self.store.template_versions(limit, offset)

    def get(self, number: int) -> Version | None:
        """Return one published version."""
        return self.store.template_version(number)

    def number_of(self, version_hash: str) -> int | None:
        """Return the newest version number published with this content."""
        return self.store.template_version_number(version_hash)

    def set_for(self, version_hash: str) -> TemplateSet | None:
        """Return the parsed templates of a stored version (drafts started on it finish on it)."""
        if version_hash in self._sets:
            return self._sets[version_hash]
        text = self.store.template_text(version_hash)
        if text is None:
            return None
        try:
            # Stored only once it had passed every check: the document, if not the checks, is known to parse.
            templates = parse_templates(text, self.path.name, read_before=True)
        except ConfigError as error:
            log.error("stored templates %s no longer parse: %s", version_hash, error)
            return None
        self._sets[version_hash] = templates
        return templates

    def record(self, templates: TemplateSet, source: str, author_id: int | None, author_name: str,
               note: str = "") -> Version:
        """Store a new published version and write it to the templates file."""
        if source not in SOURCES:
            raise ValueError(f"unknown templates source {source!r}")
        version = self.store.add_template_version(templates.version, templates.text, source, author_id, author_name,
                                                  note)
        self._sets[templates.version] = templates
        self._write_file(templates.text)
        return version

    def _write_file(self, text: str) -> None:
        """Replace the file on disk atomically, so an editor or a crash never sees half of it.

        What the file holds afterwards is noted, so only a later edit on disk counts as a change at start-up.
        """
        try:
            if not (self.path.exists() and self.path.read_text(encoding="utf-8") == text):
                self._replace_file(text)
        except (OSError, UnicodeDecodeError) as error:
            # The database holds the version either way; the file catches up on the next publish.
            log.warning("could not write the templates to %s (%s); the database keeps them", self.path, error)
            with contextlib.suppress(OSError, UnicodeDecodeError):
                self.store.put_setting(FILE_HASH_SETTING, version_of(self.path.read_text(encoding="utf-8")))
            return
        self.store.put_setting(FILE_HASH_SETTING, version_of(text))

    def _replace_file(self, text: str) -> None:
        """Write text to a temporary file beside the templates file, then move it into place."""
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise PermissionError("the file is read-only")
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            if self.path.exists():
                os.chmod(temp, self.path.stat().st_mode & 0o7777)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
