"""The admins' reports as queries: the request log (filtered, sorted, paged by keys, searched), the dashboard."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.storage.base import ReadOnly, StoreBase
from bot.text.screen import whole_number

# What admins filter by, one word each, the same words RequestRow.status gives; "open" and "resolved" are Jira's side.
STATUSES = ("approval", "declined", "waiting", "needs-attention", "open", "resolved")
# The columns the list sorts by, each with the indexed column (see migration 0016) that orders it.
SORT_KEYS = {
    "created": "r.created_at", "summary": "r.summary", "requester": "r.requester", "customer": "r.customer",
    "template": "r.template_id", "urgency": "r.urgency", "status": "r.status", "jira": "r.key_sort",
    "response": "r.response_secs", "resolution": "r.resolution_secs", "followups": "r.followups",
}
_COLUMNS = (
    "r.id, r.created_at, r.user_id, r.requester, u.username, r.template_id, r.customer, r.urgency, r.summary, "
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
class RequestSort:
    """Which column the list is sorted by, and which way; ties go newest first, then by the order of filing."""

    column: str = "created"
    descending: bool = True


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
        if self.state in ("needs-attention", "approval", "declined"):
            return self.state
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
class RequestPage:
    """One page of the list, how many match in all, and whether rows come before or after it."""

    rows: list[RequestRow]
    total: int
    earlier: bool
    later: bool


@dataclass(frozen=True)
class Facets:
    """The values each filter can take, for the list's dropdowns."""

    templates: list[str] = field(default_factory=list)
    urgencies: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    requesters: list[tuple[int, str]] = field(default_factory=list)
    statuses: tuple[str, ...] = STATUSES


NEWEST_FIRST = RequestSort()


class WeekCounts(NamedTuple):
    """How many requests of one template and urgency were created in one week, filed, and asked about."""

    week: int
    template_id: str
    urgency: str
    requests: int
    filed: int
    followed_up: int


class WeekMedian(NamedTuple):
    """The median of a wait over the requests created in one week (week -1: over all the weeks), and how many."""

    week: int
    median: float
    size: int


class FiledWaits(NamedTuple):
    """One request filed in Jira as the urgency report reads it: who and what, the priority claimed and the one in
    Jira now, and the seconds from filing to the first response and to resolution (None until then)."""

    template_id: str
    requester: str
    claimed: str | None
    priority: str | None
    response: float | None
    resolution: float | None


class AskedQuestion(NamedTuple):
    """One question an engineer asked on a filed request."""

    request_id: str
    template_id: str
    asked_at: float
    text: str


class TemplateHandling(NamedTuple):
    """How many of a template's filed requests engineering took up, and how many of those it asked nothing about."""

    template_id: str
    handled: int
    ready: int


