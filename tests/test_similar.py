"""'Is it already there?': keywords of an ask and a JQL search that Jira (here the fake) accepts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jira import JIRA

from bot.jira.gateway import DeliveryError
from bot.jira.similar import JQL_RESERVED, STOP_WORDS, TEXT_WORDS, jql_escape, keywords, similar_jql
from bot.jira.similar_search import Found, SimilarSearches, query_for
from bot.jira.ticket import Ticket
from tests.fakes.jira import FakeJira


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Export to Excel fails for large reports", "en", ["reports", "export", "excel", "fails", "large"]),
    ("Экспорт в Excel не работает для больших отчётов", "ru", ["экспорт", "больших", "отчётов", "excel"]),
    ("Der Export nach Excel schlägt bei großen Berichten fehl", "de",
     ["berichten", "schlägt", "export", "großen", "excel", "fehl"]),
])
def test_keywords_in_three_languages(text: str, lang: str, expected: list[str]) -> None:
    assert keywords(text, lang) == expected


def test_code_like_words_come_before_plain_ones_and_numbers_last() -> None:
    words = keywords("error 404 when syncing SAP S4HANA orders via API v2", "en", limit=10)
    assert words[:2] == ["s4hana", "syncing"]
    assert words[-1] == "404"
    assert "via" not in words and "when" not in words


def test_keywords_drop_stop_words_of_every_language_and_short_words() -> None:
    text = "Please help: the customer needs это bitte für das UI ok"
    assert keywords(text, "en") == []


def test_keywords_are_unique_and_limited() -> None:
    assert keywords("Excel excel EXCEL export", "en") == ["excel", "export"]
    assert keywords("alpha bravo charlie delta echo foxtrot golf hotel", "en", limit=3) == [
        "charlie", "foxtrot", "alpha"]
    assert keywords("alpha bravo", "en", limit=0) == []
    assert keywords("", "de") == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["en", "ru", "de"]), st.integers(min_value=0, max_value=10))
def test_keywords_are_deterministic_significant_words(text: str, lang: str, limit: int) -> None:
    words = keywords(text, lang, limit)
    assert words == keywords(text, lang, limit)
    assert len(words) <= limit and len(set(words)) == len(words)
    for word in words:
        assert len(word) >= 3 and word.isalnum() and word == word.lower() and word not in STOP_WORDS


@pytest.mark.parametrize(("raw", "escaped"), [
    ("excel", "excel"),
    ('excel" OR project = OPS', "excel OR project = OPS"),
    ("C++ (beta) [x] {y} a&&b || !c ^2 ~fuzzy wild* what? path\\to key:value 'q' /re/", (
        "C beta x y a b c 2 fuzzy wild what path to key value q re")),
    ("line\nbreak\ttab\x00nul", "line break tab nul"),
    ("", ""),
])
def test_jql_escape(raw: str, escaped: str) -> None:
    assert jql_escape(raw) == escaped


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_jql_escape_never_leaves_a_reserved_character(raw: str) -> None:
    escaped = jql_escape(raw)
    assert not set(escaped) & JQL_RESERVED
    assert all(char.isprintable() for char in escaped)


def test_similar_jql_shape() -> None:
    assert similar_jql("SUP", "acme-corp-gmbh", ["export", "excel", "fails", "reports"]) == (
        'project = "SUP" AND statusCategory != Done AND '
        '(labels = "acme-corp-gmbh" OR text ~ "export excel fails") ORDER BY created DESC')
    assert similar_jql("SUP", None, ["Excel"]) == (
        'project = "SUP" AND statusCategory != Done AND text ~ "excel" ORDER BY created DESC')
    assert similar_jql("SUP", "acme", []) == (
        'project = "SUP" AND statusCategory != Done AND labels = "acme" ORDER BY created DESC')


def test_similar_jql_ignores_the_bots_marker_labels() -> None:
    assert "labels" not in similar_jql("SUP", "ts-0123456789abcdef", ["excel"])
    assert 'labels = "ts-logistics"' in similar_jql("SUP", "ts-logistics", ["excel"])
    assert 'labels = "rq-0123456789abcdef"' in similar_jql("SUP", "rq-0123456789abcdef", ["excel"])
    assert "labels" not in similar_jql("SUP", "rq-0123456789abcdef", ["excel"], marker_prefix="rq-")


def test_similar_jql_needs_something_to_search_for() -> None:
    with pytest.raises(ValueError, match="nothing to search for"):
        similar_jql("SUP", None, [])
    with pytest.raises(ValueError, match="nothing to search for"):
        similar_jql("SUP", "", ["the", "***", "a"])
    with pytest.raises(ValueError):
        similar_jql(" ", "acme", ["excel"])


def test_similar_jql_limits_the_text_words() -> None:
    jql = similar_jql("SUP", None, ["one1", "two2", "three3", "four4", "five5"])
    assert f'text ~ "{" ".join(["one1", "two2", "three3", "four4", "five5"][:TEXT_WORDS])}"' in jql


# ---------------------------------------------------------------------- against the fake Jira


def connect(fake: FakeJira) -> JIRA:
    cloud = fake.mode == "cloud"
    auth: dict[str, Any] = {"basic_auth": (fake.email, fake.api_token)} if cloud else {"token_auth": fake.pat}
    return JIRA(server=fake.url, timeout=5, max_retries=0, **auth)


@pytest.fixture(scope="module", params=["cloud", "dc9"])
def seeded(request: pytest.FixtureRequest) -> Iterator[JIRA]:
    """SUP-1..5 and OPS-1 with labels, texts, statuses and creation times that similar_jql tells apart."""
    with FakeJira(request.param) as fake:
        now = datetime.now(UTC)
        fake.add_project("OPS", "Operations")
        fake.add_issue("Export to Excel fails for large reports", labels=["acme-corp-gmbh"],
                       created=now - timedelta(days=3))
        fake.add_issue("Excel export crashes", description="The export to Excel fails with an error.",
                       status="In Progress", created=now - timedelta(days=1))
        fake.add_issue("Excel export fails", status="Done", created=now - timedelta(hours=5))
        fake.add_issue("Login page is slow", labels=["acme-corp-gmbh"], status="Done", created=now)
        fake.add_issue("Invoice PDF is wrong", labels=["globex"], created=now - timedelta(hours=1))
        fake.add_issue("Excel export fails", project="OPS", created=now - timedelta(hours=2))
        client = connect(fake)
        yield client
        client.close()
        assert fake.internal_errors == []


def keys(client: JIRA, jql: str) -> list[str]:
    return [issue.key for issue in client.search_issues(jql, fields="summary")]


def test_finds_open_issues_by_label_or_text_newest_first(seeded: JIRA) -> None:
    words = keywords("Export to Excel fails", "en")
    assert keys(seeded, similar_jql("SUP", "acme-corp-gmbh", words)) == ["SUP-2", "SUP-1"]
    assert keys(seeded, similar_jql("SUP", None, words)) == ["SUP-2", "SUP-1"]
    assert keys(seeded, similar_jql("SUP", "globex", ["printer"])) == ["SUP-5"]
    assert keys(seeded, similar_jql("SUP", "acme-corp-gmbh", [])) == ["SUP-1"]
    assert keys(seeded, similar_jql("SUP", "nobody", ["printer"])) == []
    assert keys(seeded, similar_jql("OPS", None, words)) == ["OPS-1"]


def test_hostile_words_stay_inside_the_project(seeded: JIRA) -> None:
    """OPS-1 matches the words too: only a query that escaped its project clause would find it."""
    jql = similar_jql("SUP", 'x" OR project = "OPS', ['excel\\" OR (', "*export*", 'fails") OR project = OPS'])
    assert jql.startswith('project = "SUP" AND ')
    assert keys(seeded, jql) == ["SUP-2", "SUP-1"]
    jql = similar_jql("SUP", "acme-corp-gmbh", ['") OR project = OPS OR text ~ ("', "export", "ORDER BY key"])
    assert keys(seeded, jql) == ["SUP-1"]


# The fake's JQL evaluator without its HTTP server: parsing, checking and matching as for a search.
OFFLINE = FakeJira("cloud")
OFFLINE.add_issue("Excel export fails", labels=["acme"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=8), st.none() | st.text(max_size=30))
def test_the_fakes_jql_evaluator_accepts_any_query(words: list[str], label: str | None) -> None:
    try:
        jql = similar_jql("SUP", label, words)
    except ValueError:
        assume(False)
        return
    assert isinstance(OFFLINE._run_jql(jql, None, require_bound=True), list)



class SlowJira:
    """A search that answers when told to, recording what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.cancelled: list[str] = []
        self.answers: dict[str, asyncio.Future[Found]] = {}

    async def search(self, jql: str) -> Found:
        self.asked.append(jql)
        self.answers[jql] = asyncio.get_running_loop().create_future()
        try:
            return await self.answers[jql]
        except asyncio.CancelledError:
            self.cancelled.append(jql)
            raise

    def answer(self, jql: str, found: Found | Exception) -> None:
        if isinstance(found, Exception):
            self.answers[jql].set_exception(found)
        else:
            self.answers[jql].set_result(found)


