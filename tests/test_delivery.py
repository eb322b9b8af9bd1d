"""Delivery of confirmed requests through the outbox and real python-jira against the fake Jira."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.config import DeliveryConfig, JiraConfig
from bot.delivery.outbox import Outbox, marker
from bot.intake.draft import Draft
from bot.jira.gateway import CreatedIssue, DeliveryError, JiraGateway, classify
from bot.jira.ticket import Reporter, Ticket
from bot.storage.store import Request, Store
from tests.conftest import Clock, RunningBot
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeUser


@dataclass
class Heard:
    """A DeliveryListener that records what it was told."""

    created: list[tuple[str, str]] = field(default_factory=list)
    delayed: list[str] = field(default_factory=list)
    refused: list[tuple[str, DeliveryError]] = field(default_factory=list)


class Files:
    """A FileSource holding files in memory."""

    def __init__(self, content: dict[str, bytes]) -> None:
        self.content = content

    async def fetch(self, file_id: str) -> bytes:
        return self.content[file_id]


class Listener:
    """Adapter with the method names the outbox calls."""

    def __init__(self, heard: Heard) -> None:
        self.heard = heard

    async def created(self, request: Request, issue: CreatedIssue) -> None:
        self.heard.created.append((request.id, issue.key))

    async def delayed(self, request: Request, error: DeliveryError) -> None:
        self.heard.delayed.append(request.id)

    async def refused(self, request: Request, error: DeliveryError) -> None:
        self.heard.refused.append((request.id, error))

    async def attachment_failed(self, request: Request, name: str, error: DeliveryError) -> None:
        self.heard.refused.append((name, error))


def ticket(**changes: object) -> Ticket:
    """A typical rendered ticket."""
    base = dict(project="SUP", issue_type="Bug", summary="ACME: export fails", description="h3. What\nit fails",
                priority="High", duedate="2026-11-27", labels=("from-sales", "acme"))
    base.update(changes)
    return Ticket(**base)  # type: ignore[arg-type]


def confirmed(store: Store, request_id: str = "req0001", **changes: object) -> Request:
    """Store a confirmed request as the intake journey does."""
    draft = Draft(id=request_id, user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
    request, new = store.confirm(draft, 101, ticket(**changes))
    assert new
    return request


MODES = {
    "cloud": dict(email="bot@example.com", api_token="tok"),
    "dc9": dict(pat="pat-secret"),
    "dc8": dict(pat="pat-secret"),
}


@pytest.fixture(params=sorted(MODES))
def fake(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, email="bot@example.com", api_token="tok", pat="pat-secret") as jira:
        yield jira


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    db = Store(tmp_path / "t.db", clock)
    yield db
    db.close()


def outbox_for(store: Store, jira: FakeJira, clock: Clock, heard: Heard, files: Files | None = None,
               **config: float) -> Outbox:
    auth = MODES[jira.mode]
    gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", timeout=2, **auth))  # type: ignore[arg-type]
    delivery = DeliveryConfig(**{"first_retry_seconds": 10, "max_retry_seconds": 60, **config})
    return Outbox(store, gateway, Listener(heard), delivery, files=files, clock=clock, jitter=lambda: 1.0)


async def test_confirmed_request_is_filed_with_its_marker(fake: FakeJira, store: Store, clock: Clock) -> None:
    heard = Heard()
    outbox = outbox_for(store, fake, clock, heard)
    request = confirmed(store)
    assert await outbox.deliver_due() == 1
    assert heard.created == [(request.id, "SUP-1")]
    issue = fake.issues["SUP-1"]
    assert marker(request.id) in issue["fields"]["labels"]
    assert issue["fields"]["priority"]["name"] == "High"
    stored = store.get_request(request.id)
    assert stored is not None and stored.state == "created" and stored.jira_key == "SUP-1"
    assert stored.jira_url == f"{fake.url}/browse/SUP-1"
    await outbox.gateway.close()


async def test_a_second_confirmation_of_the_same_draft_is_not_a_new_request(store: Store) -> None:
    first = confirmed(store)
    draft = Draft(id=first.id, user_id=101, lang="en", reporter=Reporter(101, "Anna"), template_id="bug")
    again, new = store.confirm(draft, 101, ticket())
    assert not new and again.id == first.id
    assert len(store.requests_of(101)) == 1


@pytest.mark.parametrize("status,headers", [
    (500, {}), (502, {}), (503, {"Retry-After": "30"}), (504, {}), (429, {"Retry-After": "5"}),
])
async def test_transient_failures_are_retried_and_filed_once(store: Store, clock: Clock, status: int,
                                                             headers: dict[str, str]) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        jira.fail_next(status, headers=headers, times=3, path_contains="/issue", method="POST")
        for _ in range(3):
            await outbox.deliver_due()
            assert heard.created == []
            clock.advance(120)
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and [key for _, key in heard.created] == ["SUP-1"]
        assert heard.delayed == ["req0001"], "the user is told once that Jira is unreachable"
        await outbox.gateway.close()


async def test_retry_after_is_honoured(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        outbox = outbox_for(store, jira, clock, Heard())
        confirmed(store)
        jira.fail_next(503, headers={"Retry-After": "300"}, path_contains="/issue", method="POST")
        await outbox.deliver_due()
        request = store.get_request("req0001")
        assert request is not None and request.next_attempt_at is not None
        assert request.next_attempt_at - clock() >= 300
        await outbox.gateway.close()


async def test_lost_create_response_does_not_file_twice(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        jira.lose_next_create_response()
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and heard.created == []
        clock.advance(120)
        await outbox.deliver_due()
        assert len(jira.issues) == 1
        assert heard.created == [("req0001", "SUP-1")]
        await outbox.gateway.close()


@pytest.mark.parametrize("mode", ["cloud", "dc9"])
async def test_lost_create_response_while_the_search_lags_files_once(store: Store, clock: Clock, mode: str) -> None:
    with FakeJira(mode, pat="pat-secret") as jira:
        jira.index_clock = clock
        jira.search_lag = 20
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        jira.lose_next_create_response()
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and heard.created == []
        clock.advance(10)
        # The retry's search does not show the issue yet, and the consistency window is still open: no new create.
        assert await outbox.deliver_due() == 1
        assert len(jira.creates) == 1 and heard.created == []
        clock.advance(20)
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and len(jira.creates) == 1
        assert heard.created == [("req0001", "SUP-1")]
        await outbox.gateway.close()


async def test_a_create_that_never_reached_jira_is_filed_once_the_window_has_passed(store: Store, clock: Clock
                                                                                    ) -> None:
    with FakeJira("cloud") as jira:
        jira.index_clock = clock
        jira.search_lag = 20
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        jira.go_down()
        await outbox.deliver_due()
        jira.come_up()
        for _ in range(3):
            clock.advance(15)
            await outbox.deliver_due()
            assert jira.creates == [] and heard.created == []
        clock.advance(15)
        await outbox.deliver_due()
        assert len(jira.creates) == 1 and heard.created == [("req0001", "SUP-1")]
        request = store.get_request("req0001")
        assert request is not None and request.state == "created"
        await outbox.gateway.close()


async def test_a_create_in_flight_when_the_bot_is_upgraded_is_not_filed_twice(tmp_path: Path, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        jira.index_clock = clock
        jira.search_lag = 20
        store = Store(tmp_path / "old.db", clock)
        request = confirmed(store)
        store.mark_sending(request.id)
        gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", email="bot@example.com", api_token="tok",
                                         timeout=5))
        jira.lose_next_create_response()
        with pytest.raises(DeliveryError):
            await gateway.create(request.ticket, marker(request.id))
        # The database as the release before the in-flight mark left it, then upgraded by the next start.
        store.db.execute("ALTER TABLE requests DROP COLUMN create_sent_at")
        store.db.execute("DELETE FROM _migrations WHERE name = '0015_request_create_sent'")
        store.close()
        store = Store(tmp_path / "old.db", clock)
        heard = Heard()
        outbox = Outbox(store, gateway, Listener(heard), DeliveryConfig(), clock=clock, jitter=lambda: 1.0)
        clock.advance(10)
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and heard.created == []
        clock.advance(20)
        await outbox.deliver_due()
        assert len(jira.issues) == 1 and heard.created == [("req0001", "SUP-1")]
        store.close()
        await gateway.close()


async def test_a_refused_create_is_sent_again_without_waiting(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        # Jira answered, so no issue was made: the next attempt need not wait for the search to catch up.
        jira.fail_next(429, headers={"Retry-After": "1"}, path_contains="/issue", method="POST")
        await outbox.deliver_due()
        clock.advance(10)
        await outbox.deliver_due()
        assert heard.created == [("req0001", "SUP-1")]
        assert not [r for r in jira.requests if "/search" in r.path], "no search was needed"
        await outbox.gateway.close()


def test_exactly_once_whatever_the_lag_and_the_retry_times(tmp_path: Path) -> None:
    """Any search lag within the window, lost answers or not, any spacing of retries: one issue, one notice."""
    import asyncio
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st

    clock = Clock()
    numbers = itertools.count()
    with FakeJira("cloud") as jira:
        jira.index_clock = clock
        # The default consistency window (60 s) is longer than any lag drawn here.
        gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", email="bot@example.com", api_token="tok",
                                         timeout=5))

        @settings(max_examples=25, deadline=None, database=None)
        @given(lag=st.floats(0, 59), lost=st.booleans(), waits=st.lists(st.floats(0.5, 40), max_size=6))
        def scenario(lag: float, lost: bool, waits: list[float]) -> None:
            number = next(numbers)
            store = Store(tmp_path / f"prop{number}.db", clock)
            heard = Heard()
            outbox = Outbox(store, gateway, Listener(heard), DeliveryConfig(first_retry_seconds=5,
                                                                            max_retry_seconds=30),
                            clock=clock, jitter=lambda: 1.0)
            request = confirmed(store, f"prop{number}")
            jira.search_lag = lag
            if lost:
                jira.lose_next_create_response()

            async def play() -> None:
                await outbox.deliver_due()
                for wait in [*waits, 200.0]:
                    clock.advance(wait)
                    await outbox.deliver_due()

            asyncio.run(play())
            store.close()
            mine = [i for i in jira.issues.values() if marker(request.id) in i["fields"]["labels"]]
            assert len(mine) == 1
            assert heard.created == [(request.id, mine[0]["key"])]

        scenario()
        asyncio.run(gateway.close())


async def test_crash_after_create_before_bookkeeping_does_not_file_twice(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        request = confirmed(store)
        # As if the process died after Jira created the issue but before the database heard of it.
        store.mark_sending(request.id)
        store.set_create_sent(request.id, clock())
        gateway = outbox.gateway
        await gateway.create(request.ticket, marker(request.id))
        await outbox.deliver_due()
        assert len(jira.issues) == 1
        assert heard.created == [("req0001", "SUP-1")]
        await gateway.close()


async def test_jira_down_keeps_the_request_until_it_is_back(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store)
        jira.go_down()
        await outbox.deliver_due()
        assert heard.delayed == ["req0001"]
        jira.come_up()
        clock.advance(120)
        await outbox.deliver_due()
        assert [key for _, key in heard.created] == ["SUP-1"]
        await outbox.gateway.close()


async def test_field_errors_are_permanent_and_explained(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        jira.require_field("Bug", "duedate")
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store, duedate=None)
        await outbox.deliver_due()
        assert jira.issues == {}
        [(request_id, error)] = heard.refused
        assert not error.transient and error.status == 400
        assert "duedate" in error.field_errors
        stored = store.get_request(request_id)
        assert stored is not None and stored.state == "needs-attention"
        assert "Due date is required" in (stored.last_error or "")
        clock.advance(3600)
        assert await outbox.deliver_due() == 0
        await outbox.gateway.close()


async def test_retrying_stops_after_the_maximum_age(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard, max_age_hours=1)
        confirmed(store)
        jira.go_down()
        await outbox.deliver_due()
        clock.advance(2 * 3600)
        await outbox.deliver_due()
        assert len(heard.refused) == 1
        stored = store.get_request("req0001")
        assert stored is not None and stored.state == "needs-attention"
        jira.come_up()
        await outbox.gateway.close()


def test_backoff_grows_and_is_capped() -> None:
    outbox = Outbox(None, None, None, DeliveryConfig(first_retry_seconds=10, max_retry_seconds=60),  # type: ignore[arg-type]
                    jitter=lambda: 1.0)
    assert [outbox.backoff(n, None) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]
    assert outbox.backoff(1, 500) == 500


@pytest.mark.parametrize("status,transient", [
    (400, False), (401, True), (403, False), (404, False), (409, True), (429, True), (500, True), (502, True),
    (503, True), (504, True),
])
def test_retry_policy_by_status(status: int, transient: bool) -> None:
    from jira import JIRAError

    assert classify(JIRAError("x", status_code=status)).transient is transient


async def test_gateway_never_blocks_the_event_loop(store: Store, clock: Clock) -> None:
    import asyncio
    import time

    with FakeJira("cloud") as jira:
        jira.latency = 0.3
        gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", email="bot@example.com", api_token="tok",
                                         timeout=5))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        await gateway.create(ticket(), "ts-loop")
        elapsed = time.monotonic() - started
        task.cancel()
        assert ticks >= int(elapsed / 0.01) // 2, "the loop kept running while Jira was slow"
        await gateway.close()


async def test_files_are_uploaded_after_the_issue_exists(store: Store, clock: Clock) -> None:
    from bot.jira.ticket import Attachment

    with FakeJira("dc9", pat="pat-secret", upload_limit=1000) as jira:
        heard = Heard()
        files = Files({"f1": b"small", "f2": b"x" * 2000, "f3": "Привет".encode()})
        outbox = outbox_for(store, jira, clock, heard, files)
        attachments = (Attachment("f1", "screen.png", 5), Attachment("f2", "huge.mov", 2000),
                       Attachment("f3", "отчёт.txt", 12))
        confirmed(store, attachments=attachments)
        jira.fail_next(503, path_contains="/attachments", method="POST")
        await outbox.deliver_due()
        assert heard.created == [("req0001", "SUP-1")]
        assert jira.issues["SUP-1"]["attachments"] == []
        request = store.get_request("req0001")
        assert request is not None and request.state == "attaching"
        clock.advance(120)
        await outbox.deliver_due()
        names = sorted(a["filename"] for a in jira.issues["SUP-1"]["attachments"])
        assert names == ["screen.png", "отчёт.txt"]
        [(name, error)] = heard.refused
        assert name == "huge.mov" and error.status == 413 and not error.transient
        request = store.get_request("req0001")
        assert request is not None and request.state == "created"
        assert len(jira.creates) == 1
        await outbox.gateway.close()


@pytest.mark.parametrize("mode", ["cloud", "dc9"])
async def test_configured_reporter_is_set_by_the_deployments_key(store: Store, clock: Clock, mode: str) -> None:
    with FakeJira(mode, email="bot@example.com", api_token="tok", pat="pat-secret") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard)
        confirmed(store, reporter_query="bob@example.com" if mode == "cloud" else "bob")
        await outbox.deliver_due()
        reporter = jira.issues["SUP-1"]["fields"]["reporter"]
        assert reporter["displayName"] == "Bob Brandt"
        sent = jira.creates[-1]["fields"]["reporter"]
        assert sent == ({"accountId": reporter["accountId"]} if mode == "cloud" else {"name": "bob"})
        await outbox.gateway.close()


async def test_a_429_storm_ends_with_every_request_filed_once(store: Store, clock: Clock) -> None:
    with FakeJira("cloud") as jira:
        heard = Heard()
        outbox = outbox_for(store, jira, clock, heard, first_retry_seconds=1, max_retry_seconds=5)
        for n in range(5):
            confirmed(store, f"storm{n}")
        jira.fail_next(429, headers={"Retry-After": "2"}, times=12, path_contains="/issue", method="POST")
        for _ in range(30):
            await outbox.deliver_due()
            if len(heard.created) == 5:
                break
            clock.advance(3)
        assert sorted(request_id for request_id, _ in heard.created) == [f"storm{n}" for n in range(5)]
        labels = [label for issue in jira.issues.values() for label in issue["fields"]["labels"]
                  if label.startswith("ts-")]
        assert sorted(labels) == sorted(f"ts-storm{n}" for n in range(5))
        assert sorted(heard.delayed) == [f"storm{n}" for n in range(5)], "each requester told once"
        await outbox.gateway.close()


@pytest.mark.parametrize("workers", [1, 3])
async def test_requests_go_to_jira_side_by_side_up_to_the_workers(store: Store, clock: Clock, workers: int) -> None:
    with FakeJira("cloud") as jira:
        jira.latency = 0.2
        heard = Heard()
        gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", email="bot@example.com", api_token="tok",
                                         timeout=5, workers=workers))
        outbox = Outbox(store, gateway, Listener(heard), DeliveryConfig(), clock=clock, jitter=lambda: 1.0)
        await gateway.server_info()  # every worker logs in on its first call; keep that out of the count
        jira.peak_in_flight = 0
        for n in range(6):
            confirmed(store, f"batch{n}")
        assert await outbox.deliver_due() == 6
        assert sorted(request_id for request_id, _ in heard.created) == [f"batch{n}" for n in range(6)]
        assert sorted(jira.issues) == [f"SUP-{n}" for n in range(1, 7)]
        assert jira.peak_in_flight == workers
        await gateway.close()


async def test_the_proxy_from_the_environment_is_used_unless_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FakeJira("cloud") as proxy, FakeJira("cloud") as direct:
        # The "proxy" is a fake Jira: a proxied call reaches it with the real Jira's address as its Host.
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        through = JiraGateway(JiraConfig(url="http://jira.invalid", project="SUP", email="bot@example.com",
                                         api_token="tok", timeout=5))
        assert await through.similar('project = SUP AND text ~ "export"') == []
        await through.close()
        searches = [seen for seen in proxy.requests if "/search" in seen.path]
        assert len(searches) == 1 and searches[0].headers["Host"] == "jira.invalid"

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        bypassing = JiraGateway(JiraConfig(url=direct.url, project="SUP", email="bot@example.com",
                                           api_token="tok", timeout=5))
        await bypassing.similar('project = SUP AND text ~ "export"')
        await bypassing.close()
        assert [seen.path for seen in direct.requests if "/search" in seen.path]
        assert len([seen for seen in proxy.requests if "/search" in seen.path]) == 1


async def test_the_ca_bundle_from_the_environment_verifies_jira(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with FakeJira("cloud") as jira:
        gateway = JiraGateway(JiraConfig(url=jira.url, project="SUP", email="bot@example.com", api_token="tok",
                                         timeout=5))
        await gateway.server_info()
        # What requests would use for the next call, read the way it reads it for every call python-jira makes.
        sessions = [client._session for client in gateway._clients]
        assert [s.merge_environment_settings(jira.url, {}, None, s.verify, None)["verify"] for s in sessions] == \
            [str(bundle)]
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "changed.pem"))
        assert sessions[0].merge_environment_settings(jira.url, {}, None, sessions[0].verify, None)["verify"] == \
            str(bundle)
        await gateway.close()


# -- the whole journey: real PTB and python-jira, a Jira whose search lags behind its creates -----------------


async def to_summary_card(bot: RunningBot, user: FakeUser) -> None:
    """Walk the bug template to its summary card."""
    await bot.say(user, "/new")
    await bot.tap(user, "Something is broken")
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, "Can wait")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")


async def next_attempt(bot: RunningBot, seconds: float) -> Request:
    """Let seconds pass on the bot's clock and wait until the outbox has filed the request or put it off again."""
    import asyncio

    assert bot.svc is not None and bot.svc.outbox is not None
    [before] = bot.svc.store.requests_of(101)
    bot.clock.advance(seconds)
    bot.svc.outbox.kick()
    for _ in range(500):
        [request] = bot.svc.store.requests_of(101)
        if request.attempts > before.attempts and (
                request.state == "created" or (request.next_attempt_at or 0) > bot.clock()):
            return request
        await asyncio.sleep(0.02)
    raise AssertionError("the outbox did not act on the due request")


