"""Urgency in the open: the priority claimed at filing against what engineering did, per template and requester."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.delivery.notices import NoticePolicy
from bot.delivery.outcomes import record_outcomes
from bot.intake.draft import Draft
from bot.jira.events import IssueEvent
from bot.jira.ticket import Reporter, Ticket
from bot.reports.urgency import NO_URGENCY, compute, to_csv
from bot.storage.store import Store
from tests.conftest import SALES_IDS, START, Clock
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import JIRA_SECRET, Served, file_bug, running_site, served_by_webhook, told

HOUR = 3600.0
BLOCKED = "Deal or go-live blocked"


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    async for running in served_by_webhook(tg, jira, tmp_path, clock):
        yield running


async def test_claimed_urgency_against_what_engineering_did(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                            clock: Clock) -> None:
    anna = tg.user(SALES_IDS[0], "Anna", last_name="Berg", username="anna")
    boris = tg.user(SALES_IDS[1], "Boris", last_name="Ivanov", username="boris")
    filed = clock()
    lowered = await file_bug(tg, anna, "Export to Excel fails since the update", "acme", urgency=BLOCKED)
    waiting = await file_bug(tg, anna, "Reports time out for big accounts", "globex", urgency=BLOCKED)
    calm = await file_bug(tg, boris, "A typo on the invoice footer", "initech")
    assert [jira.issues[k]["fields"]["priority"]["name"] for k in (lowered, waiting, calm)] == [
        "Highest", "Highest", "Medium"]
    clock.now = filed + HOUR
    jira.comment(calm, "On it", actor="alice")
    clock.now = filed + 5 * HOUR
    jira.resolve(calm, "Fixed", actor="alice")
    clock.now = filed + 30 * HOUR
    jira.edit(lowered, {"priority": {"name": "Low"}}, actor="alice")
    jira.comment(lowered, "Not a blocker: the export works for files under 10 MB", actor="alice")
    await told(served, clock)
    # Salespeople are not told about the priority change itself; the comment reaches Anna as before.
    assert any("Not a blocker" in m.text for m in anna.messages)
    assert not any("Low" in m.text for m in anna.messages)

    report = compute(served.svc.store, filed - HOUR, clock())
    by_requester = {group.name: group for group in report.by_requester}
    assert sorted(by_requester) == ["Anna Berg", "Boris Ivanov"]
    (highest,) = by_requester["Anna Berg"].lines
    assert (highest.claimed, highest.requests, highest.changed, highest.lowered, highest.raised) == (
        "Highest", 2, 1, 1, 0)
    # The urgent asks waited: one answered after 30 hours, one not at all; the calm one in an hour.
    assert (highest.answered, highest.resolved) == (1, 0)
    assert highest.median_response is not None and abs(highest.median_response - 30 * HOUR) < 120
    (medium,) = by_requester["Boris Ivanov"].lines
    assert (medium.claimed, medium.requests, medium.changed, medium.answered, medium.resolved) == (
        "Medium", 1, 0, 1, 1)
    assert medium.median_response is not None and abs(medium.median_response - HOUR) < 120
    assert medium.median_resolution is not None and abs(medium.median_resolution - 5 * HOUR) < 120
    assert by_requester["Anna Berg"].urgent_share == 1.0 and by_requester["Boris Ivanov"].urgent_share == 0.0
    (bug,) = report.by_template
    assert bug.name == "bug" and [line.claimed for line in bug.lines] == ["Highest", "Medium"]

    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    assert rows[0][:4] == ["by", "name", "claimed priority", "requests"]
    assert ["requester", "Anna Berg", "Highest", "2", "1", "1", "0", "1", "30.0", "0", ""] in rows
    assert ["template", "bug", "Medium", "1", "0", "0", "0", "1", "1.0", "1", "5.0"] in rows


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "t.db", Clock())
    yield opened
    opened.close()


def filed(store: Store, number: int, priority: str | None, *, user: int = 101, name: str = "Anna") -> str:
    """Record a request filed as SUP-number, as the bot would."""
    store.remember_user(user, user, None, name, "en")
    draft = Draft(id=f"r{number}", user_id=user, lang="en", reporter=Reporter(user, name), template_id="bug")
    store.confirm(draft, user, Ticket("SUP", "Bug", "Export", "…", priority=priority))
    store.mark_created(draft.id, f"SUP-{number}", f"https://jira/browse/SUP-{number}")
    return f"SUP-{number}"


def priority_change(number: int, key: str, old: str | None, new: str | None, actor: str = "alice") -> IssueEvent:
    """A priority change in Jira's changelog."""
    return IssueEvent(event_id=f"e{number}", issue_key=key, summary="Export", kind="priority", actor_id=actor,
                      actor_name=actor, at=START + number, old=old, new=new)


