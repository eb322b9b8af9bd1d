"""The configuration file, loaded into typed sections and checked with precise messages."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.approval.rule import ApprovalRule, parse_rule
from bot.i18n.catalog import LANGUAGES
from bot.logs import LEVELS
from bot.text.yamlfile import ConfigError, LineDict, LineList, read_yaml

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SECTIONS = {"telegram", "jira", "storage", "templates", "customers", "access", "drafts", "timezone",
             "delivery", "logging", "server", "notices", "extractor", "approval",
             "speech", "groups", "deadlines", "feedback"}
CLOUD_BOT_API = "https://api.telegram.org/bot"
CLOUD_FILE_API = "https://api.telegram.org/file/bot"
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class WebhookConfig:
    """Receiving Telegram updates over HTTPS instead of long polling."""

    url: str
    secret_token: str = field(repr=False)
    path: str = "/telegram"
    delete_on_stop: bool = False

    @property
    def full_url(self) -> str:
        """Return the public URL Telegram posts updates to."""
        return self.url.rstrip("/") + self.path


@dataclass(frozen=True)
class ServerConfig:
    """The bot's own HTTP server: health, readiness, metrics and (in webhook mode) Telegram's updates."""

    listen: str = "127.0.0.1"
    port: int = 0
    outbox_ready_limit: int = 100
    # Where admins' browsers reach this server (the admin page's sign-in links); empty: derived from listen/port.
    public_url: str = ""
    admin_link_minutes: float = 10.0
    admin_session_hours: float = 12.0

    @property
    def base_url(self) -> str:
        """Return the address admins open the admin page at, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.listen in ("", "0.0.0.0", "::") else self.listen
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class TelegramConfig:
    """How to reach the Telegram Bot API."""

    token: str = field(repr=False)
    api_base_url: str = CLOUD_BOT_API
    file_base_url: str = CLOUD_FILE_API
    local_mode: bool = False
    webhook: WebhookConfig | None = None

    @property
    def download_limit(self) -> int | None:
        """Largest file the bot may download: 20 MB on the cloud Bot API, none on a local server."""
        return None if self.local_mode else CLOUD_DOWNLOAD_LIMIT


@dataclass(frozen=True)
class JiraConfig:
    """How to reach Jira and where issues go."""

    url: str
    project: str
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)
    pat: str | None = field(default=None, repr=False)
    timeout: float = 20.0
    language: str = "en"
    # Telegram user (numeric id or @username) -> Jira user (email on Cloud, user name on Data Center).
    reporters: tuple[tuple[int | str, str], ...] = ()
    # Parallel connections to Jira, each on its own thread with its own python-jira client.
    workers: int = 4
    # How long Jira's search may take to show a new issue (Cloud's search/jql is eventually consistent).
    search_consistency_seconds: float = 60.0

    def reporter_for(self, user_id: int, username: str | None) -> str | None:
        """Return the Jira user a Telegram user files as, if the config names one."""
        table = dict(self.reporters)
        return table.get(user_id) or (table.get(f"@{username.lower()}") if username else None)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be logged."""
        return tuple(s for s in (self.api_token, self.pat) if s)


@dataclass(frozen=True)
class AccessConfig:
    """Who may use the bot: numeric Telegram ids or @usernames."""

    admins: tuple[int | str, ...] = ()
    users: tuple[int | str, ...] = ()


@dataclass(frozen=True)
class DeliveryConfig:
    """How long and how often Jira is retried for a confirmed request."""

    max_age_hours: float = 72.0
    first_retry_seconds: float = 10.0
    max_retry_seconds: float = 900.0


@dataclass(frozen=True)
class NoticesConfig:
    """What salespeople hear about their issues, and how Jira's changes reach the bot."""

    events: tuple[str, ...] = ("status", "comment", "assignee", "resolution", "duedate")
    merge_seconds: float = 60.0
    poll_seconds: float = 60.0
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_token: str | None = field(default=None, repr=False)
    needs_info_markers: tuple[str, ...] = ("@sales", "[?]")
    needs_info_statuses: tuple[str, ...] = ("Waiting for sales",)
    answer_transition: str | None = None


