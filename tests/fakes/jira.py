"""A fake Jira REST API v2 (Cloud, Data Center 8.20 and 9.x) on loopback HTTP, for real python-jira."""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import functools
import hashlib
import hmac
import itertools
import json
import mimetypes
import operator
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import quote

from aiohttp import BodyPartReader, ClientSession, ClientTimeout, web

__all__ = ["WEBHOOK_EVENTS", "FakeJira", "Mode", "RecordedRequest"]

Mode = Literal["cloud", "dc8", "dc9"]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Predicate = Callable[[dict[str, Any]], bool]

API = "/rest/api/2"
# Jira also serves REST API v2 under "latest" (python-jira uses it for a few calls, such as assigning).
API_LATEST = "/rest/api/latest"
JSON_CT = "application/json;charset=UTF-8"
MAX_TEXT = 32767
MAX_SUMMARY = 255
MAX_LABEL = 255
# Jira rejects numbers at or above this in number custom fields.
MAX_NUMBER = 100_000_000_000_000

_SERVER_INFO: dict[str, dict[str, Any]] = {
    "cloud": {
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100275,
        "buildDate": "2026-11-20T00:00:00.000+0000",
        "scmInfo": "5c3b7a1e0d7f4a2b9e8c6d5f4a3b2c1d0e9f8a7b",
    },
    # Data Center reports deploymentType "Server" (python-jira only tests for "Cloud").
    "dc8": {
        "version": "8.20.30",
        "versionNumbers": [8, 20, 30],
        "deploymentType": "Server",
        "buildNumber": 820030,
        "buildDate": "2024-05-14T00:00:00.000+0000",
        "scmInfo": "9c1e3b0c4f4a0d9b0b6b0c3ad2f2c0ab8e1d2f3a",
    },
    "dc9": {
        "version": "9.12.15",
        "versionNumbers": [9, 12, 15],
        "deploymentType": "Server",
        "buildNumber": 9120015,
        "buildDate": "2024-10-01T00:00:00.000+0000",
        "scmInfo": "0e2b1f7c6a5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f",
    },
}

_STATUS_CATEGORIES: dict[str, dict[str, Any]] = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
# (status id, name, category key, transition id that leads to it)
_STATUSES: list[tuple[str, str, str, str]] = [
    ("10000", "To Do", "new", "11"),
    ("3", "In Progress", "indeterminate", "21"),
    ("10001", "Done", "done", "31"),
    # A status where support waits for the salesperson; like the others, reachable from any status.
    ("10002", "Waiting for sales", "indeterminate", "41"),
]
# (resolution id, name, description): Data Center's defaults plus Cloud's "Done" and "Won't Do".
_RESOLUTIONS: list[tuple[str, str, str]] = [
    ("1", "Fixed", "A fix for this issue is checked into the tree and tested."),
    ("2", "Won't Fix", "The problem described is an issue which will never be fixed."),
    ("3", "Duplicate", "The problem is a duplicate of an existing issue."),
    ("4", "Incomplete", "The problem is not completely described."),
    ("5", "Cannot Reproduce", "All attempts at reproducing this issue failed."),
    ("10000", "Done", "Work has been completed on this issue."),
    ("10001", "Won't Do", "This issue won't be actioned."),
]
# Webhook events the fake sends, by their webhookEvent name.
WEBHOOK_EVENTS = frozenset({"jira:issue_created", "jira:issue_updated", "comment_created"})
_NOT_ON_SCREEN = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."

_NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
_CLOUD_NOT_AUTHENTICATED = "Client must be authenticated to access this resource."
_SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
_UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
# Cloud's documented limit on reconcileIssues; Atlassian does not document the refusal's wording, so this is ours.
MAX_RECONCILE = 50
_TOO_MANY_RECONCILE = f"The reconcileIssues parameter accepts at most {MAX_RECONCILE} issue ids."
_BAD_RECONCILE = "The reconcileIssues parameter must list issue ids (numbers)."
_TEXT_TOO_LONG = "The entered text is too long. It exceeds the allowed limit of {:,} characters."
_DATE_FORMATS_HINT = (
    "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
    "or a period format e.g. '-5d', '4w 2d'."
)
# Per-request values the middleware hands to handlers.
_USER: web.RequestKey[dict[str, Any] | None] = web.RequestKey("fake_jira_user")
_RAW_BODY: web.RequestKey[bytes] = web.RequestKey("fake_jira_raw_body", bytes)
_JSON_BODY: web.RequestKey[Any] = web.RequestKey("fake_jira_json_body")
# Lucene's English stop words, which Jira drops from text searches.
_STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it"),
        *("no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these"),
        *("they", "this", "to", "was", "will", "with"),
    }
)


@dataclass
class RecordedRequest:
    """One HTTP request as the fake received it."""

    method: str
    path: str
    # Repeated query keys (python-jira sends fields=a&fields=b) are joined with commas, as Jira reads them.
    query: dict[str, str]
    json: Any
    headers: dict[str, str]


@dataclass
class _Fault:
    """A canned failure that answers matching requests instead of the real handler."""

    status: int
    body: dict[str, Any] | list[Any] | str | None
    headers: dict[str, str]
    times: int
    path_contains: str | None
    method: str | None


@dataclass(eq=False)
class _Webhook:
    """A registered webhook: where to POST, which events, how to sign."""

    id: int
    url: str
    secret: str | None
    events: frozenset[str]
    duplicate: bool
    # The delivery in flight for this hook; the next one waits for it, so a hook receives events in order.
    tail: asyncio.Task[None] | None = None


@dataclass(eq=False)
class _Delivery:
    """One POST of one payload to one webhook (a duplicate is a second delivery with the same identifier)."""

    hook: _Webhook
    event: str
    body: bytes
    identifier: str
    attempt: int


class _ConnectionDropped(Exception):
    """Raised after the transport was closed on purpose, so no response is written."""


class _JqlError(Exception):
    """A JQL problem that Jira reports as a 400 with these errorMessages."""

    def __init__(self, *messages: str) -> None:
        """Keep the messages for the errorMessages array."""
        super().__init__(*messages)
        self.messages = list(messages)


def _now() -> datetime:
    """Current UTC time truncated to milliseconds, the precision Jira stores."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _jira_ts(moment: datetime) -> str:
    """Format a datetime the way Jira renders created/updated."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


@functools.lru_cache(maxsize=65536)
def _parse_jira_ts(text: str) -> datetime:
    """Parse a timestamp in Jira's created/updated format (cached: a sorted search parses every issue's)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Jira's content type."""
    all_headers = {"Content-Type": JSON_CT, **(headers or {})}
    return web.Response(body=json.dumps(payload).encode(), status=status, headers=all_headers)