@pytest.mark.parametrize(("claimed", "changes", "changed", "lowered", "raised"), [
    ("Highest", [("Highest", "Low")], 1, 1, 0),
    ("Low", [("Low", "High")], 1, 0, 1),
    ("High", [("High", "Low"), ("Low", "High")], 0, 0, 0),  # changed back: as claimed
    ("High", [("High", "P2")], 1, 0, 0),  # a scheme of its own: different, direction unknown
    (None, [(None, "High")], 1, 0, 0),
])
def test_priority_changes_count_by_the_last_one(store: Store, claimed: str | None,
                                                changes: list[tuple[str | None, str]], changed: int,
                                                lowered: int, raised: int) -> None:
    key = filed(store, 1, claimed)
    policy = NoticePolicy(bot_actor_ids=frozenset({"bot"}))
    for number, (old, new) in enumerate(changes, start=1):
        record_outcomes(store, key, [priority_change(number, key, old, new)], policy)
    (group,) = compute(store, START - HOUR, START + HOUR).by_requester
    (line,) = group.lines
    assert (line.claimed, line.changed, line.lowered, line.raised) == (claimed or NO_URGENCY, changed, lowered,
                                                                      raised)


def test_the_bots_own_priority_change_is_not_engineering(store: Store) -> None:
    key = filed(store, 1, "High")
    record_outcomes(store, key, [priority_change(1, key, "High", "Low", actor="bot")],
                    NoticePolicy(bot_actor_ids=frozenset({"bot"})))
    (group,) = compute(store, START - HOUR, START + HOUR).by_template
    assert group.lines[0].changed == 0


def test_everything_urgent_shows_per_requester_and_csv_names_cannot_be_formulas(store: Store) -> None:
    for number in range(1, 5):
        filed(store, number, "Highest" if number < 4 else "Low", user=101, name="Anna")
    filed(store, 5, "Medium", user=102, name="=HYPERLINK(\"http://x\")")
    report = compute(store, START - HOUR, START + HOUR)
    anna, other = report.by_requester
    assert (anna.name, anna.requests, anna.urgent, anna.urgent_share) == ("Anna", 4, 3, 0.75)
    assert [line.claimed for line in anna.lines] == ["Highest", "Low"]
    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    assert ["requester", "'=HYPERLINK(\"http://x\")", "Medium", "1", "0", "0", "0", "0", "", "0", ""] in rows
    assert other.name.startswith("=")


# -- on the dashboard and as CSV ----------------------------------------------------------------------------------


async def test_the_dashboard_shows_the_report_and_offers_it_as_csv(tg: FakeTelegram, jira: FakeJira,
                                                                   tmp_path: Path, clock: Clock) -> None:
    jira.clock = clock
    async with running_site(tg, jira, tmp_path, clock) as site:
        jira.add_webhook(f"{site.base}/jira/webhook", secret=JIRA_SECRET)
        anna = site.bot.user(SALES_IDS[0], "Anna", last_name="Berg")
        filed = clock()
        key = await file_bug(tg, anna, "Export to Excel fails since the update", "acme", urgency=BLOCKED)
        clock.now = filed + 2 * HOUR
        jira.edit(key, {"priority": {"name": "Medium"}}, actor="alice")
        jira.comment(key, "Works for files under 10 MB: not a blocker", actor="alice")
        await jira.aflush_webhooks()
        clock.advance(61)
        site.svc.inbox.kick()
        await tg.wait_for(lambda: any("not a blocker" in m.text for m in anna.messages), timeout=10)

        stranger = await site.client().open("/admin/urgency.csv")
        assert stranger.status == 401 and "Anna" not in stranger.text
        client = await site.signed_in()
        page = await client.open("/admin/?weeks=4")
        section = page.text.split('id="urgency"', 1)[1]
        assert "Urgency in the open" in section and "By template" in section and "By requester" in section
        assert "Something is broken" in section and "Anna Berg" in section and "100% claimed urgent" in section
        assert ">Highest<" in section and ">1 (↓1 ↑0)<" in section and ">2 h<" in section
        assert 'href="/admin/urgency.csv?weeks=4"' in section
        download = await client.open("/admin/urgency.csv?weeks=4")
        assert download.status == 200 and download.headers["Content-Type"].startswith("text/csv")
        assert download.headers["Content-Disposition"].startswith('attachment; filename="urgency-')
        rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
        assert rows[0][:3] == ["by", "name", "claimed priority"]
        assert ["requester", "Anna Berg", "Highest", "1", "1", "1", "0", "1", "2.0", "0", ""] in rows


async def test_the_page_shows_the_busiest_requesters_and_leaves_the_rest_to_the_csv(
        tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> None:
    async with running_site(tg, jira, tmp_path, clock) as site:
        for person in range(12):  # Seller 0 filed 12 requests, Seller 11 one
            for number in range(12 - person):
                filed(site.svc.store, person * 100 + number, "High", user=5000 + person, name=f"Seller {person}")
        client = await site.signed_in()
        section = (await client.open("/admin/?weeks=4")).text.split('id="urgency"', 1)[1]
        assert "Seller 0<" in section and "Seller 9<" in section
        assert "Seller 10<" not in section and "Seller 11<" not in section
        assert "2 more rows in the CSV." in section
        rows = list(csv.reader(io.StringIO((await client.open("/admin/urgency.csv?weeks=4")).text.lstrip("\ufeff"))))
        assert {"Seller 10", "Seller 11"} <= {row[1] for row in rows}
