"""The admins' list of requests: who asked what for which customer, and how it went; searched, sorted, exported."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, tzinfo
from typing import TypeVar

from bot.i18n.catalog import t
from bot.i18n.plural import format_number
from bot.storage.reports import (
    NEWEST_FIRST,
    SORT_KEYS,
    STATUSES,
    Facets,
    ReportReader,
    ReportStore,
    RequestFilter,
    RequestPage,
    RequestRow,
    RequestSort,
)
from bot.storage.store import Store

__all__ = ["SORT_KEYS", "STATUSES", "Facets", "RequestFilter", "RequestPage", "RequestRow", "RequestSort",
           "csv_chunks", "export_csv", "facets", "pager_text", "search", "search_apart"]

# Cells a spreadsheet would run as a formula; they get a leading apostrophe, which Excel and LibreOffice hide.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("created", "summary", "requester", "username", "customer", "template", "urgency", "status", "jira",
               "link", "response", "resolution", "followups")
T = TypeVar("T")


def search(store: ReportStore, flt: RequestFilter, sort: RequestSort = NEWEST_FIRST, limit: int = 50, *,
           after: str | None = None, before: str | None = None, last: bool = False) -> RequestPage:
    """Return one page of matching requests in the sort's order: the first, the last, or the one next to a request."""
    return store.search_requests(flt, sort, limit, after=after, before=before, last=last)


def facets(store: ReportStore) -> Facets:
    """Return the values the filters can take, from the requests on record."""
    return store.request_facets()


async def apart(store: Store, work: Callable[[ReportReader], T]) -> T:
    """Run report queries on a worker thread with a connection of their own, so chats are answered meanwhile."""
    def run() -> T:
        reader = ReportReader(store.path)
        try:
            return work(reader)
        finally:
            reader.close()

    return await asyncio.to_thread(run)


async def search_apart(store: Store, flt: RequestFilter, sort: RequestSort = NEWEST_FIRST, limit: int = 50, *,
                       after: str | None = None, before: str | None = None, last: bool = False
                       ) -> tuple[RequestPage, Facets]:
    """Return a page of the list and the filters' values, read off the event loop."""
    return await apart(store, lambda reader: (
        search(reader, flt, sort, limit, after=after, before=before, last=last), facets(reader)))


def pager_text(page: int, pages: int, total: int, lang: str) -> str:
    """Return "Page 2 of 5 · 93 requests" in the admin's language, plurals included."""
    where = t("log_page_of", lang, page=format_number(page, lang), pages=format_number(max(1, pages), lang))
    return f"{where} · {t('log_requests', lang, count=total)}"


def safe_cell(value: str) -> str:
    """Return a cell's text so that a spreadsheet shows it rather than running it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.1f}"


def csv_chunks(batches: Iterator[list[RequestRow]], lang: str, zone: tzinfo,
               title: Callable[[str], str]) -> Iterator[bytes]:
    """Yield the CSV file, UTF-8 with a byte order mark (so Excel reads Cyrillic and umlauts), a chunk per batch."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(f"log_col_{name}", lang) for name in CSV_COLUMNS])
    yield "\ufeff".encode() + out.getvalue().encode()
    for rows in batches:
        out.seek(0)
        out.truncate()
        for row in rows:
            created = datetime.fromtimestamp(row.created_at, zone).strftime("%Y-%m-%d %H:%M")
            cells = [created, row.summary, row.requester_name, row.requester_username or "", row.customer or "",
                     title(row.template_id), row.urgency or "", t(f"log_status_{row.status}", lang),
                     row.jira_key or "", row.jira_url or "", _hours(row.time_to_response),
                     _hours(row.time_to_resolution), str(row.followups)]
            writer.writerow([safe_cell(cell) for cell in cells])
        yield out.getvalue().encode()


async def export_csv(store: Store, flt: RequestFilter, sort: RequestSort, lang: str, zone: tzinfo,
                     title: Callable[[str], str], batch: int = 1000) -> AsyncIterator[bytes]:
    """Yield every matching request as CSV in the sort's order, reading each batch off the event loop."""
    reader = await asyncio.to_thread(ReportReader, store.path)
    try:
        batches = reader.iter_requests(flt, sort, batch)
        chunks = csv_chunks(batches, lang, zone, title)
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            yield chunk
    finally:
        reader.close()
