"""Jira down or refusing a request: it is kept, the salesperson and admins are told, and it is filed once."""

from __future__ import annotations

from tests.conftest import ADMIN_ID, RunningBot, created_issue
from tests.helpers import answer_bug_until_summary


async def test_jira_missing_required_field_keeps_request_and_tells_admin(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Olga", username="olga")
    await bot.say(admin, "/start")
    bot.jira.require_field("Bug", "duedate")
    user = bot.user()
    await answer_bug_until_summary(bot, user, urgency="Can wait", deadline="No deadline")
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("did not accept" in m.text for m in user.messages), timeout=10)
    refusal = next(m for m in user.messages if "did not accept" in m.text)
    assert "By when is it needed?" in refusal.text and "Due date is required" in refusal.text
    await bot.tg.wait_for(lambda: any("was not filed" in m.text for m in admin.messages), timeout=10)
    assert bot.svc is not None
    requests = bot.svc.store.requests_of(user.id)
    assert len(requests) == 1 and requests[0].state == "needs-attention"
    assert bot.jira.issues == {}


async def test_jira_down_then_up_files_the_request_once(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.jira.come_up()
    bot.clock.advance(60)
    assert bot.svc is not None and bot.svc.outbox is not None
    bot.svc.outbox.kick()
    await created_issue(bot, user)
    assert sum("not reachable" in m.text for m in user.messages) == 1


async def test_admin_sees_the_outbox(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Olga", username="olga")
    await bot.say(admin, "/outbox")
    assert "nothing waiting" in admin.last.text
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.clock.advance(3 * 3600 + 120)
    await bot.say(admin, "/outbox")
    assert "1 waiting for Jira, the oldest for 3 h 2 min" in admin.last.text
    assert "Jira could not be reached" in admin.last.text
    await bot.say(user, "/outbox")
    assert "only for admins" not in user.last.text and "for admins" in user.last.text
    bot.jira.come_up()


async def test_a_refused_request_is_fixed_and_resent_without_retyping(bot: RunningBot) -> None:
    bot.jira.require_field("Bug", "duedate")
    user = bot.user()
    await answer_bug_until_summary(bot, user, urgency="Can wait", deadline="No deadline")
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("did not accept" in m.text for m in user.messages), timeout=10)
    refusal = user.last
    fix = refusal.inline_keyboard[0][0]["callback_data"]
    await bot.tap(user, "✏️ Fix and resend")
    assert refusal.inline_keyboard == [], "the used button is gone"
    assert "Please check your request" in user.last.text
    assert "Export to Excel fails since the update" in user.last.text
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "By when is it needed?")
    await bot.say(user, "Friday")
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["duedate"] == "2026-11-27"
    assert bot.svc is not None
    [request] = bot.svc.store.requests_of(user.id)
    assert f"ts-{request.id}" in issue["fields"]["labels"] and request.state == "created"
    await bot.handled(await user.tap_data(fix, message_id=refusal.message_id))
    assert any("can no longer be changed" in (a.get("text") or "") for a in user.callback_answers)
    assert len(bot.jira.creates) == 2, "one refused create and one accepted"
