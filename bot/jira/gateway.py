"""The Jira gateway: python-jira on one worker thread, with timeouts and idempotent creation."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import io
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from jira import JIRA, JIRAError

from bot.config import JiraConfig
from bot.jira.fields import shape_fields
from bot.jira.meta import (
    DEFAULT_PAGE_SIZE,
    Deployment,
    IssueTypeMeta,
    JiraMeta,
    ProjectMeta,
    ServerMeta,
    fetch_known_fields,
    fetch_priorities,
    fetch_project,
    fetch_server,
)
from bot.jira.ticket import Ticket

log = logging.getLogger(__name__)
T = TypeVar("T")
_MISSING_PROJECT = re.compile(r"The value '([^']+)' does not exist for the field 'project'")
TRANSIENT_STATUSES = {408, 409, 425, 429, 500, 502, 503, 504}
# How Jira refuses a `key in (...)` search that names an issue it no longer has.
_MISSING_KEY = re.compile(r"An issue with key '([^']+)' does not exist")


@dataclass(frozen=True)
class CreatedIssue:
    """A Jira issue that exists for a request."""

    key: str
    url: str
    existed: bool = False


@dataclass(frozen=True)
class UpdatedPage:
    """One page of recently updated issues."""

    issues: list[dict[str, Any]]
    next_page: str | int | None  # Cloud's nextPageToken or Data Center's startAt; None on the last page
    gone_projects: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueComment:
    """One comment on an issue: who wrote it (account id or user name, and display name) and what."""

    author_id: str | None
    author_name: str | None
    body: str


@dataclass(frozen=True)
class IssueState:
    """Where an issue stands now: status and its category, resolution, assignee, due date and comments."""

    key: str
    summary: str
    status: str
    category: str  # Jira's status category key: "new", "indeterminate" or "done"
    resolution: str | None
    assignee_name: str | None
    # How a comment mentions the assignee: "accountid:…" on Cloud, the user name on Data Center.
    assignee_mention: str | None
    duedate: str | None
    comments: tuple[IssueComment, ...] = ()

    @property
    def done(self) -> bool:
        """Say whether engineering is finished with the issue."""
        return self.category == "done" or self.resolution is not None


def _state_of(key: str, raw: dict[str, Any]) -> IssueState:
    fields = raw.get("fields") or {}
    status = fields.get("status") or {}
    assignee = fields.get("assignee") or None
    mention = None
    if isinstance(assignee, dict):
        mention = f"accountid:{assignee['accountId']}" if assignee.get("accountId") else assignee.get("name")
    comments = []
    for comment in (fields.get("comment") or {}).get("comments") or []:
        author = comment.get("author") or {}
        body = comment.get("body")
        comments.append(IssueComment(author.get("accountId") or author.get("name"), author.get("displayName"),
                                     body if isinstance(body, str) else ""))
    return IssueState(
        key=str(raw.get("key") or key), summary=str(fields.get("summary") or ""), status=str(status.get("name") or ""),
        category=str((status.get("statusCategory") or {}).get("key") or ""),
        resolution=(fields.get("resolution") or {}).get("name"),
        assignee_name=assignee.get("displayName") if isinstance(assignee, dict) else None,
        assignee_mention=str(mention) if mention else None, duedate=fields.get("duedate") or None,
        comments=tuple(comments))


@dataclass
class DeliveryError(Exception):
    """Jira did not take the request; says whether trying again can help."""

    message: str
    transient: bool
    status: int | None = None
    retry_after: float | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def classify(exc: BaseException) -> DeliveryError:
    """Turn whatever python-jira or requests raised into a DeliveryError, without secrets."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, JIRAError):
        status = exc.status_code
        body: dict[str, Any] = {}
        response = exc.response
        if response is not None:
            with contextlib.suppress(ValueError):
                parsed = response.json()
                body = parsed if isinstance(parsed, dict) else {}
        errors = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
        messages = [str(m) for m in body.get("errorMessages") or []]
        detail = "; ".join([*messages, *(f"{k}: {v}" for k, v in errors.items())]) or (exc.text or "no details")
        transient = status is None or status in TRANSIENT_STATUSES or status == 401
        return DeliveryError(f"Jira answered {status}: {detail}", transient, status,
                             _retry_after(response.headers if response is not None else None), errors, messages)
    if isinstance(exc, requests.Timeout | TimeoutError | asyncio.TimeoutError):
        return DeliveryError("Jira did not answer in time", True)
    if isinstance(exc, requests.ConnectionError | ConnectionError):
        return DeliveryError("Jira could not be reached", True)
    return DeliveryError(f"unexpected {type(exc).__name__} talking to Jira", True)


