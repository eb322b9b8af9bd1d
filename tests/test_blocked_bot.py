"""A salesperson who blocks the bot is marked inactive, and what the bot still has to tell them harms nothing."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.helpers import answer_bug_until_summary


async def test_a_user_who_blocked_the_bot_is_marked_inactive(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    bot.tg.block(user.id)
    assert bot.svc is not None
    await bot.tg.wait_for(lambda: not bot.svc.store.is_active(user.id), timeout=10)  # type: ignore[union-attr]
    bot.tg.unblock(user.id)
    await bot.tg.wait_for(lambda: bot.svc.store.is_active(user.id), timeout=10)  # type: ignore[union-attr]


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
    await bot.tg.wait_for(lambda: not bot.svc.store.is_active(user.id), timeout=10)  # type: ignore[union-attr]
    [request] = bot.svc.store.requests_of(user.id)
    assert request.state == "created"