def _error(
    status: int,
    messages: Iterable[str] = (),
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Jira's standard error collection body."""
    return _json({"errorMessages": list(messages), "errors": errors or {}}, status, headers)


def _int_param(raw: Any, default: int) -> int:
    """Read an integer paging parameter, falling back like Jira does on junk."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def _expand_names(raw: Any) -> set[str]:
    """The names in an expand parameter (a comma string, or a list in a POST body), lower case."""
    if raw is None:
        return set()
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return {str(item).strip().lower() for item in items if str(item).strip()}


def _identity(value: Any) -> Any:
    """What makes two renderings of a field value the same value (URLs inside them may differ)."""
    if isinstance(value, dict):
        for key in ("accountId", "key", "id", "value", "name"):
            if key in value:
                return (key, value[key])
        return tuple(sorted(value.items()))
    if isinstance(value, list):
        return tuple(_identity(item) for item in value)
    return value


def _number_text(value: Any) -> str | None:
    """A number as Jira writes it into the change history (5000.0 as "5000")."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FakeJira:
    """A loopback Jira REST API v2 server that behaves like Cloud, DC 8.20 or DC 9.x."""

    def __init__(
        self,
        mode: Mode = "cloud",
        *,
        email: str = "bot@example.com",
        api_token: str = "tok",
        pat: str = "pat-secret",
        project: str = "SUP",
        upload_limit: int = 10 * 1024 * 1024,
        username: str = "bot",
    ) -> None:
        """Seed a Jira with one project, three issue types, five priorities and three custom fields."""
        if mode not in _SERVER_INFO:
            raise ValueError(f"unknown mode {mode!r}")
        # Guards state shared between the server thread and test code calling the helpers.
        self._lock = threading.RLock()
        self.mode: Mode = mode
        self.email = email
        self.api_token = api_token
        self.pat = pat
        # Data Center logs in with a username; api_token doubles as that user's password.
        self.username = username
        self.upload_limit = upload_limit
        self.latency = 0.0
        # Seconds an issue created over REST stays out of search results, as in Cloud's eventually consistent
        # index (search/jql lets reconcileIssues name ids to see anyway); GET issue/{key} always has it at once.
        self.search_lag = 0.0
        # The clock search_lag runs on; a test may hand its own, moved by hand, to step past the lag.
        self.index_clock: Callable[[], float] = time.monotonic
        # The wall clock changes, comments and JQL's now() are stamped with; a test may hand its own clock.
        self.clock: Callable[[], float] | None = None
        # Requests being answered right now, and the most there were at once.
        self.in_flight = 0
        self.peak_in_flight = 0
        self.url = ""

        self.issues: dict[str, dict[str, Any]] = {}
        # Keys issues had before a move to another project, and the key each was given: Jira still answers them.
        self.moved_keys: dict[str, str] = {}
        self.requests: list[RecordedRequest] = []
        self.creates: list[dict[str, Any]] = []
        self.attachment_bytes: dict[str, bytes] = {}
        # Exceptions that escaped a handler (answered as 500); tests can assert this stays empty.
        self.internal_errors: list[BaseException] = []
        # Every webhook POST once it ended: url, event, identifier, attempt, status (None if no answer), error, body.
        self.webhook_deliveries: list[dict[str, Any]] = []
        # Seconds a webhook receiver has to answer before the delivery counts as failed.
        self.webhook_timeout = 2.0

        self.users: list[dict[str, Any]] = [
            self._user_record(1, username, email, "Ticketsmith Bot"),
            self._user_record(2, "alice", "alice@example.com", "Alice Anders"),
            self._user_record(3, "bob", "bob@example.com", "Bob Brandt"),
        ]
        self.issue_types: dict[str, dict[str, Any]] = {
            "10001": {
                "id": "10001",
                "name": "Bug",
                "description": "A problem which impairs product functions.",
            },
            "10002": {"id": "10002", "name": "Task", "description": "A task that needs to be done."},
            "10003": {"id": "10003", "name": "Story", "description": "A user story."},
        }
        self.priorities: list[dict[str, Any]] = [
            {"id": "1", "name": "Highest", "statusColor": "#d04437", "description": "Blocks progress."},
            {"id": "2", "name": "High", "statusColor": "#f15c75", "description": "Could block progress."},
            {"id": "3", "name": "Medium", "statusColor": "#f79232", "description": "May affect progress."},
            {"id": "4", "name": "Low", "statusColor": "#707070", "description": "Minor problem."},
            {"id": "5", "name": "Lowest", "statusColor": "#999999", "description": "Trivial problem."},
        ]
        self.default_priority = "3"
        self.resolutions: list[dict[str, str]] = [
            {"id": rid, "name": name, "description": text} for rid, name, text in _RESOLUTIONS
        ]
        self.fields: dict[str, dict[str, Any]] = self._seed_fields()
        self.projects: dict[str, dict[str, Any]] = {}
        self.add_project(project, "Support", project_id="10000")
        screen = [
            "summary",
            "issuetype",
            "project",
            "reporter",
            "description",
            "priority",
            "labels",
            "duedate",
            "components",
            "customfield_10050",
            "customfield_10051",
            "customfield_10052",
        ]
        # Create screen and required fields per issue type id.
        self.screens: dict[str, list[str]] = {type_id: list(screen) for type_id in self.issue_types}
        self.required: dict[str, set[str]] = {
            type_id: {"project", "issuetype", "summary"} for type_id in self.issue_types
        }

        self._faults: list[_Fault] = []
        self._lose_creates = 0
        self._issue_ids = itertools.count(10000)
        self._comment_ids = itertools.count(10100)
        self._attachment_ids = itertools.count(10200)
        self._history_ids = itertools.count(10300)
        self._webhook_ids = itertools.count(1)
        self._webhooks: list[_Webhook] = []
        # Deliveries queued but not yet ended, for flush_webhooks().
        self._outstanding = 0
        self._delivery_cv = threading.Condition()
        self._delivery_tasks: set[asyncio.Task[None]] = set()
        self._client: ClientSession | None = None
        # The last change time handed out; changes get strictly increasing times.
        self._last_stamp: datetime | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ------------------------------------------------------------------ seeding and test controls

    @staticmethod
    def _user_record(n: int, name: str, email: str, display: str) -> dict[str, Any]:
        """Internal user record carrying both the Cloud and the DC identifiers."""
        return {
            "name": name,
            "key": f"JIRAUSER1000{n}",
            "accountId": f"712020:00000000-0000-4000-8000-00000000000{n}",
            "emailAddress": email,
            "displayName": display,
            "active": True,
        }

    def _seed_fields(self) -> dict[str, dict[str, Any]]:
        """System fields plus the custom fields Deal size, Customer tier and Segments."""
        cloud = self.mode == "cloud"

        def system(fid: str, name: str, schema: dict[str, Any] | None, clauses: list[str]) -> dict[str, Any]:
            """A system field definition."""
            return {"id": fid, "name": name, "custom": False, "schema": schema, "clauseNames": clauses}

        def custom(
            num: int, name: str, schema: dict[str, Any], options: list[tuple[str, str]]
        ) -> dict[str, Any]:
            """A custom field definition, with options for select lists."""
            fid = f"customfield_{num}"
            schema = {**schema, "customId": num}
            entry = {
                "id": fid,
                "name": name,
                "custom": True,
                "schema": schema,
                "clauseNames": [f"cf[{num}]", name],
            }
            if options:
                entry["allowedValues"] = [{"id": oid, "value": value} for oid, value in options]
            return entry

        cft = "com.atlassian.jira.plugin.system.customfieldtypes:"
        seeded = [
            system("summary", "Summary", {"type": "string", "system": "summary"}, ["summary"]),
            system(
                "description", "Description", {"type": "string", "system": "description"}, ["description"]
            ),
            system(
                "issuetype", "Issue Type", {"type": "issuetype", "system": "issuetype"}, ["issuetype", "type"]
            ),
            system("project", "Project", {"type": "project", "system": "project"}, ["project"]),
            system("reporter", "Reporter", {"type": "user", "system": "reporter"}, ["reporter"]),
            system("assignee", "Assignee", {"type": "user", "system": "assignee"}, ["assignee"]),
            system("creator", "Creator", {"type": "user", "system": "creator"}, ["creator"]),
            system("priority", "Priority", {"type": "priority", "system": "priority"}, ["priority"]),
            system("labels", "Labels", {"type": "array", "items": "string", "system": "labels"}, ["labels"]),
            # Cloud renamed several system fields to sentence case; DC keeps the old names.
            system(
                "duedate",
                "Due date" if cloud else "Due Date",
                {"type": "date", "system": "duedate"},
                ["due", "duedate"],
            ),
            system(
                "components",
                "Components" if cloud else "Component/s",
                {"type": "array", "items": "component", "system": "components"},
                ["component"],
            ),
            system("status", "Status", {"type": "status", "system": "status"}, ["status"]),
            system(
                "resolution", "Resolution", {"type": "resolution", "system": "resolution"}, ["resolution"]
            ),
            system(
                "created", "Created", {"type": "datetime", "system": "created"}, ["created", "createdDate"]
            ),
            system(
                "updated", "Updated", {"type": "datetime", "system": "updated"}, ["updated", "updatedDate"]
            ),
            system(
                "resolutiondate",
                "Resolved",
                {"type": "datetime", "system": "resolutiondate"},
                ["resolutiondate", "resolved"],
            ),
            system("issuekey", "Key", None, ["id", "issue", "issuekey", "key"]),
            system(
                "attachment",
                "Attachment",
                {"type": "array", "items": "attachment", "system": "attachment"},
                ["attachments"],
            ),
            system("comment", "Comment", {"type": "comments-page", "system": "comment"}, ["comment"]),
            custom(10050, "Deal size", {"type": "number", "custom": cft + "float"}, []),
            custom(
                10051,
                "Customer tier",
                {"type": "option", "custom": cft + "select"},
                [("10100", "Gold"), ("10101", "Silver"), ("10102", "Bronze")],
            ),
            custom(
                10052,
                "Segments",
                {"type": "array", "items": "option", "custom": cft + "multiselect"},
                [("10200", "Enterprise"), ("10201", "Mid-market"), ("10202", "SMB")],
            ),
        ]
        return {entry["id"]: entry for entry in seeded}

    def add_project(
        self,
        key: str,
        name: str,
        *,
        project_id: str | None = None,
        issue_types: Iterable[str] = ("10001", "10002", "10003"),
    ) -> dict[str, Any]:
        """Add a project; issue_types are issue type ids available in it."""
        with self._lock:
            if project_id is None:
                project_id = str(10000 + len(self.projects))
            base = int(project_id) * 10 + 300
            self.projects[key] = {
                "id": project_id,
                "key": key,
                "name": name,
                "issue_types": list(issue_types),
                "components": [
                    {"id": str(base), "name": "Billing"},
                    {"id": str(base + 1), "name": "Onboarding"},
                ],
                "lead": self.users[0],
                "next_number": 1,
            }
            return self.projects[key]

    def _issue_type_id(self, issue_type: str) -> str:
        """Resolve an issue type given by name or id."""
        if issue_type in self.issue_types:
            return issue_type
        for type_id, entry in self.issue_types.items():
            if entry["name"].lower() == issue_type.lower():
                return type_id
        raise KeyError(f"unknown issue type {issue_type!r}")

    def require_field(self, issue_type: str, field_id: str) -> None:
        """Make a field required on the create screen of an issue type (by name or id)."""
        with self._lock:
            type_id = self._issue_type_id(issue_type)
            if field_id not in self.fields:
                raise KeyError(f"unknown field {field_id!r}")
            if field_id not in self.screens[type_id]:
                self.screens[type_id].append(field_id)
            self.required[type_id].add(field_id)

    def remove_from_screen(self, issue_type: str, field_id: str) -> None:
        """Take a field off an issue type's create screen, so setting it fails like in Jira."""
        with self._lock:
            type_id = self._issue_type_id(issue_type)
            if field_id in self.screens[type_id]:
                self.screens[type_id].remove(field_id)
            self.required[type_id].discard(field_id)

    def add_user(self, name: str, email: str, display_name: str, *, active: bool = True) -> dict[str, Any]:
        """Add a Jira user (name is their Data Center login) and return its record."""
        with self._lock:
            user = self._user_record(len(self.users) + 1, name, email, display_name)
            user["active"] = active
            self.users.append(user)
        return user

    def fail_next(
        self,
        status: int,
        *,
        body: dict[str, Any] | list[Any] | str | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        path_contains: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next `times` matching requests with this status, body and headers."""
        with self._lock:
            self._faults.append(
                _Fault(
                    status,
                    body,
                    dict(headers or {}),
                    times,
                    path_contains,
                    method.upper() if method else None,
                )
            )

    def lose_next_create_response(self) -> None:
        """Store the next created issue, then drop the connection without answering."""
        with self._lock:
            self._lose_creates += 1

    def add_issue(
        self,
        summary: str,
        *,
        project: str | None = None,
        issue_type: str = "Task",
        description: str | None = None,
        labels: Iterable[str] = (),
        status: str = "To Do",
        priority: str = "Medium",
        created: datetime | None = None,
        updated: datetime | None = None,
        **custom_fields: Any,
    ) -> dict[str, Any]:
        """Store an issue directly, skipping validation; custom fields take values as Jira renders them."""
        with self._lock:
            proj = self.projects[project or next(iter(self.projects))]
            type_id = self._issue_type_id(issue_type)
            prio = next(p for p in self.priorities if p["name"] == priority)
            fields: dict[str, Any] = {
                "summary": summary,
                "description": description,
                "labels": list(labels),
                "priority": self._priority_json(prio),
                **custom_fields,
            }
            issue = self._store_issue(proj, type_id, fields, self.users[0], created or self.now())
            self._set_status(issue, status)
            if updated is not None:
                issue["fields"]["updated"] = _jira_ts(updated)
            return issue

    def move(self, key: str, project: str, *, actor: str = "alice") -> str:
        """Move an issue to another project as user `actor`, as Jira's Move does; return its new key.

        The issue keeps its id and everything else and takes the next key of that project. Its history records
        the move (items "Key" and "project", as Jira writes them) and the webhooks say so. The old key still
        works: REST calls and JQL naming it get the issue under its new key, as in Jira.
        """
        with self._lock:
            issue = self._issue_or_raise(key)
            target = self._find_project(project)
            if target is None:
                raise KeyError(f"unknown project {project!r}")
            source = self._find_project(issue["fields"]["project"]["key"])
            assert source is not None
            if source is target:
                raise ValueError(f"{issue['key']} is already in {target['key']}")
            old_key, new_key = issue["key"], f"{target['key']}-{target['next_number']}"
            target["next_number"] += 1
            del self.issues[old_key]
            issue["key"] = new_key
            self.issues[new_key] = issue
            self.moved_keys[old_key] = new_key
            issue["fields"]["project"] = self._project_json(target)
            items = [self._item("issuekey", "Key", None, old_key, None, new_key),
                     self._item("project", "project", source["id"], source["name"], target["id"], target["name"])]
            self._record_change(issue, self._user_named(actor), {}, event_type="issue_moved", items=items)
            return new_key

    def delete_issue(self, key: str) -> None:
        """Delete an issue as an admin would in Jira's UI: gone from GET, search, and JQL naming its key."""
        with self._lock:
            del self.issues[self._issue_or_raise(key)["key"]]

    # ------------------------------------------------------------------ acting as other users

    def _user_named(self, name: str) -> dict[str, Any]:
        """A user record by username; KeyError for an unknown one."""
        user = self._find_user(name=name)
        if user is None:
            raise KeyError(f"unknown user {name!r}")
        return user

    def _issue_or_raise(self, key: str) -> dict[str, Any]:
        """A stored issue by key or id; KeyError for an unknown one."""
        issue = self._find_issue(key)
        if issue is None:
            raise KeyError(f"unknown issue {key!r}")
        return issue

    def transition(self, key: str, status_name: str, *, actor: str = "alice") -> None:
        """Move an issue to a status (any case) as user `actor`, like POST issue/{key}/transitions."""
        with self._lock:
            issue = self._issue_or_raise(key)
            target = self._status_name(status_name)
            if target == issue["fields"]["status"]["name"]:
                raise ValueError(f"{issue['key']} is already in status {target!r}")
            self._transition(issue, target, self._user_named(actor))

    def comment(self, key: str, body: str, *, actor: str = "alice") -> str:
        """Add a comment as user `actor`, like POST issue/{key}/comment; return the comment id."""
        with self._lock:
            issue = self._issue_or_raise(key)
            if not body.strip():
                raise ValueError("Comment body can not be empty!")
            _, comment = self._record_change(
                issue, self._user_named(actor), {}, event_type="issue_commented", comment_body=body
            )
            assert comment is not None
            return cast(str, comment["id"])

    def assign(self, key: str, user: str | None, *, actor: str = "alice") -> None:
        """Assign an issue to a username (None: unassign) as user `actor`, like PUT issue/{key}/assignee."""
        with self._lock:
            issue = self._issue_or_raise(key)
            assignee = None if user is None else self._user_json(self._user_named(user))
            self._record_change(issue, self._user_named(actor), {"assignee": assignee}, event_type="issue_assigned")

    def resolve(self, key: str, resolution: str = "Fixed", *, actor: str = "alice") -> None:
        """Set a resolution (by name) and move to Done as user `actor`; on a Done issue only the resolution changes."""
        with self._lock:
            issue = self._issue_or_raise(key)
            chosen = next((r for r in self.resolutions if r["name"].lower() == resolution.lower()), None)
            if chosen is None:
                raise KeyError(f"unknown resolution {resolution!r}")
            user = self._user_named(actor)
            if issue["fields"]["status"]["name"] == "Done":
                self._record_change(
                    issue, user, {"resolution": self._resolution_json(chosen)}, event_type="issue_updated"
                )
            else:
                self._transition(issue, "Done", user, resolution=self._resolution_json(chosen))

    def set_duedate(self, key: str, due: str | date | None, *, actor: str = "alice") -> None:
        """Set (or with None clear) the due date, "2026-12-04", as user `actor`, like PUT issue/{key}."""
        value = due.isoformat() if isinstance(due, date) else due
        self.edit(key, {"duedate": value}, actor=actor)

    def edit(self, key: str, fields: dict[str, Any], *, actor: str = "alice") -> None:
        """Set fields given as in a PUT issue/{key} body's "fields", as user `actor`; ValueError with Jira's errors."""
        with self._lock:
            issue = self._issue_or_raise(key)
            errors, stored = self._check_edit(issue, {"fields": fields})
            if errors:
                raise ValueError(errors)
            self._edit(issue, stored, self._user_named(actor))

    # ------------------------------------------------------------------ webhooks

    def add_webhook(
        self,
        url: str,
        *,
        secret: str | None = None,
        events: Iterable[str] = ("jira:issue_updated", "comment_created"),
        duplicate: bool = False,
    ) -> None:
        """POST every later event of these kinds to url, as Jira does.

        On Cloud a secret signs each body (X-Hub-Signature: sha256=...); Data Center signs nothing, so there the
        secret is ignored and an admin puts a token into the URL instead. duplicate=True sends each payload twice
        with the same X-Atlassian-Webhook-Identifier, as Cloud's at-least-once delivery may.
        """
        # Other event names are accepted, as Jira does, but the fake never sends them (see WEBHOOK_EVENTS).
        names = frozenset((events,) if isinstance(events, str) else events)
        with self._lock:
            self._webhooks.append(_Webhook(next(self._webhook_ids), url, secret, names, duplicate))

    def flush_webhooks(self, within: float = 5.0) -> None:
        """Block until every queued webhook delivery has ended (answered, failed or timed out); else TimeoutError."""
        with self._delivery_cv:
            if not self._delivery_cv.wait_for(lambda: self._outstanding == 0, within):
                raise TimeoutError(f"{self._outstanding} webhook deliveries still pending after {within}s")

    async def aflush_webhooks(self, within: float = 5.0) -> None:
        """flush_webhooks() without blocking the caller's event loop (where a receiver may be serving)."""
        await asyncio.to_thread(self.flush_webhooks, within)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start serving on 127.0.0.1 from a private event loop in a background thread."""
        if self._thread is not None:
            raise RuntimeError("FakeJira already started")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            """Serve until stop() stops the loop."""
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"fake-jira-{self.mode}", daemon=True)
        self._thread.start()
        ready.wait(5)
        self._loop = loop
        self._call(self._bind(0))

    def stop(self) -> None:
        """Stop serving and end the background thread."""
        if self._thread is None or self._loop is None:
            return
        if self._runner is not None:
            self._call(self._unbind())
        self._call(self._close_webhooks())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        self._thread = None
        self._loop = None

    def go_down(self) -> None:
        """Stop listening and close open connections, so clients get 'connection refused'."""
        if self._runner is not None:
            self._call(self._unbind())

    def come_up(self) -> None:
        """Listen again on the same port after go_down()."""
        if self._runner is None:
            self._call(self._bind(self._port))

    async def astart(self) -> None:
        """start() without blocking the caller's event loop."""
        await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        """stop() without blocking the caller's event loop."""
        await asyncio.to_thread(self.stop)

    def __enter__(self) -> FakeJira:
        """Start on entry."""
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop on exit."""
        self.stop()

    async def __aenter__(self) -> FakeJira:
        """Start on entry, from async code."""
        await self.astart()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop on exit, from async code."""
        await self.astop()

    def _call(self, coro: Awaitable[None]) -> None:
        """Run a coroutine on the server loop and wait for it."""
        if self._loop is None:
            raise RuntimeError("FakeJira is not started")
        asyncio.run_coroutine_threadsafe(cast(Any, coro), self._loop).result(10)

    async def _bind(self, port: int) -> None:
        """Listen on 127.0.0.1:port (0 picks a free port) with a fresh application."""
        # A short shutdown timeout keeps go_down()/stop() fast even with a slow request in flight.
        runner = web.AppRunner(self._make_app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
        await site.start()
        self._runner = runner
        self._port = cast(tuple[str, int], runner.addresses[0])[1]
        self.url = f"http://127.0.0.1:{self._port}"

    async def _unbind(self) -> None:
        """Close the listening socket and every open connection."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def _make_app(self) -> web.Application:
        """Build the aiohttp application with Jira's routes."""
        app = web.Application(middlewares=[self._middleware], client_max_size=1024**3)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/serverInfo", self._h_server_info),
            ("GET", "/myself", self._h_myself),
            ("GET", "/user", self._h_user),
            ("GET", "/user/search", self._h_user_search),
            ("GET", "/project", self._h_projects),
            ("GET", "/project/{key}", self._h_project),
            ("GET", "/project/{key}/components", self._h_project_components),
            ("GET", "/priority", self._h_priorities),
            ("GET", "/priority/{id}", self._h_priority),
            ("GET", "/field", self._h_fields),
            ("GET", "/issuetype", self._h_issue_types),
            ("GET", "/issuetype/{id}", self._h_issue_type),
            ("GET", "/status", self._h_statuses),
            ("GET", "/resolution", self._h_resolutions),
            ("GET", "/attachment/meta", self._h_attachment_meta),
            ("GET", "/attachment/content/{id}", self._h_attachment_content),
            ("GET", "/attachment/{id}", self._h_attachment),
            # Registered before issue/{key}: on Jira 9 and Cloud the legacy path falls through to it.
            ("GET", "/issue/createmeta", self._h_createmeta_legacy),
            ("GET", "/issue/createmeta/{project}/issuetypes", self._h_createmeta_types),
            ("GET", "/issue/createmeta/{project}/issuetypes/{type}", self._h_createmeta_fields),
            ("POST", "/issue", self._h_create_issue),
            ("GET", "/issue/{key}", self._h_get_issue),
            ("PUT", "/issue/{key}", self._h_edit_issue),
            ("PUT", "/issue/{key}/assignee", self._h_assign),
            ("GET", "/issue/{key}/comment", self._h_comments),
            ("POST", "/issue/{key}/comment", self._h_add_comment),
            ("GET", "/issue/{key}/comment/{id}", self._h_comment),
            ("GET", "/issue/{key}/transitions", self._h_transitions),
            ("POST", "/issue/{key}/transitions", self._h_do_transition),
            ("POST", "/issue/{key}/attachments", self._h_add_attachment),
            ("GET", "/search", self._h_search),
            ("POST", "/search", self._h_search),
            ("GET", "/search/jql", self._h_search_jql),
            ("POST", "/search/jql", self._h_search_jql),
            ("POST", "/search/approximate-count", self._h_approximate_count),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, handler)
            app.router.add_route(method, API_LATEST + path, handler)
        app.router.add_route("GET", "/secure/attachment/{id}/{name}", self._h_attachment_content)
        return app

    # ------------------------------------------------------------------ middleware: record, faults, auth

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record, inject faults, authenticate, dispatch, and turn crashes into Jira-style 500s."""
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(request, handler)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await self._dispatch(request, handler)
        except _ConnectionDropped:
            # The transport is already closed, so this response is never written; raising instead
            # would make aiohttp log the deliberate drop as a server error.
            return web.Response(status=204)
        except web.HTTPException as exc:
            response = self._route_error(request, exc)
        except Exception as exc:
            # Never let a handler bug take the server down; answer like Jira's generic 500.
            self.internal_errors.append(exc)
            response = _error(500, ["Internal server error"])
        if self.latency > 0:
            # Applied after the work is done, like a slow Jira: a timed-out create still creates.
            await asyncio.sleep(self.latency)
        return response

    async def _dispatch(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Everything between receiving a request and its handler's answer."""
        body: Any = None
        raw = b""
        if request.method in ("POST", "PUT") and not request.content_type.startswith("multipart/"):
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
        query = {key: ",".join(request.query.getall(key)) for key in request.query}
        self.requests.append(
            RecordedRequest(request.method, request.path, query, body, dict(request.headers))
        )
        if request.method == "POST" and request.path in (API + "/issue", API_LATEST + "/issue"):
            self.creates.append(body if isinstance(body, dict) else {"_raw": raw.decode("utf-8", "replace")})
        request[_RAW_BODY] = raw
        request[_JSON_BODY] = body

        fault = self._take_fault(request)
        if fault is not None:
            return self._fault_response(fault)

        user, failure = self._authenticate(request)
        if failure is not None:
            return failure
        matched = request.match_info.http_exception is None
        public = request.path in (API + "/serverInfo", API_LATEST + "/serverInfo")
        if user is None and matched and not public:
            return self._unauthenticated(failed=False)
        request[_USER] = user
        response = await handler(request)
        self._identity_headers(response, user)
        return response

    def _route_error(self, request: web.Request, exc: web.HTTPException) -> web.StreamResponse:
        """Jersey-style answers for unknown paths and wrong methods."""
        if exc.status == 404:
            return self._route_not_found(request)
        if exc.status == 405:
            # Jersey answers a wrong method with an empty 405.
            return web.Response(status=405, headers={"Allow": exc.headers.get("Allow", "")})
        return exc

    def _route_not_found(self, request: web.Request) -> web.Response:
        """What Jira answers for a path no resource serves."""
        if request.path.startswith("/rest/"):
            return _json({"message": f"null for uri: {request.url}", "status-code": 404}, 404)
        return web.Response(
            status=404,
            text="<html><head><title>Oops, you've found a dead link. - Jira</title></head></html>",
            content_type="text/html",
        )

    def _take_fault(self, request: web.Request) -> _Fault | None:
        """Pop one use of the first fault that matches this request."""
        with self._lock:
            for fault in self._faults:
                if fault.method is not None and fault.method != request.method:
                    continue
                if fault.path_contains is not None and fault.path_contains not in request.path_qs:
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _fault_response(fault: _Fault) -> web.Response:
        """Build the injected failure exactly as configured."""
        headers = dict(fault.headers)
        body = fault.body
        if body is None:
            if fault.status in (502, 504):
                # Gateways in front of Jira answer with HTML, not Jira JSON.
                reason = "Bad Gateway" if fault.status == 502 else "Gateway Timeout"
                body = (
                    f"<html><head><title>{fault.status} {reason}</title></head><body>{reason}</body></html>"
                )
                headers.setdefault("Content-Type", "text/html")
            else:
                reasons = {
                    429: "Rate limit exceeded.",
                    500: "Internal server error",
                    503: "Service Unavailable",
                }
                body = {"errorMessages": [reasons.get(fault.status, "Error")], "errors": {}}
        if isinstance(body, str):
            headers.setdefault("Content-Type", "text/plain;charset=UTF-8")
            return web.Response(body=body.encode(), status=fault.status, headers=headers)
        headers.setdefault("Content-Type", JSON_CT)
        return web.Response(body=json.dumps(body).encode(), status=fault.status, headers=headers)

    def _authenticate(self, request: web.Request) -> tuple[dict[str, Any] | None, web.Response | None]:
        """Return (user, None) for valid or absent credentials, (None, 401) for bad ones."""
        header = request.headers.get("Authorization")
        if not header:
            return None, None
        scheme, _, credential = header.partition(" ")
        scheme = scheme.lower()
        bot = self.users[0]
        if scheme == "basic":
            try:
                login, _, secret = base64.b64decode(credential, validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None, self._unauthenticated(failed=True)
            if self.mode == "cloud":
                # Cloud only takes an Atlassian account email with an API token.
                valid = login.lower() == bot["emailAddress"].lower() and secret == self.api_token
            else:
                valid = login == bot["name"] and secret == self.api_token
            return (bot, None) if valid else (None, self._unauthenticated(failed=True))
        if scheme == "bearer" and self.mode != "cloud" and credential == self.pat:
            return bot, None
        return None, self._unauthenticated(failed=True, bearer=scheme == "bearer")

    def _unauthenticated(self, *, failed: bool, bearer: bool = False) -> web.Response:
        """The 401 each deployment sends for anonymous or rejected credentials."""
        if self.mode == "cloud":
            return _json({"message": _CLOUD_NOT_AUTHENTICATED, "status-code": 401}, 401)
        if failed and not bearer:
            # Seraph rejects bad Basic credentials before any REST resource runs.
            return web.Response(
                status=401,
                text="Basic Authentication Failure - Reason : AUTHENTICATED_FAILED",
                content_type="text/html",
                headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
            )
        headers = {"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"} if failed else {}
        return _error(401, [_NOT_AUTHENTICATED], headers=headers)

    @staticmethod
    def _caller(request: web.Request) -> dict[str, Any]:
        """The authenticated user; only serverInfo is served anonymously, and it does not ask."""
        user = request[_USER]
        if user is None:
            raise RuntimeError("handler reached without an authenticated user")
        return user

    def _identity_headers(self, response: web.StreamResponse, user: dict[str, Any] | None) -> None:
        """Headers Jira adds to every answer that names the caller."""
        response.headers.setdefault("X-AREQUESTID", uuid.uuid4().hex[:12])
        if self.mode == "cloud":
            if user is not None:
                response.headers.setdefault("X-AACCOUNTID", user["accountId"])
        else:
            response.headers.setdefault("X-AUSERNAME", user["name"] if user else "anonymous")
            if user is not None:
                response.headers.setdefault("X-Seraph-LoginReason", "OK")

    # ------------------------------------------------------------------ JSON renderings

    def _avatars(self, kind: str, ident: str) -> dict[str, str]:
        """Avatar URL set as Jira sends it."""
        base = f"{self.url}/secure/{kind}avatar?avatarId={ident}"
        return {size: f"{base}&size={label}" for size, label in (("48x48", "large"), ("24x24", "small"))}

    def _user_json(self, user: dict[str, Any]) -> dict[str, Any]:
        """A user as Cloud (accountId) or DC (name/key) renders it."""
        common = {
            "emailAddress": user["emailAddress"],
            "avatarUrls": self._avatars("user", user["key"]),
            "displayName": user["displayName"],
            "active": user["active"],
            "timeZone": "Etc/UTC",
        }
        if self.mode == "cloud":
            return {
                "self": f"{self.url}{API}/user?accountId={user['accountId']}",
                "accountId": user["accountId"],
                "accountType": "atlassian",
                **common,
            }
        return {
            "self": f"{self.url}{API}/user?username={quote(user['name'])}",
            "name": user["name"],
            "key": user["key"],
            **common,
        }

    def _project_json(self, project: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
        """A project, short as in lists or full as GET project/{key} returns it."""
        out: dict[str, Any] = {
            "expand": "description,lead,url,projectKeys",
            "self": f"{self.url}{API}/project/{project['id']}",
            "id": project["id"],
            "key": project["key"],
            "name": project["name"],
            "avatarUrls": self._avatars("project", project["id"]),
            "projectTypeKey": "software",
        }
        if self.mode == "cloud":
            out.update({"simplified": False, "style": "classic", "isPrivate": False})
        else:
            out["archived"] = False
        if full:
            out.update(
                {
                    "description": "",
                    "lead": self._user_json(project["lead"]),
                    "components": [self._component_json(c) for c in project["components"]],
                    "issueTypes": [
                        self._issue_type_json(self.issue_types[t]) for t in project["issue_types"]
                    ],
                    "assigneeType": "UNASSIGNED",
                    "versions": [],
                    "roles": {},
                }
            )
        return out

    def _issue_type_json(self, issue_type: dict[str, Any]) -> dict[str, Any]:
        """An issue type."""
        out = {
            "self": f"{self.url}{API}/issuetype/{issue_type['id']}",
            "id": issue_type["id"],
            "description": issue_type.get("description", ""),
            "iconUrl": (
                f"{self.url}/secure/viewavatar?size=xsmall&avatarId={issue_type['id']}&avatarType=issuetype"
            ),
            "name": issue_type["name"],
            "subtask": False,
            "avatarId": int(issue_type["id"]),
        }
        if self.mode == "cloud":
            out["hierarchyLevel"] = 0
        return out

    def _priority_json(self, priority: dict[str, Any]) -> dict[str, Any]:
        """A priority."""
        return {
            "self": f"{self.url}{API}/priority/{priority['id']}",
            "statusColor": priority.get("statusColor", "#cccccc"),
            "description": priority.get("description", ""),
            "iconUrl": f"{self.url}/images/icons/priorities/{priority['name'].lower()}.svg",
            "name": priority["name"],
            "id": priority["id"],
        }

    def _component_json(self, component: dict[str, Any]) -> dict[str, Any]:
        """A project component."""
        return {
            "self": f"{self.url}{API}/component/{component['id']}",
            "id": component["id"],
            "name": component["name"],
        }

    def _option_json(self, option: dict[str, Any]) -> dict[str, Any]:
        """A select-list option."""
        out = {
            "self": f"{self.url}{API}/customFieldOption/{option['id']}",
            "value": option["value"],
            "id": option["id"],
        }
        if self.mode != "cloud":
            out["disabled"] = False
        return out

    def _status_json(self, status_name: str) -> dict[str, Any]:
        """A workflow status with its category."""
        for status_id, name, category, _ in _STATUSES:
            if name == status_name:
                cat = _STATUS_CATEGORIES[category]
                return {
                    "self": f"{self.url}{API}/status/{status_id}",
                    "description": "",
                    "iconUrl": f"{self.url}/images/icons/statuses/generic.png",
                    "name": name,
                    "id": status_id,
                    "statusCategory": {"self": f"{self.url}{API}/statuscategory/{cat['id']}", **cat},
                }
        raise KeyError(status_name)

    @staticmethod
    def _status_name(name: str) -> str:
        """The workflow status called name (any case); KeyError for an unknown one."""
        for _, status_name, _, _ in _STATUSES:
            if status_name.lower() == name.strip().lower():
                return status_name
        raise KeyError(f"unknown status {name!r}")

    @staticmethod
    def _status_category(status_name: str) -> str:
        """The category key (new, indeterminate, done) of a status."""
        return next(category for _, name, category, _ in _STATUSES if name == status_name)

    def _resolution_json(self, resolution: dict[str, str]) -> dict[str, Any]:
        """A resolution."""
        return {
            "self": f"{self.url}{API}/resolution/{resolution['id']}",
            "id": resolution["id"],
            "description": resolution["description"],
            "name": resolution["name"],
        }

    def _field_json(self, fdef: dict[str, Any]) -> dict[str, Any]:
        """A field as GET field lists it."""
        out: dict[str, Any] = {
            "id": fdef["id"],
            "name": fdef["name"],
            "custom": fdef["custom"],
            "orderable": fdef["id"] not in ("status", "created", "updated", "issuekey", "creator"),
            "navigable": True,
            "searchable": True,
            "clauseNames": list(fdef["clauseNames"]),
        }
        if self.mode == "cloud":
            out["key"] = fdef["id"]
            if fdef["custom"]:
                out["untranslatedName"] = fdef["name"]
        if fdef["schema"] is not None:
            out["schema"] = dict(fdef["schema"])
        return out

    # ------------------------------------------------------------------ lookups

    def _find_project(self, ident: str) -> dict[str, Any] | None:
        """A project by key (any case) or id."""
        for project in self.projects.values():
            if project["id"] == ident or project["key"].lower() == ident.lower():
                return project
        return None

    def _project_404(self, ident: str) -> web.Response:
        """Jira's answer for an unknown project."""
        what = "id" if ident.isdigit() else "key"
        return _error(404, [f"No project could be found with {what} '{ident}'."])

    def _find_issue(self, ident: str) -> dict[str, Any] | None:
        """An issue by key (any case, a key it had before a move too) or id."""
        issue = self.issues.get(ident) or self.issues.get(ident.upper())
        if issue is not None:
            return issue
        moved, seen = self.moved_keys.get(ident.upper()), set()
        while moved is not None and moved not in seen:
            if moved in self.issues:
                return self.issues[moved]
            seen.add(moved)
            moved = self.moved_keys.get(moved)
        for candidate in self.issues.values():
            if candidate["id"] == ident:
                return candidate
        return None

    def _issue_404(self) -> web.Response:
        """The deployments word a missing issue differently."""
        if self.mode == "cloud":
            return _error(404, ["Issue does not exist or you do not have permission to see it."])
        return _error(404, ["Issue Does Not Exist"])

    def _find_user(self, **criteria: str) -> dict[str, Any] | None:
        """A user whose record matches all given keys exactly."""
        for user in self.users:
            if all(user.get(k) == v for k, v in criteria.items()):
                return user
        return None

    # ------------------------------------------------------------------ simple read endpoints

    async def _h_server_info(self, request: web.Request) -> web.StreamResponse:
        """GET serverInfo, readable anonymously as on real Jira."""
        info = {
            "baseUrl": self.url,
            **_SERVER_INFO[self.mode],
            "serverTime": _jira_ts(self.now()),
            "serverTitle": "Jira",
        }
        if self.mode == "cloud":
            info["defaultLocale"] = {"locale": "en_US"}
        return _json(info)

    async def _h_myself(self, request: web.Request) -> web.StreamResponse:
        """GET myself."""
        user = self._user_json(self._caller(request))
        user.update(
            {
                "locale": "en_US",
                "groups": {"size": 1, "items": []},
                "applicationRoles": {"size": 1, "items": []},
                "expand": "groups,applicationRoles",
            }
        )
        return _json(user)

    async def _h_user(self, request: web.Request) -> web.StreamResponse:
        """GET user?accountId= (Cloud) or ?username= / ?key= (DC)."""
        query = request.query
        if self.mode == "cloud":
            if "username" in query or "key" in query:
                name = "username" if "username" in query else "key"
                return _error(400, [f"The query parameter '{name}' is not supported in GDPR strict mode."])
            user = self._find_user(accountId=query.get("accountId", ""))
            if user is None:
                return _error(404, ["Specified user does not exist or you do not have required permissions"])
            return _json(self._user_json(user))
        if "username" in query:
            user = self._find_user(name=query["username"])
            missing = f"The user named '{query['username']}' does not exist"
        else:
            user = self._find_user(key=query.get("key", ""))
            missing = f"The user with the key '{query.get('key', '')}' does not exist"
        if user is None:
            return _error(404, [missing])
        return _json(self._user_json(user))

    async def _h_user_search(self, request: web.Request) -> web.StreamResponse:
        """GET user/search: Cloud searches by query (GDPR), DC by username."""
        query = request.query
        if self.mode == "cloud":
            if "username" in query and "query" not in query and "accountId" not in query:
                return _error(400, ["The query parameter 'username' is not supported in GDPR strict mode."])
            term = query.get("query", "")
            by_account = query.get("accountId")
            if not term and not by_account:
                return _error(400, ["One of 'accountId' or 'query' must be specified."])
        else:
            term = query.get("username", "")
            by_account = None
            if "username" not in query:
                return _error(400, ["The username query parameter was not provided"])
        include_inactive = query.get("includeInactive", "false").lower() == "true"
        found = []
        for user in self.users:
            if not user["active"] and not include_inactive:
                continue
            if by_account is not None:
                if user["accountId"] == by_account:
                    found.append(user)
                continue
            haystack = [user["emailAddress"], *user["displayName"].split(), user["displayName"]]
            if self.mode != "cloud":
                haystack.append(user["name"])
            if term == "." or any(h.lower().startswith(term.lower()) for h in haystack):
                found.append(user)
        start = _int_param(query.get("startAt"), 0)
        size = _int_param(query.get("maxResults"), 50)
        return _json([self._user_json(u) for u in found[start : start + size]])

    async def _h_projects(self, request: web.Request) -> web.StreamResponse:
        """GET project."""
        return _json([self._project_json(p) for p in self.projects.values()])

    async def _h_project(self, request: web.Request) -> web.StreamResponse:
        """GET project/{idOrKey}."""
        project = self._find_project(request.match_info["key"])
        if project is None:
            return self._project_404(request.match_info["key"])
        return _json(self._project_json(project, full=True))

    async def _h_project_components(self, request: web.Request) -> web.StreamResponse:
        """GET project/{idOrKey}/components."""
        project = self._find_project(request.match_info["key"])
        if project is None:
            return self._project_404(request.match_info["key"])
        return _json([self._component_json(c) for c in project["components"]])

    async def _h_priorities(self, request: web.Request) -> web.StreamResponse:
        """GET priority."""
        return _json([self._priority_json(p) for p in self.priorities])

    async def _h_priority(self, request: web.Request) -> web.StreamResponse:
        """GET priority/{id}."""
        for priority in self.priorities:
            if priority["id"] == request.match_info["id"]:
                return _json(self._priority_json(priority))
        return _error(404, [f"Cannot find priority with id {request.match_info['id']}"])

    async def _h_fields(self, request: web.Request) -> web.StreamResponse:
        """GET field."""
        return _json([self._field_json(f) for f in self.fields.values()])

    async def _h_issue_types(self, request: web.Request) -> web.StreamResponse:
        """GET issuetype."""
        return _json([self._issue_type_json(t) for t in self.issue_types.values()])

    async def _h_issue_type(self, request: web.Request) -> web.StreamResponse:
        """GET issuetype/{id}."""
        issue_type = self.issue_types.get(request.match_info["id"])
        if issue_type is None:
            return _error(404, [f"Issue type with id '{request.match_info['id']}' does not exist."])
        return _json(self._issue_type_json(issue_type))

    async def _h_statuses(self, request: web.Request) -> web.StreamResponse:
        """GET status."""
        return _json([self._status_json(name) for _, name, _, _ in _STATUSES])

    async def _h_resolutions(self, request: web.Request) -> web.StreamResponse:
        """GET resolution."""
        return _json([self._resolution_json(r) for r in self.resolutions])

    # ------------------------------------------------------------------ create metadata

    def _meta_field(self, fid: str, type_id: str, project: dict[str, Any], style: str) -> dict[str, Any]:
        """One field's create metadata; style is 'legacy', 'cloud' or 'dc' (the keys differ)."""
        fdef = self.fields[fid]
        schema = fdef["schema"] or {}
        out: dict[str, Any] = {
            "required": fid in self.required[type_id],
            "schema": dict(schema),
            "name": fdef["name"],
        }
        if style in ("legacy", "cloud"):
            out["key"] = fid
        if style in ("cloud", "dc"):
            out["fieldId"] = fid
        out["hasDefaultValue"] = fid == "priority"
        ops = ["set"]
        if schema.get("type") == "array":
            ops = ["add", "set", "remove"]
        if fid == "issuetype":
            ops = []
        out["operations"] = ops
        if fid == "project":
            out["allowedValues"] = [self._project_json(project)]
        elif fid == "issuetype":
            out["allowedValues"] = [self._issue_type_json(self.issue_types[type_id])]
        elif fid == "priority":
            out["allowedValues"] = [self._priority_json(p) for p in self.priorities]
            default = next((p for p in self.priorities if p["id"] == self.default_priority), None)
            if default is not None:
                out["defaultValue"] = self._priority_json(default)
        elif fid == "components":
            out["allowedValues"] = [self._component_json(c) for c in project["components"]]
        elif "allowedValues" in fdef:
            out["allowedValues"] = [self._option_json(o) for o in fdef["allowedValues"]]
        if fid in ("reporter", "assignee"):
            param = "query" if self.mode == "cloud" else "username"
            out["autoCompleteUrl"] = f"{self.url}{API}/user/search?{param}="
        elif fid == "labels":
            out["autoCompleteUrl"] = f"{self.url}/rest/api/1.0/labels/suggest?query="
        return out

    async def _h_createmeta_legacy(self, request: web.Request) -> web.StreamResponse:
        """GET issue/createmeta: only up to DC 8.x; removed in 9.0 and on Cloud."""
        if self.mode != "dc8":
            # Without this resource the path resolves to issue/{key} with key "createmeta".
            return self._issue_404()
        query = request.query
        keys = {k for v in query.getall("projectKeys", []) for k in v.split(",") if k}
        ids = {i for v in query.getall("projectIds", []) for i in v.split(",") if i}
        type_ids = {i for v in query.getall("issuetypeIds", []) for i in v.split(",") if i}
        type_names = {n for v in query.getall("issuetypeNames", []) for n in v.split(",") if n}
        with_fields = "projects.issuetypes.fields" in query.get("expand", "")
        projects = []
        for project in self.projects.values():
            if (keys or ids) and project["key"] not in keys and project["id"] not in ids:
                continue
            types = []
            for type_id in project["issue_types"]:
                issue_type = self.issue_types[type_id]
                if (
                    (type_ids or type_names)
                    and type_id not in type_ids
                    and issue_type["name"] not in type_names
                ):
                    continue
                entry = {**self._issue_type_json(issue_type), "expand": "fields"}
                if with_fields:
                    entry["fields"] = {
                        fid: self._meta_field(fid, type_id, project, "legacy")
                        for fid in self.screens[type_id]
                    }
                types.append(entry)
            projects.append({**self._project_json(project), "expand": "issuetypes", "issuetypes": types})
        return _json({"expand": "projects", "projects": projects})

    def _page(self, items: list[Any], request: web.Request, key: str) -> dict[str, Any]:
        """Cloud pages under a named key with startAt/maxResults/total; DC under 'values' with isLast."""
        start = max(_int_param(request.query.get("startAt"), 0), 0)
        size = _int_param(request.query.get("maxResults"), 50)
        size = 50 if size <= 0 else min(size, 200)
        chunk = items[start : start + size]
        if self.mode == "cloud":
            return {"maxResults": size, "startAt": start, "total": len(items), key: chunk}
        return {
            "maxResults": size,
            "startAt": start,
            "total": len(items),
            "isLast": start + len(chunk) >= len(items),
            "values": chunk,
        }

    async def _h_createmeta_types(self, request: web.Request) -> web.StreamResponse:
        """GET issue/createmeta/{project}/issuetypes."""
        project = self._find_project(request.match_info["project"])
        if project is None:
            return self._project_404(request.match_info["project"])
        types = [self._issue_type_json(self.issue_types[t]) for t in project["issue_types"]]
        return _json(self._page(types, request, "issueTypes"))

    async def _h_createmeta_fields(self, request: web.Request) -> web.StreamResponse:
        """GET issue/createmeta/{project}/issuetypes/{issueTypeId}."""
        project = self._find_project(request.match_info["project"])
        if project is None:
            return self._project_404(request.match_info["project"])
        type_id = request.match_info["type"]
        if type_id not in project["issue_types"]:
            return _error(
                404, [f"Issue type with id '{type_id}' does not exist or is not valid for this project."]
            )
        style = "cloud" if self.mode == "cloud" else "dc"
        entries = [self._meta_field(fid, type_id, project, style) for fid in self.screens[type_id]]
        return _json(self._page(entries, request, "fields"))

    # ------------------------------------------------------------------ create and edit

    def _resolve_project(self, value: Any) -> tuple[dict[str, Any] | None, str | None]:
        """The project named in a create body, or the error Jira gives."""
        missing = "Specify a valid project ID or key" if self.mode == "cloud" else "project is required"
        invalid = "Specify a valid project ID or key" if self.mode == "cloud" else "valid project is required"
        if value is None:
            return None, missing
        if not isinstance(value, dict):
            return None, invalid
        ident = value.get("id", value.get("key"))
        if ident is None:
            return None, invalid
        project = self._find_project(str(ident))
        return (project, None) if project else (None, invalid)

    def _resolve_issue_type(
        self, value: Any, project: dict[str, Any] | None
    ) -> tuple[str | None, str | None]:
        """The issue type id named in a create body, or the error Jira gives."""
        cloud = self.mode == "cloud"
        if value is None:
            return None, "Specify an issue type" if cloud else "issue type is required"
        unknown = "The issue type selected is invalid." if cloud else "valid issue type is required"
        if not isinstance(value, dict):
            return None, unknown
        type_id: str | None = None
        if "id" in value:
            type_id = str(value["id"]) if str(value["id"]) in self.issue_types else None
        elif "name" in value:
            type_id = next((t for t, e in self.issue_types.items() if e["name"] == value["name"]), None)
        if type_id is None:
            return None, unknown
        if project is not None and type_id not in project["issue_types"]:
            return None, "The issue type selected is invalid."
        return type_id, None

    def _validate_value(self, fid: str, value: Any, project: dict[str, Any]) -> tuple[str | None, Any]:
        """Check one field value like Jira's field handlers; return (error, stored value)."""
        fdef = self.fields[fid]
        schema = fdef["schema"] or {}
        kind = schema.get("system") or schema.get("custom", "").rsplit(":", 1)[-1]
        if value is None:
            return None, None
        if kind == "summary":
            if not isinstance(value, str):
                return "Operation value must be a string", None
            if "\n" in value or "\r" in value:
                return "The summary is invalid because it contains newline characters.", None
            if len(value) > MAX_SUMMARY:
                return "Summary must be less than 255 characters.", None
            return None, value
        if kind in ("description", "textarea"):
            if not isinstance(value, str):
                return "Operation value must be a string", None
            if len(value) > MAX_TEXT:
                return _TEXT_TOO_LONG.format(MAX_TEXT), None
            return None, value
        if kind == "textfield":
            if not isinstance(value, str):
                return "Operation value must be a string", None
            if len(value) > MAX_SUMMARY:
                return _TEXT_TOO_LONG.format(MAX_SUMMARY), None
            return None, value
        if kind == "labels":
            return self._validate_labels(value)
        if kind == "priority":
            return self._validate_priority(value)
        if kind == "duedate":
            if not isinstance(value, str):
                return "Operation value must be a string", None
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError(value)
                date.fromisoformat(value)
            except ValueError:
                return f"Error parsing date string: {value}", None
            return None, value
        if kind == "components":
            return self._validate_components(value, project)
        if kind in ("reporter", "assignee"):
            return self._validate_user(fid, value)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return "Operation value must be a number", None
            if abs(value) >= MAX_NUMBER:
                return "Specify a number for the custom field (below 100,000,000,000,000)", None
            return None, float(value)
        if kind == "select":
            return self._validate_option(fdef, value)
        if kind == "multiselect":
            if not isinstance(value, list):
                return "data was not an array", None
            stored = []
            for item in value:
                error, option = self._validate_option(fdef, item)
                if error:
                    return error, None
                stored.append(option)
            return None, stored
        return f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown.", None

    def _validate_labels(self, value: Any) -> tuple[str | None, Any]:
        """Labels: an array of strings without whitespace, each at most 255 characters."""
        if not isinstance(value, list):
            return "data was not an array", None
        for label in value:
            if not isinstance(label, str):
                return "Operation value must be a string", None
            if re.search(r"\s", label):
                if self.mode == "cloud":
                    return f"The label '{label}' can't contain spaces.", None
                return f"The label '{label}' contains spaces which is invalid.", None
            if len(label) > MAX_LABEL:
                return (
                    f"The label '{label}' exceeds the maximum length for a single label of "
                    f"{MAX_LABEL} characters.",
                    None,
                )
        return None, list(value)

    def _validate_priority(self, value: Any) -> tuple[str | None, Any]:
        """Priority given as {"id"} or {"name"}."""
        if not isinstance(value, dict) or ("id" not in value and "name" not in value):
            return "Could not find valid 'id' or 'name' in priority object.", None
        ident = value.get("id", value.get("name"))
        if not isinstance(ident, str):
            return "Specify the Priority (id or name) in the string format", None
        by = "id" if "id" in value else "name"
        for priority in self.priorities:
            if priority[by] == ident:
                return None, self._priority_json(priority)
        if by == "name" and self.mode != "cloud":
            return f"Priority name '{ident}' is not valid", None
        return "The priority selected is invalid.", None

    def _validate_components(self, value: Any, project: dict[str, Any]) -> tuple[str | None, Any]:
        """Components: an array of {"id"} or {"name"} of the project's components."""
        if not isinstance(value, list):
            return "data was not an array", None
        stored = []
        for item in value:
            if not isinstance(item, dict) or ("id" not in item and "name" not in item):
                return "Could not find valid 'id' or 'name' in component object.", None
            if "id" in item:
                match = next((c for c in project["components"] if c["id"] == str(item["id"])), None)
                if match is None:
                    return f"Component with id '{item['id']}' does not exist.", None
            else:
                match = next((c for c in project["components"] if c["name"] == item["name"]), None)
                if match is None:
                    return f"Component name '{item['name']}' is not valid", None
            stored.append(self._component_json(match))
        return None, stored

    def _validate_user(self, fid: str, value: Any) -> tuple[str | None, Any]:
        """A user field: {"accountId"} on Cloud, {"name"} or {"key"} on DC."""
        user = None
        if isinstance(value, dict):
            if self.mode == "cloud":
                account = value.get("accountId", value.get("id"))
                user = self._find_user(accountId=account) if isinstance(account, str) else None
            elif "name" in value:
                user = self._find_user(name=value["name"])
            elif "key" in value:
                user = self._find_user(key=value["key"])
        if user is None:
            return f"The {fid} specified is not a user.", None
        return None, self._user_json(user)

    def _validate_option(self, fdef: dict[str, Any], value: Any) -> tuple[str | None, Any]:
        """One select option given as {"value"} or {"id"}."""
        if not isinstance(value, dict) or ("id" not in value and "value" not in value):
            return "Could not find valid 'id' or 'value' in the Parent Option object.", None
        options = fdef.get("allowedValues", [])
        if "id" in value:
            match = next((o for o in options if o["id"] == str(value["id"])), None)
            if match is None:
                return f"Option id '{value['id']}' is not valid", None
        else:
            match = next((o for o in options if o["value"] == value["value"]), None)
            if match is None:
                return f"Option value '{value['value']}' is not valid", None
        return None, self._option_json(match)

    @staticmethod
    def _apply_update(
        fields: dict[str, Any], update: Any, errors: dict[str, str], allowed: list[str]
    ) -> None:
        """Fold an 'update' section (set/add/remove verbs) into plain field values."""
        if not isinstance(update, dict):
            return
        for fid, operations in update.items():
            if fid not in allowed:
                errors[fid] = f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."
                continue
            for operation in operations if isinstance(operations, list) else []:
                for verb, operand in (operation or {}).items():
                    if verb == "set":
                        fields[fid] = operand
                    elif verb == "add":
                        current = fields.get(fid)
                        fields[fid] = [*(current if isinstance(current, list) else []), operand]
                    elif verb == "remove" and isinstance(fields.get(fid), list):
                        fields[fid] = [v for v in fields[fid] if v != operand]

    def _check_fields(
        self,
        fields: dict[str, Any],
        type_id: str,
        project: dict[str, Any],
        *,
        creating: bool,
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Validate every field at once; return (errors, stored values)."""
        errors: dict[str, str] = {}
        stored: dict[str, Any] = {}
        # The edit screen also holds the assignee.
        screen = self.screens[type_id] if creating else [*self.screens[type_id], "assignee"]
        for fid, value in fields.items():
            if fid in ("project", "issuetype"):
                continue
            if fid not in screen or fid not in self.fields:
                errors[fid] = _NOT_ON_SCREEN.format(fid)
                continue
            error, result = self._validate_value(fid, value, project)
            if error:
                errors[fid] = error
            else:
                stored[fid] = result
        if creating:
            for fid in self.required[type_id]:
                if fid in ("project", "issuetype") or fid in errors:
                    continue
                value = stored.get(fid)
                if fid == "summary" and isinstance(fields.get("summary"), str):
                    value = fields["summary"].strip()
                if value in (None, "", []):
                    if fid == "summary":
                        errors[fid] = "You must specify a summary of the issue."
                    else:
                        errors[fid] = f"{self.fields[fid]['name']} is required."
        return errors, stored

    def _store_issue(
        self,
        project: dict[str, Any],
        type_id: str,
        stored: dict[str, Any],
        user: dict[str, Any],
        created: datetime,
    ) -> dict[str, Any]:
        """Put a validated issue into self.issues with Jira's default field values."""
        issue_id = str(next(self._issue_ids))
        key = f"{project['key']}-{project['next_number']}"
        project["next_number"] += 1
        default_priority = next(p for p in self.priorities if p["id"] == self.default_priority)
        fields: dict[str, Any] = {
            "summary": None,
            "description": None,
            "labels": [],
            "components": [],
            "duedate": None,
            "priority": self._priority_json(default_priority),
            "assignee": None,
            "resolution": None,
            "resolutiondate": None,
        }
        fields.update({fid: None for fid, fdef in self.fields.items() if fdef["custom"]})
        fields.update(stored)
        fields.update(
            {
                "project": self._project_json(project),
                "issuetype": self._issue_type_json(self.issue_types[type_id]),
                "reporter": fields.get("reporter") or self._user_json(user),
                "creator": self._user_json(user),
                "status": self._status_json("To Do"),
                "created": _jira_ts(created),
                "updated": _jira_ts(created),
            }
        )
        issue: dict[str, Any] = {
            "id": issue_id,
            "key": key,
            "fields": fields,
            "attachments": [],
            "comments": [],
            # History entries (as GET issue?expand=changelog lists them), oldest first.
            "changelog": [],
            # When the status category last changed (Cloud's statuscategorychangedate); None: at creation.
            "status_category_changed": None,
            # When (on index_clock) search first sees the issue; None: at once.
            "indexed_at": None,
        }
        self.issues[key] = issue
        return issue

    async def _h_create_issue(self, request: web.Request) -> web.StreamResponse:
        """POST issue: validate like Jira, report every field error at once, answer 201."""
        body = request[_JSON_BODY]
        if not isinstance(body, dict):
            if request[_RAW_BODY]:
                return _error(400, ["Unexpected character: was expecting a JSON object"])
            return _error(400, ["No content to map due to end-of-input"])
        raw_fields = body.get("fields")
        fields: dict[str, Any] = dict(raw_fields) if isinstance(raw_fields, dict) else {}
        with self._lock:
            project, project_error = self._resolve_project(fields.get("project"))
            type_id, type_error = self._resolve_issue_type(fields.get("issuetype"), project)
            head_errors = {}
            if project_error:
                head_errors["project"] = project_error
            if type_error:
                head_errors["issuetype"] = type_error
            if head_errors or project is None or type_id is None:
                # Without a valid project and type there is no screen to check the other fields against.
                return _error(400, errors=head_errors)
            errors: dict[str, str] = {}
            self._apply_update(fields, body.get("update"), errors, self.screens[type_id])
            field_errors, stored = self._check_fields(fields, type_id, project, creating=True)
            errors.update(field_errors)
            if errors:
                return _error(400, errors=errors)
            user = self._caller(request)
            stamp = self._tick()
            issue = self._store_issue(project, type_id, stored, user, stamp)
            if self.search_lag > 0:
                issue["indexed_at"] = self.index_clock() + self.search_lag
            if self._listening("jira:issue_created"):
                self._emit(
                    "jira:issue_created",
                    {
                        "timestamp": self._millis(stamp),
                        "webhookEvent": "jira:issue_created",
                        "issue_event_type_name": "issue_created",
                        "user": self._user_json(user),
                        "issue": self._webhook_issue(issue),
                    },
                )
            lose = self._lose_creates > 0
            if lose:
                self._lose_creates -= 1
        if lose:
            transport = request.transport
            if transport is not None:
                transport.close()
            raise _ConnectionDropped
        return _json(
            {"id": issue["id"], "key": issue["key"], "self": f"{self.url}{API}/issue/{issue['id']}"}, 201
        )

    async def _h_edit_issue(self, request: web.Request) -> web.StreamResponse:
        """PUT issue/{key}: set fields with the same checks as create, answer 204."""
        body = request[_JSON_BODY]
        if not isinstance(body, dict):
            return _error(400, ["No content to map due to end-of-input"])
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            errors, stored = self._check_edit(issue, body)
            if errors:
                return _error(400, errors=errors)
            self._edit(issue, stored, self._caller(request))
        return web.Response(status=204)

    def _check_edit(self, issue: dict[str, Any], body: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
        """Validate a PUT issue/{key} body; return (errors, stored values)."""
        project = self._find_project(issue["fields"]["project"]["key"])
        if project is None:
            raise KeyError(issue["fields"]["project"]["key"])
        type_id = issue["fields"]["issuetype"]["id"]
        raw_fields = body.get("fields")
        fields = dict(raw_fields) if isinstance(raw_fields, dict) else {}
        errors: dict[str, str] = {}
        # The edit screen also holds the assignee.
        self._apply_update(fields, body.get("update"), errors, [*self.screens[type_id], "assignee"])
        field_errors, stored = self._check_fields(fields, type_id, project, creating=False)
        errors.update(field_errors)
        if "summary" in fields and not (isinstance(fields["summary"], str) and fields["summary"].strip()):
            errors.setdefault("summary", "You must specify a summary of the issue.")
        return errors, stored

    def _edit(self, issue: dict[str, Any], stored: dict[str, Any], user: dict[str, Any]) -> None:
        """Apply validated field values as user; an edit that only reassigns is an issue_assigned event."""
        changed = [fid for fid, value in stored.items() if _identity(issue["fields"].get(fid)) != _identity(value)]
        event_type = "issue_assigned" if changed == ["assignee"] else "issue_updated"
        self._record_change(issue, user, stored, event_type=event_type)

    async def _h_assign(self, request: web.Request) -> web.StreamResponse:
        """PUT issue/{key}/assignee with {"accountId"} (Cloud) or {"name"} (DC); null or "-1" unassigns."""
        body = request[_JSON_BODY]
        if not isinstance(body, dict):
            return _error(400, ["No content to map due to end-of-input"])
        ident_key = "accountId" if self.mode == "cloud" else "name"
        if ident_key not in body:
            # An explicit null unassigns; a body without the identifier (a DC "name" on Cloud) is refused.
            return _error(400, errors={"assignee": f"Specify the assignee by {ident_key}."})
        ident = body[ident_key]
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            assignee: dict[str, Any] | None = None
            # "-1" asks for the project's default assignee, which is "Unassigned" here.
            if ident is not None and ident != "-1":
                user = self._find_user(**{ident_key: ident}) if isinstance(ident, str) else None
                if user is None:
                    return _error(400, errors={"assignee": f"User '{ident}' does not exist."})
                assignee = self._user_json(user)
            self._record_change(issue, self._caller(request), {"assignee": assignee}, event_type="issue_assigned")
        return web.Response(status=204)

    # ------------------------------------------------------------------ change history

    def now(self) -> datetime:
        """The current time on the fake's clock (the real one unless a test set `clock`), to the millisecond."""
        if self.clock is None:
            return _now()
        moment = datetime.fromtimestamp(self.clock(), UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def _tick(self) -> datetime:
        """The time of a change: now, but always after the previous change, so histories order strictly."""
        now = self.now()
        with self._lock:
            if self._last_stamp is not None and now <= self._last_stamp:
                now = self._last_stamp + timedelta(milliseconds=1)
            self._last_stamp = now
        return now

    @staticmethod
    def _millis(moment: datetime) -> int:
        """A webhook's timestamp: milliseconds since the epoch."""
        return round(moment.timestamp() * 1000)

    def _item(
        self, fid: str, name: str, old: Any, old_text: Any, new: Any, new_text: Any, *, custom: bool = False
    ) -> dict[str, Any]:
        """One changelog item; Cloud adds the field id, Data Center names the field only."""
        item: dict[str, Any] = {"field": name, "fieldtype": "custom" if custom else "jira"}
        if self.mode == "cloud":
            item["fieldId"] = fid
        item.update({"from": old, "fromString": old_text, "to": new, "toString": new_text})
        return item

    def _history_items(self, fid: str, old: Any, new: Any) -> list[dict[str, Any]]:
        """The changelog items for one field going from old to new (already known to differ)."""
        cloud = self.mode == "cloud"

        def ident(value: Any, key: str = "id") -> Any:
            return value.get(key) if isinstance(value, dict) else None

        if fid in ("status", "resolution", "priority"):
            return [self._item(fid, fid, ident(old), ident(old, "name"), ident(new), ident(new, "name"))]
        if fid in ("assignee", "reporter"):
            # Cloud keeps account ids (and repeats them in tmp*AccountId); Data Center the user keys.
            key = "accountId" if cloud else "key"
            item = self._item(
                fid, fid, ident(old, key), ident(old, "displayName"), ident(new, key), ident(new, "displayName")
            )
            if cloud:
                item["tmpFromAccountId"] = item["from"]
                item["tmpToAccountId"] = item["to"]
            return [item]
        if fid == "duedate":
            return [
                self._item(
                    fid,
                    "duedate",
                    old,
                    f"{old} 00:00:00.0" if old else None,
                    new,
                    f"{new} 00:00:00.0" if new else None,
                )
            ]
        if fid in ("summary", "description"):
            return [self._item(fid, fid, None, old, None, new)]
        if fid == "labels":
            return [self._item(fid, "labels", None, " ".join(old or []), None, " ".join(new or []))]
        if fid == "components":
            # One item per component taken away or added.
            old_ids = {c["id"]: c for c in old or []}
            new_ids = {c["id"]: c for c in new or []}
            removed = [self._item(fid, "Component", c["id"], c["name"], None, None)
                       for cid, c in old_ids.items() if cid not in new_ids]
            added = [self._item(fid, "Component", None, None, c["id"], c["name"])
                     for cid, c in new_ids.items() if cid not in old_ids]
            return removed + added
        fdef = self.fields.get(fid)
        if fdef is None or not fdef["custom"]:
            return []
        name = fdef["name"]
        if isinstance(old, dict) or isinstance(new, dict):
            old_text, new_text = ident(old, "value"), ident(new, "value")
            return [self._item(fid, name, ident(old), old_text, ident(new), new_text, custom=True)]
        if isinstance(old, list) or isinstance(new, list):
            def values(options: Any) -> str | None:
                return ",".join(o["value"] for o in options) if options else None

            return [self._item(fid, name, None, values(old), None, values(new), custom=True)]
        return [self._item(fid, name, None, _number_text(old), None, _number_text(new), custom=True)]

    def _record_change(
        self,
        issue: dict[str, Any],
        user: dict[str, Any],
        changes: dict[str, Any],
        *,
        event_type: str,
        comment_body: str | None = None,
        items: Iterable[dict[str, Any]] = (),
        at: datetime | None = None,
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Apply a change by user like Jira: one history entry, a comment, `updated`, and the webhooks.

        changes maps field ids to new stored values; unchanged values make no item, and a change without items
        or comment changes nothing at all. Returns (history entry or None, comment or None).
        """
        with self._lock:
            stamp = at or self._tick()
            fields = issue["fields"]
            all_items: list[dict[str, Any]] = []
            for fid, new in changes.items():
                old = fields.get(fid)
                if _identity(old) != _identity(new):
                    all_items += self._history_items(fid, old, new)
            all_items += items
            if "resolution" in changes and _identity(fields.get("resolution")) != _identity(changes["resolution"]):
                fields["resolutiondate"] = _jira_ts(stamp) if changes["resolution"] else None
            if "status" in changes and (
                fields["status"]["statusCategory"]["key"] != changes["status"]["statusCategory"]["key"]
            ):
                issue["status_category_changed"] = _jira_ts(stamp)
            fields.update(changes)
            history = None
            if all_items:
                history = {
                    "id": str(next(self._history_ids)),
                    "author": self._user_json(user),
                    "created": _jira_ts(stamp),
                    "items": all_items,
                }
                issue.setdefault("changelog", []).append(history)
            comment = None
            if comment_body is not None:
                comment = self._comment_json(issue, comment_body, user, stamp)
                issue["comments"].append(comment)
            if history is None and comment is None:
                return None, None
            fields["updated"] = _jira_ts(stamp)
            self._emit_change(issue, user, stamp, event_type, history, comment)
            return history, comment

    # ------------------------------------------------------------------ webhook payloads and delivery

    def _webhook_issue(self, issue: dict[str, Any], *, brief: bool = False) -> dict[str, Any]:
        """The issue as a webhook carries it: every field, or (brief) the few Cloud's comment events keep."""
        rendered = self._render_issue(issue, None)
        del rendered["expand"]
        if brief:
            keep = ("summary", "issuetype", "project", "assignee", "priority", "status")
            rendered["fields"] = {fid: rendered["fields"][fid] for fid in keep}
        return rendered

    def _emit_change(
        self,
        issue: dict[str, Any],
        user: dict[str, Any],
        stamp: datetime,
        event_type: str,
        history: dict[str, Any] | None,
        comment: dict[str, Any] | None,
    ) -> None:
        """Queue the webhooks for one change: jira:issue_updated, and comment_created for a new comment."""
        if self._listening("jira:issue_updated"):
            payload: dict[str, Any] = {
                "timestamp": self._millis(stamp),
                "webhookEvent": "jira:issue_updated",
                "issue_event_type_name": event_type,
                "user": self._user_json(user),
                "issue": self._webhook_issue(issue),
            }
            if history is not None:
                payload["changelog"] = {"id": history["id"], "items": copy.deepcopy(history["items"])}
            if comment is not None:
                payload["comment"] = copy.deepcopy(comment)
            self._emit("jira:issue_updated", payload)
        if comment is not None and self._listening("comment_created"):
            self._emit(
                "comment_created",
                {
                    "timestamp": self._millis(stamp),
                    "webhookEvent": "comment_created",
                    "comment": copy.deepcopy(comment),
                    "issue": self._webhook_issue(issue, brief=self.mode == "cloud"),
                },
            )

    def _listening(self, event: str) -> bool:
        """Whether any webhook wants this event (payloads are only built for listeners)."""
        with self._lock:
            return any(event in hook.events for hook in self._webhooks)

    def _emit(self, event: str, payload: dict[str, Any]) -> None:
        """Queue one event to every webhook that listens for it, the body fixed now (a snapshot of the issue)."""
        with self._lock:
            for hook in self._webhooks:
                if event not in hook.events:
                    continue
                body_json = dict(payload)
                if self.mode == "cloud":
                    body_json["matchedWebhookIds"] = [hook.id]
                body = json.dumps(body_json).encode()
                identifier = str(uuid.uuid4())
                for attempt in range(1, 3 if hook.duplicate else 2):
                    self._queue_delivery(_Delivery(hook, event, body, identifier, attempt))

    def _queue_delivery(self, delivery: _Delivery) -> None:
        """Hand a delivery to the server loop (from any thread); without a running loop it fails at once."""
        with self._delivery_cv:
            self._outstanding += 1
        loop = self._loop
        try:
            if loop is None:
                raise RuntimeError("FakeJira is not running")
            loop.call_soon_threadsafe(self._start_delivery, delivery)
        except RuntimeError as exc:
            self._finish_delivery(delivery, None, f"{type(exc).__name__}: {exc}")

    def _start_delivery(self, delivery: _Delivery) -> None:
        """On the server loop: start the POST once the hook's previous delivery has ended."""
        task = asyncio.get_running_loop().create_task(self._deliver(delivery, delivery.hook.tail))
        delivery.hook.tail = task
        self._delivery_tasks.add(task)
        task.add_done_callback(self._delivery_tasks.discard)

    def _webhook_headers(self, delivery: _Delivery) -> dict[str, str]:
        """The headers Jira sends with a webhook; only Cloud signs, and only with a secret."""
        headers = {
            "Content-Type": "application/json",
            "X-Atlassian-Webhook-Identifier": delivery.identifier,
        }
        if self.mode == "cloud":
            headers["User-Agent"] = "Atlassian Webhook HTTP Client"
            headers["X-Atlassian-Webhook-Flow"] = "Primary"
            if delivery.attempt > 1:
                headers["X-Atlassian-Webhook-Retry"] = str(delivery.attempt - 1)
            if delivery.hook.secret:
                digest = hmac.new(delivery.hook.secret.encode(), delivery.body, hashlib.sha256).hexdigest()
                headers["X-Hub-Signature"] = f"sha256={digest}"
        else:
            info = _SERVER_INFO[self.mode]
            headers["User-Agent"] = f"Atlassian HttpClient 4.0.1 / JIRA-{info['version']} ({info['buildNumber']})"
        return headers

    async def _deliver(self, delivery: _Delivery, previous: asyncio.Task[None] | None) -> None:
        """POST one delivery with a short timeout; record the answer or the failure, never raise."""
        status: int | None = None
        error: str | None = None
        try:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            if self._client is None:
                self._client = ClientSession()
            async with self._client.post(
                delivery.hook.url,
                data=delivery.body,
                headers=self._webhook_headers(delivery),
                timeout=ClientTimeout(total=self.webhook_timeout),
                allow_redirects=False,
            ) as response:
                await response.read()
                status = response.status
        except asyncio.CancelledError:
            error = "CancelledError: FakeJira stopped"
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self._finish_delivery(delivery, status, error)

    def _finish_delivery(self, delivery: _Delivery, status: int | None, error: str | None) -> None:
        """Record how a delivery ended and let flush_webhooks() know."""
        self.webhook_deliveries.append(
            {
                "url": delivery.hook.url,
                "event": delivery.event,
                "identifier": delivery.identifier,
                "attempt": delivery.attempt,
                "status": status,
                "error": error,
                "body": delivery.body,
            }
        )
        with self._delivery_cv:
            self._outstanding -= 1
            self._delivery_cv.notify_all()

    async def _close_webhooks(self) -> None:
        """On stop: cancel deliveries still running and close the HTTP client."""
        tasks = list(self._delivery_tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for hook in self._webhooks:
            hook.tail = None
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    # ------------------------------------------------------------------ read issue

    def _wanted_fields(self, spec: list[str] | None) -> Callable[[str], bool]:
        """Turn a fields parameter (ids, *all, *navigable, -id) into a filter."""
        if not spec:
            return lambda _fid: True
        include_all = any(s in ("*all", "*navigable") for s in spec)
        included = {s for s in spec if not s.startswith(("-", "*"))}
        excluded = {s[1:] for s in spec if s.startswith("-")}
        return lambda fid: fid not in excluded and (include_all or fid in included)

    def _render_issue(
        self, issue: dict[str, Any], spec: list[str] | None, expand: Iterable[str] = ()
    ) -> dict[str, Any]:
        """An issue as GET issue/{key} and search return it; expand may ask for the changelog."""
        wanted = self._wanted_fields(spec)
        all_fields = copy.deepcopy(issue["fields"])
        all_fields["attachment"] = copy.deepcopy(issue["attachments"])
        comments = copy.deepcopy(issue["comments"])
        all_fields["comment"] = {
            "comments": comments,
            "maxResults": len(comments),
            "total": len(comments),
            "startAt": 0,
        }
        if self.mode == "cloud":
            all_fields["statuscategorychangedate"] = issue.get("status_category_changed") or issue["fields"]["created"]
        out: dict[str, Any] = {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": issue["id"],
            "self": f"{self.url}{API}/issue/{issue['id']}",
            "key": issue["key"],
            "fields": {fid: value for fid, value in all_fields.items() if wanted(fid)},
        }
        if "changelog" in expand:
            histories = copy.deepcopy(issue.get("changelog", []))
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return out

    @staticmethod
    def _split_fields(raw: Any) -> list[str] | None:
        """Fields given as a comma string or a list."""
        if raw is None:
            return None
        items = raw if isinstance(raw, list) else str(raw).split(",")
        return [str(i).strip() for i in items if str(i).strip()]

    async def _h_get_issue(self, request: web.Request) -> web.StreamResponse:
        """GET issue/{idOrKey}."""
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            spec = self._split_fields(",".join(request.query.getall("fields", [])) or None)
            expand = _expand_names(",".join(request.query.getall("expand", [])))
            return _json(self._render_issue(issue, spec, expand))

    # ------------------------------------------------------------------ comments and transitions

    def _comment_json(
        self, issue: dict[str, Any], body: str, user: dict[str, Any], at: datetime | None = None
    ) -> dict[str, Any]:
        """A new comment by user, made at `at` (default now)."""
        comment_id = str(next(self._comment_ids))
        stamp = _jira_ts(at or self.now())
        author = self._user_json(user)
        out: dict[str, Any] = {
            "self": f"{self.url}{API}/issue/{issue['id']}/comment/{comment_id}",
            "id": comment_id,
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": stamp,
            "updated": stamp,
        }
        if self.mode == "cloud":
            out["jsdPublic"] = True
        return out

    async def _h_comments(self, request: web.Request) -> web.StreamResponse:
        """GET issue/{key}/comment."""
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            comments = copy.deepcopy(issue["comments"])
        if request.query.get("orderBy", "") == "-created":
            comments.reverse()
        start = _int_param(request.query.get("startAt"), 0)
        size = _int_param(request.query.get("maxResults"), 5000)
        page = comments[start : start + size]
        return _json({"startAt": start, "maxResults": len(page), "total": len(comments), "comments": page})

    async def _h_comment(self, request: web.Request) -> web.StreamResponse:
        """GET issue/{key}/comment/{id}."""
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            for comment in issue["comments"]:
                if comment["id"] == request.match_info["id"]:
                    return _json(comment)
        return _error(404, [f"Can not find a comment for the id: {request.match_info['id']}."])

    async def _h_add_comment(self, request: web.Request) -> web.StreamResponse:
        """POST issue/{key}/comment."""
        body = request[_JSON_BODY]
        text = body.get("body") if isinstance(body, dict) else None
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            if not isinstance(text, str) or not text.strip():
                return _error(400, errors={"comment": "Comment body can not be empty!"})
            if len(text) > MAX_TEXT:
                return _error(400, errors={"comment": _TEXT_TOO_LONG.format(MAX_TEXT)})
            _, comment = self._record_change(
                issue, self._caller(request), {}, event_type="issue_commented", comment_body=text
            )
        return _json(comment, 201)

    def _set_status(self, issue: dict[str, Any], status_name: str) -> None:
        """Seed an issue's status without history or webhooks (add_issue), resolving it in Done."""
        issue["fields"]["status"] = self._status_json(status_name)
        if status_name == "Done":
            done = next(r for r in self.resolutions if r["name"] == "Done")
            issue["fields"]["resolution"] = self._resolution_json(done)
            issue["fields"]["resolutiondate"] = _jira_ts(self.now())
        else:
            issue["fields"]["resolution"] = None
            issue["fields"]["resolutiondate"] = None
        issue["fields"]["updated"] = _jira_ts(self.now())

    def _transition(
        self,
        issue: dict[str, Any],
        target: str,
        user: dict[str, Any],
        *,
        resolution: dict[str, Any] | None = None,
        comment_body: str | None = None,
    ) -> None:
        """Move an issue to a status as user; entering Done resolves it (default "Done"), leaving Done unresolves."""
        fields = issue["fields"]
        done = self._status_category(target) == "done"
        if done and resolution is None:
            resolution = self._resolution_json(next(r for r in self.resolutions if r["name"] == "Done"))
        new_resolution = resolution if done else None
        changes: dict[str, Any] = {}
        # Jira lists the resolution before the status in a resolving transition's history.
        if _identity(fields.get("resolution")) != _identity(new_resolution):
            changes["resolution"] = new_resolution
        changes["status"] = self._status_json(target)
        resolving = new_resolution is not None and fields.get("resolution") is None
        self._record_change(
            issue,
            user,
            changes,
            event_type="issue_resolved" if resolving else "issue_generic",
            comment_body=comment_body,
        )

    async def _h_transitions(self, request: web.Request) -> web.StreamResponse:
        """GET issue/{key}/transitions: every other status is reachable (simplified workflow)."""
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            current = issue["fields"]["status"]["name"]
        transitions = [
            {
                "id": transition_id,
                "name": name,
                "to": self._status_json(name),
                "hasScreen": False,
                "isGlobal": True,
                "isInitial": False,
                "isConditional": False,
            }
            for _, name, _, transition_id in _STATUSES
            if name != current
        ]
        wanted = request.query.get("transitionId")
        if wanted is not None:
            transitions = [t for t in transitions if t["id"] == wanted]
        return _json({"expand": "transitions", "transitions": transitions})

    def _validate_resolution(self, value: Any) -> tuple[str | None, dict[str, Any] | None]:
        """A resolution given as {"id"} or {"name"}."""
        if not isinstance(value, dict) or ("id" not in value and "name" not in value):
            return "Could not find valid 'id' or 'name' in resolution object.", None
        by = "id" if "id" in value else "name"
        ident = str(value[by])
        for resolution in self.resolutions:
            if resolution[by] == ident:
                return None, self._resolution_json(resolution)
        return f"Resolution with {by} '{ident}' does not exist.", None

    async def _h_do_transition(self, request: web.Request) -> web.StreamResponse:
        """POST issue/{key}/transitions, answering 204 like Jira; a transition into Done may set the resolution."""
        body = request[_JSON_BODY] if isinstance(request[_JSON_BODY], dict) else {}
        transition = body.get("transition")
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
            if issue is None:
                return self._issue_404()
            if not isinstance(transition, dict) or "id" not in transition:
                return _error(400, ["Missing 'transition' identifier"])
            wanted = str(transition["id"])
            current = issue["fields"]["status"]["name"]
            target = next((name for _, name, _, tid in _STATUSES if tid == wanted and name != current), None)
            if target is None:
                return _error(400, [f"Transition id '{wanted}' is not valid for this issue."])
            errors: dict[str, str] = {}
            resolution = None
            raw_fields = body.get("fields")
            for fid, value in (raw_fields if isinstance(raw_fields, dict) else {}).items():
                # Only the transitions into Done have a screen, and it holds just the resolution.
                if fid == "resolution" and self._status_category(target) == "done":
                    error, resolution = self._validate_resolution(value)
                    if error:
                        errors[fid] = error
                else:
                    errors[fid] = _NOT_ON_SCREEN.format(fid)
            if errors:
                return _error(400, errors=errors)
            comment_body = None
            update = body.get("update")
            if isinstance(update, dict):
                for operation in update.get("comment", []):
                    text = (operation.get("add") or {}).get("body") if isinstance(operation, dict) else None
                    if isinstance(text, str) and text.strip():
                        comment_body = text
                        break
            self._transition(
                issue, target, self._caller(request), resolution=resolution, comment_body=comment_body
            )
        return web.Response(status=204)

    # ------------------------------------------------------------------ attachments

    async def _h_attachment_meta(self, request: web.Request) -> web.StreamResponse:
        """GET attachment/meta."""
        return _json({"enabled": True, "uploadLimit": self.upload_limit})

    def _find_attachment(self, attachment_id: str) -> dict[str, Any] | None:
        """Attachment metadata by id."""
        for issue in self.issues.values():
            for attachment in issue["attachments"]:
                if attachment["id"] == attachment_id:
                    return cast(dict[str, Any], attachment)
        return None

    async def _h_attachment(self, request: web.Request) -> web.StreamResponse:
        """GET attachment/{id}."""
        with self._lock:
            attachment = self._find_attachment(request.match_info["id"])
        if attachment is None:
            return _error(404, [f"The attachment with id '{request.match_info['id']}' does not exist"])
        return _json(attachment)

    async def _h_attachment_content(self, request: web.Request) -> web.StreamResponse:
        """The attachment bytes (Cloud: attachment/content/{id}; DC: /secure/attachment/{id}/{name})."""
        with self._lock:
            attachment = self._find_attachment(request.match_info["id"])
            data = self.attachment_bytes.get(request.match_info["id"])
        if attachment is None or data is None:
            return _error(404, [f"The attachment with id '{request.match_info['id']}' does not exist"])
        return web.Response(body=data, headers={"Content-Type": attachment["mimeType"]})

    async def _h_add_attachment(self, request: web.Request) -> web.StreamResponse:
        """POST issue/{key}/attachments (multipart field 'file', XSRF header required)."""
        token = request.headers.get("X-Atlassian-Token", "")
        if token.lower() not in ("no-check", "nocheck"):
            return web.Response(status=403, text="XSRF check failed", content_type="text/plain")
        with self._lock:
            issue = self._find_issue(request.match_info["key"])
        if issue is None:
            return self._issue_404()
        if not request.content_type.startswith("multipart/"):
            return web.Response(status=415, text="Unsupported Media Type", content_type="text/plain")
        uploads: list[tuple[str, bytes, str | None]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name != "file":
                await part.release()
                continue
            data = bytearray()
            while chunk := await part.read_chunk(65536):
                data.extend(chunk)
                if len(data) > self.upload_limit:
                    return _error(
                        413,
                        [f"The field file exceeds its maximum permitted size of {self.upload_limit} bytes."],
                    )
            # Kept as sent: urllib3 puts raw UTF-8 in filename="..."; RFC 2231 filename*= is decoded.
            uploads.append((part.filename or "file", bytes(data), part.headers.get("Content-Type")))
        if not uploads:
            return _error(400, ["No attachments were found in the request."])
        created = []
        with self._lock:
            user = self._caller(request)
            stamp = self._tick()
            for filename, content_bytes, sent_type in uploads:
                attachment_id = str(next(self._attachment_ids))
                guessed = mimetypes.guess_type(filename)[0]
                mime = guessed or sent_type or "application/octet-stream"
                if self.mode == "cloud":
                    content = f"{self.url}{API}/attachment/content/{attachment_id}"
                else:
                    content = f"{self.url}/secure/attachment/{attachment_id}/{quote(filename)}"
                attachment = {
                    "self": f"{self.url}{API}/attachment/{attachment_id}",
                    "id": attachment_id,
                    "filename": filename,
                    "author": self._user_json(user),
                    "created": _jira_ts(stamp),
                    "size": len(content_bytes),
                    "mimeType": mime,
                    "content": content,
                }
                issue["attachments"].append(attachment)
                self.attachment_bytes[attachment_id] = content_bytes
                created.append(attachment)
            items = [
                self._item("attachment", "Attachment", None, None, a["id"], a["filename"]) for a in created
            ]
            self._record_change(issue, user, {}, event_type="issue_updated", items=items, at=stamp)
        return _json(created)

    # ------------------------------------------------------------------ search

    def _run_jql(self, jql: str, user: dict[str, Any] | None, *, require_bound: bool,
                 limit: int | None = None, reconcile: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
        """Parse, check and evaluate JQL over the indexed issues; raise _JqlError with Jira's messages.

        With a limit, only the first `limit` matches in order are found: the issues are sorted first and
        matched until there are enough, which keeps a paged search cheap when thousands of issues exist.
        Issues whose id is in reconcile are searched even if the index has not caught up with them yet.
        """
        where, order = _JqlParser(jql).parse()
        if require_bound and where is None:
            raise _JqlError(_UNBOUNDED)
        with self._lock:
            compiler = _JqlCompiler(self, user)
            predicate = compiler.compile(where)
            now = self.index_clock()

            def found(issue: dict[str, Any]) -> bool:
                indexed = issue["indexed_at"] is None or issue["indexed_at"] <= now or issue["id"] in reconcile
                return indexed and predicate(issue)

            if limit is None:
                return compiler.sort([issue for issue in self.issues.values() if found(issue)], order)
            ordered = compiler.sort(list(self.issues.values()), order)
            return list(itertools.islice((issue for issue in ordered if found(issue)), limit))

    @staticmethod
    def _reconcile_ids(raw: Any) -> frozenset[str]:
        """Read search/jql's reconcileIssues: a JSON list in a POST body, repeated or comma-separated in a GET."""
        if raw in (None, "", []):
            return frozenset()
        items = raw if isinstance(raw, list) else str(raw).split(",")
        ids: set[str] = set()
        for item in items:
            text = str(item).strip()
            if isinstance(item, bool) or not (text.isascii() and text.isdigit()):
                raise _JqlError(_BAD_RECONCILE)
            ids.add(str(int(text)))
        if len(ids) > MAX_RECONCILE:
            raise _JqlError(_TOO_MANY_RECONCILE)
        return frozenset(ids)

    async def _h_search(self, request: web.Request) -> web.StreamResponse:
        """GET/POST search: DC's paged search; Cloud answers 410 since the API was removed."""
        if self.mode == "cloud":
            return _error(410, [_SEARCH_REMOVED])
        if request.method == "POST":
            body = request[_JSON_BODY]
            if not isinstance(body, dict):
                return _error(400, ["No content to map due to end-of-input"])
            known = {"jql", "startAt", "maxResults", "validateQuery", "fields", "expand"}
            for name in body:
                if name not in known:
                    # DC's SearchRequestBean rejects unknown properties (why python-jira drops "properties").
                    return _error(
                        400,
                        [
                            f'Unrecognized field "{name}" (Class com.atlassian.jira.rest.v2.search.'
                            "SearchRequestBean), not marked as ignorable"
                        ],
                    )
            params: dict[str, Any] = body
        else:
            params = {key: ",".join(request.query.getall(key)) for key in request.query}
        jql = str(params.get("jql") or "")
        start = max(_int_param(params.get("startAt"), 0), 0)
        size = _int_param(params.get("maxResults"), 50)
        # jira.search.views.default.max caps a page at 1000 on Data Center.
        size = 50 if size < 0 else min(size, 1000)
        try:
            found = self._run_jql(jql, request[_USER], require_bound=False)
        except _JqlError as exc:
            return _error(400, exc.messages)
        spec = self._split_fields(params.get("fields"))
        expand = _expand_names(params.get("expand"))
        with self._lock:
            issues = [self._render_issue(i, spec, expand) for i in found[start : start + size]]
        return _json(
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(found),
                "issues": issues,
            }
        )

    async def _h_search_jql(self, request: web.Request) -> web.StreamResponse:
        """GET/POST search/jql: Cloud's token-paged search; not present on Data Center."""
        if self.mode != "cloud":
            return self._route_not_found(request)
        if request.method == "POST":
            body = request[_JSON_BODY]
            params: dict[str, Any] = body if isinstance(body, dict) else {}
        else:
            params = {key: ",".join(request.query.getall(key)) for key in request.query}
        jql = str(params.get("jql") or "")
        offset = 0
        token = params.get("nextPageToken")
        if token:
            try:
                offset = int(json.loads(base64.urlsafe_b64decode(str(token)))["offset"])
            except (ValueError, KeyError, TypeError, binascii.Error):
                return _error(400, ["The provided next page token is invalid or expired."])
        spec = self._split_fields(params.get("fields"))
        ids_only = not spec or spec == ["id"]
        size = _int_param(params.get("maxResults"), 50)
        # Cloud allows big pages of bare ids but caps pages that carry fields.
        size = 50 if size <= 0 else min(size, 5000 if ids_only else 100)
        try:
            reconcile = self._reconcile_ids(params.get("reconcileIssues"))
            # One match more than the page shows whether another page follows (this API gives no total).
            found = self._run_jql(jql, request[_USER], require_bound=True, limit=offset + size + 1,
                                  reconcile=reconcile)
        except _JqlError as exc:
            return _error(400, exc.messages)
        chunk = found[offset : offset + size]
        expand = _expand_names(params.get("expand"))
        with self._lock:
            # Without fields the enhanced search returns only issue ids (and what expand asks for).
            issues = []
            for issue in chunk:
                rendered = self._render_issue(issue, spec, expand)
                if ids_only:
                    bare = {"id": issue["id"]}
                    if "changelog" in rendered:
                        bare["changelog"] = rendered["changelog"]
                    rendered = bare
                issues.append(rendered)
        out: dict[str, Any] = {"issues": issues}
        if offset + size < len(found):
            next_token = base64.urlsafe_b64encode(json.dumps({"offset": offset + size}).encode()).decode()
            out["nextPageToken"] = next_token
            out["isLast"] = False
        else:
            out["isLast"] = True
        return _json(out)

    async def _h_approximate_count(self, request: web.Request) -> web.StreamResponse:
        """POST search/approximate-count (Cloud only)."""
        if self.mode != "cloud":
            return self._route_not_found(request)
        body = request[_JSON_BODY] if isinstance(request[_JSON_BODY], dict) else {}
        try:
            found = self._run_jql(str(body.get("jql") or ""), request[_USER], require_bound=True)
        except _JqlError as exc:
            return _error(400, exc.messages)
        return _json({"count": len(found)})


# ---------------------------------------------------------------------- JQL


@dataclass
class _Tok:
    """A JQL token."""

    kind: str  # word, str, op, lp, rp, comma, eof
    text: str
    value: str
    pos: int


@dataclass
class _Operand:
    """The right-hand side of a JQL clause."""

    kind: str  # value, list, func, empty
    values: list[str] = field(default_factory=list)
    func: str = ""
    pos: int = 0


@dataclass
class _Clause:
    """field OP operand."""

    name: str
    op: str
    operand: _Operand
    pos: int


@dataclass
class _Bool:
    """AND / OR / NOT over sub-nodes."""

    op: str
    children: list[_Clause | _Bool]


_Node = _Clause | _Bool
_JQL_RESERVED_CHARS = set("+.,;?|*/%^$#@[]")
_JQL_KEYWORDS = {"and", "or", "not", "in", "is", "order", "by", "asc", "desc", "empty", "null"}
_OPS_TEXT = "'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'"


def _where(jql: str, pos: int) -> str:
    """Jira's '(line L, character C)' suffix for a 0-based offset."""
    before = jql[:pos]
    line = before.count("\n") + 1
    column = pos - (before.rfind("\n") + 1) + 1
    return f"(line {line}, character {column})"


def _tokenize(jql: str) -> list[_Tok]:
    """Split JQL into tokens, failing on unterminated strings like Jira."""
    tokens: list[_Tok] = []
    i, n = 0, len(jql)
    while i < n:
        char = jql[i]
        if char.isspace():
            i += 1
            continue
        if char in "\"'":
            j = i + 1
            buf: list[str] = []
            while j < n and jql[j] != char:
                if jql[j] == "\\" and j + 1 < n:
                    buf.append({"n": "\n", "t": "\t", "r": "\r"}.get(jql[j + 1], jql[j + 1]))
                    j += 2
                else:
                    buf.append(jql[j])
                    j += 1
            if j >= n:
                raise _JqlError(
                    f"Error in the JQL Query: The quoted string '{''.join(buf)}' has not been completed. "
                    f"{_where(jql, i)}"
                )
            tokens.append(_Tok("str", jql[i : j + 1], "".join(buf), i))
            i = j + 1
            continue
        if char in "(),":
            tokens.append(_Tok({"(": "lp", ")": "rp", ",": "comma"}[char], char, char, i))
            i += 1
            continue
        if jql[i : i + 2] in ("!=", ">=", "<=", "!~"):
            tokens.append(_Tok("op", jql[i : i + 2], jql[i : i + 2], i))
            i += 2
            continue
        if char in "=~<>":
            tokens.append(_Tok("op", char, char, i))
            i += 1
            continue
        j = i
        while j < n and not jql[j].isspace() and jql[j] not in "\"'(),=!~<>":
            j += 1
        if j == i:
            raise _JqlError(
                f"Error in the JQL Query: The character '{char}' is a reserved JQL character. "
                f"{_where(jql, i)}"
            )
        tokens.append(_Tok("word", jql[i:j], jql[i:j], i))
        i = j
    tokens.append(_Tok("eof", "", "", n))
    return tokens


class _JqlParser:
    """Recursive-descent parser for the JQL subset the fake understands."""

    def __init__(self, jql: str) -> None:
        """Tokenize up front so syntax errors surface before any evaluation."""
        self.jql = jql
        self.tokens = _tokenize(jql)
        self.i = 0

    def _peek(self) -> _Tok:
        """The current token."""
        return self.tokens[self.i]

    def _next(self) -> _Tok:
        """Consume the current token (end of query stays put)."""
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    @staticmethod
    def _is_kw(tok: _Tok, *words: str) -> bool:
        """Whether a token is one of these keywords, in any case."""
        return tok.kind == "word" and tok.value.lower() in words

    def _fail(self, expected: str, tok: _Tok) -> _JqlError:
        """A syntax error in Jira's 'Expecting X but got Y' form."""
        got = "end of query" if tok.kind == "eof" else f"'{tok.text}'"
        return _JqlError(
            f"Error in the JQL Query: Expecting {expected} but got {got}. {_where(self.jql, tok.pos)}"
        )

    def parse(self) -> tuple[_Node | None, list[tuple[str, bool, int]]]:
        """Return (where clause or None, [(field, descending, pos)])."""
        where: _Node | None = None
        if self._peek().kind != "eof" and not self._is_kw(self._peek(), "order"):
            where = self._or()
        order: list[tuple[str, bool, int]] = []
        if self._is_kw(self._peek(), "order"):
            self._next()
            if not self._is_kw(self._peek(), "by"):
                raise self._fail("'by'", self._peek())
            self._next()
            while True:
                tok = self._next()
                if tok.kind not in ("word", "str") or (
                    tok.kind == "word" and tok.value.lower() in _JQL_KEYWORDS
                ):
                    raise self._fail("a field name", tok)
                descending = False
                if self._is_kw(self._peek(), "asc", "desc"):
                    descending = self._next().value.lower() == "desc"
                order.append((tok.value, descending, tok.pos))
                if self._peek().kind != "comma":
                    break
                self._next()
        tok = self._peek()
        if tok.kind != "eof":
            raise self._fail("either 'OR' or 'AND'", tok)
        return where, order

    def _or(self) -> _Node:
        """orExpr := andExpr (OR andExpr)*."""
        children = [self._and()]
        while self._is_kw(self._peek(), "or"):
            self._next()
            children.append(self._and())
        return children[0] if len(children) == 1 else _Bool("or", children)

    def _and(self) -> _Node:
        """andExpr := notExpr (AND notExpr)*."""
        children = [self._not()]
        while self._is_kw(self._peek(), "and"):
            self._next()
            children.append(self._not())
        return children[0] if len(children) == 1 else _Bool("and", children)

    def _not(self) -> _Node:
        """notExpr := NOT notExpr | '(' orExpr ')' | clause."""
        if self._is_kw(self._peek(), "not"):
            self._next()
            return _Bool("not", [self._not()])
        if self._peek().kind == "lp":
            self._next()
            inner = self._or()
            if self._peek().kind != "rp":
                raise self._fail("')'", self._peek())
            self._next()
            return inner
        return self._clause()

    def _check_value(self, tok: _Tok) -> None:
        """Unquoted values may not use reserved characters or words."""
        if tok.kind != "word":
            return
        for offset, char in enumerate(tok.value):
            if char in _JQL_RESERVED_CHARS:
                raise _JqlError(
                    f"Error in the JQL Query: The character '{char}' is a reserved JQL character. You must "
                    f"enclose it in a string or use the escape '\\u{ord(char):04x}' instead. "
                    f"{_where(self.jql, tok.pos + offset)}"
                )
        if tok.value.lower() in _JQL_KEYWORDS - {"empty", "null"}:
            raise _JqlError(
                f"Error in the JQL Query: '{tok.value}' is a reserved JQL word. You must surround it in "
                f"quotation marks to use it in a query. {_where(self.jql, tok.pos)}"
            )

    def _clause(self) -> _Clause:
        """clause := field operator operand."""
        tok = self._next()
        if tok.kind == "str":
            name = tok.value
        elif tok.kind == "word" and tok.value.lower() not in _JQL_KEYWORDS:
            name = tok.value
            if not re.fullmatch(r"cf\[\d+\]", name, re.IGNORECASE):
                self._check_value(tok)
        else:
            raise self._fail("a field name", tok)
        op_tok = self._next()
        if op_tok.kind == "op":
            op = op_tok.value
        elif self._is_kw(op_tok, "in"):
            op = "in"
        elif self._is_kw(op_tok, "not") and self._is_kw(self._peek(), "in"):
            self._next()
            op = "not in"
        elif self._is_kw(op_tok, "is"):
            op = "is"
            if self._is_kw(self._peek(), "not"):
                self._next()
                op = "is not"
        else:
            got = "end of query" if op_tok.kind == "eof" else f"'{op_tok.text}'"
            raise _JqlError(
                f"Error in the JQL Query: Expecting operator but got {got}. "
                f"The valid operators are {_OPS_TEXT}. {_where(self.jql, op_tok.pos)}"
            )
        return _Clause(name, op, self._operand(op), tok.pos)

    def _operand(self, op: str) -> _Operand:
        """operand := EMPTY | value | function '(' args ')' | '(' value, ... ')'."""
        tok = self._peek()
        if op in ("is", "is not"):
            if not self._is_kw(tok, "empty", "null"):
                raise self._fail("'EMPTY'", tok)
            self._next()
            return _Operand("empty", pos=tok.pos)
        if tok.kind == "lp":
            self._next()
            values: list[str] = []
            while True:
                item = self._next()
                if item.kind not in ("word", "str"):
                    raise self._fail("either a value or a function", item)
                self._check_value(item)
                values.append(item.value)
                sep = self._next()
                if sep.kind == "rp":
                    break
                if sep.kind != "comma":
                    raise self._fail("')'", sep)
            return _Operand("list", values, pos=tok.pos)
        if tok.kind not in ("word", "str"):
            raise self._fail("either a value, list or function", tok)
        self._next()
        if tok.kind == "word" and self._peek().kind == "lp":
            self._next()
            args: list[str] = []
            while self._peek().kind != "rp":
                arg = self._next()
                if arg.kind not in ("word", "str"):
                    raise self._fail("')'", arg)
                args.append(arg.value)
                if self._peek().kind == "comma":
                    self._next()
            self._next()
            return _Operand("func", args, func=tok.value, pos=tok.pos)
        if self._is_kw(tok, "empty", "null"):
            return _Operand("empty", pos=tok.pos)
        self._check_value(tok)
        return _Operand("value", [tok.value], pos=tok.pos)


class _JqlCompiler:
    """Checks a parsed JQL tree against the fake's data and turns it into a predicate."""

    _EQUALITY = frozenset({"=", "!=", "in", "not in", "is", "is not"})
    _ORDERING = frozenset({"=", "!=", ">", ">=", "<", "<=", "is", "is not", "in", "not in"})
    _TEXT = frozenset({"~", "!~", "is", "is not"})

    def __init__(self, fake: FakeJira, user: dict[str, Any] | None) -> None:
        """Bind to the fake's current state and the searching user."""
        self.fake = fake
        self.user = user

    # -- field resolution

    def _resolve(self, name: str) -> tuple[str, str, str]:
        """Map a JQL field name to (kind, field id, display name)."""
        lowered = name.lower()
        specials = {
            "text": ("text", "text"),
            "statuscategory": ("statuscategory", "statusCategory"),
            "comment": ("text", "comment"),
        }
        if lowered in specials:
            kind, fid = specials[lowered]
            return kind, fid, name
        for fdef in self.fake.fields.values():
            clauses = [c.lower() for c in fdef["clauseNames"]]
            if lowered in clauses:
                return self._kind(fdef), fdef["id"], name
        raise _JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")

    @staticmethod
    def _kind(fdef: dict[str, Any]) -> str:
        """The comparison family of a field."""
        fid = fdef["id"]
        schema = fdef["schema"] or {}
        by_id = {
            "project": "project",
            "issuekey": "key",
            "labels": "labels",
            "status": "status",
            "summary": "text",
            "description": "text",
            "created": "datetime",
            "updated": "datetime",
            "resolutiondate": "datetime",
            "duedate": "date",
            "priority": "priority",
            "issuetype": "issuetype",
            "reporter": "user",
            "assignee": "user",
            "creator": "user",
            "resolution": "resolution",
            "components": "component",
        }
        if fid in by_id:
            return by_id[fid]
        if schema.get("type") == "number":
            return "number"
        if schema.get("type") == "option" or schema.get("items") == "option":
            return "option"
        if schema.get("type") == "string":
            return "text"
        return "unsupported"

    # -- compile

    def compile(self, node: _Node | None) -> Predicate:
        """A predicate over stored issues; raises _JqlError for unknown fields and values."""
        if node is None:
            return lambda _issue: True
        if isinstance(node, _Bool):
            parts = [self.compile(child) for child in node.children]
            if node.op == "and":
                return lambda issue: all(p(issue) for p in parts)
            if node.op == "or":
                return lambda issue: any(p(issue) for p in parts)
            return lambda issue: not parts[0](issue)
        return self._clause(node)

    def _clause(self, clause: _Clause) -> Predicate:
        """One clause as a predicate, after checking field, operator and values."""
        kind, fid, name = self._resolve(clause.name)
        allowed = {
            "text": self._TEXT,
            "datetime": self._ORDERING,
            "date": self._ORDERING,
            "number": self._ORDERING,
        }.get(kind, self._EQUALITY)
        if kind == "unsupported" or clause.op not in allowed:
            op = clause.op.upper() if clause.op.isalpha() or " " in clause.op else clause.op
            raise _JqlError(f"The operator '{op}' is not supported by the '{name}' field.")
        if clause.operand.kind == "empty":
            never_empty = kind in ("project", "key", "status", "statuscategory", "issuetype")
            if never_empty or fid in ("created", "updated", "text"):
                raise _JqlError(f"The field '{name}' does not support searching for EMPTY values.")
            positive = clause.op in ("is", "=")
            return lambda issue: self._is_empty(issue, kind, fid) == positive
        if kind == "text":
            return self._text_clause(clause, fid)
        if kind in ("datetime", "date"):
            return self._date_clause(clause, kind, fid, name)
        if kind == "number":
            return self._number_clause(clause, fid, name)
        wanted = self._expected_values(clause, kind, fid, name)
        getter = self._getter(kind, fid)
        negate = clause.op in ("!=", "not in")

        def match(issue: dict[str, Any]) -> bool:
            """Whether the issue has (or, negated, lacks) one of the wanted values."""
            have = getter(issue)
            if not have:
                # Jira's != and NOT IN never match issues where the field is empty.
                return False
            hit = any(h in wanted for h in have)
            return not hit if negate else hit

        return match

    def _values(self, clause: _Clause, kind: str, name: str) -> list[str]:
        """The literal values of an operand, with functions expanded."""
        operand = clause.operand
        if operand.kind != "func":
            return operand.values
        func = operand.func.lower()
        if func == "currentuser" and kind == "user":
            if self.user is None:
                return []
            return [self.user["accountId"] if self.fake.mode == "cloud" else self.user["name"]]
        known = {"currentuser", "now", "startofday", "endofday", "startofweek", "endofweek"}
        if func not in known:
            raise _JqlError(f"Unable to find JQL function '{operand.func}()'.")
        raise _JqlError(
            f"A value provided by the function '{operand.func}' is invalid for the field '{name}'."
        )

    def _expected_values(self, clause: _Clause, kind: str, fid: str, name: str) -> set[str]:
        """Normalised values to compare against, validating each like Jira."""
        out: set[str] = set()
        for raw in self._values(clause, kind, name):
            value = raw.strip()
            lowered = value.lower()
            if kind == "project":
                project = self.fake._find_project(value)
                if project is None:
                    project = next(
                        (p for p in self.fake.projects.values() if p["name"].lower() == lowered), None
                    )
                if project is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(project["key"])
            elif kind == "key":
                issue = self.fake._find_issue(value)
                if issue is None:
                    raise _JqlError(f"An issue with key '{value}' does not exist for field '{name}'.")
                out.add(issue["key"])
            elif kind == "status":
                match = next((n for sid, n, _, _ in _STATUSES if n.lower() == lowered or sid == value), None)
                if match is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(match)
            elif kind == "statuscategory":
                cat = next(
                    (
                        c["key"]
                        for c in _STATUS_CATEGORIES.values()
                        if lowered in (c["name"].lower(), c["key"], str(c["id"]))
                    ),
                    None,
                )
                if cat is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(cat)
            elif kind == "priority":
                prio = next(
                    (p for p in self.fake.priorities if p["name"].lower() == lowered or p["id"] == value),
                    None,
                )
                if prio is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(prio["id"])
            elif kind == "issuetype":
                found = next(
                    (
                        t
                        for t in self.fake.issue_types.values()
                        if t["name"].lower() == lowered or t["id"] == value
                    ),
                    None,
                )
                if found is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(found["id"])
            elif kind == "user":
                attr = "accountId" if self.fake.mode == "cloud" else "name"
                user = next(
                    (u for u in self.fake.users if value in (u[attr], u["emailAddress"], u["displayName"])),
                    None,
                )
                if user is None:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(user[attr])
            elif kind == "option":
                options = self.fake.fields[fid].get("allowedValues", [])
                option = next((o for o in options if o["value"].lower() == lowered or o["id"] == value), None)
                if option is None:
                    raise _JqlError(f"The option '{value}' for field '{name}' does not exist.")
                out.add(option["id"])
            elif kind == "component":
                names = {c["name"].lower() for p in self.fake.projects.values() for c in p["components"]}
                if lowered not in names:
                    raise _JqlError(f"The value '{value}' does not exist for the field '{name}'.")
                out.add(lowered)
            elif kind == "resolution":
                out.add("" if lowered == "unresolved" else lowered)
            else:
                out.add(lowered)
        return out

    def _getter(self, kind: str, fid: str) -> Callable[[dict[str, Any]], list[str]]:
        """Extract an issue's comparable values for a field."""
        mode = self.fake.mode

        def get(issue: dict[str, Any]) -> list[str]:
            """The issue's values for the field."""
            fields = issue["fields"]
            if kind == "project":
                return [fields["project"]["key"]]
            if kind == "key":
                return [issue["key"]]
            if kind == "status":
                return [fields["status"]["name"]]
            if kind == "statuscategory":
                return [fields["status"]["statusCategory"]["key"]]
            if kind == "priority":
                return [fields["priority"]["id"]] if fields.get("priority") else []
            if kind == "issuetype":
                return [fields["issuetype"]["id"]]
            if kind == "user":
                person = fields.get(fid)
                if not person:
                    return []
                return [person["accountId"] if mode == "cloud" else person["name"]]
            if kind == "labels":
                return [label.lower() for label in fields.get("labels") or []]
            if kind == "component":
                return [c["name"].lower() for c in fields.get("components") or []]
            if kind == "resolution":
                resolution = fields.get("resolution")
                return [resolution["name"].lower() if resolution else ""]
            if kind == "option":
                value = fields.get(fid)
                if value is None:
                    return []
                items = value if isinstance(value, list) else [value]
                return [item["id"] for item in items]
            return []

        return get

    def _is_empty(self, issue: dict[str, Any], kind: str, fid: str) -> bool:
        """IS EMPTY semantics."""
        if kind == "text":
            return not self._text_of(issue, fid).strip()
        value = issue["fields"].get(fid)
        return value in (None, "", [])

    # -- text

    @staticmethod
    def _words(text: str) -> list[str]:
        """Lower-cased words of a text."""
        return re.findall(r"\w+", text.lower())

    def _text_of(self, issue: dict[str, Any], fid: str) -> str:
        """The text a ~ clause searches: text covers summary, description and comments."""
        fields = issue["fields"]
        if fid == "text":
            parts = [fields.get("summary") or "", fields.get("description") or ""]
            parts += [c["body"] for c in issue["comments"]]
            return "\n".join(parts)
        if fid == "comment":
            return "\n".join(c["body"] for c in issue["comments"])
        value = fields.get(fid)
        return value if isinstance(value, str) else ""

    def _text_clause(self, clause: _Clause, fid: str) -> Predicate:
        """Case-insensitive word match: every (non stop-) word must occur; 'term*' is a prefix."""
        if clause.operand.kind != "value":
            raise _JqlError(f"The operator '{clause.op}' is not supported by the '{clause.name}' field.")
        raw = clause.operand.values[0]
        phrase = raw.strip()
        exact = len(phrase) > 1 and phrase[0] == phrase[-1] == '"'
        terms = [t for t in re.findall(r"[\w*]+", phrase.lower()) if t.strip("*") and t not in _STOP_WORDS]
        if not terms:
            raise _JqlError(
                f"The field '{clause.name}' does not support searching for an empty string."
                if not phrase
                else f"The value '{raw}' is not valid for the field '{clause.name}'."
            )
        negate = clause.op == "!~"

        def match(issue: dict[str, Any]) -> bool:
            """Whether the issue's text matches."""
            text = self._text_of(issue, fid)
            if exact:
                hit = phrase.strip('"').lower() in text.lower()
            else:
                words = self._words(text)
                hit = all(
                    any(w.startswith(t.rstrip("*")) for w in words) if t.endswith("*") else t in words
                    for t in terms
                )
            return not hit if negate else hit

        return match

    # -- dates and numbers

    def _parse_date(self, value: str, name: str) -> datetime:
        """Absolute (yyyy-MM-dd [HH:mm], slashes allowed) or relative (-5m, '-1w 2d') dates, in UTC."""
        text = value.strip()
        relative = re.fullmatch(r"([-+]?)((?:\s*\d+\s*[wdhm])+)", text)
        if relative:
            sign = -1 if relative.group(1) == "-" else 1
            units = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
            delta = timedelta()
            for amount, unit in re.findall(r"(\d+)\s*([wdhm])", relative.group(2)):
                delta += timedelta(**{units[unit]: int(amount)})
            return self.fake.now() + sign * delta
        for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
        raise _JqlError(f"Date value '{value}' for field '{name}' is invalid. {_DATE_FORMATS_HINT}")

    def _date_bound(self, clause: _Clause, name: str) -> list[datetime]:
        """The dates a clause compares with (values or now()/startOfDay()/endOfDay())."""
        operand = clause.operand
        if operand.kind == "func":
            func = operand.func.lower()
            now = self.fake.now()
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            funcs = {
                "now": now,
                "startofday": midnight,
                "endofday": midnight + timedelta(days=1) - timedelta(milliseconds=1),
            }
            if func not in funcs:
                raise _JqlError(f"Unable to find JQL function '{operand.func}()'.")
            return [funcs[func]]
        return [self._parse_date(v, name) for v in operand.values]

    def _date_clause(self, clause: _Clause, kind: str, fid: str, name: str) -> Predicate:
        """A predicate comparing a date or datetime field."""
        bounds = self._date_bound(clause, name)
        op = clause.op

        def value_of(issue: dict[str, Any]) -> datetime | None:
            """The issue's date for the field, if set."""
            raw = issue["fields"].get(fid)
            if not raw:
                return None
            if kind == "date":
                return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
            return _parse_jira_ts(raw)

        return lambda issue: self._compare(value_of(issue), op, bounds)

    def _number_clause(self, clause: _Clause, fid: str, name: str) -> Predicate:
        """A predicate comparing a number field."""
        bounds: list[float] = []
        for raw in clause.operand.values:
            try:
                bounds.append(float(raw))
            except ValueError:
                raise _JqlError(f"The value '{raw}' is not a valid number for the field '{name}'.") from None
        op = clause.op
        return lambda issue: self._compare(issue["fields"].get(fid), op, bounds)

    @staticmethod
    def _compare(value: Any, op: str, bounds: list[Any]) -> bool:
        """Ordered comparison; empty values never match, as in Jira."""
        if value is None:
            return False
        if op in ("=", "in"):
            return value in bounds
        if op in ("!=", "not in"):
            return value not in bounds
        compare = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}[op]
        return bool(compare(value, bounds[0]))

    # -- ordering

    def sort(self, issues: list[dict[str, Any]], order: list[tuple[str, bool, int]]) -> list[dict[str, Any]]:
        """ORDER BY; without one, newest key first."""

        def key_number(issue: dict[str, Any]) -> tuple[str, int]:
            """Project key and number, so SUP-10 sorts after SUP-9."""
            project, _, number = issue["key"].rpartition("-")
            return project, int(number)

        result = sorted(issues, key=key_number, reverse=True)
        count = len(self.fake.priorities)
        priority_rank = {p["id"]: count - i for i, p in enumerate(self.fake.priorities)}
        for name, descending, _pos in reversed(order):
            kind, fid, _ = self._resolve(name)
            if fid in ("text", "comment", "statusCategory") or kind == "unsupported":
                raise _JqlError(f"Field '{name}' does not support sorting.")

            def sort_value(issue: dict[str, Any], kind: str = kind, fid: str = fid) -> Any:
                """The issue's value for this sort field; None sorts last."""
                fields = issue["fields"]
                if kind == "key":
                    return key_number(issue)
                if kind == "datetime":
                    raw = fields.get(fid)
                    return _parse_jira_ts(raw) if raw else None
                if kind == "priority":
                    return priority_rank.get((fields.get("priority") or {}).get("id", ""), 0)
                if kind in ("status", "issuetype", "project"):
                    return fields[fid].get("name") or fields[fid].get("key")
                value = fields.get(fid)
                return value if isinstance(value, str | int | float) else None

            present = [i for i in result if sort_value(i) is not None]
            missing = [i for i in result if sort_value(i) is None]
            present.sort(key=sort_value, reverse=descending)
            # Empty values sort last either way.
            result = present + missing
        return result
