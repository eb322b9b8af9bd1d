"""The admins' figures: how requests went in Jira, the filtered list and the dashboard."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.notices import NoticePolicy
from bot.delivery.outcomes import record_outcomes
from bot.intake.draft import Draft
from bot.jira.events import IssueEvent
from bot.jira.ticket import Reporter, Ticket
from bot.reports.count_process import CountFailed, count_apart
from bot.reports.dashboard import NO_URGENCY, OTHER_TEMPLATES, compute, duration
from bot.reports.dashboard_cache import UNWATCHED_SECONDS, Dashboards
from bot.reports.request_log import RequestFilter, facets, search
from bot.storage.store import Store
from tests.conftest import START, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import JIRA_SECRET, Served, file_request, serving, told

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    clock = Clock()
    opened = Store(tmp_path / "t.db", clock)
    opened.clock = clock
    yield opened
    opened.close()


def file(store: Store, clock: Clock, number: int, *, user: int = 101, template: str = "bug",
         customer: str | None = "ACME",
         priority: str | None = "High", summary: str = "Export fails", key: str | None = None) -> str:
    """Record a confirmed request (and its Jira key) as the bot would."""
    draft = Draft(id=f"r{number}", user_id=user, lang="en", reporter=Reporter(user, f"User {user}"),
                  template_id=template)
    ticket = Ticket(project="SUP", issue_type="Bug", summary=summary, description="…", priority=priority,
                    customer=customer)
    store.confirm(draft, user, ticket)
    if key:
        store.mark_created(draft.id, key, f"https://jira.example.com/browse/{key}")
    return draft.id


def outcome(store: Store, key: str, *, responded: float | None = None, resolved: float | None = None,
            followups: int = 0) -> None:
    """Set how an issue went, as the inbox records it."""
    store.db.execute("UPDATE requests SET first_response_at = ?, resolved_at = ?, followups = ? WHERE jira_key = ?",
                     [responded, resolved, followups, key])


# -- how a request went in Jira, recorded from its events ---------------------------------------------------------


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    notices = {"webhook_secret": JIRA_SECRET, "poll_seconds": 0, "merge_seconds": 60}
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices=notices):
        yield running


async def test_first_response_follow_up_and_resolution_are_recorded(served: Served, tg: FakeTelegram,
                                                                    jira: FakeJira, clock: Clock) -> None:
    _, key = await file_request(tg, jira)
    filed_at = served.svc.store.request_by_key(key)
    assert filed_at is not None
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    clock.advance(2 * HOUR)
    jira.comment(key, "@sales which version does ACME run?", actor="alice")
    await told(served, clock)
    clock.advance(HOUR)
    jira.resolve(key, "Fixed", actor="alice")
    await told(served, clock)
    found = search(served.svc.store, RequestFilter(text=key))
    rows, total = found.rows, found.total
    assert total == 1
    row = rows[0]
    assert row.followups == 1
    # Jira stamps events with its own clock: the order is what this test can rely on.
    assert row.first_response_at is not None and row.resolved_at is not None
    assert row.created_at <= row.first_response_at <= row.resolved_at
    assert row.status == "resolved" and row.customer == "ACME Corp GmbH"


def event(number: int, kind: str, at: float, *, actor: str = "alice", new: str | None = None,
          body: str | None = None) -> IssueEvent:
    """Build one event of issue SUP-1."""
    return IssueEvent(event_id=f"e{number}", issue_key="SUP-1", summary="Export", kind=kind,  # type: ignore[arg-type]
                      actor_id=actor, actor_name=actor, at=at, new=new, body=body)


def test_outcomes_take_the_earliest_response_and_the_latest_resolution(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    file(store, clock, 1, key="SUP-1")
    policy = NoticePolicy(bot_actor_ids=frozenset({"bot"}))
    record_outcomes(store, "SUP-1", [event(1, "comment", START + 60, actor="bot", body="relayed answer"),
                                     event(2, "assignee", START + 90, new="alice")], policy)
    assert search(store, RequestFilter()).rows[0].first_response_at is None  # the bot and an assignment are no answer
    record_outcomes(store, "SUP-1", [event(3, "comment", START + 3 * HOUR, body="[?] which browser?"),
                                     event(4, "status", START + HOUR, new="In Progress")], policy)
    record_outcomes(store, "SUP-1", [event(5, "resolution", START + 5 * HOUR, new="Fixed")], policy)
    # A batch told again after a crash adds nothing.
    record_outcomes(store, "SUP-1", [event(3, "comment", START + 3 * HOUR, body="[?] which browser?")], policy)
    row = search(store, RequestFilter()).rows[0]
    assert (row.time_to_response, row.time_to_resolution, row.followups) == (HOUR, 5 * HOUR, 1)
    record_outcomes(store, "SUP-1", [event(6, "resolution", START + 6 * HOUR, new=None)], policy)
    row = search(store, RequestFilter()).rows[0]
    assert row.resolved_at is None and row.status == "open" and row.time_to_response == HOUR


async def test_the_bots_own_comment_is_not_a_response(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                       clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    jira.add_webhook(f"{served.base}/jira/webhook", secret=JIRA_SECRET)
    await user.tap("↩️ Reply")
    await tg.wait_for(lambda: "Write your answer" in user.last.text)
    await user.send("More details: it fails for files over 10 MB")
    await tg.wait_for(lambda: "Added to" in user.last.text, timeout=10)
    await told(served, clock)
    rows = search(served.svc.store, RequestFilter(text=key)).rows
    assert rows[0].first_response_at is None and rows[0].status == "open"


# -- the list of requests ---------------------------------------------------------------------------------------


def test_filters_narrow_the_list(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    store.remember_user(101, 101, "anna", "Anna Berg", "en")
    store.remember_user(102, 102, "boris", "Boris Ivanov", "ru")
    file(store, clock, 1, user=101, customer="ACME", priority="High", key="SUP-1", summary="Export to Excel fails")
    clock.advance(60)
    file(store, clock, 2, user=102, customer="Globex", priority="Low", template="feature", key="SUP-2")
    clock.advance(60)
    file(store, clock, 3, user=102, customer="ACME", priority=None, summary="100%_done looks wrong")
    outcome(store, "SUP-1", responded=START + HOUR, resolved=START + 5 * HOUR)

    def ids(**given: str) -> list[str]:
        return [row.id for row in search(store, RequestFilter(**given)).rows]

    assert ids() == ["r3", "r2", "r1"]  # newest first
    assert ids(text="excel") == ["r1"]
    assert ids(text="sup-2") == ["r2"]
    assert ids(text="100%_") == ["r3"]  # LIKE wildcards are taken literally
    assert ids(requester="@boris") == ["r3", "r2"]
    assert ids(requester="101") == ["r1"]
    assert ids(customer="acme") == ["r3", "r1"]
    assert ids(template="feature") == ["r2"]
    assert ids(urgency="High") == ["r1"]
    assert ids(status="resolved") == ["r1"]
    assert ids(status="open") == ["r2"]
    assert ids(status="waiting") == ["r3"]
    assert ids(customer="acme", status="waiting") == ["r3"]
    found = facets(store)
    assert found.templates == ["bug", "feature"]
    assert found.urgencies == ["High", "Low"]
    assert found.customers == ["ACME", "Globex"]
    assert dict(found.requesters) == {101: "Anna Berg", 102: "Boris Ivanov"}


def test_the_list_pages(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    for number in range(7):
        file(store, clock, number)
        clock.advance(1)
    first = search(store, RequestFilter(), limit=3)
    second = search(store, RequestFilter(), limit=3, after=first.rows[-1].id)
    assert second.total == 7 and [row.id for row in second.rows] == ["r3", "r2", "r1"]
    assert second.earlier and second.later


# -- the dashboard ------------------------------------------------------------------------------------------------


def test_dashboard_counts_weeks_times_follow_ups_and_customers(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    clock.now = START - 7 * 86400  # the week before
    file(store, clock, 1, template="bug", priority="High", customer="ACME", key="SUP-1")
    outcome(store, "SUP-1", responded=clock.now + 2 * HOUR, resolved=clock.now + 10 * HOUR, followups=1)
    clock.now = START
    file(store, clock, 2, template="bug", priority="Low", customer="ACME", key="SUP-2")
    outcome(store, "SUP-2", responded=clock.now + 4 * HOUR)
    file(store, clock, 3, template="feature", priority=None, customer="Globex", key="SUP-3")
    file(store, clock, 4, template="feature", priority="High", customer=None)
    board = compute(store, START + HOUR, weeks=4, zone=BERLIN)
    assert board.week_labels == ["2 Nov", "9 Nov", "16 Nov", "23 Nov"]
    assert board.by_template == {"bug": [0, 0, 1, 1], "feature": [0, 0, 0, 2]}
    assert board.by_urgency["High"] == [0, 0, 1, 1] and board.by_urgency[NO_URGENCY] == [0, 0, 0, 1]
    assert board.total == 4 and board.filed == 3 and board.resolved == 1
    assert board.median_first_response == 3 * HOUR
    assert board.median_resolution == 10 * HOUR
    assert board.followup_share == pytest.approx(1 / 3)
    assert board.top_customers == [("ACME", 2), ("Globex", 1)]


def test_dashboard_draws_weekly_trends_and_knows_the_week_is_not_over(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    clock.now = START - 14 * 86400  # two weeks before: answered in 1 h and 3 h, one asked about
    for number, hours in ((1, 1), (2, 3)):
        file(store, clock, number, key=f"SUP-{number}")
        outcome(store, f"SUP-{number}", responded=clock.now + hours * HOUR, resolved=clock.now + 10 * HOUR,
                followups=number - 1)
    clock.now = START  # this week: one answered after 5 h, one not yet, one still waiting for Jira
    file(store, clock, 3, key="SUP-3")
    outcome(store, "SUP-3", responded=clock.now + 5 * HOUR)
    file(store, clock, 4, key="SUP-4")
    file(store, clock, 5)
    board = compute(store, START + HOUR, weeks=4, zone=BERLIN)
    assert board.weekly_first_response == [None, 2 * HOUR, None, 5 * HOUR]  # medians, per week of filing
    assert board.weekly_resolution == [None, 10 * HOUR, None, None]
    assert board.weekly_followup_share == [None, 0.5, None, 0.0]  # of the requests filed in Jira
    assert board.median_first_response == 3 * HOUR and board.resolved == 2 and board.current_week_partial
    sunday_night = compute(store, START - HOUR - 9 * HOUR + 7 * 86400 - 1, weeks=4, zone=BERLIN)
    assert sunday_night.weeks[-1] == board.weeks[-1] and sunday_night.current_week_partial


async def test_a_dashboard_is_computed_again_only_when_requests_changed(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    boards = Dashboards(store, clock)
    file(store, clock, 1, key="SUP-1")
    first = await boards.page(4, BERLIN)
    assert first.board.total == 1 and first.current and first.counted_at == clock()
    clock.advance(3600)
    assert await boards.page(4, BERLIN) is first  # nothing changed: the same figures
    file(store, clock, 2)
    again = await boards.page(4, BERLIN)  # changed: counted again, quickly enough to wait for
    assert again.board.total == 2 and again.current and again.counted_at == clock()
    clock.advance(7 * 86400)  # a new week begins
    assert (await boards.get(4, BERLIN)).weeks[-1] > first.board.weeks[-1]


async def test_figures_still_being_counted_leave_the_kept_ones_on_the_page_saying_when(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    boards = Dashboards(store, clock, wait=0.0)  # as if counting took longer than a page may wait
    file(store, clock, 1)
    first = await boards.page(4, BERLIN)  # never counted before: the page waits for it
    assert first.board.total == 1 and first.current
    counted_at = clock()
    clock.advance(300)
    file(store, clock, 2)
    shown = await boards.page(4, BERLIN)
    assert shown.board.total == 1 and not shown.current and shown.counted_at == counted_at
    for _ in range(100):  # the fresh ones replace them once counted
        if (shown := await boards.page(4, BERLIN)).current:
            break
        await asyncio.sleep(0.02)
    assert shown.board.total == 2 and shown.counted_at == clock()


async def test_counted_figures_outlive_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(tmp_path / "t.db", clock)
    file(store, clock, 1, key="SUP-1")
    outcome(store, "SUP-1", responded=START + HOUR, resolved=START + 5 * HOUR)
    file(store, clock, 2, user=102, template="feature", priority=None, customer=None)
    counted = await Dashboards(store, clock).page(12, BERLIN)
    store.close()
    clock.advance(120)
    reopened = Store(tmp_path / "t.db", clock)
    try:
        boards = Dashboards(reopened, clock, wait=0.0)
        shown = await boards.page(12, BERLIN)  # read back, not counted again: nothing changed
        assert shown == counted and shown.current and shown.counted_at == counted.counted_at
        assert shown.board.weeks == counted.board.weeks and shown.board.weeks[-1].tzinfo == BERLIN
        assert shown.urgency.by_template[0].lines[0].median_response == HOUR
        file(reopened, clock, 3)
        stale = await boards.page(12, BERLIN)  # changed since: the kept ones, while newer ones are counted
        assert stale.board == counted.board and not stale.current
    finally:
        reopened.close()


async def test_figures_kept_in_another_shape_are_counted_afresh(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    file(store, clock, 1)
    store.keep_figures("dashboard:4:Europe/Berlin", clock() - 60, store.requests_version(), '{"shape": 0}', None)
    shown = await Dashboards(store, clock, wait=0.0).page(4, BERLIN)
    assert shown.board.total == 1 and shown.current and shown.counted_at == clock()


async def test_a_large_span_never_counted_is_counted_in_a_process_of_its_own_while_the_page_says_so(
        store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    file(store, clock, 1, key="SUP-1")
    outcome(store, "SUP-1", responded=START + HOUR, resolved=START + 5 * HOUR)
    file(store, clock, 2, user=102, template="feature", priority=None, customer=None)
    clock.advance(600)
    beside = await Dashboards(store, clock).page(12, BERLIN)  # counted on a thread, as for a small installation
    store.forget_figures()
    boards = Dashboards(store, clock, quick=0)  # as if more requests were stored than a page may wait for
    assert await boards.page(12, BERLIN) is None  # being counted: the page says so instead of waiting
    counted = await boards.counted(12, BERLIN)  # the urgency CSV waits for it
    assert counted == beside and counted.board.total == 2 and counted.current
    assert counted.urgency.by_template[0].lines[0].median_response == HOUR
    assert await boards.page(12, BERLIN) == beside  # and kept


async def test_a_count_that_fails_in_its_process_says_why(tmp_path: Path) -> None:
    with pytest.raises(CountFailed, match="unable to open database"):
        await count_apart(tmp_path / "missing.db", START, 4, BERLIN)


def test_templates_beyond_the_top_ten_are_drawn_as_one(store: Store) -> None:
    clock = store.clock
    assert isinstance(clock, Clock)
    for number in range(1, 13):  # template t1 once, t2 twice... t12 twelve times
        for copy in range(number):
            file(store, clock, number * 100 + copy, template=f"t{number}")
    board = compute(store, START + HOUR, weeks=2, zone=BERLIN)
    assert list(board.by_template) == [f"t{n}" for n in range(12, 2, -1)] + [OTHER_TEMPLATES]
    assert board.by_template[OTHER_TEMPLATES] == [0, 3] and board.total == 78


async def test_dashboards_are_kept_up_to_date_while_the_bot_runs(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(tmp_path / "t.db", clock)
    file(store, clock, 1)

    async def until(done: Callable[[], bool]) -> None:
        for _ in range(200):
            if done():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("not kept up to date")

    boards = Dashboards(store, clock)
    seen: list[tuple[int, int]] = []
    boards.watch(lambda weeks, shown: seen.append((weeks, shown.board.total)))
    keeping = asyncio.create_task(boards.keep_fresh((4, 12), BERLIN, every=0.05))
    try:
        await until(lambda: boards.kept(4, BERLIN) is not None and boards.kept(12, BERLIN) is not None)
        await boards.get(12, BERLIN)  # an admin opens one of them: it is kept up to date from now on
        file(store, clock, 2)
        await asyncio.sleep(0.2)
        assert boards.kept(12, BERLIN).total == 1  # type: ignore[union-attr]  # counted a moment ago: not yet
        clock.advance(60)  # past its share of the machine (the count took well under 1.5 s)
        await until(lambda: (board := boards.kept(12, BERLIN)) is not None and board.total == 2)
        assert boards.kept(4, BERLIN).total == 1  # type: ignore[union-attr]  # nobody opened it
        assert seen == [(12, 2)]  # handed on to be drawn before the admin comes back
    finally:
        keeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeping
    store.close()
    # After a restart: the span opened within a day is kept up to date again, the other is left as it was.
    clock.advance(3600)
    store = Store(tmp_path / "t.db", clock)
    file(store, clock, 3)
    boards = Dashboards(store, clock)
    keeping = asyncio.create_task(boards.keep_fresh((4, 12), BERLIN, every=0.05))
    try:
        await until(lambda: (board := boards.kept(12, BERLIN)) is not None and board.total == 3)
        await asyncio.sleep(0.2)
        assert boards.kept(4, BERLIN).total == 1  # type: ignore[union-attr]  # as kept, not counted again
        clock.advance(UNWATCHED_SECONDS)
        file(store, clock, 4)
        await asyncio.sleep(0.2)
        assert boards.kept(12, BERLIN).total == 3  # type: ignore[union-attr]  # nobody opened it for a day
    finally:
        keeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeping
        store.close()


async def test_figures_no_page_waits_for_are_handed_on_for_spans_opened_within_a_day(tmp_path: Path) -> None:
    clock = Clock()
    seen: list[tuple[int, int, bool]] = []

    def watched(store: Store, wait: float = 0.15) -> Dashboards:
        boards = Dashboards(store, clock, wait=wait)
        boards.watch(lambda weeks, shown: seen.append((weeks, shown.board.total, shown.current)))
        return boards

    async def handed_on(count: int) -> tuple[int, int, bool]:
        for _ in range(200):
            if len(seen) >= count:
                break
            await asyncio.sleep(0.02)
        return seen[count - 1]

    store = Store(tmp_path / "t.db", clock)
    file(store, clock, 1)
    boards = watched(store)
    await boards.get(4, BERLIN)
    await boards.get(12, BERLIN)
    assert seen == []  # counted while their pages waited: the pages draw them
    store.close()
    clock.advance(3600)
    store = Store(tmp_path / "t.db", clock)
    try:
        boards = watched(store, wait=0.0)  # as if counting took longer than a page waits
        await boards.read_back((4, 12, 26), BERLIN)  # after a restart
        assert seen == [(4, 1, True), (12, 1, True)]  # 26 weeks were never counted
        file(store, clock, 2)
        assert (await boards.page(12, BERLIN)).board.total == 1  # type: ignore[union-attr]  # kept, while counted
        assert await handed_on(3) == (12, 2, True)
    finally:
        store.close()
    # Changed while the bot was down, counted quickly: read back, counted again at once, and the fresh ones handed on.
    clock.advance(60)
    store = Store(tmp_path / "t.db", clock)
    try:
        file(store, clock, 3)
        await watched(store).read_back((12,), BERLIN)
        assert await handed_on(4) == (12, 3, True)
    finally:
        store.close()
    clock.advance(UNWATCHED_SECONDS)
    store = Store(tmp_path / "t.db", clock)
    try:
        await watched(store).read_back((4, 12), BERLIN)
        assert len(seen) == 4  # nobody opened them for a day
    finally:
        store.close()


def test_an_empty_dashboard_has_no_figures(store: Store) -> None:
    board = compute(store, START, weeks=2)
    assert board.total == 0 and board.median_first_response is None and board.followup_share is None
    assert board.weekly_first_response == board.weekly_resolution == board.weekly_followup_share == [None, None]


@pytest.mark.parametrize(("seconds", "shown"), [(None, "—"), (59, "0 min"), (45 * 60, "45 min"), (3 * HOUR, "3 h"),
                                                (3 * HOUR + 20 * 60, "3 h 20 min"), (50 * HOUR, "2 d 2 h"),
                                                (72 * HOUR, "3 d")])
def test_durations_read_naturally(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown
