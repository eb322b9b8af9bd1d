"""The summary card: edit an answer, cancel, and Create files one issue however often and late it is tapped."""

from __future__ import annotations

from tests.conftest import RunningBot, created_issue
from tests.helpers import answer_bug_until_summary


async def test_edit_from_summary_changes_one_answer(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "Which customer?")
    await bot.say(user, "Globex")
    assert "Please check your request" in user.last.text
    assert "Globex Corporation" in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["summary"].startswith("Globex Corporation:")


async def test_cancel_drops_the_draft(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✖️ Cancel")
    assert "cancelled" in user.last.text
    assert bot.svc is not None and bot.svc.store.get_draft(user.id) is None
    await bot.say(user, "/cancel")
    assert "no request in progress" in user.last.text
    assert bot.jira.issues == {}


async def test_double_tap_on_create_files_one_issue(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    first = await user.tap("✅ Create")
    second = await user.tap("✅ Create")
    await bot.handled(first)
    await bot.handled(second)
    await created_issue(bot, user)
    assert len(bot.jira.creates) == 1
    assert any("already been sent" in (a.get("text") or "") for a in user.callback_answers)


async def test_a_create_tap_from_a_button_without_its_prompt_number_is_answered(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    answered = len(user.callback_answers)
    await bot.handled(await user.tap_data("create"))  # a button from before prompts were numbered
    assert len(user.callback_answers) == answered + 1


async def test_what_a_late_tap_had_to_say_comes_as_a_message(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    answered = len(user.callback_answers)
    # Both taps waited longer than Telegram takes answers for (the bot was busy or restarting).
    bot.tg.callback_answer_seconds = 0
    first = await user.tap("✅ Create")
    second = await user.tap("✅ Create")
    await bot.handled(first)
    await bot.handled(second)
    await created_issue(bot, user)
    assert len(bot.jira.creates) == 1 and len(user.callback_answers) == answered
    assert any(m.text == "This request has already been sent." for m in user.messages)
