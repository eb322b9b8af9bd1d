"""Published template versions in the database, the file on disk kept in step, and drafts pinned to theirs."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.intake.customers import CustomerDirectory
from bot.intake.dialog import Engine
from bot.intake.draft import Tap, Text
from bot.jira.ticket import Reporter
from bot.storage.store import Store
from bot.templates.library import FILE_HASH_SETTING, TemplateLibrary
from bot.templates.schema import parse_templates, version_of
from bot.text.yamlfile import ConfigError
from tests.conftest import START, Clock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
NOW = datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    opened = Store(tmp_path / "bot.db", clock)
    yield opened
    opened.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "templates.example.yaml", tmp_path / "templates.yaml")
    return tmp_path / "templates.yaml"


def test_first_start_records_the_file_as_version_one(store: Store, path: Path) -> None:
    library = TemplateLibrary(store, path)
    templates, problems = library.boot()
    assert problems == [] and [t.id for t in templates.templates] == ["bug", "feature", "question"]
    (version,) = library.history()
    assert (version.number, version.source, version.author_id, version.published_at) == (1, "file", None, START)
    assert version.hash == templates.version == version_of(EXAMPLE) and version.text == EXAMPLE
    assert store.get_setting(FILE_HASH_SETTING) == templates.version


def test_a_restart_keeps_the_stored_version(store: Store, path: Path) -> None:
    TemplateLibrary(store, path).boot()
    templates, problems = TemplateLibrary(store, path).boot()
    assert problems == [] and templates.version == version_of(EXAMPLE)
    assert [v.number for v in TemplateLibrary(store, path).history()] == [1]


def test_record_keeps_versions_and_writes_the_file(store: Store, path: Path, clock: Clock) -> None:
    library = TemplateLibrary(store, path)
    library.boot()
    clock.advance(60)
    edited = EXAMPLE.replace("Something is broken", "Something broke")
    version = library.record(parse_templates(edited, "templates.yaml"), "upload", 900, "Olga", "new title")
    assert (version.number, version.source, version.author_id, version.author_name, version.note) == (
        2, "upload", 900, "Olga", "new title")
    assert version.published_at == START + 60
    assert path.read_text(encoding="utf-8") == edited
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".templates.yaml.")], "no temp file left"
    assert [v.number for v in library.history()] == [2, 1]
    assert [v.number for v in library.history(limit=1, offset=1)] == [1], "a page of older versions"
    assert library.latest() == library.get(2) == version
    assert library.get(7) is None
    assert library.number_of(version_of(EXAMPLE)) == 1
    old = library.set_for(version_of(EXAMPLE))
    assert old is not None and old.get("bug") is not None
    assert old.get("bug").title.get("en") == "Something is broken"  # type: ignore[union-attr]
    assert library.set_for(version_of(EXAMPLE)) is old, "parsed once, then cached"
    assert library.set_for("nosuchhash00") is None
    with pytest.raises(ValueError, match="source"):
        library.record(old, "email", None, "")


def test_an_edit_on_disk_while_stopped_becomes_the_next_version(store: Store, path: Path) -> None:
    TemplateLibrary(store, path).boot()
    path.write_text(EXAMPLE.replace("A feature for a deal", "A feature"), encoding="utf-8")
    library = TemplateLibrary(store, path)
    templates, problems = library.boot()
    assert problems == []
    assert templates.get("feature").title.get("en") == "A feature"  # type: ignore[union-attr]
    latest = library.latest()
    assert latest is not None and (latest.number, latest.source, latest.note) == (2, "file", "changed on disk")


def test_a_broken_file_keeps_the_stored_version_live(store: Store, path: Path) -> None:
    TemplateLibrary(store, path).boot()
    path.write_text(EXAMPLE.replace("type: choice", "type: choise", 1), encoding="utf-8")
    library = TemplateLibrary(store, path)
    templates, problems = library.boot()
    assert templates.version == version_of(EXAMPLE)
    assert any("line" in p and "unknown type 'choise'" in p for p in problems)
    assert problems[-1] == "templates.yaml was not used; version 1 stays live"
    assert library.boot_problems == problems
    assert [v.number for v in library.history()] == [1]
    # Told again at the next start, until someone fixes the file.
    assert TemplateLibrary(store, path).boot()[1] == problems


def test_a_broken_file_with_nothing_stored_stops_the_start(store: Store, path: Path) -> None:
    path.write_text("templates: [", encoding="utf-8")
    with pytest.raises(ConfigError):
        TemplateLibrary(store, path).boot()
    assert TemplateLibrary(store, path).history() == []


def test_a_missing_file_is_written_back_from_the_database(store: Store, path: Path) -> None:
    TemplateLibrary(store, path).boot()
    path.unlink()
    templates, problems = TemplateLibrary(store, path).boot()
    assert problems == [] and templates.version == version_of(EXAMPLE)
    assert path.read_text(encoding="utf-8") == EXAMPLE


def test_a_file_that_cannot_be_written_is_logged_not_fatal(store: Store, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "templates.yaml"
    folder.mkdir()  # a path that cannot be written as a file, even by root
    library = TemplateLibrary(store, folder)
    with caplog.at_level(logging.WARNING):
        version = library.record(parse_templates(EXAMPLE, "templates.yaml"), "upload", 900, "Olga")
    assert version.number == 1 and library.latest() == version
    assert "could not write the templates" in caplog.text


# -- drafts finish on the version they started with -------------------------------------------------------


def engine_on(library: TemplateLibrary) -> Engine:
    """Return an engine on the library's live set that finds older versions in it."""
    templates, _ = library.boot()
    engine = Engine(templates, CustomerDirectory([]), clock=lambda: NOW, default_project="SUP")
    engine.older = library.set_for
    return engine


def test_a_draft_finishes_on_its_version_and_new_drafts_use_the_live_one(store: Store, path: Path) -> None:
    library = TemplateLibrary(store, path)
    engine = engine_on(library)
    started = engine.new_draft(Reporter(101, "Anna"), "en")
    engine.handle(started, Tap("tpl:bug", started.seq))
    assert started.template_version == version_of(EXAMPLE)
    edited = EXAMPLE.replace("What is wrong? One or two sentences.", "Describe the problem.")
    newer = parse_templates(edited, "templates.yaml")
    library.record(newer, "upload", 900, "Olga")
    engine.publish(newer)
    assert engine.prompt(started).text == "What is wrong? One or two sentences."
    step = engine.handle(started, Text("Export to Excel fails"))
    assert step.prompt is not None and step.prompt.text == "Which customer?"
    fresh = engine.new_draft(Reporter(102, "Boris"), "en")
    engine.handle(fresh, Tap("tpl:bug", fresh.seq))
    assert engine.prompt(fresh).text == "Describe the problem."
    assert fresh.template_version == newer.version


def test_a_removed_template_still_finishes_and_an_unknown_version_falls_back(store: Store, path: Path) -> None:
    library = TemplateLibrary(store, path)
    engine = engine_on(library)
    draft = engine.new_draft(Reporter(101, "Anna"), "en")
    engine.handle(draft, Tap("tpl:question", draft.seq))
    without = parse_templates(EXAMPLE.split("  - id: question")[0], "templates.yaml")
    library.record(without, "upload", 900, "Olga")
    engine.publish(without)
    assert engine.template_of(draft) is not None, "the draft keeps its template"
    assert engine.set_of(draft).get("question") is not None
    draft.template_version = "forgotten000"
    assert engine.set_of(draft) is without and engine.template_of(draft) is None
