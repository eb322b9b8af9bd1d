"""The admins' list of requests: who asked what for which customer, and how it went, searchable and filtered."""

from __future__ import annotations

from bot.storage.reports import Facets, RequestFilter, RequestRow
from bot.storage.store import Store

__all__ = ["Facets", "RequestFilter", "RequestRow", "facets", "search"]


def search(store: Store, flt: RequestFilter, limit: int = 50, offset: int = 0) -> tuple[list[RequestRow], int]:
    """Return one page of matching requests, newest first, and how many match in all."""
    return store.search_requests(flt, limit, offset)


def facets(store: Store) -> Facets:
    """Return the values the filters can take, from the requests on record."""
    return store.request_facets()
