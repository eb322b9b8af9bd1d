"""Who may use the bot: the ids and usernames on the access list; anyone else is refused with their id."""

from __future__ import annotations

from tests.conftest import RunningBot


async def test_unknown_user_is_refused_with_their_id(bot: RunningBot) -> None:
    stranger = bot.user(555, "Eve", username="eve")
    await bot.say(stranger, "/new")
    assert "555" in stranger.last.text
    assert "not on its list" in stranger.last.text
    assert bot.svc is not None and bot.svc.store.get_draft(555) is None


async def test_user_listed_by_username_is_allowed(bot: RunningBot) -> None:
    boris = bot.user(777, "Boris", username="Boris")
    await bot.say(boris, "/new")
    assert "What do you need?" in boris.last.text