FOUND: Found = [("SUP-7", "Globex: Export fails", "In Progress")]


async def test_create_picks_up_the_search_begun_with_the_card() -> None:
    jira = SlowJira()
    searches = SimilarSearches(jira.search)
    searches.start(101, "q1")
    searches.start(101, "q1")  # the card shown again (a language switch, a restart) asks nothing new
    await asyncio.sleep(0)
    jira.answer("q1", FOUND)
    assert await searches.result(101, "q1", 1.0) == FOUND
    assert jira.asked == ["q1"]
    assert len(searches) == 0, "a picked-up search is not kept"


async def test_a_changed_draft_drops_the_old_search() -> None:
    jira = SlowJira()
    searches = SimilarSearches(jira.search)
    searches.start(101, "q1")
    await asyncio.sleep(0)
    waiting = asyncio.create_task(searches.result(101, "q2", 1.0))
    for _ in range(3):
        await asyncio.sleep(0)
    assert jira.cancelled == ["q1"]
    jira.answer("q2", [])
    assert await waiting == []
    assert jira.asked == ["q1", "q2"]


async def test_a_slow_search_times_out_and_is_kept_for_a_second_look() -> None:
    jira = SlowJira()
    searches = SimilarSearches(jira.search)
    with pytest.raises(TimeoutError):
        await searches.result(101, "q1", 0.01)
    assert jira.cancelled == [], "the search goes on"
    jira.answer("q1", FOUND)
    assert await searches.result(101, "q1", 1.0) == FOUND
    assert jira.asked == ["q1"]


