"""Approval for the top priority: a Highest request waits for an approver, the first decision wins, and only an
approved request reaches Jira, with the approver named in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import JiraConfig, load_config
from bot.jira.gateway import JiraGateway
from bot.templates.diff import diff
from bot.templates.jira_check import check_templates
from bot.templates.schema import parse_templates
from bot.text.yamlfile import ConfigError
from handlers.telegram.journeys.approval import remind_due
from tests.conftest import ADMIN_ID, ROOT, SALES_IDS, Clock, RunningBot, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import BotMessage, FakeTelegram, FakeUser
from tests.helpers import answer_bug_until_summary, running_site

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
    assert actions(bot)[-1] == ("approval.decline", "ACME Corp GmbH: Export to Excel fails since the update (Highest) "
                                "by Anna Petrova (@anna, 101): Not a blocker: the deal closes next quarter")
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


async def test_the_requester_a_stranger_to_the_rule_and_forged_data_decide_nothing(bot: RunningBot) -> None:
    assert bot.svc is not None
    lena, leo, boris = bot.user(LENA), bot.user(LEO), bot.user(BORIS, "Boris")
    await bot.say(boris, "/start")
    # Leo, a lead, files a request himself: Lena gets it, he does not.
    await submit(bot, leo)
    assert WAITING.format(approvers="Lena Lead") in leo.last.text
    own = data(cards(lena)[-1], "✅ Approve")
    assert [c for c in cards(leo) if "Leo Lead" in c.text.split("\n")[0]] == []
    # Leo taps Approve with his own request's data, Boris (no approver) too, and an unknown request id comes in.
    await bot.handled(await leo.tap_data(own))
    assert alert(leo) == "You can't approve your own request."
    await bot.handled(await boris.tap_data(own))
    assert alert(boris) == "Only this request's approvers can decide it."
    await bot.handled(await boris.tap_data(own.replace(":ok:", ":no:")))
    assert alert(boris) == "Only this request's approvers can decide it."
    await bot.handled(await lena.tap_data("ap:ok:0123456789abcdef"))
    assert alert(lena) == "This request no longer waits for approval."
    assert bot.jira.issues == {} and bot.svc.store.reason_asked(BORIS) is None
    assert not any(action.startswith("approval.") for action, _ in actions(bot))
    assert cards(lena)[-1].buttons() == ["✅ Approve", "⬇️ Approve as High", "❌ Decline"]


async def test_a_revoked_approver_is_skipped_and_nobody_left_means_the_admins(bot: RunningBot) -> None:
    assert bot.svc is not None
    anna, lena, leo = bot.user(ANNA), bot.user(LENA), bot.user(LEO)
    admin = bot.user(ADMIN_ID, "Olga")
    await bot.say(admin, "/start")
    bot.svc.access.set_role(LEO, "revoked", ADMIN_ID)
    await submit(bot, anna)
    assert cards(leo) == [] and len(cards(lena)) == 1
    # Lena loses her access too: her tap is refused, and the admins decide the next request.
    bot.svc.access.set_role(LENA, "revoked", ADMIN_ID)
    await bot.handled(await lena.tap_data(data(cards(lena)[-1], "✅ Approve")))
    assert bot.jira.issues == {}
    boris = bot.user(BORIS, "Boris")
    await submit(bot, boris)
    assert WAITING.format(approvers="Olga Petrova") in boris.last.text
    await bot.tap(admin, "✅ Approve")
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in boris.messages), timeout=10)
    assert len(bot.jira.issues) == 1


async def test_approvers_are_reminded_once_a_period_even_across_a_restart(bot: RunningBot) -> None:
    assert bot.svc is not None
    anna, lena = bot.user(ANNA), bot.user(LENA)
    await submit(bot, anna)
    assert await remind_due(bot.app.bot, bot.svc) == 0
    bot.clock.advance(4 * 3600)
    assert await remind_due(bot.app.bot, bot.svc) == 1
    reminder = cards(lena)[-1]
    assert reminder.text.startswith("⏰ Still waiting for a decision, since Mon 23 Nov 2026 09:00. 🛂 Approval needed")
    assert reminder.buttons() == ["✅ Approve", "⬇️ Approve as High", "❌ Decline"]
    assert await remind_due(bot.app.bot, bot.svc) == 0
    await bot.restart()
    assert bot.svc is not None
    bot.clock.advance(3 * 3600)
    assert await remind_due(bot.app.bot, bot.svc) == 0
    bot.clock.advance(3600)
    assert await remind_due(bot.app.bot, bot.svc) == 1
    assert len(cards(lena)) == 3
    # A decision on any copy settles them all, reminders included, and ends the reminders.
    await bot.tap(lena, "✅ Approve")
    assert all(card.buttons() == [] and card.text.endswith("✅ Approved by Lena Lead.") for card in cards(lena))
    bot.clock.advance(8 * 3600)
    assert await remind_due(bot.app.bot, bot.svc) == 0


async def test_my_lists_a_waiting_and_a_declined_request(bot: RunningBot) -> None:
    anna, lena = bot.user(ANNA), bot.user(LENA)
    await submit(bot, anna)
    await bot.say(anna, "/my")
    assert "🛂 ACME Corp GmbH: Export to Excel fails since the update — waiting for approval" in anna.last.text
    await bot.tap(lena, "❌ Decline")
    await bot.say(lena, "No budget this quarter")
    await bot.say(anna, "/my")
    assert "❌ ACME Corp GmbH: Export to Excel fails since the update — declined" in anna.last.text


@pytest.mark.parametrize(("lang", "card", "approved", "told"), [
    ("ru", "🛂 Нужно одобрение: Anna Petrova (@anna) просит приоритет Highest.", "✅ Одобрено: Lena Lead.",
     "✅ Lena Lead одобрил(а) ваш запрос «ACME Corp GmbH: Export to Excel fails since the update». Отправляю в Jira…"),
    ("de", "🛂 Genehmigung nötig: Anna Petrova (@anna) möchte Highest.", "✅ Genehmigt von Lena Lead.",
     "✅ Lena Lead hat deine Anfrage „ACME Corp GmbH: Export to Excel fails since the update“ genehmigt. Ich sende "
     "sie an Jira…"),
    ("en", "🛂 Approval needed: Anna Petrova (@anna) asks for Highest.", "✅ Approved by Lena Lead.",
     "✅ Lena Lead approved your request “ACME Corp GmbH: Export to Excel fails since the update”. Sending it to "
     "Jira…"),
])
async def test_texts_follow_each_persons_language(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock,
                                                  lang: str, card: str, approved: str, told: str) -> None:
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url, approval=RULE), clock)
    await running.start()
    try:
        assert running.svc is not None
        running.svc.access.set_role(LENA, "lead", ADMIN_ID, name="Lena Lead", username="lena")
        lena = running.user(LENA, "Lena", last_name="Lead", language_code=lang)
        await running.say(lena, "/start")
        anna = running.user(ANNA)
        await submit(running, anna)
        # The card's questions and the decision's words are in the approver's language.
        assert cards(lena)[-1].text.startswith(card)
        assert {"ru": "Какой клиент?", "de": "Welcher Kunde?", "en": "Which customer?"}[lang] in cards(lena)[-1].text
        # Anna chose the language with /lang meanwhile: the outcome reaches her in it.
        running.svc.store.set_language_choice(ANNA, lang)
        labels = {"ru": "✅ Одобрить", "de": "✅ Genehmigen", "en": "✅ Approve"}
        await running.tap(lena, labels[lang])
        assert cards(lena)[-1].text.endswith(approved)
        assert told in [m.text for m in anna.messages]
    finally:
        await running.stop()


def with_bug_rule(rule: str) -> str:
    """Return the example templates with an approval rule on the bug template."""
    text = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
    return text.replace("  - id: bug\n", f"  - id: bug\n    approval: {rule}\n", 1)


def test_a_templates_rule_is_read_and_its_mistakes_name_the_file_line_and_template() -> None:
    line = with_bug_rule("{}").splitlines().index("    approval: {}") + 1
    rules = parse_templates(with_bug_rule('{when: {priority: [Highest]}, approvers: [lead, "@Boss", 42]}'), "t.yaml")
    bug = rules.get("bug")
    assert bug is not None and bug.approval is not None
    assert bug.approval.approvers == ("lead", "@boss", 42) and bug.approval.applies("highest")
    assert not bug.approval.applies("High")
    with pytest.raises(ConfigError) as error:
        parse_templates(with_bug_rule("{when: {urgency: [blocker]}, approvers: [boss!, team], by: me}"), "t.yaml")
    assert error.value.problems == [
        f"t.yaml, line {line}: template 'bug': unknown 'approval' key 'by'; use when and approvers",
        f"t.yaml, line {line}: template 'bug': 'approval.when' must be {{priority: [Highest]}}",
        f"t.yaml, line {line}: template 'bug': 'approval.approvers' entry 1 ('boss!') is neither a numeric "
        "Telegram id, an @username nor one of the roles lead, admin",
        f"t.yaml, line {line}: template 'bug': 'approval.approvers' entry 2 ('team') is neither a numeric "
        "Telegram id, an @username nor one of the roles lead, admin",
    ]
    with pytest.raises(ConfigError) as error:
        parse_templates(with_bug_rule("{when: {priority: Highest}, approvers: []}"), "t.yaml")
    assert error.value.problems == [f"t.yaml, line {line}: template 'bug': 'approval.approvers' names nobody"]


def test_the_configs_rule_and_reminder_period_are_checked(tmp_path: Path) -> None:
    path = write_config(tmp_path, "https://jira.example.com", approval={"approvers": ["lead"], "remind_hours": 0})
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert [p.split(": ", 1)[1] for p in error.value.problems] == [
        "'approval.remind_hours' must be more than 0", "'approval.when' must be {priority: [Highest]}"]
    config = load_config(write_config(tmp_path, "https://jira.example.com", approval=RULE))
    assert config.approval.remind_hours == 4 and config.approval.rule is not None
    assert config.approval.rule.approvers == ("lead",)
    assert load_config(write_config(tmp_path, "https://jira.example.com")).approval.rule is None


async def test_a_templates_own_rule_wins_over_the_configs(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                          clock: Clock) -> None:
    path = write_config(tmp_path, jira.url, approval=RULE)
    (tmp_path / "templates.yaml").write_text(with_bug_rule(f"{{when: {{priority: [Highest]}}, approvers: [{BORIS}]}}"),
                                             encoding="utf-8")
    running = RunningBot(tg, jira, path, clock)
    await running.start()
    try:
        boris, anna = running.user(BORIS, "Boris"), running.user(ANNA)
        await running.say(boris, "/start")
        await submit(running, anna)
        assert WAITING.format(approvers="Boris Petrova") in anna.last.text
        await running.tap(boris, "✅ Approve")
        await running.tg.wait_for(lambda: len(running.jira.issues) == 1, timeout=10)
    finally:
        await running.stop()


async def test_an_admin_makes_someone_a_lead_who_then_approves(bot: RunningBot) -> None:
    admin, boris, anna = bot.user(ADMIN_ID, "Olga"), bot.user(BORIS, "Boris"), bot.user(ANNA)
    await bot.say(boris, "/start")
    await bot.say(admin, "/users")
    await bot.tap(admin, "💼 Boris Petrova")
    await bot.tap(admin, "🎖 Make lead")
    assert admin.last.text.startswith("✅ Boris Petrova is a lead now.")
    assert boris.last.text.startswith("🎖 An admin made you a lead")
    assert actions(bot)[-1] == ("role.change", "Boris Petrova (@boris, 102): sales → lead")
    await submit(bot, anna)
    assert WAITING.format(approvers="Boris Petrova, Lena Lead, Leo Lead") in anna.last.text
    await bot.tap(boris, "✅ Approve")
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 1, timeout=10)
    # Leads can be invited like the other roles.
    await bot.say(admin, "/invite lead")
    assert admin.last.text.startswith("🎟 One-time invite for a new lead")


async def test_the_admin_page_lists_waiting_and_declined_requests(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                                   clock: Clock) -> None:
    async with running_site(tg, jira, tmp_path, clock, {"approval": RULE}) as site:
        bot = site.bot
        assert bot.svc is not None
        bot.svc.access.set_role(LENA, "lead", ADMIN_ID, name="Lena Lead", username="lena")
        lena, anna = bot.user(LENA, "Lena", last_name="Lead"), bot.user(ANNA)
        await bot.say(lena, "/start")
        await submit(bot, anna)
        client = await site.signed_in()
        page = await client.open("/admin/requests?status=approval")
        assert "Export to Excel fails since the update" in page.text
        assert '<span class="pill ">Waiting for approval</span>' in page.text
        await bot.tap(lena, "❌ Decline")
        await bot.say(lena, "Next quarter")
        assert "Export to Excel" not in (await client.open("/admin/requests?status=approval")).text
        page = await client.open("/admin/requests?status=declined")
        assert '<span class="pill bad">Declined</span>' in page.text


async def test_an_admin_makes_a_lead_on_the_admin_page(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                       clock: Clock) -> None:
    async with running_site(tg, jira, tmp_path, clock, {"approval": RULE}) as site:
        boris = site.bot.user(BORIS, "Boris")
        await site.bot.say(boris, "/start")
        olga = await site.signed_in()
        page = await olga.open("/admin/users")
        assert "Make lead" in page.text and '<option value="lead">lead</option>' in page.text
        done = await olga.post("/admin/users/role", {"user_id": BORIS, "role": "lead"})
        assert "is now a lead: they also approve requests that wait for approval. They were told" in done.text
        await site.bot.tg.wait_for(lambda: boris.last.text.startswith("🎖 An admin made you a lead"), timeout=5)
        anna = site.bot.user(ANNA)
        await submit(site.bot, anna)
        assert WAITING.format(approvers="Boris Petrova") in anna.last.text


async def test_a_request_approved_days_later_is_still_retried_when_jira_fails(bot: RunningBot) -> None:
    anna, lena = bot.user(ANNA), bot.user(LENA)
    await submit(bot, anna)
    # Approved four days later (past delivery.max_age_hours from the wait's start), while Jira has a bad moment.
    bot.clock.advance(4 * 24 * 3600)
    bot.jira.go_down()
    await bot.tap(lena, "✅ Approve")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in anna.messages), timeout=10)
    bot.jira.come_up()
    bot.clock.advance(60)
    assert bot.svc is not None
    bot.svc.outbox.kick()
    await bot.tg.wait_for(lambda: any("Created SUP-" in m.text for m in anna.messages), timeout=10)
    assert len(bot.jira.issues) == 1


async def test_keeping_a_request_that_another_approver_decided_says_who(bot: RunningBot) -> None:
    anna, lena, leo = bot.user(ANNA), bot.user(LENA), bot.user(LEO)
    await submit(bot, anna)
    await bot.tap(lena, "❌ Decline")
    await bot.tap(leo, "✅ Approve")
    # Lena's next words are her own again: the request no longer waits for her reason.
    assert bot.svc is not None and bot.svc.store.reason_asked(LENA) is None
    await bot.tap(lena, "↩️ Keep it waiting")
    assert alert(lena) == "Leo Lead decided already."


def test_a_new_approval_rule_shows_in_the_templates_diff() -> None:
    before = parse_templates((ROOT / "templates.example.yaml").read_text(encoding="utf-8"), "t.yaml")
    after = parse_templates(with_bug_rule("{when: {priority: [Highest]}, approvers: [lead]}"), "t.yaml")
    assert next(line for line in diff(before, after).lines("en") if "(bug)" in line).endswith("approval")


async def test_the_check_against_jira_reports_an_approval_priority_jira_lacks(jira: FakeJira) -> None:
    gateway = JiraGateway(JiraConfig(jira.url, "SUP", email="bot@example.com", api_token="jira-api-token-secret",
                                     timeout=5))
    try:
        meta = await gateway.create_meta({"SUP"})
    finally:
        await gateway.close()
    templates = parse_templates(with_bug_rule("{when: {priority: [highest, Top]}, approvers: [lead]}"), "t.yaml")
    assert check_templates(templates, meta, "SUP")["bug"] == [
        "template 'bug': `approval.when.priority` names 'Top', which Jira does not have, so no request waits for "
        "approval — use one of Highest, High, Medium, Low, Lowest"]
