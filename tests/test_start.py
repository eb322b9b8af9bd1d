"""/start greets a salesperson and registers the bot's commands, in each language."""

from __future__ import annotations

from tests.conftest import RunningBot


async def test_start_greets_and_registers_commands(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/start")
    assert "Hi Anna" in user.last.text
    assert user.last.reply_keyboard is not None
    assert "📝 New request" in str(user.last.reply_keyboard)
    assert {c["command"] for c in bot.tg.commands_for()} == {"new", "my", "cancel", "settings", "lang", "help", "start"}
    russian = {c["command"]: c["description"] for c in bot.tg.commands_for(language_code="ru")}
    assert russian["new"] == "Новый запрос"
