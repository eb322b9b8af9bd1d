"""Counters and timings an operator watches, in Prometheus' text format."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest

# The *_created series double every counter's output and tell an operator nothing here.
disable_created_metrics()  # type: ignore[no-untyped-call]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """One registry per running bot, so tests and several instances never share numbers."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter("ticketsmith_updates_total", "Telegram updates handled, by kind", ["kind"],
                               registry=self.registry)
        self.dialogs = Counter("ticketsmith_dialogs_total", "Dialogs started, completed and abandoned, by template",
                               ["template", "outcome"], registry=self.registry)
        self.jira_calls = Counter("ticketsmith_jira_calls_total", "Jira create attempts, by outcome", ["outcome"],
                                  registry=self.registry)
        self.outbox_depth = Gauge("ticketsmith_outbox_depth", "Confirmed requests not yet fully in Jira",
                                  registry=self.registry)
        self.outbox_oldest = Gauge("ticketsmith_outbox_oldest_seconds", "Age of the oldest request waiting for Jira",
                                   registry=self.registry)
        self.notices = Counter("ticketsmith_notices_sent_total", "Messages the bot sent on its own initiative",
                               ["kind"], registry=self.registry)
        self.transcriptions = Counter("ticketsmith_voice_notes_total",
                                      "Voice notes read: heard, or why not (off, long, big, download, down, slow, "
                                      "empty)", ["outcome"], registry=self.registry)
        self.group_asks = Counter("ticketsmith_group_asks_total", "Group messages filed from, by how they were asked "
                                  "for and what came of it", ["via", "outcome"], registry=self.registry)
        self.latency = Histogram("ticketsmith_handler_seconds", "Time from receiving an update to having handled it",
                                 ["kind"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))

    def render(self) -> bytes:
        """Return every metric in Prometheus' text exposition format."""
        return generate_latest(self.registry)
