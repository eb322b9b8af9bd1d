"""Was it solved? The requester of a resolved issue is asked once; a 👎 goes back to the engineers in Jira."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.people.roles import change_role
from bot.reports.expectations import satisfaction
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import ApiCall, FakeTelegram, FakeUser
from tests.helpers import (
    JIRA_SECRET,
    Served,
    answer_bug_until_summary,
    file_bug,
    file_request,
    running_site,
    serving,
    told,
)

ASKED = "Was the customer's problem solved?"
ASKING = "problem solved?"  # the question as the bot sends it, in HTML


@pytest.fixture
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    notices = {"poll_seconds": 0, "merge_seconds": 60}
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices=notices,
                                 feedback={"reopen_transition": "To Do"}):
        yield running


async def resolved(served: Served, clock: Clock, jira: FakeJira, key: str, *, comment: str | None = None) -> None:
    """An engineer (Alice) comments and resolves the issue; the bot reads it from Jira and tells."""
    if comment:
        jira.comment(key, comment, actor="alice")
    jira.resolve(key, "Fixed", actor="alice")
    await served.svc.inbox.poll(served.svc.gateway)
    await told(served, clock)


def asked(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if ASKED in m.text]


async def test_the_requester_is_asked_with_the_resolution_and_the_engineers_last_comment(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    await resolved(served, clock, jira, key, comment="Fixed in *4.2*, please retry the export")
    await tg.wait_for(lambda: bool(asked(user)), timeout=10)
    question = next(m for m in user.messages if ASKED in m.text)
    assert question.text.split("\n") == [
        f"✅ {key} · ACME Corp GmbH: Export to Excel fails since the update is resolved: Fixed.",
        "💬 Alice Anders: Fixed in 4.2, please retry the export", "", ASKED]
    assert question.buttons() == ["👍 Solved", "👎 Not solved"]


async def test_solved_is_recorded_once_and_jira_hears_nothing(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                              clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: bool(asked(user)), timeout=10)
    comments = len(jira.issues[key]["comments"])
    await served_tap(tg, user, "👍 Solved")
    await tg.wait_for(lambda: "Thanks, noted as solved" in user.last.text, timeout=10)
    question = next(m for m in user.messages if ASKED in m.text)
    assert question.text.endswith("Your answer: 👍 solved.") and question.buttons() == []
    # A second tap (a stale copy of the buttons) changes nothing.
    await user.tap_data(f"fb:n:{key}", question.message_id)
    await tg.wait_for(lambda: bool(user.callback_answers) and user.callback_answers[-1].get("text") ==
                      "This question is already answered.", timeout=10)
    await asyncio.sleep(0.3)
    assert len(jira.issues[key]["comments"]) == comments
    assert jira.issues[key]["fields"]["status"]["name"] == "Done"
    by_template, by_month = satisfaction(served.svc.store, served.svc.config.timezone)
    assert by_template["bug"].good == 1 and by_template["bug"].total == 1
    assert [share.ratio for share in by_month.values()] == [1.0]


async def served_tap(tg: FakeTelegram, user: FakeUser, label: str) -> None:
    await tg.wait_delivered(await user.tap(label))


async def test_not_solved_comments_reopens_and_takes_a_sentence(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                               clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    await resolved(served, clock, jira, key, comment="Should be fine now")
    await tg.wait_for(lambda: bool(asked(user)), timeout=10)
    await served_tap(tg, user, "👎 Not solved")
    await tg.wait_for(lambda: "Write one sentence" in user.last.text, timeout=10)
    assert user.last.text.startswith(f"👎 Noted: I'm telling the engineers on {key}.")
    assert user.last.buttons() == ["✖️ Don't reply"]
    await tg.wait_for(lambda: jira.issues[key]["fields"]["status"]["name"] == "To Do", timeout=10)
    bodies = [str(c["body"]) for c in jira.issues[key]["comments"]]
    assert any("*Anna* (sales, via Telegram):\n👎 The customer's problem is not solved yet." in b
               for b in bodies), bodies
    assert jira.issues[key]["fields"]["resolution"] is None
    # Nobody is told "added" for the bot's own comment; the sentence that follows is a reply like any other.
    assert not any(m.text.startswith("✅ Added to") for m in user.messages)
    await user.send("Files over 10 MB still fail")
    await tg.wait_for(lambda: "Added to" in user.last.text, timeout=10)
    assert "Files over 10 MB still fail" in str(jira.issues[key]["comments"][-1]["body"])
    by_template, _ = satisfaction(served.svc.store)
    assert by_template["bug"].good == 0 and by_template["bug"].total == 1


async def test_asked_once_even_when_resolved_again(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                   clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: bool(asked(user)), timeout=10)
    jira.transition(key, "In Progress", actor="alice")
    await served.svc.inbox.poll(served.svc.gateway)
    await told(served, clock)
    await tg.wait_for(lambda: any("Reopened" in m.text for m in user.messages), timeout=10)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: sum("Resolved: Fixed" in m.text for m in user.messages) == 2, timeout=10)
    await asyncio.sleep(0.3)
    assert len(asked(user)) == 1


async def test_a_muted_salesperson_is_not_asked(served: Served, tg: FakeTelegram, jira: FakeJira,
                                                clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    served.svc.store.set_muted(user.id, True)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: any("Resolved: Fixed" in m.text for m in user.messages), timeout=10)
    await asyncio.sleep(0.3)
    assert asked(user) == []


async def test_only_the_requester_answers(served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    boris = tg.user(SALES_IDS[1], "Boris", username="boris")
    await boris.send("/start")
    await tg.wait_for(lambda: bool(boris.messages), timeout=10)
    # Boris joined the issue: he hears of the resolution but the question is not his to answer.
    served.svc.store.subscribe(key, boris.id, boris.id)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: bool(asked(user)) and any("Resolved" in m.text for m in boris.messages), timeout=10)
    assert asked(boris) == []
    comments = len(jira.issues[key]["comments"])
    await tg.wait_delivered(await boris.tap_data(f"fb:n:{key}"))
    await tg.wait_for(lambda: bool(boris.callback_answers), timeout=10)
    assert boris.callback_answers[-1] == {"callback_query_id": boris.callback_answers[-1]["callback_query_id"],
                                          "text": "Only the person who filed this request can answer that.",
                                          "show_alert": True}
    await tg.wait_delivered(await user.tap_data("fb:n:SUP-999"))
    await tg.wait_for(lambda: bool(user.callback_answers), timeout=10)
    await asyncio.sleep(0.3)
    assert len(jira.issues[key]["comments"]) == comments
    assert served.svc.store.feedback_on(key) is not None and served.svc.store.feedback_on(key).answer is None


@pytest.mark.parametrize(("lang", "question", "button", "answer"), [
    ("ru", "Проблема клиента решена?", "👎 Не решено", "👎 Понятно: сообщаю инженерам в"),
    ("de", "Ist das Problem des Kunden gelöst?", "👎 Nicht gelöst", "👎 Verstanden: ich sage es den Entwicklern in"),
])
async def test_in_russian_and_german(served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock, lang: str,
                                     question: str, button: str, answer: str) -> None:
    user, key = await file_request(tg, jira)
    served.svc.store.set_language_choice(user.id, lang)
    await resolved(served, clock, jira, key)
    await tg.wait_for(lambda: any(question in m.text for m in user.messages), timeout=10)
    await served_tap(tg, user, button)
    await tg.wait_for(lambda: user.last.text.startswith(answer), timeout=10)
    # Jira reads the comment in its own language, whoever wrote it.
    await tg.wait_for(lambda: any("not solved yet" in str(c["body"]) for c in jira.issues[key]["comments"]),
                      timeout=10)


@pytest.fixture
async def no_reopen(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Served]:
    """The bot with a reopen transition the workflow does not have."""
    async for running in serving(tg, jira, tmp_path, clock, webhook=False, notices={"poll_seconds": 0},
                                 feedback={"reopen_transition": "Reopened"}):
        yield running


async def test_without_a_transition_the_workflow_allows_only_the_comment_goes(
        no_reopen: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    await resolved(no_reopen, clock, jira, key)
    await tg.wait_for(lambda: bool(asked(user)), timeout=10)
    await served_tap(tg, user, "👎 Not solved")
    await tg.wait_for(lambda: any("not solved yet" in str(c["body"]) for c in jira.issues[key]["comments"]),
                      timeout=10)
    await asyncio.sleep(0.3)
    assert jira.issues[key]["fields"]["status"]["name"] == "Done"


async def test_the_dashboard_shows_satisfaction_and_deadlines_kept(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                                   clock: Clock) -> None:
    async with running_site(tg, jira, tmp_path, clock) as site:
        anna = site.bot.user(SALES_IDS[0], "Anna")
        await answer_bug_until_summary(site.bot, anna)
        await site.bot.tap(anna, "✅ Create")
        await tg.wait_for(lambda: any("Created SUP-1" in m.text for m in anna.messages), timeout=15)
        jira.add_webhook(f"{site.base}/jira/webhook", secret=JIRA_SECRET)
        jira.resolve("SUP-1")  # today, after the Friday it was promised for
        await jira.aflush_webhooks()
        clock.advance(61)
        site.svc.inbox.kick()
        await tg.wait_for(lambda: bool(asked(anna)), timeout=10)
        await site.bot.tap(anna, "👍 Solved")
        client = await site.signed_in()
        page = await client.open("/admin/")
        text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
        assert "Deadlines kept, per template Template Kept Share Something is broken 0 of 1 0%" in text
        assert "“Was it solved?”, per template Template Solved Share Something is broken 1 of 1 100%" in text
        month = datetime.fromtimestamp(clock(), site.svc.config.timezone).strftime("%Y-%m")
        assert f"“Was it solved?”, per month Month Solved Share {month} 1 of 1 100%" in text


# -- when Telegram fails: the question is owed, tried again after a pause, and asked once ------------------------


def attempts(tg: FakeTelegram) -> list[ApiCall]:
    """Every time the bot tried to send the question, whatever came of it."""
    return [c for c in tg.calls_to("sendMessage") if ASKING in str(c.params.get("text"))]


async def settled(tg: FakeTelegram, count: int) -> None:
    """Wait until the bot has tried count times in all and heard back from the last try."""
    await tg.wait_for(lambda: len(attempts(tg)) == count and attempts(tg)[-1].status is not None, timeout=10)
    await asyncio.sleep(0.3)  # and recorded when to try again


async def tried(served: Served, tg: FakeTelegram, clock: Clock, seconds: float, count: int, *, racing: int = 1
                ) -> None:
    """Let seconds pass, the owed questions be tried again (by racing passes at once), count tries in all so far.

    The bot's own loop, kicked by the last failure, may be the one that tries: either way it is one try.
    """
    clock.advance(seconds)
    served.svc.feedback.kick()
    await asyncio.gather(*(served.svc.feedback.retry_due() for _ in range(racing)))
    await settled(tg, count)


async def test_a_question_telegram_failed_is_asked_again_after_a_pause_once(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    tg.fail_next("sendMessage", status=500, description="Internal Server Error", containing=ASKING)
    tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing=ASKING)
    await resolved(served, clock, jira, key)
    await settled(tg, 1)
    assert any("Resolved: Fixed" in m.text for m in user.messages) and asked(user) == []
    await tried(served, tg, clock, 10, 1)  # the first pause is 30 seconds
    await tried(served, tg, clock, 25, 2)
    await tried(served, tg, clock, 40, 2)  # the second pause is 60 seconds
    # Two passes at once (the background loop and a kick) send it once.
    await tried(served, tg, clock, 30, 3, racing=2)
    assert [c.status for c in attempts(tg)] == [500, 502, 200]
    assert len(asked(user)) == 1
    await tried(served, tg, clock, 86400, 3, racing=2)
    await resolved(served, clock, jira, key)  # resolved again: still asked once
    await asyncio.sleep(0.3)
    assert len(asked(user)) == 1 and len(attempts(tg)) == 3
    # The question that finally went is the one the answer shows under.
    await served_tap(tg, user, "👍 Solved")
    await tg.wait_for(lambda: "Thanks, noted as solved" in user.last.text, timeout=10)
    assert asked(user)[0].endswith("Your answer: 👍 solved.")


async def test_a_question_is_dropped_once_the_person_is_muted_or_revoked_meanwhile(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing=ASKING)
    await resolved(served, clock, jira, key)
    await settled(tg, 1)
    served.svc.store.set_muted(user.id, True)
    await tried(served, tg, clock, 31, 1)
    served.svc.store.set_muted(user.id, False)
    await tried(served, tg, clock, 3600, 1)
    assert asked(user) == []
    boris = tg.user(SALES_IDS[1], "Boris", username="boris")
    key = await file_bug(tg, boris, "Invoices show the wrong VAT", "acme")
    tg.fail_next("sendMessage", status=500, description="Internal Server Error", containing=ASKING)
    await resolved(served, clock, jira, key)
    await settled(tg, 2)
    assert change_role(served.svc.access, boris.id, "revoked", ADMIN_ID, "Boss") is None
    await tried(served, tg, clock, 31, 2)
    await tried(served, tg, clock, 3600, 2)
    assert asked(boris) == []


async def test_after_a_day_of_failures_the_question_is_given_up_with_one_log_line(
        served: Served, tg: FakeTelegram, jira: FakeJira, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    user, key = await file_request(tg, jira)
    tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing=ASKING, times=100)
    await resolved(served, clock, jira, key)
    await settled(tg, 1)
    for tries in range(2, 8):  # pauses of 30 s, 1, 2, 4, 8 and 15 minutes
        await tried(served, tg, clock, 900, tries)
    caplog.clear()
    await tried(served, tg, clock, 86400, 8)
    given_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert len(given_up) == 1 and given_up[0].levelname == "WARNING"
    request = served.svc.store.request_by_key(key)
    assert request is not None
    assert given_up[0].getMessage() == (f'"was it solved?" of request {request.id} given up after 8 attempts: '
                                        "NetworkError")
    await tried(served, tg, clock, 86400, 8, racing=2)
    assert asked(user) == [] and len(given_up) == len([r for r in caplog.records if "given up" in r.getMessage()])


@pytest.fixture
async def restartable(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot that can be stopped and started again on the same database."""
    config = write_config(tmp_path, jira.url, notices={"poll_seconds": 0, "merge_seconds": 60})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    yield running
    await running.stop()


async def test_a_question_owed_across_a_restart_is_asked_once(restartable: RunningBot, tg: FakeTelegram,
                                                              jira: FakeJira, clock: Clock) -> None:
    user, key = await file_request(tg, jira)
    tg.fail_next("sendMessage", status=500, description="Internal Server Error", containing=ASKING)
    jira.resolve(key, "Fixed", actor="alice")
    assert restartable.svc is not None
    await restartable.svc.inbox.poll(restartable.svc.gateway)
    clock.advance(61)
    restartable.svc.inbox.kick()
    await settled(tg, 1)
    await restartable.restart()
    clock.advance(31)
    assert restartable.svc is not None
    restartable.svc.feedback.kick()  # as its loop would, once the pause is over
    await tg.wait_for(lambda: len(asked(user)) == 1, timeout=10)
    await restartable.restart()
    clock.advance(86400)
    assert restartable.svc is not None
    await asyncio.gather(restartable.svc.feedback.retry_due(), restartable.svc.inbox.flush_due())
    await asyncio.sleep(0.3)
    assert len(asked(user)) == 1 and len(attempts(tg)) == 2
