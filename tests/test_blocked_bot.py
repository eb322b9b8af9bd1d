"""A salesperson who blocks the bot is marked inactive, and what the bot still has to tell them harms nothing."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.helpers import answer_bug_until_summary


def reachable(bot: RunningBot, user_id: int) -> bool:
    """Say whether the database marks the user as one the bot can reach (unknown users count as reachable)."""
    assert bot.svc is not None
    row = bot.svc.store.db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
    return row is None or bool(row[0])


async def test_a_user_who_blocked_the_bot_is_marked_inactive(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    bot.tg.block(user.id)
    assert bot.svc is not None
    await bot.tg.wait_for(lambda: not reachable(bot, user.id), timeout=10)
    bot.tg.unblock(user.id)
    await bot.tg.wait_for(lambda: reachable(bot, user.id), timeout=10)


async def test_a_notice_to_a_user_who_blocked_the_bot_does_not_crash(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.tg.block(user.id)
    bot.jira.come_up()
    bot.clock.advance(120)
    assert bot.svc is not None and bot.svc.outbox is not None
    bot.svc.outbox.kick()
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 1, timeout=10)
    await bot.tg.wait_for(lambda: not reachable(bot, user.id), timeout=10)
    [request] = bot.svc.store.requests_of(user.id)
    assert request.state == "created"
