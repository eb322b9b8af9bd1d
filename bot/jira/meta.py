"""Jira's create metadata (create screens, required fields, allowed values, priorities) as typed objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlencode

from jira import JIRA, JIRAError

Deployment = Literal["cloud", "datacenter"]
DEFAULT_PAGE_SIZE = 50
# The paged createmeta endpoints arrived in Jira Server/Data Center 8.4; Cloud always has them.
PAGED_CREATEMETA_SINCE = (8, 4, 0)
LEGACY_EXPAND = "projects.issuetypes.fields"


@dataclass(frozen=True)
class FieldMeta:
    """One field on an issue type's create screen."""

    id: str
    name: str
    required: bool
    has_default: bool
    schema_type: str
    items: str | None = None
    custom: str | None = None
    allowed_values: tuple[str, ...] = ()

    @property
    def is_custom(self) -> bool:
        """Say whether this is a custom field (customfield_NNNNN)."""
        return self.custom is not None or self.id.startswith("customfield_")

    @property
    def label(self) -> str:
        """Return "'Due date' (duedate)", how messages name a field."""
        return f"'{self.name}' ({self.id})" if self.name and self.name != self.id else f"'{self.id}'"


@dataclass(frozen=True)
class IssueTypeMeta:
    """An issue type of a project with the fields of its create screen, keyed by field id."""

    id: str
    name: str
    fields: dict[str, FieldMeta] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectMeta:
    """A project the bot's account can create issues in, with its issue types keyed by id."""

    key: str
    issue_types: dict[str, IssueTypeMeta] = field(default_factory=dict)

    def issue_type(self, name_or_id: str) -> IssueTypeMeta | None:
        """Return the issue type with this exact name or id."""
        found = self.issue_types.get(name_or_id)
        return found or next((t for t in self.issue_types.values() if t.name == name_or_id), None)


@dataclass(frozen=True)
class JiraMeta:
    """Everything a template check needs to know about one Jira."""

    deployment: Deployment
    version: str
    version_numbers: tuple[int, ...] = ()
    projects: dict[str, ProjectMeta] = field(default_factory=dict)
    priorities: tuple[str, ...] = ()
    # Every field Jira knows (id -> name), to tell "not on this screen" from "does not exist".
    known_fields: dict[str, str] = field(default_factory=dict)

    @property
    def product(self) -> str:
        """Return 'Jira Cloud 1001.0.0' or 'Jira Data Center 9.12.15'."""
        name = "Jira Cloud" if self.deployment == "cloud" else "Jira Data Center"
        return f"{name} {self.version}".strip()


@dataclass(frozen=True)
class ServerMeta:
    """What serverInfo says about the deployment."""

    deployment: Deployment
    version: str
    version_numbers: tuple[int, ...]

    @property
    def paged_createmeta(self) -> bool:
        """Say whether the paged issue/createmeta/{project}/issuetypes endpoints exist."""
        return self.deployment == "cloud" or self.version_numbers >= PAGED_CREATEMETA_SINCE


def field_candidates(name_or_id: str, issue_type: IssueTypeMeta) -> list[FieldMeta]:
    """Return the fields a template's key may mean: the one with this id, else all with this name (any case)."""
    wanted = name_or_id.strip()
    exact = issue_type.fields.get(wanted)
    if exact is not None:
        return [exact]
    lowered = wanted.lower()
    by_id = [f for f in issue_type.fields.values() if f.id.lower() == lowered]
    return by_id or [f for f in issue_type.fields.values() if f.name.strip().lower() == lowered]


def resolve_field(name_or_id: str, issue_type: IssueTypeMeta) -> FieldMeta | None:
    """Return the create-screen field with this id or display name (case-insensitive); None if none or ambiguous."""
    found = field_candidates(name_or_id, issue_type)
    return found[0] if len(found) == 1 else None


def _value_text(value: Any) -> str | None:
    """Return how a template names an allowed value: option value, priority/component name or project key."""
    if isinstance(value, Mapping):
        for key in ("value", "name", "key"):
            text = value.get(key)
            if isinstance(text, str):
                return text
        return None
    return value if isinstance(value, str) else None


def parse_field(field_id: str, raw: Mapping[str, Any]) -> FieldMeta:
    """Turn one createmeta field entry (legacy, Cloud or Data Center shape) into a FieldMeta."""
    schema = raw.get("schema") or {}
    allowed = (_value_text(v) for v in raw.get("allowedValues") or ())
    return FieldMeta(
        id=str(raw.get("fieldId") or raw.get("key") or field_id),
        name=str(raw.get("name") or field_id),
        required=bool(raw.get("required", False)),
        has_default=bool(raw.get("hasDefaultValue", False)),
        schema_type=str(schema.get("type") or "any"),
        items=str(schema["items"]) if schema.get("items") else None,
        custom=str(schema["custom"]) if schema.get("custom") else None,
        allowed_values=tuple(v for v in allowed if v is not None),
    )


