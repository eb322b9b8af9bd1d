"""The admins' reports as queries: the request log, searchable and filtered, and the dashboard's requests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.storage.base import StoreBase
from bot.text.screen import whole_number

# What admins filter by, one word each, the same words RequestRow.status gives; "open" and "resolved" are Jira's side.
STATUSES = ("waiting", "needs-attention", "open", "resolved")
_STATUS_SQL = {
    "waiting": "r.jira_key IS NULL AND r.state <> 'needs-attention'",
    "needs-attention": "r.state = 'needs-attention' AND r.resolved_at IS NULL",
    "open": "r.jira_key IS NOT NULL AND r.state <> 'needs-attention' AND r.resolved_at IS NULL",
    "resolved": "r.resolved_at IS NOT NULL",
}
_COLUMNS = (
    "r.id, r.created_at, r.user_id, COALESCE(u.name, ''), u.username, r.template_id, "
    "json_extract(r.ticket, '$.customer'), json_extract(r.ticket, '$.priority'), json_extract(r.ticket, '$.summary'), "
    "r.state, r.jira_key, r.jira_url, r.first_response_at, r.resolved_at, r.followups"
)


@dataclass(frozen=True)
class RequestFilter:
    """What an admin searches for; empty fields match everything."""

    text: str = ""
    requester: str = ""
    customer: str = ""
    template: str = ""
    urgency: str = ""
    status: str = ""


@dataclass(frozen=True)
class RequestRow:
    """One request as the admins' list shows it."""

    id: str
    created_at: float
    requester_id: int
    requester_name: str
    requester_username: str | None
    template_id: str
    customer: str | None
    urgency: str | None
    summary: str
    state: str
    jira_key: str | None
    jira_url: str | None
    first_response_at: float | None
    resolved_at: float | None
    followups: int

    @property
    def status(self) -> str:
        """Return the request's status in the words of STATUSES."""
        if self.resolved_at is not None:
            return "resolved"
        if self.state == "needs-attention":
            return "needs-attention"
        if self.jira_key:
            return "open"
        return "waiting"

    @property
    def time_to_response(self) -> float | None:
        """Return seconds from filing to the first engineer response, if there was one."""
        return None if self.first_response_at is None else max(0.0, self.first_response_at - self.created_at)

    @property
    def time_to_resolution(self) -> float | None:
        """Return seconds from filing to resolution, if resolved."""
        return None if self.resolved_at is None else max(0.0, self.resolved_at - self.created_at)


@dataclass(frozen=True)
class Facets:
    """The values each filter can take, for the list's dropdowns."""

    templates: list[str] = field(default_factory=list)
    urgencies: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    requesters: list[tuple[int, str]] = field(default_factory=list)
    statuses: tuple[str, ...] = STATUSES


class RequestFigures(NamedTuple):
    """One request as the dashboard counts it."""

    created_at: float
    template_id: str
    urgency: str | None
    customer: str | None
    jira_key: str | None
    first_response_at: float | None
    resolved_at: float | None
    followups: int


class UrgencyFigures(NamedTuple):
    """One filed request as the urgency report counts it: what was claimed and what engineering did."""

    template_id: str
    requester_id: int
    requester_name: str
    claimed: str | None
    jira_priority: str | None
    created_at: float
    first_response_at: float | None
    resolved_at: float | None


