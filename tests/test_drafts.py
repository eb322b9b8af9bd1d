"""Unfinished requests: kept across restarts, continued or started over, and expired when left alone."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.helpers import open_bug


async def test_restart_mid_dialog_continues_where_the_user_left_off(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.restart()
    await bot.say(user, "acme")
    assert "How urgent" in user.last.text
    await bot.say(user, "/new")
    assert "unfinished request" in user.last.text
    await bot.tap(user, "▶️ Continue")
    assert "How urgent" in user.last.text


async def test_new_with_open_draft_can_start_over(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "/new")
    await bot.tap(user, "🔄 Start over")
    assert "What do you need?" in user.last.text
    assert bot.svc is not None
    stored = bot.svc.store.get_draft(user.id)
    assert stored is not None and stored.draft.answers == {}


async def test_expired_draft_is_dropped_with_a_notice(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    bot.clock.advance(25 * 3600)
    await bot.say(user, "acme")
    texts = [m.text for m in user.messages[-2:]]
    assert any("expired after 24 hours" in text for text in texts)
    assert bot.svc is not None and bot.svc.store.get_draft(user.id) is None


async def test_sweeper_expires_drafts_nobody_touches(bot: RunningBot) -> None:
    from handlers.telegram.runtime.expiry import sweep_once

    user = bot.user()
    await open_bug(bot, user)
    bot.clock.advance(23 * 3600)
    assert bot.svc is not None
    assert await sweep_once(bot.app.bot, bot.svc) == 0
    bot.clock.advance(2 * 3600)
    assert await sweep_once(bot.app.bot, bot.svc) == 1
    assert "expired" in user.last.text
