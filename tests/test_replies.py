"""Salespeople answer in Telegram; their answers become Jira comments, exactly once, with their files."""

from __future__ import annotations

import asyncio

from tests.conftest import ADMIN_ID, SALES_IDS, RunningBot, created_issue
from tests.fakes.telegram import FakeUser
from tests.helpers import answer_bug_until_summary


async def filed(bot: RunningBot) -> tuple[FakeUser, str]:
    """File a request and return the user and the new issue's key."""
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    return user, str(issue["key"])


async def comments_of(bot: RunningBot, key: str, count: int) -> list[dict[str, object]]:
    """Wait until the issue has count comments and return them."""
    await bot.tg.wait_for(lambda: len(bot.jira.issues[key]["comments"]) >= count, timeout=10)
    return list(bot.jira.issues[key]["comments"])


async def test_reply_button_turns_the_next_message_into_a_comment(bot: RunningBot) -> None:
    user, key = await filed(bot)
    await bot.tap(user, "↩️ Reply")
    assert f"Write your answer for {key}" in user.last.text
    await bot.say(user, "They also need the *PDF* export")
    await bot.tg.wait_for(lambda: f"Added to {key} as a comment" in user.last.text, timeout=10)
    [comment] = await comments_of(bot, key, 1)
    body = str(comment["body"])
    assert body.startswith("*Anna Petrova* (sales, via Telegram):\nThey also need the \\*PDF\\* export")
    assert "{anchor:ts-c-" in body
    await bot.say(user, "/new")
    assert "What do you need?" in user.last.text, "the next message is a dialog again"


async def test_a_telegram_reply_with_a_photo_becomes_a_comment_with_the_file(bot: RunningBot) -> None:
    user, key = await filed(bot)
    created = next(m for m in user.messages if "Created" in m.text)
    await bot.handled(await user.send_photo(caption="This is what they see", reply_to=created.message_id))
    [comment] = await comments_of(bot, key, 1)
    assert "This is what they see" in str(comment["body"])
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[key]["attachments"]), timeout=10)
    assert bot.jira.issues[key]["attachments"][0]["filename"].startswith("photo_")


async def test_reply_survives_jira_trouble_and_is_posted_once(bot: RunningBot) -> None:
    user, key = await filed(bot)
    bot.jira.fail_next(503, headers={"Retry-After": "1"}, times=2, path_contains="/comment", method="POST")
    await bot.tap(user, "↩️ Reply")
    await bot.say(user, "Deadline moved to Monday")
    assert bot.svc is not None and bot.svc.outbox is not None
    for _ in range(3):
        await asyncio.sleep(0.3)
        bot.clock.advance(120)
        bot.svc.outbox.kick()
    await bot.tg.wait_for(lambda: f"Added to {key}" in user.last.text, timeout=10)
    comments = await comments_of(bot, key, 1)
    assert len(comments) == 1


async def test_dont_reply_returns_to_normal(bot: RunningBot) -> None:
    user, key = await filed(bot)
    await bot.tap(user, "↩️ Reply")
    await bot.tap(user, "✖️ Don't reply")
    await bot.say(user, "hello")
    assert "Send /new" in user.last.text
    assert bot.jira.issues[key]["comments"] == []


NOT_YOURS = "You can answer only on your own requests and on issues you joined."


def queued_comments(bot: RunningBot) -> list[str]:
    """The issue keys of every comment the bot stored to post."""
    assert bot.svc is not None
    return [row[0] for row in bot.svc.store.db.execute("SELECT issue_key FROM comments")]


