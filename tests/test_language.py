"""The bot speaks the user's language: Telegram's by default, or the one chosen with /lang."""

from __future__ import annotations

from tests.conftest import SALES_IDS, RunningBot


async def test_german_telegram_app_gets_german(bot: RunningBot) -> None:
    user = bot.user(SALES_IDS[2], "Jonas", language_code="de-AT")
    await bot.say(user, "/new")
    assert "Worum geht es?" in user.last.text
    assert "Etwas funktioniert nicht" in user.last.buttons()


async def test_lang_overrides_telegram_and_can_be_undone(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/lang")
    assert user.last.buttons() == ["English", "Русский", "Deutsch", "As in my Telegram app"]
    await bot.tap(user, "Русский")
    assert any("теперь по-русски" in m.text for m in user.messages[-2:])
    assert "📝 Новый запрос" in str(user.last.reply_keyboard)
    await bot.say(user, "/new")
    assert "Что вам нужно?" in user.last.text
    await bot.say(user, "/cancel")
    await bot.say(user, "/lang")
    await bot.tap(user, "Как в Telegram")
    await bot.say(user, "/new")
    assert "What do you need?" in user.last.text


async def test_unsupported_language_falls_back_to_english(bot: RunningBot) -> None:
    user = bot.user(SALES_IDS[1], "Marie", language_code="fr")
    await bot.say(user, "/new")
    assert "What do you need?" in user.last.text


async def test_russian_user_gets_russian_dialog(bot: RunningBot) -> None:
    user = bot.user(SALES_IDS[1], "Иван", language_code="ru")
    await bot.say(user, "/new")
    assert "Что вам нужно?" in user.last.text
    await bot.tap(user, "Что-то сломалось")
    assert "Что не так?" in user.last.text
    await bot.say(user, "Экспорт не работает после обновления")
    await bot.say(user, "Ромашка")
    assert "Насколько срочно?" in user.last.text
