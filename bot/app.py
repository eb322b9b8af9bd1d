"""The long-lived parts of a running bot, created at start-up and closed at shutdown."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.delivery.inbox import Inbox
from bot.delivery.outbox import Outbox
from bot.intake.customers import Customer, CustomerDirectory, load_customers
from bot.intake.dialog import Engine
from bot.intake.model import ModelExtractor
from bot.jira.gateway import JiraGateway
from bot.jira.similar_search import SimilarSearches
from bot.metrics import Metrics
from bot.people.access import Access
from bot.people.audit import Audit
from bot.storage.store import Store
from bot.templates.library import TemplateLibrary
from bot.templates.schema import load_templates


@dataclass
class App:
    """Everything the handlers need, in one place."""

    config: Config
    store: Store
    engine: Engine
    access: Access
    clock: Callable[[], float] = time.time
    gateway: JiraGateway | None = None
    outbox: Outbox | None = None
    inbox: Inbox | None = None
    library: TemplateLibrary | None = None
    metrics: Metrics = field(default_factory=Metrics)
    model: ModelExtractor | None = None
    searches: SimilarSearches | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.searches is None and self.gateway is not None:
            self.searches = SimilarSearches(self.gateway.similar)

    @property
    def audit(self) -> Audit:
        """Return the admins' audit log."""
        return Audit(self.store)

    def now(self) -> datetime:
        """Return the current time in the configured time zone."""
        return datetime.fromtimestamp(self.clock(), self.config.timezone)


def build_directory(config: Config, store: Store | None = None) -> CustomerDirectory:
    """Load the customer directory from the config's file plus customers used before."""
    customers: list[Customer] = load_customers(config.customers_path) if config.customers_path else []
    directory = CustomerDirectory(customers)
    if store is not None:
        for name in store.used_customers():
            directory.add(Customer(name))
    return directory


def build_engine(config: Config, directory: CustomerDirectory, clock: Callable[[], float] = time.time,
                 file_limit: int | None = None, *, library: TemplateLibrary | None = None) -> Engine:
    """Create the dialog engine for the config's templates (with a library: its live version)."""
    templates = library.boot()[0] if library is not None else load_templates(config.templates_path)
    engine = Engine(templates, directory, clock=lambda: datetime.fromtimestamp(clock(), config.timezone),
                    default_project=config.jira_project, jira_lang=config.jira_language, file_limit=file_limit)
    if library is not None:
        engine.older = library.set_for
    return engine


def open_store(path: Path, clock: Callable[[], float] = time.time) -> Store:
    """Open (and migrate) the database, creating its folder if needed."""
    return Store(path, clock)


def build_services(config: Config) -> App:
    """Open the store and build the engine, access rules and Jira gateway, as `ticketsmith run` uses them."""
    assert config.telegram is not None and config.jira is not None, "running the bot needs telegram and jira"
    store = open_store(config.storage_path)
    library = TemplateLibrary(store, config.templates_path)
    engine = build_engine(config, build_directory(config, store), file_limit=config.telegram.download_limit,
                          library=library)
    return App(config, store, engine, Access(config.access, store), gateway=JiraGateway(config.jira),
               library=library)
