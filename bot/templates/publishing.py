"""Vetting and publishing templates: one path for start-up, uploads from Telegram, the web page and reloads."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Literal

from bot.app import App
from bot.jira.gateway import DeliveryError
from bot.templates.diff import TemplateDiff, diff
from bot.templates.jira_check import JiraCheck, accepted_priorities, check_templates, offered
from bot.templates.library import Version
from bot.templates.schema import Template, TemplateSet, parse_templates, version_of
from bot.text.screen import clip
from bot.text.yamlfile import ConfigError, read_text

# The largest templates text taken from an upload or the admin page: far beyond any sensible file.
MAX_TEMPLATES_BYTES = 1024 * 1024
AUDIT_ACTIONS = {"rollback": "templates.rollback", "reload": "templates.reload"}
_LOCATED = re.compile(r"^(?P<source>.*?), line (?P<line>\d+): (?P<message>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    """One mistake in a templates file, with its line when known."""

    line: int | None
    message: str


@dataclass(frozen=True)
class Vetting:
    """What checking a templates text found: the parsed set, or its problems, and what Jira thinks of it."""

    text: str
    templates: TemplateSet | None
    problems: tuple[Problem, ...]  # schema problems
    refused: dict[str, list[str]]  # template id -> Jira's problems
    jira_checked: bool  # False when Jira could not be asked (then not blocking)
    diff: TemplateDiff | None  # against the live set
    jira_error: str = ""  # why Jira could not be asked, when it could not
    priorities: dict[str, tuple[str, ...]] = field(default_factory=dict)  # what Jira accepts, per template

    @property
    def ok(self) -> bool:
        """Say whether the text may go live: it parsed and Jira refused none of its templates."""
        return self.templates is not None and not self.problems and not any(self.refused.values())


@dataclass(frozen=True)
class TemplateStatus:
    """A live template as admins see it: offered to salespeople, or refused by Jira and why."""

    template: Template
    offered: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReloadOutcome:
    """What re-reading the templates file did."""

    kind: Literal["changed", "unchanged", "problems"]
    version: Version | None = None  # the new version when changed, else the live one
    vetting: Vetting | None = None  # the problems when refused, the diff when changed


class PublishRefused(ValueError):
    """A vetting with problems was asked to go live."""


class AlreadyLive(ValueError):
    """A rollback was asked for the version that is live already."""


def problems_of(error: ConfigError) -> tuple[Problem, ...]:
    """Split a ConfigError's lines ("templates.yaml, line 12: ...") into line numbers and messages."""
    found = []
    for text in error.problems:
        match = _LOCATED.match(text)
        if match:
            found.append(Problem(int(match["line"]), match["message"]))
        else:
            source, sep, rest = text.partition(": ")
            found.append(Problem(None, rest if sep and " " not in source.strip() else text))
    return tuple(found)


def live_set(svc: App) -> TemplateSet:
    """Return the whole live version, including templates Jira refused (the engine offers only the others)."""
    return svc.library.set_for(svc.engine.templates.version) or svc.engine.templates


def live_version(svc: App) -> Version | None:
    """Return the live published version."""
    found = svc.library
    number = found.number_of(svc.engine.templates.version)
    return found.get(number) if number is not None else found.latest()


async def jira_check(svc: App, templates: TemplateSet) -> JiraCheck:
    """Ask Jira's create screens whether each template would be accepted."""
    projects = {template.jira.project or svc.config.jira_project for template in templates.templates}
    try:
        meta = await svc.gateway.create_meta(projects)
    except DeliveryError as error:
        return JiraCheck(templates.version, error=str(error))
    results = check_templates(templates, meta, svc.config.jira_project)
    return JiraCheck(templates.version, {tid: found for tid, found in results.items() if found}, checked=True,
                     priorities=accepted_priorities(templates, meta, svc.config.jira_project))