@dataclass(frozen=True)
class DeadlinesConfig:
    """Guarding the dates salespeople promised: when they are warned, and whether the assignee hears in Jira."""

    warn_days: int = 2
    comment_in_jira: bool = False


@dataclass(frozen=True)
class FeedbackConfig:
    """Asking whether a resolved issue solved the customer's problem; a "not solved" may reopen it."""

    # The transition (or its target status) that reopens an issue; None: a "not solved" only comments.
    reopen_transition: str | None = None


@dataclass(frozen=True)
class ExtractorConfig:
    """An optional external model that reads informal asks; the offline reading is used without it."""

    url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = 3.0


@dataclass(frozen=True)
class ApprovalConfig:
    """Requests that wait for an approver before going to Jira (a template's own rule wins), and reminders."""

    rule: ApprovalRule | None = None
    remind_hours: float = 4.0


@dataclass(frozen=True)
class SpeechConfig:
    """An optional speech-to-text endpoint (OpenAI-compatible) that turns voice notes into typed asks."""

    url: str  # the server's base, e.g. http://127.0.0.1:8080; the bot posts to {url}/v1/audio/transcriptions
    model: str = "whisper-1"
    api_key: str | None = field(default=None, repr=False)  # read from the environment variable api_key_env
    timeout: float = 20.0
    max_seconds: int = 300
    max_bytes: int = 25 * 1024 * 1024


@dataclass(frozen=True)
class GroupsConfig:
    """The bot in the team's group chats: /ticket as a reply, and a 🎫 reaction where the bot may see reactions."""

    reactions: bool = False
    # The reaction that files a message: a standard reaction emoji, or the emoji a custom one stands for.
    reaction: str = "🎫"
    # How long group messages are kept, so a 🎫 reaction to one can quote it (only when reactions are on).
    remember_hours: float = 48.0