async def test_reply_on_another_salespersons_issue_is_refused_until_they_join_it(bot: RunningBot) -> None:
    anna, key = await filed(bot)
    notice = next(m for m in anna.messages if "Created" in m.text)
    boris = bot.user(SALES_IDS[1], "Boris")
    # His chat gets a message with the notice's number too (ids count per chat, both sides).
    while notice.message_id not in boris.chat.user_messages and boris.chat.find(notice.message_id) is None:
        await bot.say(boris, "/help")
    await bot.handled(await boris.tap_data(f"reply:{key}"))
    assert boris.callback_answers[-1]["text"] == NOT_YOURS and boris.callback_answers[-1]["show_alert"] is True
    assert all("Write your answer" not in m.text for m in boris.messages)
    await bot.say(boris, "close it")
    assert "Send /new" in boris.last.text, "the message went on to the dialog"
    # A Telegram reply counts only to a notice sent into the same chat, whatever its number.
    await bot.handled(await boris.send("close it", reply_to=notice.message_id))
    await asyncio.sleep(0.3)
    assert queued_comments(bot) == [] and bot.jira.issues[key]["comments"] == []
    # Once he joins the issue (it was offered to him), answering on it is his right too.
    await answer_bug_until_summary(bot, boris)
    await bot.tap(boris, "✅ Create")
    await bot.tap(boris, f"Same problem: add my customer to {key}")
    # The outbox confirms the join when Jira has the comment; wait for it so it cannot land after the prompt.
    await bot.tg.wait_for(lambda: any(f"Added to {key}" in m.text for m in boris.messages), timeout=10)
    await bot.handled(await boris.tap_data(f"reply:{key}"))
    assert f"Write your answer for {key}" in boris.last.text
    await bot.say(boris, "Globex needs it too")
    comments = await comments_of(bot, key, 2)
    assert str(comments[-1]["body"]).startswith("*Boris Petrova* (sales, via Telegram):\nGlobex needs it too")


async def test_an_issue_the_bot_never_filed_is_refused_before_jira_hears_of_it(bot: RunningBot) -> None:
    anna, key = await filed(bot)
    bot.jira.add_project("HR", "People")
    strangers = [str(bot.jira.add_issue("Salary review", project="HR")["key"]),
                 str(bot.jira.add_issue("Office move", project="SUP")["key"]), "SUP-404"]
    admin = bot.user(ADMIN_ID, "Boss")
    await bot.say(admin, "/start")
    for user in (anna, admin):
        for stranger in strangers:
            await bot.handled(await user.tap_data(f"reply:{stranger}"))
            assert user.callback_answers[-1]["text"] == NOT_YOURS
            await bot.say(user, "Approved")
    await asyncio.sleep(0.3)
    assert queued_comments(bot) == []
    assert not [r for r in bot.jira.requests if any(s in r.path for s in strangers)]
    assert all(bot.jira.issues[s]["comments"] == [] for s in strangers[:2])
    # An admin may answer on any issue the bot filed.
    await bot.handled(await admin.tap_data(f"reply:{key}"))
    assert f"Write your answer for {key}" in admin.last.text
    await bot.say(admin, "Escalated with the vendor")
    [comment] = await comments_of(bot, key, 1)
    assert str(comment["body"]).startswith("*Boss Petrova* (admin, via Telegram):\nEscalated with the vendor")


async def test_reply_pressed_as_an_admin_is_refused_once_demoted(bot: RunningBot) -> None:
    _, key = await filed(bot)
    assert bot.svc is not None
    bot.svc.access.set_role(104, "admin", ADMIN_ID)
    vera = bot.user(104, "Vera")
    await bot.say(vera, "/start")
    await bot.handled(await vera.tap_data(f"reply:{key}"))
    assert f"Write your answer for {key}" in vera.last.text
    boss = bot.user(ADMIN_ID, "Boss")
    await bot.say(boss, "/users")
    await bot.tap(boss, "👑 Vera Petrova")
    await bot.tap(boss, "💼 Make salesperson")
    await bot.say(vera, "Closing this, the customer churned")
    assert vera.last.text == NOT_YOURS
    await bot.say(vera, "ok")
    assert "Send /new" in vera.last.text, "the Reply state is gone"
    await asyncio.sleep(0.3)
    assert queued_comments(bot) == [] and bot.jira.issues[key]["comments"] == []