def _get(client: JIRA, path: str, **params: object) -> Any:
    """GET a REST resource python-jira has no method for, through its public universal locator, as JSON."""
    query = f"?{urlencode(params)}" if params else ""
    # find() fills {} placeholders: the path carries none, since keys and query are percent-encoded.
    return client.find(f"{path}{query}").raw


def _pages(client: JIRA, path: str, list_key: str, page_size: int) -> Iterator[dict[str, Any]]:
    """Yield every item of a paged createmeta list: under list_key on Cloud, under 'values' on Data Center."""
    start = 0
    while True:
        # python-jira's project_issue_types/project_issue_fields refuse Cloud and read one page of 'values' only.
        page = _get(client, path, startAt=start, maxResults=page_size)
        items = page.get("values", page.get(list_key)) if isinstance(page, dict) else None
        if not items:
            return
        yield from items
        start += len(items)
        total = page.get("total")
        if page.get("isLast") is True or (isinstance(total, int) and start >= total):
            return
        # A short page is the last one even where Jira sends neither isLast nor total.
        size = page.get("maxResults")
        if len(items) < (size if isinstance(size, int) and size > 0 else page_size):
            return


def fetch_server(client: JIRA) -> ServerMeta:
    """Read serverInfo: Cloud says deploymentType 'Cloud'; Server and Data Center say 'Server'."""
    info = client.server_info()
    numbers = tuple(int(n) for n in info.get("versionNumbers") or () if isinstance(n, int))
    deployment: Deployment = "cloud" if info.get("deploymentType") == "Cloud" else "datacenter"
    return ServerMeta(deployment, str(info.get("version") or ""), numbers)


def fetch_priorities(client: JIRA) -> tuple[str, ...]:
    """Return the names of all priorities, in Jira's order."""
    return tuple(str(p.raw["name"]) for p in client.priorities() if "name" in p.raw)


def fetch_known_fields(client: JIRA) -> dict[str, str]:
    """Return every field Jira has, id -> name."""
    return {str(f["id"]): str(f.get("name") or f["id"]) for f in client.fields() if isinstance(f, dict)}


def _fetch_paged(client: JIRA, key: str, page_size: int) -> ProjectMeta:
    """Read a project's create screens through issue/createmeta/{project}/issuetypes[/{id}]."""
    types: dict[str, IssueTypeMeta] = {}
    project = quote(key, safe="")
    for entry in list(_pages(client, f"issue/createmeta/{project}/issuetypes", "issueTypes", page_size)):
        type_id = str(entry["id"])
        fields = {}
        for raw in _pages(client, f"issue/createmeta/{project}/issuetypes/{quote(type_id, safe='')}", "fields",
                          page_size):
            meta = parse_field(str(raw.get("fieldId") or raw.get("key") or ""), raw)
            fields[meta.id] = meta
        types[type_id] = IssueTypeMeta(type_id, str(entry.get("name") or type_id), fields)
    return ProjectMeta(key, types)


def _fetch_legacy(client: JIRA, key: str) -> ProjectMeta | None:
    """Read a project's create screens through the one-shot issue/createmeta of Jira before 9.0."""
    # python-jira's createmeta() refuses Data Center 9 without asking it, where this answers 404.
    answer = _get(client, "issue/createmeta", projectKeys=key, expand=LEGACY_EXPAND)
    project = next((p for p in answer.get("projects") or () if str(p.get("key", "")).upper() == key.upper()), None)
    if project is None:
        return None
    types: dict[str, IssueTypeMeta] = {}
    for entry in project.get("issuetypes") or ():
        type_id = str(entry["id"])
        fields = {fid: parse_field(fid, raw) for fid, raw in (entry.get("fields") or {}).items()}
        types[type_id] = IssueTypeMeta(type_id, str(entry.get("name") or type_id), fields)
    return ProjectMeta(str(project["key"]), types)


def fetch_project(client: JIRA, key: str, server: ServerMeta, *, page_size: int = DEFAULT_PAGE_SIZE
                  ) -> ProjectMeta | None:
    """Return a project's create metadata, or None when Jira has no such project the account can see."""
    if not server.paged_createmeta:
        return _fetch_legacy(client, key)
    try:
        return _fetch_paged(client, key, page_size)
    except JIRAError as exc:
        if exc.status_code != 404:
            raise
        if server.deployment == "cloud":
            # Cloud has no legacy endpoint to fall back to, so a 404 here can only mean the project.
            return None
    # A 404 on Data Center is either an unknown project or a server without the paged endpoint; the legacy
    # endpoint tells the two apart, and where it is gone too (9.0+) the project is what is missing.
    try:
        return _fetch_legacy(client, key)
    except JIRAError as exc:
        if exc.status_code == 404:
            return None
        raise
