"""How a filed request went in Jira: first response, resolution, follow-up questions and priority changes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.delivery.notices import NoticePolicy, needs_info, question_text
from bot.jira.events import IssueEvent
from bot.storage.store import Store

# The setting that says the questions of the events kept before questions were recorded have been collected.
BACKFILLED = "followup_questions_backfilled"
# Kinds of change that count as an engineer picking the request up.
RESPONSES = frozenset({"comment", "status", "resolution"})


def record_outcomes(store: Store, issue_key: str, events: Sequence[IssueEvent], policy: NoticePolicy) -> None:
    """Fold an issue's new events into its request's first response, resolution, follow-up questions and the
    priority Jira shows."""
    human = sorted((e for e in events if not policy.by_bot(e)), key=lambda e: e.at)
    if not human:
        return
    with store.transaction():
        # Each event counts once: an inbox batch replayed after a crash (before its events were marked told)
        # must not add its follow-up questions again.
        human = [e for e in human if store.count_event(e.event_id)]
        responded = [e.at for e in human if e.kind in RESPONSES]
        resolutions = [e for e in human if e.kind == "resolution"]
        asking = [e for e in human if needs_info(e, policy)]
        priorities = [e for e in human if e.kind == "priority"]
        outcome = store.request_outcome(issue_key)
        if outcome is None or not human:
            return
        for event in asking:
            text = question_text(event, policy.needs_info_markers)
            if text:
                store.record_question(event.event_id, outcome.request_id, event.at, text)
        if priorities:
            store.set_jira_priority(outcome.request_id, priorities[-1].new)
        created_at, first, resolved = outcome.created_at, outcome.first_response_at, outcome.resolved_at
        if responded:
            # An event can predate the request's row only by clock skew; never report a negative wait.
            earliest = max(min(responded), created_at or 0.0)
            first = earliest if first is None else min(first, earliest)
        if resolutions:
            # The latest change of the resolution wins: a reopened issue is unresolved again.
            resolved = resolutions[-1].at if resolutions[-1].new else None
        store.set_request_outcome(outcome.request_id, first, resolved, len(asking))


def backfill_questions(store: Store, policy: NoticePolicy) -> int:
    """Collect the questions of comments the inbox kept before questions were recorded, once; return how many.

    The follow-up counts already include them: only the questions' words are added, for the templates' insights.
    """
    if store.get_setting(BACKFILLED):
        return 0
    added = 0
    with store.transaction():
        for event_id, data, request_id in store.kept_comments():
            try:
                event = IssueEvent(**json.loads(data))
            except (TypeError, ValueError):
                continue
            if needs_info(event, policy):
                text = question_text(event, policy.needs_info_markers)
                if text and store.record_question(event_id, request_id, event.at, text):
                    added += 1
        store.put_setting(BACKFILLED, "1")
    return added
