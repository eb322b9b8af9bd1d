"""The deadline guard: a promised date whose issue is not done brings one warning and one overdue notice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.people.roles import change_role
from bot.reports.expectations import deadlines_kept
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import ApiCall, FakeTelegram, FakeUser
from tests.helpers import answer_bug_until_summary

DAY = 86400.0
RITA = 104  # a salesperson admitted from Telegram, and later revoked
ALICE = "accountid:"  # how a Cloud comment mentions a user: [~accountid:<id>]


@pytest.fixture
async def guarded(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot that reminds assignees in Jira too."""
    config = write_config(tmp_path, jira.url, notices={"poll_seconds": 0, "answer_transition": "In Progress"},
                          deadlines={"warn_days": 2, "comment_in_jira": True})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    yield running
    await running.stop()


async def promised_friday(bot: RunningBot, user: FakeUser) -> str:
    """The salesperson files a request due Friday 27 Nov (it is Monday the 23rd); return its issue key."""
    before = len(user.messages)
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    if "No, create a new one" in user.last.buttons():
        await bot.tap(user, "No, create a new one")
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in user.messages[before:]), timeout=10)
    created = next(m for m in user.messages[before:] if "Created SUP-" in m.text)
    key = created.text.split("Created ")[1].split(":")[0]
    assert bot.jira.issues[key]["fields"]["duedate"] == "2026-11-27"
    return key


def deadline_notices(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if m.text.startswith(("⏰", "🔴"))]


def bot_comments(jira: FakeJira, key: str) -> list[str]:
    return [str(c["body"]) for c in jira.issues[key]["comments"] if "due date" in str(c["body"])]


async def check(bot: RunningBot) -> int:
    assert bot.svc is not None
    sent = await bot.svc.deadlines.check()
    await asyncio.sleep(0.3)  # the outbox posts the Jira comments
    return sent


async def test_warned_before_and_told_once_overdue_with_jira_reminding_the_assignee(
        guarded: RunningBot, jira: FakeJira, clock: Clock) -> None:
    anna = guarded.user()
    key = await promised_friday(guarded, anna)
    jira.assign(key, "alice", actor="bob")
    jira.transition(key, "In Progress", actor="alice")
    assert await check(guarded) == 0
    clock.advance(2 * DAY)  # Wednesday
    assert await check(guarded) == 1
    assert deadline_notices(anna) == [
        f"⏰ {key} · ACME Corp GmbH: Export to Excel fails since the update\nDue Fri 27 Nov 2026, in 2 days: the date "
        "you promised. Status: In Progress; assignee: Alice Anders.\n" + guarded.svc.gateway.issue_url(key)]
    assert anna.last.buttons() == ["📝 Update for the customer", "↩️ Reply"]
    await guarded.tg.wait_for(lambda: len(bot_comments(jira, key)) == 1, timeout=10)
    warning = bot_comments(jira, key)[0]
    assert warning.startswith(f"[~{ALICE}") and "The due date of this request, 2026-11-27, is in 2 days" in warning
    # Once: the next check, a day later and after a restart, says nothing new.
    assert await check(guarded) == 0
    clock.advance(DAY)
    await guarded.restart()
    assert await check(guarded) == 0
    clock.advance(2 * DAY)  # Saturday: the date has passed
    assert await check(guarded) == 1
    assert deadline_notices(anna)[-1].startswith(
        f"🔴 {key} · ACME Corp GmbH: Export to Excel fails since the update\nThe due date Fri 27 Nov 2026 has passed")
    await guarded.tg.wait_for(lambda: len(bot_comments(jira, key)) == 2, timeout=10)
    assert "has passed and the customer is waiting" in bot_comments(jira, key)[1]
    clock.advance(3 * DAY)
    assert await check(guarded) == 0
    assert len(deadline_notices(anna)) == 2 and len(bot_comments(jira, key)) == 2
    assert [share.ratio for share in deadlines_kept(guarded.svc.store, clock()).values()] == [0.0]


async def test_a_reminder_is_no_answer_that_moves_a_waiting_issue_on(guarded: RunningBot, jira: FakeJira,
                                                                      clock: Clock) -> None:
    anna = guarded.user()
    key = await promised_friday(guarded, anna)
    jira.transition(key, "Waiting for sales", actor="alice")
    clock.advance(2 * DAY)
    assert await check(guarded) == 1
    assert "Status: Waiting for sales" in deadline_notices(anna)[0]
    await guarded.tg.wait_for(lambda: len(bot_comments(jira, key)) == 1, timeout=10)
    await asyncio.sleep(0.3)
    assert jira.issues[key]["fields"]["status"]["name"] == "Waiting for sales"
    await guarded.tap(anna, "📝 Update for the customer")
    await guarded.tg.wait_for(lambda: "Next:" in anna.last.text, timeout=10)
    assert "Next: we are collecting the details engineering asked for." in anna.last.text