@dataclass(frozen=True)
class Config:
    """Everything ticketsmith reads from its config file."""

    path: Path
    templates_path: Path
    storage_path: Path
    customers_path: Path | None
    timezone: ZoneInfo
    jira_project: str
    jira_language: str
    access: AccessConfig
    draft_expire_hours: float
    delivery: DeliveryConfig
    telegram: TelegramConfig | None = None
    jira: JiraConfig | None = None
    log_format: str = "text"
    log_level: str = "info"
    server: ServerConfig = field(default_factory=ServerConfig)
    notices: NoticesConfig = field(default_factory=NoticesConfig)
    extractor: ExtractorConfig | None = None
    approval: ApprovalConfig = field(default_factory=ApprovalConfig)
    speech: SpeechConfig | None = None
    groups: GroupsConfig = field(default_factory=GroupsConfig)
    deadlines: DeadlinesConfig = field(default_factory=DeadlinesConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value in the config, to keep out of logs."""
        found = list(self.jira.secrets if self.jira else ())
        if self.telegram:
            found.append(self.telegram.token)
            if self.telegram.webhook:
                found.append(self.telegram.webhook.secret_token)
        found.extend(s for s in (self.notices.webhook_secret, self.notices.webhook_token) if s)
        if self.extractor is not None and self.extractor.token:
            found.append(self.extractor.token)
        if self.speech is not None and self.speech.api_key:
            found.append(self.speech.api_key)
        found.extend(_url_credentials(self))
        return tuple(found)


def _url_credentials(config: Config) -> list[str]:
    """Return the secrets written into the config's URLs: each password, or a user standing alone (a token)."""
    urls = [config.jira.url if config.jira else "", config.extractor.url if config.extractor else "",
            config.speech.url if config.speech else ""]
    if config.telegram is not None:
        urls += [config.telegram.api_base_url, config.telegram.file_base_url,
                 config.telegram.webhook.url if config.telegram.webhook else ""]
    found: list[str] = []
    for url in urls:
        with contextlib.suppress(ValueError):
            parts = urlsplit(url)
            secret = parts.password or parts.username
            if secret:
                found.append(secret)
    return found


class _Reader:
    """Reads one config document, collecting every problem."""

    def __init__(self, document: LineDict, source: str, env: Mapping[str, str]) -> None:
        self.doc = document
        self.source = source
        self.env = env
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.source}, line {line}: {message}" if line else f"{self.source}: {message}")

    def expand(self, value: Any, where: str, line: int) -> Any:
        """Replace ${VAR} and ${VAR:-default} from the environment, recursively."""
        if isinstance(value, str):
            def one(match: re.Match[str]) -> str:
                name, default = match[1], match[2]
                if name in self.env and self.env[name] != "":
                    return self.env[name]
                if default is not None:
                    return default
                self.problem(line, f"{where} needs the environment variable {name}, which is not set")
                return ""
            return _VARIABLE.sub(one, value)
        if isinstance(value, list):
            return [self.expand(v, where, line) for v in value]
        if isinstance(value, Mapping):
            return {k: self.expand(v, f"{where}.{k}", line) for k, v in value.items()}
        return value

    def section(self, name: str) -> LineDict:
        value = self.doc.get(name, LineDict())
        if not isinstance(value, LineDict):
            self.problem(self.doc.line_of(name), f"'{name}' must be a mapping")
            return LineDict()
        return value

    def get(self, section: LineDict, name: str, key: str, kind: type | tuple[type, ...], default: Any = None,
            *, required: bool = False) -> Any:
        line = section.line_of(key)
        label = f"{name}.{key}" if name else key
        if key not in section or section[key] is None:
            if required:
                self.problem(section.line or self.doc.line_of(name), f"'{label}' is missing")
            return default
        before = len(self.problems)
        value = self.expand(section[key], label, line)
        if len(self.problems) > before:
            return default
        if isinstance(value, str) and kind is not str and kind != (str,):
            value = _coerce(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
            self.problem(line, f"'{label}' must be {_kind_name(kind)}")
            return default
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                if required:
                    self.problem(line, f"'{label}' is empty")
                return default
        return value

    def path(self, base: Path, value: str | None) -> Path | None:
        return None if not value else (base / value if not Path(value).is_absolute() else Path(value))


def _coerce(value: str) -> Any:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    try:
        return int(lowered)
    except ValueError:
        pass
    try:
        return float(lowered)
    except ValueError:
        return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a text", int: "a whole number", float: "a number", bool: "true or false", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def masked(value: object) -> str:
    """Describe a value that failed its check without showing it: it may be a secret pasted in the wrong place."""
    if isinstance(value, str):
        text = value.strip()
        # A long value keeps its first two characters, enough to recognise it and too few to use it.
        return f"'{text[:2] if len(text) >= 8 else ''}***', a text of {len(text)} characters"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, Mapping) else "an empty value"


def _people(reader: _Reader, section: LineDict, key: str) -> tuple[int | str, ...]:
    raw = reader.get(section, "access", key, list, [])
    written = section.get(key)
    people: list[int | str] = []
    for index, item in enumerate(raw):
        if (isinstance(item, int) and not isinstance(item, bool)) or (isinstance(item, str) and item.strip().isdigit()):
            people.append(int(item))
        elif isinstance(item, str) and re.fullmatch(r"@?[A-Za-z0-9_]{3,32}", item.strip()):
            people.append("@" + item.strip().lstrip("@").lower())
        else:
            line = written.line_of(index) if isinstance(written, LineList) else section.line_of(key)
            reader.problem(line, f"'access.{key}' entry {index + 1} ({masked(item)}) is neither a numeric Telegram "
                           "id nor an @username")
    return tuple(people)


