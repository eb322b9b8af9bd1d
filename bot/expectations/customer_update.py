"""A short status text a salesperson can copy or forward to the customer: status, what happens next, the date."""

from __future__ import annotations

from datetime import date

from bot.app import App
from bot.delivery.notices import SUMMARY_CLIP, VALUE_CLIP
from bot.delivery.replies import may_reply
from bot.i18n.catalog import t
from bot.jira.gateway import IssueState
from bot.jira.ticket import Reporter
from bot.text.dates import format_date
from bot.text.screen import clip


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def update_text(state: IssueState, promised: str | None, lang: str, waiting_statuses: tuple[str, ...]) -> str:
    """Return the customer's update: the issue's status, what happens next, and the expected date if known.

    The expected date is the issue's due date in Jira; when engineering moved it away from the date the
    salesperson promised, the text gives the new one and the old.
    """
    lines = [t("update_head", lang, summary=clip(state.summary, SUMMARY_CLIP)),
             t("update_status", lang, status=clip(state.status, VALUE_CLIP))]
    waiting = state.status.casefold() in {status.casefold() for status in waiting_statuses}
    if state.done:
        lines.append(t("update_next_done", lang))
    elif waiting:
        lines.append(t("update_next_waiting", lang))
    elif state.category == "new":
        lines.append(t("update_next_new", lang))
    else:
        lines.append(t("update_next_working", lang))
    expected, was = _date(state.duedate), _date(promised)
    if expected is not None and not state.done:
        if was is not None and was != expected:
            lines.append(t("update_expected_moved", lang, date=format_date(expected, lang), old=format_date(was, lang)))
        else:
            lines.append(t("update_expected", lang, date=format_date(expected, lang)))
    return "\n".join(lines)


async def customer_update(svc: App, person: Reporter, issue_key: str, lang: str) -> str | None:
    """Return the status text for the customer of an issue the person follows; None when it is not theirs.

    Raises DeliveryError when Jira cannot say where the issue stands.
    """
    if not may_reply(svc, person, issue_key):
        return None
    state = await svc.gateway.issue_state(issue_key)
    request = svc.store.request_by_key(issue_key)
    promised = request.ticket.duedate if request is not None else None
    return update_text(state, promised, lang, svc.config.notices.needs_info_statuses)