async def test_update_for_the_customer_gives_status_next_step_and_the_moved_date(
        guarded: RunningBot, jira: FakeJira, clock: Clock) -> None:
    anna = guarded.user()
    key = await promised_friday(guarded, anna)
    jira.transition(key, "In Progress", actor="alice")
    jira.set_duedate(key, "2026-12-04", actor="alice")
    clock.advance(2 * DAY)
    await check(guarded)
    await guarded.tap(anna, "📝 Update for the customer")
    await guarded.tg.wait_for(lambda: "New expected date" in anna.last.text, timeout=10)
    assert anna.messages[-2].text == "Copy or forward this to the customer:"
    assert anna.last.text == (
        "Update on “ACME Corp GmbH: Export to Excel fails since the update”:\nStatus: In Progress.\n"
        "Next: our engineers are working on it.\nNew expected date: Fri 4 Dec 2026 (was Fri 27 Nov 2026).")
    # Someone else's crafted tap on the same issue gets nothing from it.
    boris = guarded.user(SALES_IDS[1], "Boris")
    await guarded.say(boris, "/start")
    before = len(boris.messages)
    await guarded.handled(await boris.tap_data(f"cu:{key}"))
    assert boris.callback_answers[-1]["text"] == "That issue is not one of yours."
    assert len(boris.messages) == before


@pytest.mark.parametrize(("lang", "warning", "update"), [
    ("ru", "Срок пт 27.11.2026, через 2 дня: дата, которую вы обещали. Статус: To Do; исполнитель: пока никто.",
     "Статус: To Do.\nДальше: задачу возьмёт инженер.\nОжидаемый срок: пт 27.11.2026."),
    ("de", "Fällig am Fr 27.11.2026, in 2 Tagen: das Datum, das du zugesagt hast. Status: To Do; zuständig: noch "
     "niemand.", "Status: To Do.\nAls Nächstes: ein Entwickler nimmt es sich vor.\nErwartet bis Fr 27.11.2026."),
])
async def test_in_russian_and_german(guarded: RunningBot, clock: Clock, lang: str, warning: str, update: str) -> None:
    anna = guarded.user()
    await promised_friday(guarded, anna)
    assert guarded.svc is not None
    guarded.svc.store.set_language_choice(anna.id, lang)
    clock.advance(2 * DAY)
    await check(guarded)
    assert deadline_notices(anna)[0].split("\n")[1] == warning
    await guarded.tap(anna, {"ru": "📝 Статус для клиента", "de": "📝 Update für den Kunden"}[lang])
    await guarded.tg.wait_for(lambda: anna.last.text.endswith(update), timeout=10)


async def test_done_issues_muted_and_revoked_people_hear_nothing(guarded: RunningBot, jira: FakeJira,
                                                                 clock: Clock) -> None:
    anna, boris = guarded.user(), guarded.user(SALES_IDS[1], "Boris")
    assert guarded.svc is not None
    guarded.svc.access.set_role(RITA, "sales", ADMIN_ID)
    rita = guarded.user(RITA, "Rita")
    done = await promised_friday(guarded, anna)
    jira.resolve(done, "Fixed", actor="alice")
    muted = await promised_friday(guarded, boris)
    await promised_friday(guarded, rita)
    assert change_role(guarded.svc.access, RITA, "revoked", ADMIN_ID, "Boss") is None
    guarded.svc.store.set_muted(boris.id, True)
    clock.advance(2 * DAY)
    assert await check(guarded) == 0
    assert deadline_notices(anna) == deadline_notices(boris) == deadline_notices(rita) == []
    # The muted salesperson's issue still reminds its assignee in Jira, once.
    await guarded.tg.wait_for(lambda: len(bot_comments(jira, muted)) == 1, timeout=10)
    assert bot_comments(jira, done) == []
    guarded.svc.store.set_muted(boris.id, False)
    assert await check(guarded) == 0
    assert deadline_notices(boris) == []


async def test_kept_deadlines_per_template(guarded: RunningBot, jira: FakeJira, clock: Clock) -> None:
    anna = guarded.user()
    kept = await promised_friday(guarded, anna)
    late = await promised_friday(guarded, anna)
    await promised_friday(guarded, anna)  # still open, and not due yet: it does not count
    assert guarded.svc is not None
    store = guarded.svc.store
    for key, day in ((kept, 26), (late, 30)):
        request = store.request_by_key(key)
        assert request is not None
        store.set_request_outcome(request.id, None, 1_795_420_800.0 + (day - 23) * DAY, 0)
    share = deadlines_kept(store, clock(), guarded.svc.config.timezone)["bug"]
    assert (share.good, share.total, share.ratio) == (1, 2, 0.5)


