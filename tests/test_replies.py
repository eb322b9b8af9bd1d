"""Salespeople answer in Telegram; their answers become Jira comments, exactly once, with their files."""

from __future__ import annotations

import asyncio

from tests.conftest import RunningBot
from tests.fake_telegram import FakeUser
from tests.test_intake import answer_bug_until_summary, created_issue


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