def _timestamp(value: Any) -> float | None:
    """Seconds since the epoch of Jira's "2026-11-23T10:00:00.000+0100", None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except ValueError:
        return None


def ca_bundle(url: str) -> bool | str:
    """The CA bundle the environment names for url (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), or True for the system's."""
    verify = requests.Session().merge_environment_settings(url, {}, None, None, None)["verify"]
    return verify if isinstance(verify, str) else True


class JiraGateway:
    """Talks to Jira off the event loop, on a few worker threads each holding its own python-jira client.

    python-jira's session is not thread-safe, so a client never leaves its thread; several threads let a
    salesperson's similar-issue search run while the outbox files someone else's request.
    """

    def __init__(self, config: JiraConfig, *, client_factory: Callable[[], JIRA] | None = None) -> None:
        self.config = config
        self._factory = client_factory or self._build_client
        self._local = threading.local()
        self._clients: list[JIRA] = []
        self._clients_lock = threading.Lock()
        self._server: ServerMeta | None = None
        self._projects: dict[str, ProjectMeta | None] = {}
        self._users: dict[str, dict[str, str] | None] = {}
        self._search_zone: tzinfo | None = None
        self._executor = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="jira")
        self.last_success: float | None = None

    def _build_client(self) -> JIRA:
        auth: dict[str, Any]
        if self.config.pat:
            auth = {"token_auth": self.config.pat}
        else:
            auth = {"basic_auth": (self.config.email or "", self.config.api_token or "")}
        # max_retries=0: python-jira would otherwise sleep on this thread and re-send a create blindly. The CA
        # bundle is the one the environment named at start-up; requests reads the proxies from it on each call.
        return JIRA(server=self.config.url, timeout=self.config.timeout, max_retries=0, get_server_info=True,
                    options={"check_update": False, "verify": ca_bundle(self.config.url)}, **auth)

    def _jira(self) -> JIRA:
        client: JIRA | None = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self._factory()
            with self._clients_lock:
                self._clients.append(client)
        return client

    @property
    def workers(self) -> int:
        """How many Jira calls may run at once."""
        return self.config.workers

    @property
    def search_consistency_seconds(self) -> float:
        """How long Jira's search may take to show an issue just created."""
        return self.config.search_consistency_seconds

    async def _run(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        # The HTTP timeout bounds each call; this bounds a call that makes several.
        future = loop.run_in_executor(self._executor, fn)
        try:
            result = await asyncio.wait_for(future, timeout=self.config.timeout * 4)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise classify(exc) from None
        self.last_success = time.time()
        return result

    def issue_url(self, key: str) -> str:
        """Return the browser link of an issue, without any credentials written into jira.url."""
        site = urlsplit(self.config.url)
        site = site._replace(netloc=site.netloc.rpartition("@")[2])
        return f"{urlunsplit(site).rstrip('/')}/browse/{key}"

    def _find_sync(self, marker: str) -> CreatedIssue | None:
        found = self._jira().search_issues(f'labels = "{marker}"', maxResults=1, fields="summary",
                                           json_result=True)
        issues = found.get("issues") if isinstance(found, dict) else None
        if not issues:
            return None
        key = str(issues[0]["key"])
        return CreatedIssue(key, self.issue_url(key), existed=True)

    async def find(self, marker: str) -> CreatedIssue | None:
        """Return the issue carrying marker as a label, if Jira's search shows it.

        Not finding it proves little right after a create: Cloud's search/jql is eventually consistent and may
        lag a new issue by seconds or minutes. Its reconcileIssues parameter makes named issue ids consistent,
        but the id of an issue whose create answer was lost is exactly what is unknown, and neither a label nor
        an entity property can be looked up other than through the same search; so the caller waits instead.
        """
        return await self._run(lambda: self._find_sync(marker))

    def _issue_type_meta(self, project: str, issue_type: str) -> tuple[IssueTypeMeta | None, Deployment]:
        """Return (and cache) the create screen of a project's issue type."""
        if self._server is None:
            self._server = fetch_server(self._jira())
        if project not in self._projects:
            self._projects[project] = fetch_project(self._jira(), project, self._server)
        found = self._projects[project]
        return (found.issue_type(issue_type) if found else None), self._server.deployment

    def _find_user_sync(self, query: str, *, fresh: bool = False) -> dict[str, str] | None:
        """Return the reporter value of the one Jira user whose email or user name is exactly query.

        Jira's search matches prefixes of names and emails, so a partial login finds people too: only an exact
        match counts, and two exact matches count as none. Jira compares both without regard to case. On Cloud a
        user who hides their email in their profile is never matched. Answers are cached unless fresh is set.
        """
        if not fresh and query in self._users:
            return self._users[query]
        login = query.strip()
        if not login:
            return None
        if self._server is None:
            self._server = fetch_server(self._jira())
        cloud = self._server.deployment == "cloud"
        found = self._jira().search_users(query=login) if cloud else self._jira().search_users(user=login)
        wanted = login.casefold()
        exact = [u.raw for u in found if wanted in (str(u.raw.get("emailAddress") or "").casefold(),
                                                    str(u.raw.get("name") or "").casefold())]
        user = None
        if len(exact) == 1:
            match = exact[0]
            user = {"accountId": str(match["accountId"])} if cloud else {"name": str(match["name"])}
            user["displayName"] = str(match.get("displayName") or query)
        self._users[query] = user
        return user

    async def find_user(self, query: str) -> dict[str, str] | None:
        """Find the Jira user whose email (Cloud) or user name or email (Data Center) is exactly query, asking Jira."""
        return await self._run(lambda: self._find_user_sync(query, fresh=True))

    def _payload(self, ticket: Ticket, marker: str) -> dict[str, Any]:
        payload = ticket.jira_fields((marker,))
        if ticket.reporter_query:
            user = self._find_user_sync(ticket.reporter_query)
            if user is not None:
                payload["reporter"] = {k: v for k, v in user.items() if k != "displayName"}
        if ticket.fields:
            # Templates name fields by id or display name and give plain values; Jira wants ids and shapes.
            screen, deployment = self._issue_type_meta(ticket.project, ticket.issue_type)
            for key, _ in ticket.fields:
                payload.pop(key, None)
            payload.update(shape_fields(ticket.fields, screen, deployment))
        return payload

    def _create_sync(self, ticket: Ticket, marker: str) -> CreatedIssue:
        payload = self._payload(ticket, marker)
        try:
            issue = self._jira().create_issue(fields=payload, prefetch=False)
        except JIRAError as exc:
            refused_reporter = exc.status_code == 400 and "reporter" in classify(exc).field_errors
            if not (refused_reporter and "reporter" in payload):
                raise
            # The bot's account may not set reporters; the requester is named in the description anyway.
            log.warning("Jira refused the reporter for %s; filing as the bot", marker)
            payload.pop("reporter")
            issue = self._jira().create_issue(fields=payload, prefetch=False)
        return CreatedIssue(issue.key, self.issue_url(issue.key))

    async def create(self, ticket: Ticket, marker: str) -> CreatedIssue:
        """Create the issue, carrying marker as a label (find() looks for it when an earlier try may have landed)."""
        return await self._run(lambda: self._create_sync(ticket, marker))

    def _attach_sync(self, key: str, name: str, data: bytes) -> None:
        self._jira().add_attachment(key, attachment=io.BytesIO(data), filename=name)

    async def attach(self, key: str, name: str, data: bytes) -> None:
        """Upload one file to an issue."""
        await self._run(lambda: self._attach_sync(key, name, data))

    def _upload_limit_sync(self) -> int | None:
        meta: dict[str, Any] = dict(self._jira().attachment_meta())
        if not meta.get("enabled", True):
            return 0
        limit = meta.get("uploadLimit")
        return int(limit) if isinstance(limit, int) and limit > 0 else None

    async def upload_limit(self) -> int | None:
        """Return Jira's attachment size limit in bytes (0 when attachments are off, None when unknown)."""
        return await self._run(self._upload_limit_sync)

    def _post_comment_sync(self, key: str, body: str, marker: str, search_first: bool) -> str:
        anchor = "{anchor:" + marker + "}"
        if search_first:
            for comment in self._jira().comments(key):
                if anchor in (getattr(comment, "body", "") or ""):
                    return str(comment.id)
        # The anchor is invisible in Jira's rendering and lets a retry find this comment instead of repeating it.
        return str(self._jira().add_comment(key, f"{body}\n{anchor}").id)

    async def post_comment(self, key: str, body: str, marker: str, *, search_first: bool) -> str:
        """Add a comment carrying marker; first look for it when an earlier try may have landed."""
        return await self._run(lambda: self._post_comment_sync(key, body, marker, search_first))

    def _zone(self, client: JIRA) -> tzinfo:
        """Return the time zone Jira reads the bot's absolute JQL dates in: its account's profile zone."""
        if self._search_zone is None:
            name = str(client.myself().get("timeZone") or "UTC")
            try:
                self._search_zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("Jira names an unknown time zone %r; reading JQL dates as UTC", name)
                self._search_zone = UTC
        return self._search_zone

    def _updated_sync(self, projects: list[str], since: float, page: str | int | None, size: int) -> UpdatedPage:
        client = self._jira()
        if self._server is None:
            self._server = fetch_server(client)
        # JQL dates have minutes only and are read in the account's zone; ids remove what the overlap repeats.
        when = datetime.fromtimestamp(since, self._zone(client)).strftime("%Y/%m/%d %H:%M")
        names, gone = list(projects), list[str]()
        for attempt in range(2):
            listed = ", ".join(f'"{name}"' for name in names)
            jql = f'project in ({listed}) AND updated >= "{when}" ORDER BY updated ASC, key ASC'
            try:
                return self._search_page(client, jql, page, size, tuple(gone))
            except JIRAError as exc:
                # Jira refuses a whole search that names a project gone (or hidden from the bot); the rest go on.
                missing = set(_MISSING_PROJECT.findall(" ".join(classify(exc).messages))) & set(names)
                if attempt or exc.status_code != 400 or not missing:
                    raise
                names = [name for name in names if name not in missing]
                gone += sorted(missing)
                if not names:
                    break
        return UpdatedPage([], None, tuple(gone))

    def _search_page(self, client: JIRA, jql: str, page: str | int | None, size: int,
                     gone: tuple[str, ...]) -> UpdatedPage:
        fields, expand = "summary,status,comment,updated", "changelog"
        assert self._server is not None
        if self._server.deployment == "cloud":
            token = page if isinstance(page, str) else None
            result = client.enhanced_search_issues(jql, nextPageToken=token, maxResults=size, fields=fields,
                                                   expand=expand, json_result=True)
            body = result if isinstance(result, dict) else {}
            issues = list(body.get("issues") or [])
            following = body.get("nextPageToken")
            return UpdatedPage(issues, str(following) if following and not body.get("isLast") else None, gone)
        start = page if isinstance(page, int) else 0
        result = client.search_issues(jql, startAt=start, maxResults=size, fields=fields, expand=expand,
                                      json_result=True)
        body = result if isinstance(result, dict) else {}
        issues = list(body.get("issues") or [])
        end = start + len(issues)
        return UpdatedPage(issues, end if issues and end < int(body.get("total") or 0) else None, gone)

    async def updated_since(self, projects: list[str], since: float, page: str | int | None = None,
                            size: int = 100) -> UpdatedPage:
        """Return one page of the issues in projects updated since a moment, oldest change first, with history.

        One page per call, so a timed-out call leaves no search running behind it; page is the previous
        answer's next_page. Projects Jira no longer knows are left out and named in the answer.
        """
        return await self._run(lambda: self._updated_sync(projects, since, page, size))

    def _statuses_sync(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        try:
            return self._status_search(keys)
        except JIRAError as error:
            # Jira refuses a whole `key in (...)` search that names a deleted or moved issue: ask for the rest.
            missing = set(_MISSING_KEY.findall(str(error)))
            rest = [key for key in keys if key not in missing]
            if not missing or len(rest) == len(keys):
                raise
            log.info("issues no longer in Jira: %s", ", ".join(sorted(missing)))
            return self._status_search(rest) if rest else {}

    def _status_search(self, keys: list[str]) -> dict[str, str]:
        result = self._jira().search_issues(f"key in ({', '.join(keys)})", maxResults=len(keys),
                                            fields="status", json_result=True)
        issues = result.get("issues") or [] if isinstance(result, dict) else []
        return {str(i["key"]): str(i["fields"]["status"]["name"]) for i in issues}

    async def statuses(self, keys: list[str]) -> dict[str, str]:
        """Return the current status name of each issue."""
        return await self._run(lambda: self._statuses_sync(keys))

    def _current_key_sync(self, key: str) -> str | None:
        try:
            return str(self._jira().issue(key, fields="status").key)
        except JIRAError as error:
            if error.status_code == 404:
                return None
            raise

    async def current_key(self, key: str) -> str | None:
        """Return the key Jira has for an issue now (another after a move to another project), None if it is gone."""
        return await self._run(lambda: self._current_key_sync(key))

    async def issue_view(self, key: str) -> dict[str, Any]:
        """Return an issue's summary, status, description and comments as Jira's JSON."""
        return await self._run(lambda: dict(self._jira().issue(
            key, fields="summary,status,description,comment,updated").raw))

    def _similar_sync(self, jql: str, limit: int) -> list[tuple[str, str, str]]:
        result = self._jira().search_issues(jql, maxResults=limit, fields="summary,status", json_result=True)
        issues = result.get("issues") or [] if isinstance(result, dict) else []
        return [(str(i["key"]), str(i["fields"]["summary"]), str(i["fields"]["status"]["name"])) for i in issues]

    async def similar(self, jql: str, limit: int = 3) -> list[tuple[str, str, str]]:
        """Return (key, summary, status) of issues matching a similarity query."""
        return await self._run(lambda: self._similar_sync(jql, limit))

    def _add_labels_sync(self, key: str, labels: tuple[str, ...]) -> None:
        # python-jira edits an issue through its Issue object: loaded first (labels only), reloaded after the edit.
        issue = self._jira().issue(key, fields="labels")
        # Adding a label the issue has is a no-op, so a retry is harmless.
        issue.update(update={"labels": [{"add": label} for label in labels]})

    async def add_labels(self, key: str, labels: tuple[str, ...]) -> None:
        """Add labels to an issue."""
        await self._run(lambda: self._add_labels_sync(key, labels))

    def _move_on_sync(self, key: str, waiting: tuple[str, ...], transition: str) -> bool:
        client = self._jira()
        status = client.issue(key, fields="status").fields.status.name
        if status.casefold() not in {w.casefold() for w in waiting}:
            return False
        return self._transition_sync(client, key, transition, status)

    @staticmethod
    def _transition_sync(client: JIRA, key: str, transition: str, status: str) -> bool:
        """Take the transition named so (or leading to the status named so) if the issue offers it; say if taken."""
        wanted = transition.casefold()
        for option in client.transitions(key):
            if wanted in (str(option["name"]).casefold(), str(option.get("to", {}).get("name", "")).casefold()):
                client.transition_issue(key, option["id"])
                return True
        log.warning("%s has no transition '%s' from '%s'", key, transition, status)
        return False

    async def move_on(self, key: str, waiting: tuple[str, ...], transition: str) -> bool:
        """Move an issue out of a waiting-for-sales status by the named transition (or target status)."""
        return await self._run(lambda: self._move_on_sync(key, waiting, transition))

    def _reopen_sync(self, key: str, transition: str) -> bool:
        client = self._jira()
        status = client.issue(key, fields="status").fields.status.name
        if status.casefold() == transition.casefold():
            return False
        return self._transition_sync(client, key, transition, status)

    async def reopen(self, key: str, transition: str) -> bool:
        """Move an issue by the named transition (or to the named status) where its workflow allows; say if moved."""
        return await self._run(lambda: self._reopen_sync(key, transition))

    async def issue_state(self, key: str) -> IssueState:
        """Return where an issue stands now: status, resolution, assignee, due date and comments."""
        return await self._run(lambda: _state_of(key, dict(self._jira().issue(
            key, fields="summary,status,resolution,assignee,duedate,comment").raw)))

    def _history_sync(self, project: str, issue_type: str, days: int, limit: int
                      ) -> list[tuple[str | None, float, float]]:
        jql = (f'project = "{project}" AND issuetype = "{issue_type}" AND resolutiondate >= -{days}d '
               "ORDER BY resolutiondate DESC")
        result = self._jira().search_issues(jql, maxResults=limit, fields="priority,created,resolutiondate",
                                            json_result=True)
        found: list[tuple[str | None, float, float]] = []
        for issue in (result.get("issues") or []) if isinstance(result, dict) else []:
            fields = issue.get("fields") or {}
            created, resolved = _timestamp(fields.get("created")), _timestamp(fields.get("resolutiondate"))
            if created is not None and resolved is not None:
                found.append(((fields.get("priority") or {}).get("name"), created, resolved))
        return found

    async def resolved_history(self, project: str, issue_type: str, days: int = 180,
                               limit: int = 200) -> list[tuple[str | None, float, float]]:
        """Return (priority, created, resolved) of the issues of a project and type resolved in the last days."""
        return await self._run(lambda: self._history_sync(project, issue_type, days, limit))

    async def own_identity(self) -> str | None:
        """Return the bot's own Jira account: accountId on Cloud, user name on Data Center."""
        def read() -> str | None:
            me = self._jira().myself()
            value = me.get("accountId") or me.get("name")
            return str(value) if value else None

        return await self._run(read)

    async def server_info(self) -> dict[str, Any]:
        """Return Jira's serverInfo (deployment type and version)."""
        return await self._run(lambda: dict(self._jira().server_info()))

    def _project_meta_sync(self, key: str, server: ServerMeta, page_size: int) -> ProjectMeta | None:
        """Read one project's create screens (on the worker thread)."""
        return fetch_project(self._jira(), key, server, page_size=page_size)

    def _global_meta_sync(self) -> tuple[tuple[str, ...], dict[str, str]]:
        """Read Jira's priorities and all its fields (on the worker thread)."""
        client = self._jira()
        return fetch_priorities(client), fetch_known_fields(client)

    async def create_meta(self, projects: set[str], *, page_size: int = DEFAULT_PAGE_SIZE) -> JiraMeta:
        """Fetch the create screens of these projects, Jira's priorities and fields; unknown projects are left out."""
        server = await self._run(lambda: fetch_server(self._jira()))
        found: dict[str, ProjectMeta] = {}
        for key in sorted(projects):
            # One worker call per project, so a project with many issue types gets the whole time budget.
            project = await self._run(functools.partial(self._project_meta_sync, key, server, page_size))
            if project is not None:
                found[key] = project
        priorities, known_fields = await self._run(self._global_meta_sync)
        return JiraMeta(server.deployment, server.version, server.version_numbers, found, priorities, known_fields)

    async def close(self) -> None:
        """Finish the calls in flight and stop the worker threads."""
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()  # type: ignore[no-untyped-call]