async def test_a_failed_search_reaches_create_and_is_not_reused() -> None:
    jira = SlowJira()
    searches = SimilarSearches(jira.search)
    searches.start(101, "q1")
    await asyncio.sleep(0)
    jira.answer("q1", DeliveryError("Jira is down", transient=True))
    with pytest.raises(DeliveryError):
        await searches.result(101, "q1", 1.0)
    assert len(searches) == 0


async def test_searches_of_abandoned_drafts_expire() -> None:
    jira, now = SlowJira(), [0.0]
    searches = SimilarSearches(jira.search, keep_seconds=60, clock=lambda: now[0])
    searches.start(101, "q1")
    await asyncio.sleep(0)
    now[0] = 61.0
    searches.start(102, "q2")
    await asyncio.sleep(0)
    assert len(searches) == 1 and jira.cancelled == ["q1"]
    searches.forget(102)
    await asyncio.sleep(0)
    assert len(searches) == 0 and jira.cancelled == ["q1", "q2"]


async def test_look_ahead_needs_words_to_search_for() -> None:
    jira = SlowJira()
    searches = SimilarSearches(jira.search)
    empty = Ticket("SUP", "Bug", "?! ...", "")
    searches.look_ahead(101, empty, "en")
    assert len(searches) == 0
    ticket = Ticket("SUP", "Bug", "ACME: Export to Excel fails", "", customer="ACME")
    searches.look_ahead(101, ticket, "en")
    await asyncio.sleep(0)
    assert jira.asked == [query_for(ticket, "en")]
    assert 'labels = "acme"' in jira.asked[0] and "excel" in jira.asked[0]
    searches.forget(101)