@pytest.mark.parametrize(("section", "message"), [
    ("deadlines: {warn_days: 90}", "line 1: 'deadlines.warn_days' must be between 0 and 60, not 90"),
    ("deadlines: {comment_in_jira: maybe}", "line 1: 'deadlines.comment_in_jira' must be"),
    ("feedback: {reopen_transition: [a]}", "line 1: 'feedback.reopen_transition' must be"),
])
def test_config_is_checked(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"{section}\ntemplates: t.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, need_telegram=False, need_jira=False)
    assert any(message in problem for problem in raised.value.problems), raised.value.problems


def test_config_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("templates: t.yaml\n", encoding="utf-8")
    config = load_config(path, need_telegram=False, need_jira=False)
    assert (config.deadlines.warn_days, config.deadlines.comment_in_jira) == (2, False)
    assert config.feedback.reopen_transition is None


# -- when Telegram fails: the notice stays owed, is tried again after a pause, and goes once ----------------------


def tries(bot: RunningBot, shown: str) -> list[ApiCall]:
    """Every time the bot tried to send a notice showing this, whatever came of it."""
    return [c for c in bot.tg.calls_to("sendMessage") if shown in str(c.params.get("text"))]


async def test_a_notice_telegram_failed_goes_after_a_pause_once_also_racing_and_across_a_restart(
        guarded: RunningBot, jira: FakeJira, clock: Clock) -> None:
    anna = guarded.user()
    key = await promised_friday(guarded, anna)
    guarded.tg.fail_next("sendMessage", status=500, description="Internal Server Error", containing="in 2 days")
    clock.advance(2 * DAY)  # Wednesday
    assert await check(guarded) == 0
    assert [c.status for c in tries(guarded, "in 2 days")] == [500] and deadline_notices(anna) == []
    # Jira's reminder does not wait for Telegram.
    await guarded.tg.wait_for(lambda: len(bot_comments(jira, key)) == 1, timeout=10)
    clock.advance(10)  # the first pause is 30 seconds
    assert await check(guarded) == 0
    assert len(tries(guarded, "in 2 days")) == 1
    clock.advance(25)
    assert sum(await asyncio.gather(check(guarded), check(guarded))) == 1
    assert [c.status for c in tries(guarded, "in 2 days")] == [500, 200] and len(deadline_notices(anna)) == 1
    clock.advance(3 * DAY)  # Saturday: the date has passed, and Telegram fails twice
    guarded.tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing="has passed", times=2)
    assert await check(guarded) == 0
    await guarded.restart()
    clock.advance(31)
    assert sum(await asyncio.gather(check(guarded), check(guarded))) == 0
    assert [c.status for c in tries(guarded, "has passed")] == [502, 502]
    clock.advance(61)
    await guarded.restart()  # the guard checks as it starts, racing these two
    await asyncio.gather(check(guarded), check(guarded))
    await guarded.tg.wait_for(lambda: len(tries(guarded, "has passed")) == 3, timeout=10)
    clock.advance(DAY)
    assert await check(guarded) == 0
    assert [c.status for c in tries(guarded, "has passed")] == [502, 502, 200]
    assert len(deadline_notices(anna)) == 2 and len(bot_comments(jira, key)) == 2


async def test_an_owed_notice_is_not_sent_once_the_person_is_muted_or_revoked(
        guarded: RunningBot, clock: Clock) -> None:
    anna, boris = guarded.user(), guarded.user(SALES_IDS[1], "Boris")
    await promised_friday(guarded, anna)
    await promised_friday(guarded, boris)
    guarded.tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing="in 2 days", times=2)
    clock.advance(2 * DAY)
    assert await check(guarded) == 0
    assert len(tries(guarded, "in 2 days")) == 2
    assert guarded.svc is not None
    guarded.svc.store.set_muted(anna.id, True)
    assert change_role(guarded.svc.access, boris.id, "revoked", ADMIN_ID, "Boss") is None
    clock.advance(31)
    assert await check(guarded) == 0
    guarded.svc.store.set_muted(anna.id, False)
    clock.advance(3600)
    assert await check(guarded) == 0
    assert len(tries(guarded, "in 2 days")) == 2
    assert deadline_notices(anna) == deadline_notices(boris) == []


async def test_after_a_day_of_failures_the_notice_is_given_up_with_one_log_line(
        guarded: RunningBot, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    anna = guarded.user()
    key = await promised_friday(guarded, anna)
    guarded.tg.fail_next("sendMessage", status=502, description="Bad Gateway", containing="Due Fri 27 Nov", times=100)
    clock.advance(2 * DAY - 3600)  # Wednesday morning
    assert await check(guarded) == 0
    for _ in range(6):  # pauses of 30 s, 1, 2, 4, 8 and 15 minutes
        clock.advance(900)
        assert await check(guarded) == 0
    assert len(tries(guarded, "Due Fri 27 Nov")) == 7
    caplog.clear()
    clock.advance(DAY - 6 * 900)  # Thursday, still before the date: the warning is a day late now
    assert await check(guarded) == 0
    assert guarded.svc is not None
    request = guarded.svc.store.request_by_key(key)
    assert request is not None
    given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
    assert given_up == [f"warn deadline notice of request {request.id} given up after 8 attempts: NetworkError"]
    clock.advance(900)
    assert await check(guarded) == 0
    assert len(tries(guarded, "Due Fri 27 Nov")) == 8
    assert deadline_notices(anna) == []
    assert [r for r in caplog.records if "given up" in r.getMessage()][1:] == []
