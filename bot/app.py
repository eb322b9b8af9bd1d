"""The running bot as one typed object, built whole at start-up by build_app and closed at shutdown."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Protocol

from bot.config import Config, NoticesConfig, SpeechConfig
from bot.delivery.inbox import Inbox, NoticeSink
from bot.delivery.notices import NoticePolicy
from bot.delivery.outbox import DeliveryListener, FileSource, Outbox
from bot.expectations.deadlines import DeadlineGuard, DeadlineSink
from bot.expectations.estimate import Estimates
from bot.expectations.feedback import Feedback, FeedbackSink
from bot.intake.customers import Customer, CustomerDirectory, read_customers
from bot.intake.dialog import Engine
from bot.intake.model import ModelExtractor
from bot.intake.speech import SpeechToText
from bot.jira.events import kinds
from bot.jira.gateway import JiraGateway
from bot.jira.similar_search import SimilarSearches
from bot.memory import hold_allocator_thresholds, release_freed_memory
from bot.metrics import Metrics
from bot.people.access import Access
from bot.people.audit import Audit
from bot.reports.dashboard_cache import Dashboards
from bot.storage.store import Store
from bot.templates.jira_check import JiraCheck
from bot.templates.library import TemplateLibrary
from bot.templates.schema import load_templates


class Chat(Protocol):
    """The messenger the background workers speak through (Telegram, for the bot)."""

    def files(self) -> FileSource:
        """Return where the files people sent are fetched from."""

    def delivery_listener(self, app: App) -> DeliveryListener:
        """Return who tells people how delivering their requests and replies went."""

    def notice_sink(self, app: App) -> NoticeSink:
        """Return where Jira's changes are sent to the salespeople concerned."""

    def expectation_sink(self, app: App) -> ExpectationSink:
        """Return where deadline notices and "was it solved?" questions are sent."""


class ExpectationSink(DeadlineSink, FeedbackSink, Protocol):
    """Where deadline notices and "was it solved?" questions go."""


@dataclass
class App:
    """Everything the handlers need, each part built once by build_app before the bot takes an update."""

    config: Config
    store: Store
    engine: Engine
    access: Access
    audit: Audit
    gateway: JiraGateway
    library: TemplateLibrary
    searches: SimilarSearches
    metrics: Metrics
    clock: Callable[[], float]
    model: ModelExtractor | None  # None when the config has no extractor section
    templates_lock: asyncio.Lock  # one publish, reload or rollback at a time goes from reading to publishing
    templates_check: JiraCheck | None  # Jira's verdict on the live templates; None until start-up has asked
    chat: InitVar[Chat]
    speech: SpeechToText | None = None  # None when the config has no speech section
    files: FileSource = field(init=False)  # the files people sent, fetched from the chat service
    outbox: Outbox = field(init=False)
    inbox: Inbox = field(init=False)
    estimates: Estimates = field(init=False)
    deadlines: DeadlineGuard = field(init=False)
    feedback: Feedback = field(init=False)
    dashboards: Dashboards = field(init=False)

    def __post_init__(self, chat: Chat) -> None:
        # Built last: the chat side's sinks keep this app to reach the people, store and metrics they report to.
        notices = self.config.notices
        self.files = chat.files()
        self.outbox = Outbox(self.store, self.gateway, chat.delivery_listener(self), self.config.delivery,
                             files=self.files, clock=self.clock, metrics=self.metrics,
                             answer_transition=_answer_transition(notices))
        self.inbox = Inbox(self.store, chat.notice_sink(self), _notice_policy(notices),
                           issue_url=self.gateway.issue_url, window=notices.merge_seconds, clock=self.clock)
        self.estimates = Estimates(self.store, self.clock)
        # The summary card says what to expect from figures kept up to date in the background.
        self.engine.expect = lambda template, priority, lang: self.estimates.line(
            template, priority, lang, self.config.jira_project)
        sink = chat.expectation_sink(self)
        self.deadlines = DeadlineGuard(self.store, self.gateway, sink, self.config.deadlines,
                                       zone=self.config.timezone, jira_lang=self.config.jira_language,
                                       issue_url=self.gateway.issue_url, kick_outbox=self.outbox.kick,
                                       clock=self.clock)
        self.feedback = Feedback(self.store, self.gateway, sink, self.config, lambda: self.inbox.policy,
                                 clock=self.clock)
        self.inbox.after = self.feedback.on_events
        self.dashboards = Dashboards(self.store, self.clock)

    def now(self) -> datetime:
        """Return the current time in the configured time zone."""
        return datetime.fromtimestamp(self.clock(), self.config.timezone)


def _notice_policy(notices: NoticesConfig) -> NoticePolicy:
    """Return which of Jira's changes reach salespeople (the bot's own Jira account is learned at start)."""
    return NoticePolicy(kinds=kinds(notices.events), needs_info_markers=notices.needs_info_markers,
                        needs_info_statuses=notices.needs_info_statuses)


def _answer_transition(notices: NoticesConfig) -> tuple[tuple[str, ...], str] | None:
    return (notices.needs_info_statuses, notices.answer_transition) if notices.answer_transition else None


def build_directory(config: Config, store: Store | None = None) -> CustomerDirectory:
    """Load the customer directory from the config's file plus customers used before."""
    customers: Iterable[Customer] = read_customers(config.customers_path) if config.customers_path else ()
    if store is not None:
        customers = chain(customers, (Customer(name) for name in store.used_customers()))
    return CustomerDirectory(customers)


def build_engine(config: Config, directory: CustomerDirectory, clock: Callable[[], float] = time.time,
                 file_limit: int | None = None, *, library: TemplateLibrary | None = None) -> Engine:
    """Create the dialog engine for the config's templates (with a library: its live version)."""
    templates = library.boot()[0] if library is not None else load_templates(config.templates_path)
    engine = Engine(templates, directory, clock=lambda: datetime.fromtimestamp(clock(), config.timezone),
                    default_project=config.jira_project, jira_lang=config.jira_language, file_limit=file_limit,
                    voice_seconds=config.speech.max_seconds if config.speech else SpeechConfig.max_seconds)
    if library is not None:
        engine.older = library.set_for
    return engine


def open_store(path: Path, clock: Callable[[], float] = time.time) -> Store:
    """Open (and migrate) the database, creating its folder if needed."""
    return Store(path, clock)


def build_app(config: Config, chat: Chat, *, clock: Callable[[], float] = time.time) -> App:
    """Open the store and build every part of the running bot, as `ticketsmith run` uses them."""
    assert config.telegram is not None and config.jira is not None, "running the bot needs telegram and jira"
    hold_allocator_thresholds()
    store = open_store(config.storage_path, clock)
    library = TemplateLibrary(store, config.templates_path)
    engine = build_engine(config, build_directory(config, store), clock, config.telegram.download_limit,
                          library=library)
    gateway = JiraGateway(config.jira)
    extractor = config.extractor
    model = ModelExtractor(extractor.url, token=extractor.token, timeout=extractor.timeout) if extractor else None
    release_freed_memory()  # the scratch space of loading the customers and templates
    return App(config=config, store=store, engine=engine, access=Access(config.access, store), audit=Audit(store),
               gateway=gateway, library=library, searches=SimilarSearches(gateway.similar), metrics=Metrics(),
               clock=clock, model=model, templates_lock=asyncio.Lock(), templates_check=None, chat=chat,
               speech=SpeechToText(config.speech) if config.speech else None)
