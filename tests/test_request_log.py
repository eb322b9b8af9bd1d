"""The admins' requests list at any size: sorted by any column, paged by keys, searched by words, exported as CSV."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from bot.reports.request_log import (
    SORT_KEYS,
    RequestFilter,
    RequestRow,
    RequestSort,
    csv_chunks,
    pager_text,
    safe_cell,
    search,
)
from bot.storage.requests import PastRequest, Request
from bot.storage.store import Store
from tests.conftest import START, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import Site, file_directly, running_site

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "t.db", Clock())
    yield opened
    opened.close()


def past(number: int, *, user: int = 101, template: str = "bug", summary: str = "Export fails",
         customer: str | None = "ACME", priority: str | None = "High", key: str | None = None,
         created: float = START, responded: float | None = None, resolved: float | None = None,
         followups: int = 0, state: str = "created") -> PastRequest:
    """Return a request from the past to import, as a history would hold it."""
    ticket = Ticket("SUP", "Bug", summary, "d", priority=priority, customer=customer)
    request = Request(id=f"r{number:04d}", user_id=user, chat_id=user, lang="en", template_id=template,
                      ticket=ticket, state=state, attempts=1, created_at=created, jira_key=key,  # type: ignore[arg-type]
                      jira_url=f"https://jira.example.com/browse/{key}" if key else None)
    return PastRequest(request, responded, resolved, followups)


def every_page(store: Store, flt: RequestFilter, order: RequestSort, size: int) -> list[str]:
    """Walk the list page by page through its Next links and return the ids in the order shown."""
    shown: list[str] = []
    page = search(store, flt, order, size)
    shown += [row.id for row in page.rows]
    while page.later:
        page = search(store, flt, order, size, after=page.rows[-1].id)
        assert page.earlier and len(page.rows) <= size
        shown += [row.id for row in page.rows]
    return shown


def sort_value(row: RequestRow, column: str) -> object:
    """Return what a column sorts a row by, as the list promises: unknown waits sort as the longest."""
    unknown = 1e18
    return {
        "created": row.created_at, "summary": row.summary, "requester": row.requester_name,
        "customer": row.customer or "", "template": row.template_id, "urgency": row.urgency or "",
        "status": row.status, "jira": row.jira_key or "",
        "response": unknown if row.time_to_response is None else row.time_to_response,
        "resolution": unknown if row.time_to_resolution is None else row.time_to_resolution,
        "followups": row.followups,
    }[column]


# -- sorting and paging by keys -------------------------------------------------------------------------------


words = st.sampled_from(["Export", "export", "PDF", "Ärger", "Счёт", "login", "SSO", "", "b"])
histories = st.lists(st.tuples(
    st.integers(101, 104), st.sampled_from(["bug", "feature", "question"]), words, words,
    st.sampled_from(["ACME", "Globex", "Müller GmbH", None]), st.sampled_from(["High", "Low", None]),
    st.booleans(), st.integers(0, 5) , st.sampled_from([None, 0.0, 600.0, 7200.0]),
    st.sampled_from([None, 3600.0, 86400.0]), st.integers(0, 2)), max_size=40)
filters = st.builds(RequestFilter, text=st.sampled_from(["", "export", "pdf", "sup-1", "ärger", "счёт", "%"]),
                    requester=st.sampled_from(["", "101", "@user2", "User 3"]),
                    customer=st.sampled_from(["", "acme", "müller"]), template=st.sampled_from(["", "bug", "question"]),
                    urgency=st.sampled_from(["", "High", "Low"]),
                    status=st.sampled_from(["", "waiting", "open", "resolved"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, flt=filters, column=st.sampled_from(sorted(SORT_KEYS)), descending=st.booleans(),
       size=st.integers(1, 7))
def test_pages_by_keys_show_exactly_the_filtered_sorted_requests(tmp_path_factory: pytest.TempPathFactory,
                                                                  history: list[tuple[object, ...]],
                                                                  flt: RequestFilter, column: str,
                                                                  descending: bool, size: int) -> None:
    store = Store(tmp_path_factory.mktemp("log") / "t.db", Clock())
    for user in range(101, 105):
        store.remember_user(user, user, f"user{user - 100}", f"User {user - 100}", "en")
    imported = []
    for n, (user, template, first, second, customer, priority, filed, day, responded, resolved, followups) in \
            enumerate(history):
        created = START + int(day) * 86400.0  # ties on the date are common: the rowid decides
        key = f"SUP-{n}" if filed else None
        imported.append(past(n, user=int(user), template=str(template), summary=f"{first} {second} {n}".strip(),
                             customer=customer if isinstance(customer, str) else None,
                             priority=priority if isinstance(priority, str) else None, key=key, created=created,
                             responded=None if responded is None or not key else created + float(responded),
                             resolved=None if resolved is None or not key else created + float(resolved),
                             followups=int(followups), state="created" if key else "pending"))
    store.import_requests(imported)
    order = RequestSort(column, descending)
    everything = search(store, RequestFilter(), order, 1000).rows
    matching = {row.id for row in search(store, flt, order, 1000).rows}
    # The order the list promises: the column, then the date, then the order of filing; all one way.
    rowids = {row.id: n for n, row in enumerate(sorted(everything, key=lambda r: r.id))}
    expected = sorted((row for row in everything if row.id in matching),
                      key=lambda r: (sort_value(r, column), r.created_at, rowids[r.id]), reverse=descending)
    shown = every_page(store, flt, order, size)
    assert shown == [row.id for row in expected]
    # Backwards from the last page, through the Previous links, gives the same rows.
    page = search(store, flt, order, size, last=True)
    backwards = [row.id for row in page.rows]
    while page.earlier:
        page = search(store, flt, order, size, before=page.rows[0].id)
        backwards = [row.id for row in page.rows] + backwards
    assert backwards == shown
    assert search(store, flt, order, size).total == len(shown)
    store.close()


def test_filters_and_words_find_what_admins_remember(store: Store) -> None:
    store.remember_user(101, 101, "anna", "Anna Berg", "en")
    store.remember_user(102, 102, "boris", "Борис Иванов", "ru")
    store.import_requests([
        past(1, summary="Export to Excel fails", customer="ACME Corp GmbH", key="SUP-1"),
        past(2, user=102, summary="Счёт не выгружается", customer="Müller GmbH", key="SUP-22", created=START + 1),
        past(3, summary="SSO login loops", customer=None, created=START + 2, state="pending"),
    ])

    def ids(**given: str) -> list[str]:
        return [row.id for row in search(store, RequestFilter(**given)).rows]

    assert ids(text="excel") == ["r0001"]
    assert ids(text="exp fail") == ["r0001"]  # every word, each as a word start
    assert ids(text="счёт") == ["r0002"] and ids(text="СЧЁТ") == ["r0002"]
    assert ids(text="muller") == ["r0002"]  # umlauts found without them
    assert ids(text="SUP-22") == ["r0002"] and ids(text="sup-2") == ["r0002"]
    assert ids(text="борис") == ["r0002"] and ids(text="anna") == ["r0003", "r0001"]
    assert ids(text='"quoted" AND NOT') == [] and ids(text="%") == []  # search syntax is just text
    assert ids(customer="acme corp") == ["r0001"] and ids(customer="excel") == []
    # A new name is found (and sorted) at once.
    store.remember_user(101, 101, "anna", "Anna Schmidt", "en")
    assert ids(text="schmidt") == ["r0003", "r0001"] and ids(text="berg") == []
    assert search(store, RequestFilter(), RequestSort("requester", False)).rows[0].requester_name == "Anna Schmidt"


def test_a_cursor_that_names_no_request_gives_the_first_page(store: Store) -> None:
    store.import_requests([past(n, created=START + n) for n in range(5)])
    page = search(store, RequestFilter(), RequestSort(), 2, after="not-a-request")
    assert [row.id for row in page.rows] == ["r0004", "r0003"] and not page.earlier and page.later
    last = search(store, RequestFilter(), RequestSort(), 2, last=True)
    assert [row.id for row in last.rows] == ["r0000"] and last.earlier and not last.later


def test_the_pager_says_its_numbers_in_words_that_agree(store: Store) -> None:
    assert pager_text(1, 1, 1, "en") == "Page 1 of 1 · 1 request"
    assert pager_text(2, 20_000, 1_000_000, "en") == "Page 2 of 20,000 · 1,000,000 requests"
    assert pager_text(1, 1, 3, "ru") == "Страница 1 из 1 · 3 запроса"
    assert pager_text(1, 1, 5, "ru") == "Страница 1 из 1 · 5 запросов"
    assert pager_text(1, 1, 21, "ru") == "Страница 1 из 1 · 21 запрос"
    assert pager_text(1, 1, 1, "de") == "Seite 1 von 1 · 1 Anfrage"


# -- CSV --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Export fails", "Export fails"), ("", "")])
def test_cells_a_spreadsheet_would_run_are_defused(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_csv_reads_back_as_written(summaries: list[str]) -> None:
    rows = [RequestRow(id=f"r{n}", created_at=START, requester_id=1, requester_name="Anna, \"A\"",
                       requester_username=None, template_id="bug", customer="Müller; GmbH", urgency=None,
                       summary=text, state="created", jira_key="SUP-1", jira_url=None, first_response_at=START + HOUR,
                       resolved_at=None, followups=0) for n, text in enumerate(summaries)]
    data = b"".join(csv_chunks(iter([rows]), "en", BERLIN, str.upper))
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0][:3] == ["Created", "Summary", "Requester"] and len(read) == len(rows) + 1
    for line, text in zip(read[1:], summaries, strict=True):
        assert line[1] == safe_cell(text) and line[2] == "Anna, \"A\"" and line[4] == "Müller; GmbH"
        assert line[5] == "BUG" and line[10] == "1.0" and line[11] == ""


@pytest.fixture
async def site(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Site]:
    async with running_site(tg, jira, tmp_path, clock) as running:
        yield running


async def test_an_admin_exports_the_filtered_sorted_list_as_csv(site: Site) -> None:
    await file_directly(site, [
        (101, "bug", "=cmd|' /C calc'!A0", "ACME Corp GmbH", "High"),
        (102, "feature", "Счёт: «экспорт» не работает", "Müller GmbH", "Low"),
        (101, "question", "Is there an API?", "ACME Corp GmbH", None),
    ])
    site.svc.store.import_requests([past(n, summary=f"Old export {n}", created=START - 86400 - n, key=f"OLD-{n}")
                                    for n in range(2500)])
    client = await site.signed_in()
    async with client.http.get(site.base + "/admin/requests.csv?sort=customer&dir=asc") as response:
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        data = await response.read()
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(lines) == 1 + 3 + 2500  # every row, not one page
    customers = [line[4] for line in lines[1:]]
    assert customers == sorted(customers)
    shown = [line[1] for line in lines[1:] if line[1].startswith(("'", "С"))]
    assert shown == ["'=cmd|' /C calc'!A0", "Счёт: «экспорт» не работает"]
    async with client.http.get(site.base + "/admin/requests.csv?text=экспорт&template=feature") as response:
        only = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"), newline="")))
    assert [line[1] for line in only[1:]] == ["Счёт: «экспорт» не работает"]
    page = await client.open("/admin/requests?sort=customer&dir=asc&text=export")
    assert "/admin/requests.csv?text=export&amp;sort=customer&amp;dir=asc" in page.text
    assert "Page 1 of 50 · 2,500 requests" in page.text
    # Signed out, there is nothing to download.
    async with site.client().http.get(site.base + "/admin/requests.csv", allow_redirects=False) as response:
        assert response.status in (302, 303, 401) and b"Export" not in await response.read()


# -- an older database, brought up to date -----------------------------------------------------------------------


def test_an_older_database_gets_its_columns_and_search_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Store(path, Clock())
    old.remember_user(101, 101, "anna", "Anna Berg", "en")
    old.confirm(Draft(id="d1", user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug"), 101,
                Ticket("SUP", "Bug", "Invoice export fails", "d", priority="High", customer="Müller GmbH"))
    old.mark_created("d1", "SUP-7", "https://jira.example.com/browse/SUP-7")
    old.close()
    # Take the database back to how it was before: no columns of their own, no search.
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE requests_search; DROP TRIGGER requests_search_added; "
                       "DROP TRIGGER requests_search_removed; DROP TRIGGER requests_search_changed; "
                       "DROP TABLE requests_version; DROP TRIGGER requests_version_insert; "
                       "DROP TRIGGER requests_version_update; DROP TRIGGER requests_version_delete;")
    for index in [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                             "(name LIKE 'requests_by_%' OR name IN ('requests_weekly', "
                                             "'customers_used_by_uses', 'requests_urgency', 'requests_estimates'))"
                                             )]:
        conn.execute(f"DROP INDEX {index}")
    for column in ("status", "key_sort", "response_secs", "resolution_secs", "summary", "customer", "urgency",
                   "requester"):
        conn.execute(f"ALTER TABLE requests DROP COLUMN {column}")
    conn.execute("DELETE FROM _migrations WHERE name IN ('0016_request_columns', '0017_request_search', "
                 "'0031_report_indexes', '0033_estimate_index')")
    conn.commit()
    conn.close()
    store = Store(path, Clock())
    row = search(store, RequestFilter(text="invoice müller")).rows[0]
    assert (row.summary, row.customer, row.urgency, row.requester_name, row.status) == (
        "Invoice export fails", "Müller GmbH", "High", "Anna Berg", "open")
    assert [r.id for r in search(store, RequestFilter(urgency="High", status="open")).rows] == ["d1"]
    store.close()


# -- at scale: the queries read indexes, never the whole table -------------------------------------------------


def test_pages_and_facets_read_by_index_at_twenty_thousand_requests(store: Store) -> None:
    for user in range(101, 121):
        store.remember_user(user, user, f"u{user}", f"User {user}", "en")
    store.import_requests([past(n, user=101 + n % 20, template=f"t{n % 30}", summary=f"Problem {n}",
                                customer=f"Customer {n % 500}", priority=("High", "Low", None)[n % 3],
                                key=f"SUP-{n}" if n % 10 else None, created=START + n * 60.0,
                                responded=START + n * 60.0 + 600 if n % 2 else None)
                           for n in range(20_000)])
    plans: list[str] = []
    real = store.db.execute

    def explained(sql: str, params: object = ()) -> sqlite3.Cursor:
        if sql.lstrip().startswith(("SELECT", "WITH")):
            plans.append(" / ".join(r[3] for r in real("EXPLAIN QUERY PLAN " + sql, params).fetchall()))  # type: ignore[arg-type]
        return real(sql, params)  # type: ignore[arg-type]

    store.db.execute = explained  # type: ignore[method-assign]
    for column in SORT_KEYS:
        for descending in (True, False):
            order = RequestSort(column, descending)
            first = search(store, RequestFilter(), order)
            search(store, RequestFilter(), order, after=first.rows[-1].id)
            search(store, RequestFilter(), order, last=True)
    search(store, RequestFilter(template="t3"))
    search(store, RequestFilter(status="waiting"))
    search(store, RequestFilter(text="problem 1234"))
    store.request_facets()
    # No step reads the table row by row, and nothing sorts rows itself but a word search's matches and the few
    # distinct requesters.
    assert plans and not [plan for plan in plans if re.search(r"SCAN (r|requests)( /|$)", plan)]
    assert not [plan for plan in plans if "TEMP B-TREE FOR ORDER BY" in plan and "requests_search" not in plan
                and "CO-ROUTINE d" not in plan]