def _webhook(reader: _Reader, telegram: LineDict) -> WebhookConfig | None:
    raw = telegram.get("webhook")
    if raw is None:
        return None
    if not isinstance(raw, LineDict):
        reader.problem(telegram.line_of("webhook"), "'telegram.webhook' must be a mapping (url, path, secret_token)")
        return None
    url = reader.get(raw, "telegram.webhook", "url", str)
    if not url:
        return None  # an empty url (e.g. an unset variable with an empty default) means long polling
    secret = reader.get(raw, "telegram.webhook", "secret_token", str, required=True)
    path = reader.get(raw, "telegram.webhook", "path", str, "/telegram")
    delete = reader.get(raw, "telegram.webhook", "delete_on_stop", bool, False)
    if not url.startswith("https://"):
        reader.problem(raw.line_of("url"), "'telegram.webhook.url' must be an https:// address (Telegram's rule)")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        reader.problem(raw.line_of("secret_token"),
                       "'telegram.webhook.secret_token' may contain only A-Z, a-z, 0-9, _ and - (1-256 characters)")
    if not path.startswith("/"):
        reader.problem(raw.line_of("path"), "'telegram.webhook.path' must start with /")
    return WebhookConfig(url, secret or "", path, delete)


def _notices(reader: _Reader, section: LineDict) -> NoticesConfig:
    default = NoticesConfig()
    events = tuple(str(e) for e in reader.get(section, "notices", "events", list, list(default.events)))
    for event in events:
        if event not in default.events:
            reader.problem(section.line_of("events"),
                           f"'notices.events' has '{event}'; use any of {', '.join(default.events)}")
    return NoticesConfig(
        events=events,
        merge_seconds=float(reader.get(section, "notices", "merge_seconds", (int, float), default.merge_seconds)),
        poll_seconds=float(reader.get(section, "notices", "poll_seconds", (int, float), default.poll_seconds)),
        webhook_secret=reader.get(section, "notices", "webhook_secret", str),
        webhook_token=reader.get(section, "notices", "webhook_token", str),
        needs_info_markers=tuple(str(m) for m in reader.get(section, "notices", "needs_info_markers", list,
                                                            list(default.needs_info_markers))),
        needs_info_statuses=tuple(str(s) for s in reader.get(section, "notices", "needs_info_statuses", list,
                                                             list(default.needs_info_statuses))),
        answer_transition=reader.get(section, "notices", "answer_transition", str),
    )


def _deadlines(reader: _Reader, section: LineDict) -> DeadlinesConfig:
    default = DeadlinesConfig()
    warn_days = reader.get(section, "deadlines", "warn_days", int, default.warn_days)
    if not 0 <= warn_days <= 60:
        reader.problem(section.line_of("warn_days"), f"'deadlines.warn_days' must be between 0 and 60, not {warn_days}")
        warn_days = default.warn_days
    return DeadlinesConfig(warn_days=warn_days, comment_in_jira=bool(
        reader.get(section, "deadlines", "comment_in_jira", bool, default.comment_in_jira)))


def _feedback(reader: _Reader, section: LineDict) -> FeedbackConfig:
    return FeedbackConfig(reopen_transition=reader.get(section, "feedback", "reopen_transition", str))


def _reporters(reader: _Reader, section: LineDict, raw: Mapping[str, Any]) -> tuple[tuple[int | str, str], ...]:
    found: list[tuple[int | str, str]] = []
    for who, jira_user in raw.items():
        key: int | str = int(who) if str(who).isdigit() else "@" + str(who).lstrip("@").lower()
        if not isinstance(jira_user, str) or not jira_user.strip():
            reporters_line = section.line_of("reporters")
            reader.problem(reporters_line, f"'jira.reporters' entry {who!r} must name a Jira user (email or name)")
            continue
        found.append((key, jira_user.strip()))
    return tuple(found)


def _public_url(reader: _Reader, section: LineDict) -> str:
    """Read the admin page's public address: an http(s) scheme, host and port."""
    url = reader.get(section, "server", "public_url", str, "") or ""
    # The admin page links to /admin/... on this address, so it has no path of its own.
    if url and not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?/?", url):
        reader.problem(section.line_of("public_url"), "'server.public_url' must be an http:// or https:// address "
                       "without a path, e.g. https://bot.example.com")
        return ""
    return url.rstrip("/")


