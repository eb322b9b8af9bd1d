"""The team's group chat: /ticket as a reply, or a reaction, files a message in a private dialog with who asked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_config
from bot.text.yamlfile import ConfigError
from handlers.telegram.journeys.groups import link_target
from handlers.telegram.wiring import allowed_updates
from tests.conftest import Clock, RunningBot, created_issue, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.speech import FakeSpeech
from tests.fakes.telegram import FakeGroup, FakeTelegram, FakeUser
from tests.helpers import serving

ASK = "ACME can't export invoices to PDF since the update, they go live Friday, we are blocked"
TICKET_EMOJI_ID = "5368324170671202286"


@pytest.fixture
async def reacting(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[RunningBot]:
    """A running bot that files messages on a 🎫 reaction too."""
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url, groups={"reactions": True}), clock)
    await running.start()
    yield running
    await running.stop()


async def started(bot: RunningBot, user_id: int = 101, name: str = "Anna", lang: str = "en") -> FakeUser:
    """A salesperson who has opened the bot in private before."""
    user = bot.user(user_id, name, language_code=lang)
    await bot.say(user, "/start")
    return user


async def ticket(bot: RunningBot, group: FakeGroup, user: FakeUser, target: int, command: str = "/ticket") -> None:
    """A member replies to a group message with /ticket; returns when the bot has handled it."""
    posted = await group.post(user, command, reply_to=target)
    assert posted.update_id is not None, "in privacy mode the bot still receives commands"
    await bot.handled(posted.update_id)


def group_lines(group: FakeGroup) -> list[str]:
    return [m.text for m in group.messages]


async def test_a_reply_with_ticket_files_the_message_in_private_and_the_group_hears_the_key(bot: RunningBot) -> None:
    anna = await started(bot)
    ivan = bot.user(555, "Ivan", last_name="Petrov")
    group = bot.tg.group("Sales team")
    original = await group.post(ivan, ASK)
    assert original.update_id is None, "in privacy mode the bot does not see ordinary messages"
    await ticket(bot, group, anna, original.message_id, "/ticket@ticketsmith_bot")
    prompt = anna.last.text
    assert f"💬 Ivan Petrov in “Sales team”: {ASK}" in prompt
    assert "Something is broken" in prompt and "marked ✎" in prompt and "Why is it urgent?" in prompt
    [line] = group.messages
    assert line.text == "📝 Anna is filing this as a request."
    assert line.reply_to_message_id == original.message_id
    await bot.say(anna, "Their go-live depends on the PDF invoices")
    assert f"{ASK} ✎" in anna.last.text
    await bot.tap(anna, "✅ Create")
    issue = await created_issue(bot, anna)
    description = issue["fields"]["description"]
    assert "h3. Message from Ivan Petrov in the group “Sales team”" in description
    assert "export invoices to PDF" in description and issue["fields"]["duedate"] == "2026-11-27"
    await bot.tg.wait_for(lambda: len(group.messages) == 2)
    filed = group.messages[-1]
    assert filed.text.startswith(f"✅ Filed as {issue['key']}: ")
    assert filed.reply_to_message_id == original.message_id
    assert f'href="{bot.jira.url}/browse/{issue["key"]}"' in filed.raw_text


async def test_strangers_are_ignored_without_a_word(bot: RunningBot) -> None:
    stranger = bot.user(555, "Ivan", last_name="Petrov")
    anna = await started(bot)
    group = bot.tg.group("Sales team")
    original = await group.post(anna, ASK)
    await ticket(bot, group, stranger, original.message_id)
    assert group.messages == [], "a team chat is not cluttered with refusals"
    assert bot.tg.calls_in(stranger.id) == [] and bot.svc is not None
    assert bot.svc.store.get_draft(stranger.id) is None
    assert len(anna.messages) == 1, "nobody else hears of it either"


async def test_someone_who_never_opened_the_bot_gets_a_link_in_the_group(bot: RunningBot) -> None:
    ivan = bot.user(555, "Ivan", last_name="Petrov")
    maria = bot.user(102, "Maria", language_code="en")
    group = bot.tg.group("Sales team")
    original = await group.post(ivan, ASK)
    await ticket(bot, group, maria, original.message_id)
    [line] = group.messages
    assert line.text.startswith("Maria, I can't write to you yet")
    [[button]] = line.inline_keyboard
    assert button["text"] == "Open the bot"
    link = re.fullmatch(r"https://t\.me/ticketsmith_bot\?start=(g-\d+_\d+)", button["url"])
    assert link is not None
    assert bot.svc is not None and bot.svc.store.get_draft(maria.id) is None, "no request waits where nobody sees it"
    await bot.say(maria, f"/start {link[1]}")
    assert f"💬 Ivan Petrov in “Sales team”: {ASK}" in maria.last.text
    assert "Why is it urgent?" in maria.last.text
    assert group.messages[-1].text == "📝 Maria is filing this as a request."


async def test_a_forged_link_reveals_nothing_of_a_group_one_is_not_in(bot: RunningBot) -> None:
    ivan = bot.user(555, "Ivan", last_name="Petrov")
    maria = bot.user(102, "Maria", language_code="en")
    anna = await started(bot)
    group = bot.tg.group("Board")
    original = await group.post(ivan, "Confidential: the ACME discount is 40%, do not tell sales")
    await ticket(bot, group, maria, original.message_id)
    link = group.messages[-1].inline_keyboard[0][0]["url"].split("start=")[1]
    await bot.say(anna, f"/start {link}")
    assert "no longer known to me" in anna.last.text and "Confidential" not in anna.last.text
    assert bot.svc is not None and bot.svc.store.get_draft(anna.id) is None
    group.leave(maria)
    await bot.say(maria, f"/start {link}")
    assert "no longer known to me" in maria.last.text


async def test_ticket_in_private_says_where_it_works(bot: RunningBot) -> None:
    anna = await started(bot, lang="de")
    await bot.say(anna, "/ticket")
    assert "/ticket funktioniert im Gruppenchat deines Teams" in anna.last.text


async def test_group_messages_are_kept_only_for_a_while(reacting: RunningBot) -> None:
    reacting.tg.custom_emoji[TICKET_EMOJI_ID] = "🎫"
    anna = await started(reacting)
    group = reacting.tg.group("Sales team", bot_admin=True)
    old = await group.post(anna, ASK)
    assert old.update_id is not None
    await reacting.handled(old.update_id)
    reacting.clock.advance(49 * 3600)
    newer = await group.post(anna, "Globex asks for a CSV export of all invoices, no rush")
    assert newer.update_id is not None
    await reacting.handled(newer.update_id)
    assert reacting.svc is not None and reacting.svc.store.group_message(group.id, old.message_id) is None
    update = await group.react(anna, old.message_id, custom_emoji_id=TICKET_EMOJI_ID)
    assert update is not None
    await reacting.handled(update)
    assert "that I did not see" in anna.last.text
    assert b'ticketsmith_group_asks_total{outcome="unseen",via="reaction"} 1.0' in reacting.svc.metrics.render()


async def test_a_ticket_that_replies_to_nothing_explains_itself(bot: RunningBot) -> None:
    anna = await started(bot)
    group = bot.tg.group("Sales team")
    posted = await group.post(anna, "/ticket")
    assert posted.update_id is not None
    await bot.handled(posted.update_id)
    assert group_lines(group) == ["To file a message as a request, reply to it with /ticket."]
    assert len(anna.messages) == 1


async def test_a_request_being_written_is_never_replaced(bot: RunningBot) -> None:
    anna = await started(bot)
    await bot.say(anna, "/new")
    await bot.tap(anna, "Something is broken")
    await bot.say(anna, "Export to Excel fails since the update")
    group = bot.tg.group("Sales team")
    original = await group.post(anna, ASK)
    await ticket(bot, group, anna, original.message_id)
    assert "You are in the middle of another request (Something is broken)" in anna.last.text
    assert group.messages == []
    assert bot.svc is not None
    stored = bot.svc.store.get_draft(anna.id)
    assert stored is not None and stored.draft.answers.get("what") == "Export to Excel fails since the update"


@pytest.mark.parametrize(("lang", "filing", "quote"), [
    ("en", "📝 Anna is filing this as a request.", "💬 Ivan Petrov in “Sales team”:"),
    ("ru", "📝 Anna оформляет это как запрос.", "💬 Ivan Petrov в «Sales team»:"),
    ("de", "📝 Anna erfasst das als Anfrage.", "💬 Ivan Petrov in „Sales team“:"),
])
async def test_the_lines_speak_the_askers_language(bot: RunningBot, lang: str, filing: str, quote: str) -> None:
    anna = await started(bot, lang=lang)
    ivan = bot.user(555, "Ivan", last_name="Petrov")
    group = bot.tg.group("Sales team")
    original = await group.post(ivan, ASK)
    await ticket(bot, group, anna, original.message_id)
    assert quote in anna.last.text
    assert group_lines(group) == [filing]


@pytest.mark.parametrize("lang", ["en", "ru", "de"])
async def test_the_link_for_a_newcomer_speaks_their_language(bot: RunningBot, lang: str) -> None:
    maria = bot.user(102, "Maria", language_code=lang)
    group = bot.tg.group("Vertrieb")
    original = await group.post(maria, ASK)
    await ticket(bot, group, maria, original.message_id)
    words = {"en": "I can't write to you yet", "ru": "я пока не могу вам написать", "de": "ich kann dir noch nicht"}
    buttons = {"en": "Open the bot", "ru": "Открыть бота", "de": "Bot öffnen"}
    [line] = group.messages
    assert words[lang] in line.text and line.buttons() == [buttons[lang]]


async def test_a_ticket_reaction_files_a_message_the_bot_saw(reacting: RunningBot) -> None:
    reacting.tg.custom_emoji[TICKET_EMOJI_ID] = "🎫"
    anna = await started(reacting)
    ivan = reacting.user(555, "Ivan", last_name="Petrov")
    group = reacting.tg.group("Sales team", bot_admin=True)
    original = await group.post(ivan, ASK)
    assert original.update_id is not None, "an admin bot sees every message"
    await reacting.handled(original.update_id)
    assert group.messages == [], "the bot stays quiet until asked"
    thumbs = await group.react(anna, original.message_id, "👍")
    assert thumbs is not None
    await reacting.handled(thumbs)
    assert len(anna.messages) == 1 and group.messages == []
    update = await group.react(anna, original.message_id, custom_emoji_id=TICKET_EMOJI_ID)
    assert update is not None
    await reacting.handled(update)
    assert f"💬 Ivan Petrov in “Sales team”: {ASK}" in anna.last.text
    assert group_lines(group) == ["📝 Anna is filing this as a request."]
    polls = reacting.tg.calls_to("getUpdates")
    assert "message_reaction" in polls[-1].params["allowed_updates"]


async def test_a_strangers_reaction_is_ignored(reacting: RunningBot) -> None:
    reacting.tg.custom_emoji[TICKET_EMOJI_ID] = "🎫"
    anna = await started(reacting)
    stranger = reacting.user(555, "Ivan", last_name="Petrov")
    group = reacting.tg.group("Sales team", bot_admin=True)
    original = await group.post(anna, ASK)
    assert original.update_id is not None
    await reacting.handled(original.update_id)
    update = await group.react(stranger, original.message_id, custom_emoji_id=TICKET_EMOJI_ID)
    assert update is not None
    await reacting.handled(update)
    assert group.messages == [] and reacting.tg.calls_in(stranger.id) == []


async def test_a_reaction_to_a_message_the_bot_never_saw_is_explained_in_private(reacting: RunningBot) -> None:
    reacting.tg.custom_emoji[TICKET_EMOJI_ID] = "🎫"
    anna = await started(reacting)
    group = reacting.tg.group("Sales team", bot_admin=False)
    original = await group.post(anna, ASK)
    assert original.update_id is None
    group.bot_admin = True  # made an admin only afterwards
    update = await group.react(anna, original.message_id, custom_emoji_id=TICKET_EMOJI_ID)
    assert update is not None
    await reacting.handled(update)
    assert "that I did not see" in anna.last.text and "/ticket" in anna.last.text
    assert group.messages == []


async def test_a_standard_reaction_can_be_the_one_that_files(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                             clock: Clock) -> None:
    config = write_config(tmp_path, jira.url, groups={"reactions": True, "reaction": "✍"})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    try:
        anna = await started(running)
        group = tg.group("Sales team", bot_admin=True)
        original = await group.post(anna, ASK)
        assert original.update_id is not None
        await running.handled(original.update_id)
        update = await group.react(anna, original.message_id, "✍")
        assert update is not None
        await running.handled(update)
        assert "💬 Anna Petrova in “Sales team”:" in anna.last.text
    finally:
        await running.stop()


async def test_without_reactions_the_bot_neither_asks_for_them_nor_keeps_messages(bot: RunningBot) -> None:
    anna = await started(bot)
    group = bot.tg.group("Sales team", bot_admin=True)
    posted = await group.post(anna, ASK)
    assert posted.update_id is not None
    await bot.handled(posted.update_id)
    assert bot.svc is not None
    assert "message_reaction" not in allowed_updates(bot.svc.config)
    assert bot.svc.store.group_message(group.id, posted.message_id) is None


@pytest.mark.parametrize("webhook", [False, True])
async def test_the_running_bot_asks_telegram_for_reactions_when_they_file(tg: FakeTelegram, jira: FakeJira,
                                                                          tmp_path: Path, clock: Clock,
                                                                          webhook: bool) -> None:
    async for _ in serving(tg, jira, tmp_path, clock, webhook=webhook, groups={"reactions": True}):
        if webhook:
            [call] = tg.calls_to("setWebhook")
        else:
            await tg.wait_for(lambda: bool(tg.calls_to("getUpdates")))
            call = tg.calls_to("getUpdates")[-1]
        assert set(call.params["allowed_updates"]) == {"message", "callback_query", "my_chat_member",
                                                       "message_reaction"}


async def test_a_voice_note_in_the_group_is_transcribed_and_attached(tg: FakeTelegram, jira: FakeJira,
                                                                     tmp_path: Path, clock: Clock) -> None:
    speech = FakeSpeech()
    await speech.start()
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url, speech={"url": speech.url}), clock)
    await running.start()
    try:
        anna = await started(running)
        ivan = running.user(555, "Ivan", last_name="Petrov")
        group = tg.group("Sales team")
        audio = speech.says(b"OggS\x00\x02group voice", ASK)
        note = await group.post_voice(ivan, audio)
        await ticket(running, group, anna, note.message_id)
        assert "🎙 I heard:" in anna.last.text and "Why is it urgent?" in anna.last.text
        await running.say(anna, "Their go-live depends on the PDF invoices")
        await running.tap(anna, "✅ Create")
        issue = await created_issue(running, anna)
        await tg.wait_for(lambda: bool(jira.issues[issue["key"]]["attachments"]), timeout=10)
        [attachment] = jira.issues[issue["key"]]["attachments"]
        assert jira.attachment_bytes[attachment["id"]] == audio
    finally:
        await running.stop()
        await speech.stop()


def test_the_groups_section_is_checked(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://jira.example.com",
                          groups={"reactions": "sometimes", "reaction": "ticket", "remember_hours": 0})
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    problems = "\n".join(raised.value.problems)
    for key in ("groups.reactions", "groups.reaction", "groups.remember_hours"):
        assert f"'{key}'" in problems


@given(st.text(max_size=80))
def test_any_start_parameter_names_a_group_message_or_nothing(argument: str) -> None:
    target = link_target(argument)
    if target is not None:
        assert argument == f"g{target[0]}_{target[1]}"


@given(st.integers(min_value=-10**13, max_value=-1), st.integers(min_value=1, max_value=10**9))
def test_a_group_link_fits_telegrams_start_parameter(chat_id: int, message_id: int) -> None:
    argument = f"g{chat_id}_{message_id}"
    assert link_target(argument) == (chat_id, message_id)
    assert len(argument) <= 64 and re.fullmatch(r"[A-Za-z0-9_-]+", argument)
