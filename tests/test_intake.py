"""Whole intake conversations through real python-telegram-bot, the fake Bot API and the fake Jira."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    ADMIN_ID,
    SALES_IDS,
    Clock,
    RunningBot,
    created_issue,
    fill_the_disk,
    free_the_disk,
    write_config,
)
from tests.fake_jira import FakeJira
from tests.fake_telegram import FakeTelegram, FakeUser

BUG = "Something is broken"


async def open_bug(bot: RunningBot, user: FakeUser) -> None:
    """Start a request and pick the bug template."""
    await bot.say(user, "/new")
    await bot.tap(user, BUG)


async def answer_bug_until_summary(bot: RunningBot, user: FakeUser, *, urgency: str = "Deal or go-live blocked",
                                   deadline: str = "Friday") -> None:
    """Walk the bug template to the summary card with typical answers."""
    await open_bug(bot, user)
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, urgency)
    if urgency != "Can wait":
        await bot.say(user, "They sign on Friday, 40k deal")
    await bot.say(user, deadline)
    await bot.tap(user, "✅ Done")


async def finish_with_defaults(bot: RunningBot, user: FakeUser) -> None:
    """From the urgency question: not urgent, no deadline, no files — reaching the summary card."""
    await bot.tap(user, "Can wait")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")


def reachable(bot: RunningBot, user_id: int) -> bool:
    """Say whether the database marks the user as one the bot can reach (unknown users count as reachable)."""
    assert bot.svc is not None
    row = bot.svc.store.db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
    return row is None or bool(row[0])



async def test_start_greets_and_registers_commands(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/start")
    assert "Hi Anna" in user.last.text
    assert user.last.reply_keyboard is not None
    assert "📝 New request" in str(user.last.reply_keyboard)
    assert {c["command"] for c in bot.tg.commands_for()} == {"new", "my", "cancel", "settings", "lang", "help", "start"}
    russian = {c["command"]: c["description"] for c in bot.tg.commands_for(language_code="ru")}
    assert russian["new"] == "Новый запрос"


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


async def test_jira_missing_required_field_keeps_request_and_tells_admin(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Olga", username="olga")
    await bot.say(admin, "/start")
    bot.jira.require_field("Bug", "duedate")
    user = bot.user()
    await answer_bug_until_summary(bot, user, urgency="Can wait", deadline="No deadline")
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("did not accept" in m.text for m in user.messages), timeout=10)
    refusal = next(m for m in user.messages if "did not accept" in m.text)
    assert "By when is it needed?" in refusal.text and "Due date is required" in refusal.text
    await bot.tg.wait_for(lambda: any("was not filed" in m.text for m in admin.messages), timeout=10)
    assert bot.svc is not None
    requests = bot.svc.store.requests_of(user.id)
    assert len(requests) == 1 and requests[0].state == "needs-attention"
    assert bot.jira.issues == {}


async def test_jira_down_then_up_files_the_request_once(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.jira.come_up()
    bot.clock.advance(60)
    assert bot.svc is not None and bot.svc.outbox is not None
    bot.svc.outbox.kick()
    await created_issue(bot, user)
    assert sum("not reachable" in m.text for m in user.messages) == 1


@pytest.mark.parametrize("answer", [
    "*bold* _it_ [link](x) ~strike~ `code` > quote # h + - = | { } . ! < > &",
    "Экспорт в Excel 🚀 не работает 🙈 с обновления",
    "التصدير إلى إكسل لا يعمل منذ التحديث",
])
async def test_hostile_text_is_kept_verbatim(bot: RunningBot, answer: str) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, answer)
    assert "Which customer?" in user.last.text
    await bot.say(user, "acme")
    await finish_with_defaults(bot, user)
    assert answer in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert answer.split()[0].strip("*") in issue["fields"]["summary"]


async def test_control_characters_in_answers_never_reach_jira(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    # Telegram turns C0 controls into spaces and drops bidi embeddings; C1 controls, DEL and isolates come through.
    await bot.say(user, "Export\x01 to Excel\x9b[2J fails\x7f since\u2066 the\x85update\u2069\x90")
    await bot.say(user, "acme")
    await bot.tap(user, "Deal or go-live blocked")
    await bot.say(user, "They sign\x08 on Friday\x9c")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")
    await bot.tap(user, "✅ Create")
    fields = (await created_issue(bot, user))["fields"]
    assert fields["summary"] == "ACME Corp GmbH: Export to Excel[2J fails since the update"
    controls = {chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))} - {"\n"}
    isolates = {chr(code) for code in range(0x2066, 0x206A)}
    assert not set(fields["summary"]) & (controls | isolates)
    assert not set(fields["description"] + "".join(fields["labels"])) & controls
    assert "They sign" in fields["description"] and "on Friday\n" in fields["description"]


async def test_overlong_answer_is_refused_and_draft_survives(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, "x" * 5000)
    assert "5,000 characters" in user.last.text
    assert "1/6" in user.last.text
    await bot.say(user, "Export to Excel fails since the update")
    assert "Which customer?" in user.last.text


@pytest.mark.parametrize(("language_code", "told"), [
    ("en", "I could not save this answer"),
    ("ru", "не удалось сохранить этот ответ"),
    ("de", "diese Antwort konnte ich nicht speichern"),
])
async def test_an_answer_the_full_disk_refuses_is_not_called_saved(bot: RunningBot, language_code: str, told: str
                                                                  ) -> None:
    assert bot.svc is not None
    user = bot.user(language_code=language_code)
    await bot.say(user, "/new")
    await bot.tap(user, user.last.buttons()[0])
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, user.last.buttons()[0])
    asked = user.last.text
    fill_the_disk(bot.svc.store)
    why = "Подписывают в пятницу, сделка на 40 тысяч. " * 60
    await bot.say(user, why)
    free_the_disk(bot.svc.store)
    assert told in user.last.text
    assert not any(word in user.last.text for word in ("so far are saved", "ответы сохранены", "sind gespeichert"))
    assert bot.svc.store.get_draft(user.id) is not None
    # What was answered before is still there: the same question again, and the answers on the card.
    await bot.say(user, "/new")
    await bot.tap(user, user.last.buttons()[0])
    assert user.last.text == asked
    await bot.say(user, why)
    assert user.last.text.startswith("5/6")
    stored = bot.svc.store.get_draft(user.id)
    assert stored is not None
    assert stored.draft.answers == {"what": "Export to Excel fails since the update", "customer": "ACME Corp GmbH",
                                    "urgency": "blocker", "why": why.strip()}


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


async def test_russian_user_gets_russian_dialog(bot: RunningBot) -> None:
    user = bot.user(SALES_IDS[1], "Иван", language_code="ru")
    await bot.say(user, "/new")
    assert "Что вам нужно?" in user.last.text
    await bot.tap(user, "Что-то сломалось")
    assert "Что не так?" in user.last.text
    await bot.say(user, "Экспорт не работает после обновления")
    await bot.say(user, "Ромашка")
    assert "Насколько срочно?" in user.last.text


async def test_stale_button_is_explained(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    data, message_id = user.last.inline_keyboard[-1][0]["callback_data"], user.last.message_id
    await bot.say(user, "Export to Excel fails since the update")
    await bot.handled(await user.tap_data(data, message_id=message_id))
    assert "Which customer?" in user.last.text


async def test_file_over_the_download_limit_is_explained(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "Screenshots or files?")
    await bot.handled(await user.send_document(None, "recording.mp4", "video/mp4", size=25 * 1024 * 1024))
    assert "recording.mp4" in user.last.text and "20 MB" in user.last.text
    await bot.handled(await user.send_document(b"log line\n", "server.log", "text/plain"))
    await bot.tap(user, "✅ Done")
    assert "server.log" in user.last.text and "recording.mp4" not in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[issue["key"]]["attachments"]), timeout=10)
    [attachment] = bot.jira.issues[issue["key"]]["attachments"]
    assert attachment["filename"] == "server.log"
    assert bot.jira.attachment_bytes[attachment["id"]] == b"log line\n"


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


async def test_admin_sees_the_outbox(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Olga", username="olga")
    await bot.say(admin, "/outbox")
    assert "nothing waiting" in admin.last.text
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    bot.jira.go_down()
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    bot.clock.advance(3 * 3600 + 120)
    await bot.say(admin, "/outbox")
    assert "1 waiting for Jira, the oldest for 3 h 2 min" in admin.last.text
    assert "Jira could not be reached" in admin.last.text
    await bot.say(user, "/outbox")
    assert "only for admins" not in user.last.text and "for admins" in user.last.text
    bot.jira.come_up()


async def test_templates_jira_would_refuse_are_not_offered(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                           clock: Clock) -> None:
    jira.require_field("Bug", "duedate")
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url), clock)
    admin = running.user(ADMIN_ID, "Olga", username="olga")
    await admin.send("hello")  # an admin the bot can reach
    await running.start()
    try:
        await tg.wait_for(lambda: any("not offered" in m.text for m in admin.messages), timeout=10)
        notice = next(m for m in admin.messages if "not offered" in m.text)
        assert "bug: 1 problem" in notice.text and "duedate" in notice.text
        user = running.user()
        await running.say(user, "/new")
        assert "Something is broken" not in user.last.buttons()
        assert "A feature for a deal" in user.last.buttons()
    finally:
        await running.stop()


async def test_file_over_jiras_attachment_limit_is_explained(tg: FakeTelegram, tmp_path: Path, clock: Clock) -> None:
    with FakeJira("dc9", pat="pat-secret", upload_limit=1024 * 1024) as jira:
        config = write_config(tmp_path, jira.url, jira={"pat": "pat-secret", "email": None, "api_token": None})
        running = RunningBot(tg, jira, config, clock)
        await running.start()
        try:
            user = running.user()
            await answer_bug_until_summary(running, user)
            await running.tap(user, "✏️ Edit")
            await running.tap(user, "Screenshots or files?")
            await running.handled(await user.send_document(None, "dump.zip", "application/zip", size=5 * 1024 * 1024))
            assert "Jira accepts attachments only up to 1.0 MB" in user.last.text
        finally:
            await running.stop()


async def test_a_refused_request_is_fixed_and_resent_without_retyping(bot: RunningBot) -> None:
    bot.jira.require_field("Bug", "duedate")
    user = bot.user()
    await answer_bug_until_summary(bot, user, urgency="Can wait", deadline="No deadline")
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("did not accept" in m.text for m in user.messages), timeout=10)
    refusal = user.last
    fix = refusal.inline_keyboard[0][0]["callback_data"]
    await bot.tap(user, "✏️ Fix and resend")
    assert refusal.inline_keyboard == [], "the used button is gone"
    assert "Please check your request" in user.last.text
    assert "Export to Excel fails since the update" in user.last.text
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "By when is it needed?")
    await bot.say(user, "Friday")
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["duedate"] == "2026-11-27"
    assert bot.svc is not None
    [request] = bot.svc.store.requests_of(user.id)
    assert f"ts-{request.id}" in issue["fields"]["labels"] and request.state == "created"
    await bot.handled(await user.tap_data(fix, message_id=refusal.message_id))
    assert any("can no longer be changed" in (a.get("text") or "") for a in user.callback_answers)
    assert len(bot.jira.creates) == 2, "one refused create and one accepted"


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