def _extractor(reader: _Reader, section: LineDict) -> ExtractorConfig | None:
    """Read the optional model endpoint: an http(s) URL, a token (from the environment) and a short timeout."""
    url = reader.get(section, "extractor", "url", str, "") or ""
    if not url:
        return None
    if not re.fullmatch(r"https?://\S+", url):
        reader.problem(section.line_of("url"), "'extractor.url' must be an http:// or https:// address")
        return None
    timeout = float(reader.get(section, "extractor", "timeout", (int, float), 3.0))
    if not 0 < timeout <= 10:
        # The salesperson waits for the reply: a slow model must not hold the dialog up.
        reader.problem(section.line_of("timeout"), "'extractor.timeout' must be more than 0 and at most 10 seconds")
        timeout = 3.0
    return ExtractorConfig(url, reader.get(section, "extractor", "token", str, None), timeout)


def _approval(reader: _Reader, section: LineDict, line: int) -> ApprovalConfig:
    """Read the bot-wide approval rule (when and approvers, both or neither) and the reminder period."""
    remind = float(reader.get(section, "approval", "remind_hours", (int, float), 4.0))
    if remind <= 0:
        reader.problem(section.line_of("remind_hours"), "'approval.remind_hours' must be more than 0")
        remind = 4.0
    rule_part = LineDict({k: v for k, v in section.items() if k != "remind_hours"})
    rule_part.line, rule_part.key_lines = section.line or line, dict(section.key_lines)
    rule = parse_rule(rule_part, section.line or line, "approval", reader.problem) if rule_part else None
    return ApprovalConfig(rule, remind)


def _speech(reader: _Reader, section: LineDict) -> SpeechConfig | None:
    """Read the optional speech-to-text endpoint: base URL, model, key (named by an environment variable), limits."""
    url = reader.get(section, "speech", "url", str, "") or ""
    if not url:
        return None
    if not re.fullmatch(r"https?://\S+", url):
        reader.problem(section.line_of("url"), "'speech.url' must be an http:// or https:// address, "
                       "e.g. http://127.0.0.1:8080 (the bot adds /v1/audio/transcriptions)")
        return None
    base = url.rstrip("/").removesuffix("/v1/audio/transcriptions").removesuffix("/v1")
    model = reader.get(section, "speech", "model", str, "whisper-1") or "whisper-1"
    key_env = reader.get(section, "speech", "api_key_env", str, None)
    if key_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key_env):
        reader.problem(section.line_of("api_key_env"), "'speech.api_key_env' must name an environment variable, "
                       "e.g. SPEECH_API_KEY (the key itself never goes in the file)")
        key_env = None
    api_key = (reader.env.get(key_env) or None) if key_env else None
    timeout = float(reader.get(section, "speech", "timeout_seconds", (int, float), 20.0))
    if not 0 < timeout <= 120:
        reader.problem(section.line_of("timeout_seconds"),
                       "'speech.timeout_seconds' must be more than 0 and at most 120 seconds")
        timeout = 20.0
    max_seconds = reader.get(section, "speech", "max_seconds", int, 300)
    if not 1 <= max_seconds <= 3600:
        reader.problem(section.line_of("max_seconds"), "'speech.max_seconds' must be between 1 and 3600")
        max_seconds = 300
    max_mb = float(reader.get(section, "speech", "max_mb", (int, float), 25))
    if not 0 < max_mb <= 1024:
        reader.problem(section.line_of("max_mb"), "'speech.max_mb' must be more than 0 and at most 1024")
        max_mb = 25.0
    return SpeechConfig(base, model, api_key, timeout, max_seconds, int(max_mb * 1024 * 1024))


def _groups(reader: _Reader, section: LineDict) -> GroupsConfig:
    """Read how the bot behaves in group chats."""
    reactions = reader.get(section, "groups", "reactions", bool, False)
    reaction = reader.get(section, "groups", "reaction", str, "🎫") or "🎫"
    if len(reaction) > 8 or any(c.isalnum() or c.isspace() for c in reaction):
        reader.problem(section.line_of("reaction"), "'groups.reaction' must be one emoji, e.g. 🎫 or ✍")
        reaction = "🎫"
    hours = float(reader.get(section, "groups", "remember_hours", (int, float), 48))
    if not 0 < hours <= 24 * 30:
        reader.problem(section.line_of("remember_hours"), "'groups.remember_hours' must be more than 0 and at "
                       "most 720 (30 days)")
        hours = 48.0
    return GroupsConfig(bool(reactions), reaction, hours)


def _positive(reader: _Reader, section: LineDict, key: str, default: float) -> float:
    """Read a server setting that must be a number above zero."""
    value = float(reader.get(section, "server", key, (int, float), default))
    if value <= 0:
        reader.problem(section.line_of(key), f"'server.{key}' must be more than 0")
        return default
    return value


def load_config(path: Path, *, need_telegram: bool = True, need_jira: bool = True,
                env: Mapping[str, str] | None = None) -> Config:
    """Read and check the config file; sections not needed for a command are not required."""
    document = read_yaml(path)
    source = str(path)
    if not isinstance(document, LineDict):
        raise ConfigError([f"{source}: expected a mapping of sections ({', '.join(sorted(_SECTIONS))})"])
    reader = _Reader(document, source, os.environ if env is None else env)
    for key in document:
        if key not in _SECTIONS:
            reader.problem(document.line_of(key), f"unknown section '{key}'")
    base = path.parent

    telegram = None
    tg = reader.section("telegram")
    if need_telegram:
        token = reader.get(tg, "telegram", "token", str, required=True)
        api = reader.get(tg, "telegram", "api_base_url", str, CLOUD_BOT_API)
        files = reader.get(tg, "telegram", "file_base_url", str, CLOUD_FILE_API)
        local = reader.get(tg, "telegram", "local_mode", bool, False)
        if token and not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
            reader.problem(tg.line_of("token"), "'telegram.token' does not look like a bot token (digits:letters)")
        telegram = TelegramConfig(token or "", api, files, local, _webhook(reader, tg))

    jira = None
    jr = reader.section("jira")
    project = reader.get(jr, "jira", "project", str, "SUP", required=need_jira)
    if project and not re.fullmatch(r"[A-Z][A-Z0-9_]+", project):
        reader.problem(jr.line_of("project"), f"'jira.project' {project!r} is not a Jira project key")
    language = reader.get(jr, "jira", "language", str, "en")
    if language not in LANGUAGES:
        reader.problem(jr.line_of("language"), f"'jira.language' must be one of {', '.join(LANGUAGES)}")
        language = "en"
    if need_jira:
        url = reader.get(jr, "jira", "url", str, required=True)
        email = reader.get(jr, "jira", "email", str)
        token = reader.get(jr, "jira", "api_token", str)
        pat = reader.get(jr, "jira", "pat", str)
        timeout = float(reader.get(jr, "jira", "timeout", (int, float), 20.0))
        reporters = _reporters(reader, jr, reader.get(jr, "jira", "reporters", dict, {}))
        workers = reader.get(jr, "jira", "workers", int, 4)
        if not 1 <= workers <= 16:
            reader.problem(jr.line_of("workers"), f"'jira.workers' must be between 1 and 16, not {workers}")
            workers = 4
        if url and not re.match(r"^https?://", url):
            reader.problem(jr.line_of("url"), "'jira.url' must start with https:// (or http://)")
        if not pat and not (email and token):
            reader.problem(jr.line or document.line_of("jira"),
                           "Jira needs 'jira.email' and 'jira.api_token' (Cloud) or 'jira.pat' (Data Center)")
        consistency = float(reader.get(jr, "jira", "search_consistency_seconds", (int, float), 60))
        if not 0 <= consistency <= 3600:
            reader.problem(jr.line_of("search_consistency_seconds"),
                           "'jira.search_consistency_seconds' must be between 0 and 3600")
            consistency = 60.0
        jira = JiraConfig(url or "", project or "SUP", email, token, pat, timeout, language, reporters, workers,
                          search_consistency_seconds=consistency)

    storage = reader.section("storage")
    storage_path = reader.get(storage, "storage", "path", str, "ticketsmith.db")
    templates_value = reader.get(document, "", "templates", str, None)
    if not templates_value:
        reader.problem(document.line_of("templates"), "'templates' must name the templates file")
    customers_value = reader.get(document, "", "customers", str, None)
    zone_name = reader.get(document, "", "timezone", str, "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        reader.problem(document.line_of("timezone"), f"unknown time zone {zone_name!r} (e.g. Europe/Berlin)")
        zone = ZoneInfo("UTC")
    access = reader.section("access")
    drafts = reader.section("drafts")
    expire = float(reader.get(drafts, "drafts", "expire_hours", (int, float), 24))
    if expire <= 0:
        reader.problem(drafts.line_of("expire_hours"), "'drafts.expire_hours' must be more than 0")
    delivery = reader.section("delivery")
    logging_section = reader.section("logging")
    log_format = reader.get(logging_section, "logging", "format", str, "text")
    if log_format not in ("text", "json"):
        reader.problem(logging_section.line_of("format"), "'logging.format' must be text or json")
    log_level = str(reader.get(logging_section, "logging", "level", str, "info")).lower()
    if log_level not in LEVELS:
        reader.problem(logging_section.line_of("level"), f"'logging.level' must be one of {', '.join(LEVELS)}")
        log_level = "info"
    people = AccessConfig(_people(reader, access, "admins"), _people(reader, access, "users"))
    server_section = reader.section("server")
    server = ServerConfig(
        listen=reader.get(server_section, "server", "listen", str, "127.0.0.1"),
        port=int(reader.get(server_section, "server", "port", int, 0)),
        outbox_ready_limit=int(reader.get(server_section, "server", "outbox_ready_limit", int, 100)),
        public_url=_public_url(reader, server_section),
        admin_link_minutes=_positive(reader, server_section, "admin_link_minutes", 10.0),
        admin_session_hours=_positive(reader, server_section, "admin_session_hours", 12.0),
    )
    notices = _notices(reader, reader.section("notices"))
    extractor = _extractor(reader, reader.section("extractor"))
    approval = _approval(reader, reader.section("approval"), document.line_of("approval"))
    speech = _speech(reader, reader.section("speech"))
    groups = _groups(reader, reader.section("groups"))
    deadlines = _deadlines(reader, reader.section("deadlines"))
    feedback = _feedback(reader, reader.section("feedback"))
    if telegram is not None and telegram.webhook is not None and server.port == 0:
        reader.problem(server_section.line or document.line_of("telegram"),
                       "webhook mode needs 'server.port', where Telegram's updates arrive (behind your proxy)")
    if reader.problems:
        raise ConfigError(reader.problems)
    return Config(
        path=path,
        templates_path=reader.path(base, templates_value) or base / "templates.yaml",
        storage_path=reader.path(base, storage_path) or base / "ticketsmith.db",
        customers_path=reader.path(base, customers_value),
        timezone=zone,
        jira_project=project or "SUP",
        jira_language=language,
        access=people,
        draft_expire_hours=expire,
        delivery=DeliveryConfig(
            max_age_hours=float(reader.get(delivery, "delivery", "max_age_hours", (int, float), 72)),
            first_retry_seconds=float(reader.get(delivery, "delivery", "first_retry_seconds", (int, float), 10)),
            max_retry_seconds=float(reader.get(delivery, "delivery", "max_retry_seconds", (int, float), 900)),
        ),
        telegram=telegram,
        jira=jira,
        log_format=log_format,
        log_level=log_level,
        server=server,
        notices=notices,
        extractor=extractor,
        approval=approval,
        speech=speech,
        groups=groups,
        deadlines=deadlines,
        feedback=feedback,
    )