def created_notices(user: FakeUser) -> list[str]:
    """The 'Created SUP-n' notices the salesperson got."""
    return [m.text for m in user.messages if "Created SUP-" in m.text]


async def test_a_lost_create_answer_while_the_search_lags_gives_one_issue_and_one_notice(bot: RunningBot) -> None:
    bot.jira.index_clock = bot.clock
    bot.jira.search_lag = 20
    user = bot.user()
    await to_summary_card(bot, user)
    bot.jira.lose_next_create_response()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    assert list(bot.jira.issues) == ["SUP-1"], "Jira made the issue; only its answer was lost"
    # Retried before the search shows SUP-1: not finding it must not mean filing it again.
    request = await next_attempt(bot, 5)
    assert list(bot.jira.issues) == ["SUP-1"] and created_notices(user) == []
    assert request.state == "sending"
    request = await next_attempt(bot, 20)
    assert request.state == "created" and request.jira_key == "SUP-1"
    await bot.tg.wait_for(lambda: bool(created_notices(user)), timeout=10)
    assert list(bot.jira.issues) == ["SUP-1"] and len(bot.jira.creates) == 1
    [notice] = created_notices(user)
    assert "Created SUP-1" in notice and "SUP-2" not in notice


async def test_a_restart_while_the_search_lags_still_files_once(bot: RunningBot) -> None:
    bot.jira.index_clock = bot.clock
    bot.jira.search_lag = 20
    user = bot.user()
    await to_summary_card(bot, user)
    bot.jira.lose_next_create_response()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    # A fresh process knows only what the database kept: when the create that got no answer was sent.
    await bot.restart()
    request = await next_attempt(bot, 5)
    assert list(bot.jira.issues) == ["SUP-1"] and request.state == "sending"
    request = await next_attempt(bot, 20)
    assert request.state == "created" and request.jira_key == "SUP-1"
    await bot.tg.wait_for(lambda: bool(created_notices(user)), timeout=10)
    assert len(bot.jira.issues) == 1 and len(bot.jira.creates) == 1
    assert len(created_notices(user)) == 1 and "Created SUP-1" in created_notices(user)[0]