class ReportStore(StoreBase):
    """Reads the requests and users tables for the admins' reports."""

    def search_requests(self, flt: RequestFilter, limit: int = 50, offset: int = 0) -> tuple[list[RequestRow], int]:
        """Return one page of matching requests, newest first, and how many match in all."""
        where, params = _where(flt)
        joined = "FROM requests r LEFT JOIN users u ON u.id = r.user_id" + where
        total = int(self.db.execute(f"SELECT count(*) {joined}", params).fetchone()[0])
        rows = self.db.execute(f"SELECT {_COLUMNS} {joined} ORDER BY r.created_at DESC, r.id LIMIT ? OFFSET ?",
                               [*params, max(1, limit), max(0, offset)]).fetchall()
        return [_row(tuple(r)) for r in rows], total

    def request_facets(self) -> Facets:
        """Return the values the request log's filters can take, from the requests on record."""
        def column(sql: str) -> list[str]:
            return [str(r[0]) for r in self.db.execute(sql).fetchall() if r[0]]

        return Facets(
            templates=column("SELECT DISTINCT template_id FROM requests ORDER BY template_id"),
            urgencies=column("SELECT DISTINCT json_extract(ticket, '$.priority') AS p FROM requests ORDER BY p"),
            customers=column("SELECT json_extract(ticket, '$.customer') AS c FROM requests WHERE c IS NOT NULL "
                             "GROUP BY c ORDER BY count(*) DESC, c LIMIT 200"),
            requesters=[(int(r[0]), str(r[1] or r[0])) for r in self.db.execute(
                "SELECT DISTINCT r.user_id, COALESCE(u.name, u.username) FROM requests r "
                "LEFT JOIN users u ON u.id = r.user_id ORDER BY 2").fetchall()],
        )

    def requests_created_between(self, since: float, until: float) -> list[RequestFigures]:
        """Return the dashboard's figures of every request created in the period, both ends included."""
        rows = self.db.execute(
            "SELECT created_at, template_id, json_extract(ticket, '$.priority'), json_extract(ticket, '$.customer'), "
            "jira_key, first_response_at, resolved_at, followups FROM requests WHERE created_at >= ? "
            "AND created_at <= ?", [since, until]).fetchall()
        return [RequestFigures(*row) for row in rows]

    def urgency_figures(self, since: float, until: float) -> list[UrgencyFigures]:
        """Return the urgency report's figures of every request filed in Jira in the period, both ends included."""
        rows = self.db.execute(
            "SELECT r.template_id, r.user_id, COALESCE(u.name, u.username, CAST(r.user_id AS TEXT)), "
            "json_extract(r.ticket, '$.priority'), r.jira_priority, r.created_at, r.first_response_at, r.resolved_at "
            "FROM requests r LEFT JOIN users u ON u.id = r.user_id WHERE r.jira_key IS NOT NULL "
            "AND r.created_at >= ? AND r.created_at <= ? ORDER BY r.created_at", [since, until]).fetchall()
        return [UrgencyFigures(*row) for row in rows]


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(flt: RequestFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if flt.text.strip():
        # Search every text an admin might remember: the summary, customer, key, requester and the whole ticket.
        clauses.append("(r.ticket LIKE ? ESCAPE '\\' OR r.jira_key LIKE ? ESCAPE '\\' "
                       "OR u.name LIKE ? ESCAPE '\\' OR u.username LIKE ? ESCAPE '\\')")
        params += [_like(flt.text.strip())] * 4
    if flt.requester.strip():
        who = flt.requester.strip().lstrip("@")
        user_id = whole_number(who)
        if user_id is not None:
            clauses.append("r.user_id = ?")
            params.append(user_id)
        else:
            clauses.append("(u.name LIKE ? ESCAPE '\\' OR u.username LIKE ? ESCAPE '\\')")
            params += [_like(who)] * 2
    if flt.customer.strip():
        clauses.append("json_extract(r.ticket, '$.customer') LIKE ? ESCAPE '\\'")
        params.append(_like(flt.customer.strip()))
    if flt.template:
        clauses.append("r.template_id = ?")
        params.append(flt.template)
    if flt.urgency:
        clauses.append("json_extract(r.ticket, '$.priority') = ?")
        params.append(flt.urgency)
    if flt.status in _STATUS_SQL:
        clauses.append(_STATUS_SQL[flt.status])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(r: Sequence[Any]) -> RequestRow:
    return RequestRow(
        id=str(r[0]), created_at=float(r[1] or 0.0), requester_id=int(r[2]), requester_name=str(r[3]),
        requester_username=r[4] if isinstance(r[4], str) else None, template_id=str(r[5]),
        customer=r[6] if isinstance(r[6], str) else None, urgency=r[7] if isinstance(r[7], str) else None,
        summary=str(r[8] or ""), state=str(r[9]), jira_key=r[10] if isinstance(r[10], str) else None,
        jira_url=r[11] if isinstance(r[11], str) else None,
        first_response_at=float(r[12]) if isinstance(r[12], int | float) else None,
        resolved_at=float(r[13]) if isinstance(r[13], int | float) else None, followups=int(r[14] or 0),
    )