class ReportStore(StoreBase):
    """Reads the requests and users tables for the admins' reports."""

    def search_requests(self, flt: RequestFilter, sort: RequestSort = NEWEST_FIRST, limit: int = 50, *,
                        after: str | None = None, before: str | None = None, last: bool = False,
                        total: int | None = None) -> RequestPage:
        """Return the page of matching requests after (or before) the request with that id, or the first or last.

        Pages are found by their keys, not by counting rows, so the last page costs what the first does. A cursor
        that names no request gives the first page. A total given is taken as how many match, not counted again.
        """
        where, params = _where(flt)
        if total is None:
            total = self._count(where, params)
        many = total * total > 50 * self.requests_stored() if sort.column == "created" else total > 50_000
        if _SEARCHED in where and many:
            # Words found in many requests: reading the list in order and keeping the matches beats sorting them
            # (a column other than the date may hold them all in one place, far down: sorting still wins there).
            where = where.replace(_SEARCHED, "+" + _SEARCHED)
        limit = max(1, limit)
        key = SORT_KEYS.get(sort.column, SORT_KEYS["created"])
        keys = [key, "r.created_at", "r.rowid"] if key != "r.created_at" else [key, "r.rowid"]
        cursor_id = after or before
        cursor = self.db.execute(f"SELECT {', '.join(keys)} FROM requests r WHERE r.id = ?",
                                 [cursor_id]).fetchone() if cursor_id else None
        backwards = (cursor is not None and before is not None and after is None) or (cursor is None and last)
        if last and cursor is None and total:
            limit = total - (total - 1) // limit * limit  # the last page holds what is left over
        descending = sort.descending != backwards
        clauses, bound = [where] if where else [], list(params)
        if cursor is not None:
            clauses.append(f"{'AND' if where else 'WHERE'} ({', '.join(keys)}) {'<' if descending else '>'} "
                           f"({', '.join('?' * len(keys))})")
            bound += list(cursor)
        order = ", ".join(f"{k} {'DESC' if descending else 'ASC'}" for k in keys)
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM requests r LEFT JOIN users u ON u.id = r.user_id {' '.join(clauses)} "
            f"ORDER BY {order} LIMIT ?", [*bound, limit + 1]).fetchall()
        more = len(rows) > limit
        found = [_row(tuple(r)) for r in rows[:limit]]
        if backwards:
            found.reverse()
            return RequestPage(found, total, earlier=more, later=cursor is not None)
        return RequestPage(found, total, earlier=cursor is not None, later=more)

    def _count(self, where: str, params: list[object]) -> int:
        if where == f"WHERE {_SEARCHED} {_MATCHING}":
            # Words alone: the search index counts its matches without reading a request (one row per request).
            return int(self.db.execute("SELECT count(*) FROM requests_search WHERE requests_search MATCH ?",
                                       params).fetchone()[0])
        return int(self.db.execute(f"SELECT count(*) FROM requests r {where}", params).fetchone()[0])

    def requests_stored(self) -> int:
        """Return about how many requests are stored (the largest row id): read at once, however many there are."""
        return int(self.db.execute("SELECT max(rowid) FROM requests").fetchone()[0] or 0)

    def iter_requests(self, flt: RequestFilter, sort: RequestSort = NEWEST_FIRST, batch: int = 1000
                      ) -> Iterator[list[RequestRow]]:
        """Yield every matching request in the sort's order, a batch at a time, each batch one short query."""
        after: str | None = None
        total = self.search_requests(flt, sort, 1).total
        while True:
            page = self.search_requests(flt, sort, batch, after=after, total=total)
            if page.rows:
                yield page.rows
            if not page.later or not page.rows:
                return
            after = page.rows[-1].id

    def request_facets(self) -> Facets:
        """Return the values the request log's filters can take, from the requests on record."""
        requesters = self.db.execute(
            f"{_distinct('user_id')} SELECT d.v, COALESCE(u.name, u.username, d.v) FROM d "
            "LEFT JOIN users u ON u.id = d.v WHERE d.v IS NOT NULL ORDER BY 2").fetchall()
        return Facets(
            templates=self._values(f"{_distinct('template_id')} SELECT v FROM d WHERE v IS NOT NULL"),
            urgencies=self._values(f"{_distinct('urgency')} SELECT v FROM d WHERE v IS NOT NULL AND v <> ''"),
            customers=self._values("SELECT name FROM customers_used ORDER BY uses DESC, name LIMIT 200"),
            requesters=[(int(r[0]), str(r[1])) for r in requesters],
        )

    def _values(self, sql: str) -> list[str]:
        return [str(r[0]) for r in self.db.execute(sql).fetchall() if r[0]]

    def week_counts(self, bounds: Sequence[float]) -> list[WeekCounts]:
        """Count the requests created in each week [bounds[i], bounds[i + 1]) by template and urgency."""
        weeks, params = _weeks(bounds)
        rows = self.db.execute(
            f"{weeks} SELECT w.i, r.template_id, r.urgency, count(*), count(r.jira_key), "
            "sum(r.jira_key IS NOT NULL AND r.followups > 0) FROM w JOIN requests r INDEXED BY requests_weekly "
            "ON r.created_at >= w.lo AND r.created_at < w.hi GROUP BY w.i, r.template_id, r.urgency",
            params).fetchall()
        return [WeekCounts(*row) for row in rows]

    def week_medians(self, bounds: Sequence[float], column: str) -> list[WeekMedian]:
        """Return the median wait (first_response_at or resolved_at, from filing) per week and over all weeks."""
        wait, index = {"first_response_at": ("response_secs", "requests_by_response_secs"),
                       "resolved_at": ("resolution_secs", "requests_by_resolution_secs")}[column]
        weeks, params = _weeks(bounds)
        counts = self.db.execute(
            f"{weeks} SELECT w.i, count(r.{column}) FROM w JOIN requests r INDEXED BY requests_weekly "
            "ON r.created_at >= w.lo AND r.created_at < w.hi GROUP BY w.i", params).fetchall()
        found: list[WeekMedian] = []
        # Each week's few thousand waits are sorted, and only the middle one or two read.
        for week, size in counts:
            if size:
                found.append(WeekMedian(week, self._middle(
                    f"SELECT max(0, {column} - created_at) AS s FROM requests INDEXED BY requests_weekly "
                    f"WHERE created_at >= ? AND created_at < ? AND {column} IS NOT NULL ORDER BY s",
                    [bounds[week], bounds[week + 1]], size), size))
        total = sum(size for _, size in counts)
        if total:
            over = [bounds[0], bounds[-1]]
            # Up to some hundred thousand waits are sorted; past that, the index of waits is read in order instead.
            ordered = (f"SELECT max(0, {column} - created_at) AS s FROM requests INDEXED BY requests_weekly "
                       f"WHERE created_at >= ? AND created_at < ? AND {column} IS NOT NULL ORDER BY s"
                       if total < 100_000 else
                       f"SELECT {wait} FROM requests INDEXED BY {index} WHERE {wait} < 1e18 AND created_at >= ? "
                       f"AND created_at < ? ORDER BY {wait}, created_at")
            found.append(WeekMedian(-1, self._middle(ordered, over, total), total))
        return found

    def _middle(self, ordered: str, params: Sequence[object], size: int) -> float:
        """Return the median of a query's `size` ordered values, reading only the one or two in the middle."""
        rows = self.db.execute(f"{ordered} LIMIT ? OFFSET ?", [*params, 2 - size % 2, (size - 1) // 2]).fetchall()
        return sum(float(r[0]) for r in rows) / len(rows)

    def requests_version(self) -> int:
        """Return a number that changes whenever any request does."""
        return int(self.db.execute("SELECT version FROM requests_version").fetchone()[0])

    def top_customers(self, since: float, until: float, limit: int = 10) -> list[tuple[str, int]]:
        """Return the customers named most often in requests created in [since, until), most first."""
        rows = self.db.execute(
            "SELECT customer, count(*) AS n FROM requests INDEXED BY requests_weekly WHERE created_at >= ? "
            "AND created_at < ? AND customer <> '' GROUP BY customer ORDER BY n DESC, customer LIMIT ?",
            [since, until, limit]).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def filed_waits(self, since: float, until: float) -> Iterator[FiledWaits]:
        """Yield the requests filed in Jira between since and until (both included), read from their index alone."""
        rows = self.db.execute(
            "SELECT template_id, requester, NULLIF(urgency, ''), jira_priority, "
            "max(0, first_response_at - created_at), max(0, resolved_at - created_at) "
            "FROM requests INDEXED BY requests_urgency WHERE jira_key IS NOT NULL AND created_at >= ? "
            "AND created_at <= ?", [since, until])
        return map(FiledWaits._make, rows)

    def asked_questions(self, since: float) -> list[AskedQuestion]:
        """Return the questions asked on requests filed since then, oldest request first."""
        rows = self.db.execute(
            "SELECT q.request_id, q.template_id, q.asked_at, q.text FROM followup_questions q "
            "JOIN requests r ON r.id = q.request_id WHERE r.created_at >= ? ORDER BY r.created_at, q.asked_at, "
            "q.event_id", [since]).fetchall()
        return [AskedQuestion(*row) for row in rows]

    def template_handling(self, since: float) -> list[TemplateHandling]:
        """Per template, the requests filed since then that engineering responded to, and those it asked nothing."""
        rows = self.db.execute(
            "SELECT template_id, count(*), sum(CASE WHEN followups = 0 THEN 1 ELSE 0 END) FROM requests "
            "WHERE created_at >= ? AND jira_key IS NOT NULL AND first_response_at IS NOT NULL "
            "GROUP BY template_id ORDER BY template_id", [since]).fetchall()
        return [TemplateHandling(str(row[0]), int(row[1]), int(row[2] or 0)) for row in rows]

class ReportReader(ReadOnly, ReportStore):
    """The reports' queries on a read-only connection of their own, for a worker thread."""


def _distinct(column: str) -> str:
    """Return a CTE `d(v)` of a column's distinct values, one index seek per value rather than a scan of them all."""
    return (f"WITH RECURSIVE d(v) AS (SELECT min({column}) FROM requests UNION ALL "
            f"SELECT (SELECT min({column}) FROM requests WHERE {column} > d.v) FROM d WHERE d.v IS NOT NULL)")


def _weeks(bounds: Sequence[float]) -> tuple[str, list[object]]:
    """Return a CTE `w(i, lo, hi)` of the weeks between consecutive bounds, and its parameters."""
    values = ", ".join("(?, ?, ?)" for _ in bounds[1:])
    params: list[object] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        params += [i, lo, hi]
    return f"WITH w(i, lo, hi) AS (VALUES {values})", params


_SEARCHED = "r.rowid IN"
_MATCHING = "(SELECT rowid FROM requests_search WHERE requests_search MATCH ?)"


def _match(text: str) -> str | None:
    """Return an FTS5 query finding every word of the text as a word start, or None when it has no words."""
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words) or None


def _where(flt: RequestFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    searched = []
    if flt.text.strip():
        # Every text an admin might remember: the summary, customer, Jira key and requester's name.
        searched.append(_match(flt.text))
    if flt.customer.strip():
        words = _match(flt.customer)
        searched.append(f"customer : ({words})" if words else None)
    if searched:
        if None in searched:
            clauses.append("0")  # only punctuation: no word to find
        else:
            clauses.append(f"{_SEARCHED} {_MATCHING}")
            params.append(" AND ".join(f"({q})" for q in searched))
    if flt.requester.strip():
        who = flt.requester.strip().lstrip("@")
        user_id = whole_number(who)
        if user_id is not None:
            clauses.append("r.user_id = ?")
            params.append(user_id)
        else:
            clauses.append("r.user_id IN (SELECT id FROM users WHERE name LIKE ? ESCAPE '\\' "
                           "OR username LIKE ? ESCAPE '\\')")
            params += [_like(who)] * 2
    if flt.template:
        clauses.append("r.template_id = ?")
        params.append(flt.template)
    if flt.urgency:
        clauses.append("r.urgency = ?")
        params.append(flt.urgency)
    if flt.status in STATUSES:
        clauses.append("r.status = ?")
        params.append(flt.status)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _row(r: Sequence[Any]) -> RequestRow:
    return RequestRow(
        id=str(r[0]), created_at=float(r[1] or 0.0), requester_id=int(r[2]), requester_name=str(r[3] or ""),
        requester_username=r[4] if isinstance(r[4], str) else None, template_id=str(r[5]),
        customer=r[6] or None, urgency=r[7] or None,
        summary=str(r[8] or ""), state=str(r[9]), jira_key=r[10] if isinstance(r[10], str) else None,
        jira_url=r[11] if isinstance(r[11], str) else None,
        first_response_at=float(r[12]) if isinstance(r[12], int | float) else None,
        resolved_at=float(r[13]) if isinstance(r[13], int | float) else None, followups=int(r[14] or 0),
    )