def normalized(text: str) -> str:
    """Return a templates text with Unix line ends and no byte-order mark, as the file on disk reads back."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


async def vet(svc: App, text: str, source_name: str = "templates.yaml") -> Vetting:
    """Check a templates text as start-up would, then against Jira; diff it against the live set."""
    text = normalized(text)
    try:
        # A large file takes PyYAML seconds to read: not on the event loop.
        templates = await asyncio.to_thread(parse_templates, text, source_name)
    except ConfigError as error:
        return Vetting(text, None, problems_of(error), {}, False, None)
    check = await jira_check(svc, templates)
    return Vetting(text, templates, (), check.refused, check.checked, diff(live_set(svc), templates), check.error,
                   check.priorities)


def _go_live(svc: App, templates: TemplateSet, check: JiraCheck) -> None:
    """Offer the templates Jira accepts and keep its verdict for /templates."""
    if not check.checked and svc.templates_check is not None:
        # Jira's priorities change rarely: when it could not be asked now, what it said before still holds.
        check = dataclasses.replace(check, priorities=svc.templates_check.priorities)
    svc.engine.publish(offered(templates, check.refused))
    svc.templates_check = check


async def publish(svc: App, vetting: Vetting, source: str, author_id: int | None, author_name: str,
                  note: str = "") -> Version:
    """Make a vetted text the live version: new drafts use it at once; record it and who did it."""
    # After a reload or rollback under way: it must not publish an older text over this one afterwards.
    async with svc.templates_lock:
        return _publish(svc, vetting, source, author_id, author_name, note)


def _publish(svc: App, vetting: Vetting, source: str, author_id: int | None, author_name: str,
             note: str = "") -> Version:
    if not vetting.ok or vetting.templates is None:
        raise PublishRefused("templates with problems cannot be published")
    templates = vetting.templates
    version = svc.library.record(templates, source, author_id, author_name, note)
    _go_live(svc, templates, JiraCheck(templates.version, vetting.refused, vetting.jira_checked, vetting.jira_error,
                                       vetting.priorities))
    changes = "; ".join(vetting.diff.lines("en")) if vetting.diff is not None else ""
    detail = f"v{version.number} ({source})" + (f": {changes}" if changes else "") + (f" — {note}" if note else "")
    svc.audit.record(author_id, author_name, AUDIT_ACTIONS.get(source, "templates.publish"), clip(detail, 1000))
    return version


async def rollback(svc: App, number: int, author_id: int | None, author_name: str) -> Vetting | Version:
    """Publish an earlier version again, as a new version, after vetting it anew (Jira may have changed)."""
    found = svc.library
    earlier = found.get(number)
    if earlier is None:
        raise LookupError(f"there is no templates version {number}")
    async with svc.templates_lock:
        if earlier.hash == svc.engine.templates.version:
            raise AlreadyLive(f"v{number} is the live version")
        vetting = await vet(svc, earlier.text, found.path.name)
        if not vetting.ok:
            return vetting
        return _publish(svc, vetting, "rollback", author_id, author_name, note=f"v{number}")


async def reload(svc: App, author_id: int | None, author_name: str) -> ReloadOutcome:
    """Read the templates file again; publish it if it changed and passes the same checks as an upload."""
    # /reload and SIGHUP may come together: the second must see what the first published, not publish it again.
    async with svc.templates_lock:
        return await _reload(svc, author_id, author_name)


async def _reload(svc: App, author_id: int | None, author_name: str) -> ReloadOutcome:
    found = svc.library
    try:
        text = await asyncio.to_thread(read_text, found.path, "templates file")
    except ConfigError as error:
        return ReloadOutcome("problems", live_version(svc), Vetting("", None, problems_of(error), {}, False, None))
    # A file the bot could not write (read-only) still holds an older version: only an edit makes it news.
    if version_of(text) == svc.engine.templates.version or found.unchanged_on_disk(text):
        return ReloadOutcome("unchanged", live_version(svc))
    vetting = await vet(svc, text, found.path.name)
    if not vetting.ok:
        return ReloadOutcome("problems", live_version(svc), vetting)
    return ReloadOutcome("changed", _publish(svc, vetting, "reload", author_id, author_name), vetting)


async def startup_check(svc: App) -> JiraCheck:
    """Check the live set against Jira at start-up and offer only what Jira accepts."""
    templates = live_set(svc)
    check = await jira_check(svc, templates)
    _go_live(svc, templates, check)
    return check


def last_check(svc: App) -> JiraCheck | None:
    """Return Jira's last verdict on the live version, if it was asked."""
    check = svc.templates_check
    return check if check is not None and check.version == svc.engine.templates.version else None


def status(svc: App) -> list[TemplateStatus]:
    """Return each template of the live version: offered, or refused by Jira and why."""
    check = last_check(svc)
    refused = check.refused if check is not None else {}
    return [TemplateStatus(template, svc.engine.templates.get(template.id) is not None,
                           tuple(refused.get(template.id, ())))
            for template in live_set(svc).templates]


def pinned_drafts(svc: App) -> dict[int | None, int]:
    """Count drafts in progress on an earlier version, by version number (None: a version no longer stored)."""
    counts: dict[int | None, int] = {}
    found = svc.library
    for version, count in svc.store.drafts_on_other_versions(svc.engine.templates.version):
        number = found.number_of(version)
        counts[number] = counts.get(number, 0) + count
    return counts
