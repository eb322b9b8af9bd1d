"""Approval for the top priority: a Highest request waits for an approver, the first decision wins, and only an
approved request reaches Jira, with the approver named in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.templates.schema import parse_templates
from bot.text.yamlfile import ConfigError
from handlers.telegram.journeys.approval import remind_due
from tests.conftest import ADMIN_ID, ROOT, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import BotMessage, FakeTelegram, FakeUser
from tests.helpers import answer_bug_until_summary

LENA, LEO = 201, 202  # leads
ANNA, BORIS = SALES_IDS[0], SALES_IDS[1]
RULE = {"when": {"priority": ["Highest"]}, "approvers": ["lead"], "remind_hours": 4}
WAITING = "⏳ Highest needs approval. I sent it to {approvers}; it goes to Jira as soon as one of them approves"


@pytest.fixture
async def bot(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> Any:
    """A running bot whose Highest requests wait for a lead, with two leads who have written to it."""
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url, approval=RULE), clock)
    await running.start()
    assert running.svc is not None
    for lead, name in ((LENA, "Lena"), (LEO, "Leo")):
        running.svc.access.set_role(lead, "lead", ADMIN_ID, name=f"{name} Lead", username=name.lower())
        await running.say(running.user(lead, name, last_name="Lead"), "/start")
    yield running
    await running.stop()


def cards(user: FakeUser) -> list[BotMessage]:
    """Return the approval cards a person got."""
    return [m for m in user.messages if m.text.startswith(("🛂", "⏰"))]


def data(message: BotMessage, label: str) -> str:
    """Return the callback data of a message's button."""
    return next(str(b["callback_data"]) for row in message.inline_keyboard for b in row if b["text"] == label)


def actions(bot: RunningBot) -> list[tuple[str, str]]:
    """Return the audit log's (action, detail), oldest first."""
    assert bot.svc is not None
    return [(entry.action, entry.detail) for entry in reversed(bot.svc.audit.recent())]


def alert(user: FakeUser) -> str:
    """Return the text of the last answer to the user's tap."""
    return str(user.callback_answers[-1].get("text", ""))


async def submit(bot: RunningBot, user: FakeUser, **answers: str) -> None:
    """Fill a bug report (Highest: a blocker with a 40k deal) and tap Create."""
    await answer_bug_until_summary(bot, user, **answers)
    await bot.tap(user, "✅ Create")


async def test_a_highest_request_waits_and_goes_to_jira_once_a_lead_approves(bot: RunningBot) -> None:
    anna, lena, leo = bot.user(ANNA), bot.user(LENA), bot.user(LEO)
    admin = bot.user(ADMIN_ID, "Olga")
    await submit(bot, anna)
    assert WAITING.format(approvers="Lena Lead, Leo Lead") in anna.last.text
    assert bot.jira.issues == {}
    # Each lead has the card with the request's summary and the three decisions; the admin is no approver here.
    for lead in (lena, leo):
        card = cards(lead)[-1]
        assert card.text.startswith("🛂 Approval needed: Anna Petrova (@anna) asks for Highest.")
        assert "Export to Excel fails since the update" in card.text
        assert card.buttons() == ["✅ Approve", "⬇️ Approve as High", "❌ Decline"]
    assert cards(admin) == []
    stale = data(cards(leo)[-1], "✅ Approve")
    await bot.tap(lena, "✅ Approve")
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in anna.messages), timeout=10)
    issue = next(iter(bot.jira.issues.values()))
    assert issue["fields"]["priority"]["name"] == "Highest"
    assert "||Approved|by Lena Lead (@lena, Telegram id 201), 2026-11-23 09:00 CET|" in issue["fields"]["description"]
    # Every approver's copy shows who decided, and no button is left.
    for lead in (lena, leo):
        assert cards(lead)[-1].text.endswith("✅ Approved by Lena Lead.") and cards(lead)[-1].buttons() == []
    assert any(m.text.startswith("✅ Lena Lead approved your request") for m in anna.messages)
    assert actions(bot)[-1][0] == "approval.approve"
    assert "by Anna Petrova (@anna, 101)" in actions(bot)[-1][1]
    # A late tap on the old card changes nothing and says who decided.
    await bot.handled(await leo.tap_data(stale, cards(leo)[-1].message_id))
    assert alert(leo) == "Lena Lead decided already."
    assert len(bot.jira.issues) == 1



async def test_approve_as_high_files_it_as_high_and_says_so_in_the_issue(bot: RunningBot) -> None:
    anna, lena, leo = bot.user(ANNA), bot.user(LENA), bot.user(LEO)
    await submit(bot, anna)
    await bot.tap(leo, "⬇️ Approve as High")
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in anna.messages), timeout=10)
    issue = next(iter(bot.jira.issues.values()))
    assert issue["fields"]["priority"]["name"] == "High"
    assert "(priority lowered from Highest to High)" in issue["fields"]["description"]
    assert cards(lena)[-1].text.endswith("✅ Approved as High by Leo Lead.")
    assert any(m.text.startswith("✅ Leo Lead approved your request “ACME Corp GmbH: Export to Excel fails since the "
                                 "update” with priority High.") for m in anna.messages)
    assert actions(bot)[-1][0] == "approval.approve_high"


async def test_a_decline_takes_a_typed_reason_and_the_request_can_be_changed_and_sent_again(bot: RunningBot) -> None:
    anna, lena, leo = bot.user(ANNA), bot.user(LENA), bot.user(LEO)
    await submit(bot, anna, deadline="tomorrow")
    await bot.tap(lena, "❌ Decline")
    assert lena.last.text.startswith("Why do you decline “ACME Corp GmbH: Export to Excel fails")
    # Changing her mind keeps it waiting; asked again, she types the reason, which is neither a comment nor a request.
    await bot.tap(lena, "↩️ Keep it waiting")
    assert alert(lena) == "OK, it still waits for a decision."
    assert cards(leo)[-1].buttons() == ["✅ Approve", "⬇️ Approve as High", "❌ Decline"]
    await bot.tap(lena, "❌ Decline")
    await bot.say(lena, "Not a blocker: the deal closes next quarter")
    assert lena.last.text == "❌ Declined; Anna Petrova (@anna) has your reason."
    assert bot.jira.issues == {}
    for lead in (lena, leo):
        assert cards(lead)[-1].text.endswith("❌ Declined by Lena Lead: Not a blocker: the deal closes next quarter")
        assert cards(lead)[-1].buttons() == []
    told = anna.last
    assert told.text.startswith("❌ Lena Lead declined your request “ACME Corp GmbH: Export to Excel fails since the "
                                "update”: Not a blocker: the deal closes next quarter")
    assert ("approval.decline", "ACME Corp GmbH: Export to Excel fails since the update (Highest) by Anna Petrova "
            "(@anna, 101): Not a blocker: the deal closes next quarter") == actions(bot)[-1]
    # The answers are kept: back at the summary card, she lowers the priority and sends it; High needs nobody.
    await bot.tap(anna, "✏️ Change and resend")
    assert "✅ Create" in anna.last.buttons()
    await bot.tap(anna, "⚖️ Disagree with the priority")
    await bot.tap(anna, "High")
    await bot.say(anna, "Lena says it can wait for next quarter's deal")
    await bot.tap(anna, "✅ Create")
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in anna.messages), timeout=10)
    issue = next(iter(bot.jira.issues.values()))
    assert issue["fields"]["priority"]["name"] == "High" and "Approved" not in issue["fields"]["description"]
    assert len(bot.jira.issues) == 1