async def test_a_create_that_never_reached_jira_is_filed_after_the_window_once(bot: RunningBot) -> None:
    bot.jira.index_clock = bot.clock
    bot.jira.search_lag = 20
    user = bot.user()
    await to_summary_card(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.jira.come_up()
    # Within the window, a missing issue may still be on its way into the search: wait rather than file.
    request = await next_attempt(bot, 30)
    assert bot.jira.creates == [] and created_notices(user) == [] and request.state == "sending"
    request = await next_attempt(bot, 31)
    assert request.state == "created" and request.jira_key == "SUP-1"
    await bot.tg.wait_for(lambda: bool(created_notices(user)), timeout=10)
    assert len(bot.jira.issues) == 1 and len(bot.jira.creates) == 1
    assert len(created_notices(user)) == 1 and "Created SUP-1" in created_notices(user)[0]


@pytest.mark.parametrize(("url", "link"), [
    ("https://bot%40example.com:tok@jira.example.com", "https://jira.example.com/browse/SUP-1"),
    ("https://user:secret@jira.example.com:8443/jira/", "https://jira.example.com:8443/jira/browse/SUP-1"),
    ("https://jira.example.com/", "https://jira.example.com/browse/SUP-1"),
])
def test_issue_links_never_carry_credentials_written_into_the_url(url: str, link: str) -> None:
    gateway = JiraGateway(JiraConfig(url=url, project="SUP", email="bot@example.com", api_token="tok"))
    assert gateway.issue_url("SUP-1") == link
