"""The guided dialog over Telegram: a template's questions one at a time, with clear answers to what does not fit."""

from __future__ import annotations

from tests.conftest import RunningBot, created_issue
from tests.helpers import finish_with_defaults, open_bug


async def test_happy_path_files_one_complete_issue(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    assert "1/6" in user.last.text and "What is wrong?" in user.last.text
    await bot.say(user, "Export to Excel fails since the update")
    assert "2/6" in user.last.text
    await bot.say(user, "acme")
    assert "How urgent" in user.last.text
    await bot.tap(user, "Deal or go-live blocked")
    assert "Why is it urgent?" in user.last.text
    await bot.say(user, "They sign on Friday, 40k deal")
    assert set(user.last.buttons()) >= {"Today", "Tomorrow", "In a week", "No deadline"}
    await bot.say(user, "Friday")
    await bot.handled(await user.send_photo())
    assert "Got 1 file" in user.last.text
    await bot.tap(user, "✅ Done")
    card = user.last.text
    assert "Please check your request" in card
    assert "ACME Corp GmbH: Export to Excel fails since the update" in card
    assert "Highest" in card and "Fri 27 Nov 2026" in card
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    fields = issue["fields"]
    assert fields["summary"] == "ACME Corp GmbH: Export to Excel fails since the update"
    assert fields["priority"]["name"] == "Highest"
    assert fields["duedate"] == "2026-11-27"
    assert "from-sales" in fields["labels"] and "acme-corp-gmbh" in fields["labels"]
    assert any(label.startswith("ts-") for label in fields["labels"])
    assert "h3. Why is it urgent?" in fields["description"]
    assert "Anna Petrova (@anna, Telegram id 101)" in fields["description"]
    assert "||Attachments|photo\\_" in fields["description"]
    created = next(m for m in user.messages if "Created SUP-" in m.text)
    assert issue["key"] in created.text
    assert created.inline_keyboard[0][0]["url"].endswith(f"/browse/{issue['key']}")
    assert bot.svc is not None and bot.svc.store.get_draft(user.id) is None
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[issue["key"]]["attachments"]), timeout=10)
    [attachment] = bot.jira.issues[issue["key"]]["attachments"]
    assert attachment["filename"].startswith("photo_") and attachment["filename"].endswith(".jpg")
    assert bot.jira.attachment_bytes[attachment["id"]].startswith(b"\x89PNG")
    request = bot.svc.store.requests_of(user.id)[0]
    assert request.state == "created"


async def test_conditional_question_is_skipped_and_optional_can_be_skipped(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, "Can wait")
    assert "By when" in user.last.text and "4/5" in user.last.text
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["priority"]["name"] == "Medium"
    assert "duedate" not in issue["fields"] or issue["fields"]["duedate"] is None
    assert "Why is it urgent" not in issue["fields"]["description"]


async def test_back_returns_to_previous_question_with_its_answer(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.tap(user, "⬅️ Back")
    assert "What is wrong?" in user.last.text
    assert "Export to Excel fails since the update" in user.last.text
    await bot.say(user, "Import from CSV fails for big files")
    assert "Which customer?" in user.last.text


async def test_overlong_answer_is_refused_and_draft_survives(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "x" * 5000)
    assert "5,000 characters" in user.last.text
    assert "1/6" in user.last.text
    await bot.say(user, "Export to Excel fails since the update")
    assert "Which customer?" in user.last.text


async def test_whitespace_and_sticker_get_clear_replies(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "\u200b \u2800 \u3164")
    assert "empty" in user.last.text
    await bot.handled(await user.send_sticker())
    assert "sticker" in user.last.text
    await bot.say(user, "Export to Excel fails since the update")
    assert "Which customer?" in user.last.text


async def test_fuzzy_customer_offers_matches_and_new_customer(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "Globx")
    assert "Globex Corporation" in user.last.buttons()
    assert any("Globx" in label for label in user.last.buttons())
    await bot.tap(user, "Globex Corporation")
    assert "How urgent" in user.last.text


async def test_stale_button_is_explained(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    data, message_id = user.last.inline_keyboard[-1][0]["callback_data"], user.last.message_id
    await bot.say(user, "Export to Excel fails since the update")
    await bot.handled(await user.tap_data(data, message_id=message_id))
    assert "Which customer?" in user.last.text


async def test_a_new_customer_is_matched_in_the_next_request(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "Acme Logistics")
    await bot.tap(user, "➕ Use “Acme Logistics” as a new customer")
    await finish_with_defaults(bot, user)
    await bot.tap(user, "✅ Create")
    await created_issue(bot, user)
    await open_bug(bot, user)
    await bot.say(user, "Import from CSV fails for big files")
    await bot.say(user, "acme logistics")
    assert "How urgent" in user.last.text


async def test_a_tap_with_data_no_button_carries_is_answered_and_changes_nothing(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    assert bot.svc is not None
    prompt, before = user.last, bot.svc.store.get_draft(user.id)
    answered, shown, edits = len(user.callback_answers), len(user.messages), prompt.edits
    await bot.handled(await user.tap_data("not a button", message_id=prompt.message_id))
    assert len(user.callback_answers) == answered + 1
    assert len(user.messages) == shown and user.last.edits == edits and user.last.text == prompt.text
    assert bot.svc.store.get_draft(user.id) == before
