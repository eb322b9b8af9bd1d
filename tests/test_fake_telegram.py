"""The fake Bot API, driven by real python-telegram-bot over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeTelegram, FakeUser, make_png

TOKEN = "123:TEST"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A running fake server."""
    async with FakeTelegram(TOKEN) as server:
        yield server
    assert server.crashes == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the fake."""
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as real_bot:
        yield real_bot


@pytest.fixture
async def anna(fake: FakeTelegram) -> FakeUser:
    """A user who has already written to the bot, so the bot can reach her."""
    user = fake.user(1001, "Anna", username="anna")
    await user.send("hi")
    return user


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    """One row of callback buttons whose data is the lowercased label."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


def retry_seconds(exc: RetryAfter) -> int:
    """RetryAfter.retry_after as whole seconds, whichever type this PTB version returns."""
    value: Any = exc.retry_after
    return value if isinstance(value, int) else int(value.total_seconds())


async def test_get_me_reports_the_bot(bot: Bot) -> None:
    """getMe gives the configured bot user."""
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123, "ticketsmith_bot", True)


async def test_html_message_is_shown_as_plain_text_with_buttons(bot: Bot, anna: FakeUser) -> None:
    """The user sees tags stripped and entities unescaped; the reply echoes the real shape."""
    sent = await bot.send_message(
        anna.id,
        "<b>Ticket</b> &lt;PRJ-1&gt; &amp; co",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard("Yes", "No"),
    )
    assert sent.text == "Ticket <PRJ-1> & co"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 6
    assert sent.reply_markup == keyboard("Yes", "No")
    assert sent.chat.type == "private" and sent.from_user is not None and sent.from_user.is_bot
    last = anna.last
    assert (last.text, last.raw_text, last.parse_mode) == ("Ticket <PRJ-1> & co", sent.text_html, "HTML")
    assert last.buttons() == ["Yes", "No"] and last.message_id == sent.message_id


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "Message text is empty"),
        ({"text": " \n "}, "Text must be non-empty"),
        ({"text": "x" * 4097}, "Message is too long"),
        ({"text": "😀" * 2049}, "Message is too long"),  # 2049 code points but 4098 UTF-16 units
        (
            {"text": "Hi <foo>there</foo>", "parse_mode": "HTML"},
            'Can\'t parse entities: unsupported start tag "foo" at byte offset 3',
        ),
        (
            {"text": "<b>open", "parse_mode": "HTML"},
            "Can't parse entities: can't find end tag corresponding to start tag \"b\"",
        ),
        (
            {"text": "a < b", "parse_mode": "HTML"},
            'Can\'t parse entities: unsupported start tag "" at byte offset 2',
        ),
        (
            {"text": "Done.", "parse_mode": "MarkdownV2"},
            "Can't parse entities: character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        ({"text": "t", "reply_markup": keyboard("x" * 65)}, "Button_data_invalid"),
        (
            {"text": "t", "reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("bare")]])},
            "Can't parse inline keyboard button: text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "text": "t",
                "reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("", callback_data="d")]]),
            },
            "Inline keyboard button text must be non-empty",
        ),
        ({"text": "t", "reply_parameters": {"message_id": 999}}, "Message to be replied not found"),
    ],
)
async def test_send_message_rejects_like_telegram(
    bot: Bot, anna: FakeUser, kwargs: dict[str, Any], message: str
) -> None:
    """Bad input gets the real server's 400 and nothing reaches the chat."""
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(anna.id, **kwargs)
    assert caught.value.message == message
    assert anna.messages == []


async def test_limits_are_inclusive(bot: Bot, anna: FakeUser) -> None:
    """Exactly 4096 UTF-16 units and 64 bytes of callback data are accepted."""
    await bot.send_message(anna.id, "😀" * 2048, reply_markup=keyboard("é" * 32))
    assert len(anna.last.text) == 2048 and anna.last.inline_keyboard[0][0]["callback_data"] == "é" * 32


async def test_unknown_and_blocked_chats(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """A stranger's chat is not found; a user who blocked the bot answers 403."""
    fake.user(2002, "Bob")  # exists but never wrote to the bot
    for chat_id in (2002, 424242):
        with pytest.raises(BadRequest, match=r"^Chat not found$"):
            await bot.send_message(chat_id, "hello")
    fake.block(anna.id)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(anna.id, "hello")
    assert fake.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_edit_and_delete(bot: Bot, anna: FakeUser) -> None:
    """Edits replace what the user sees; repeats, unknown ids and deleted messages fail like Telegram."""
    sent = await bot.send_message(anna.id, "Pick one", reply_markup=keyboard("A"))
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message content"):
        await bot.edit_message_text("Pick one", anna.id, sent.message_id, reply_markup=keyboard("A"))
    await bot.edit_message_text("*Picked*", anna.id, sent.message_id, parse_mode=ParseMode.MARKDOWN_V2)
    last = anna.last
    assert (last.text, last.edits, last.history, last.inline_keyboard) == ("Picked", 1, ["Pick one"], [])
    await bot.edit_message_reply_markup(anna.id, sent.message_id, reply_markup=keyboard("Undo"))
    assert anna.last.buttons() == ["Undo"] and anna.last.edits == 2
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", anna.id, 999)
    assert await bot.delete_message(anna.id, sent.message_id)
    assert anna.messages == [] and anna.chat.all[0].deleted
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(anna.id, sent.message_id)


async def test_calls_are_kept_per_chat_with_when_they_arrived(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """A chat's calls can be read on their own, in order, each stamped on the monotonic clock when read."""
    boris = fake.user(1002, "Boris")
    await boris.send("hi")
    before = time.monotonic()
    first = await bot.send_message(anna.id, "One")
    await bot.send_message(boris.id, "Other")
    await bot.edit_message_text("Two", anna.id, first.message_id)
    assert [call.method for call in fake.calls_in(anna.id)] == ["sendMessage", "editMessageText"]
    assert [call.method for call in fake.calls_in(boris.id)] == ["sendMessage"]
    moments = [call.at for call in fake.calls_in(anna.id)]
    assert before <= moments[0] <= moments[1] <= time.monotonic()
    assert fake.calls_in(4242) == []


async def test_callback_queries_are_answered_once(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """A tap reaches the bot with the button's data; a second answer of the same query is refused."""
    await bot.send_message(anna.id, "Sure?", reply_markup=keyboard("Yes", "No"))
    update_id = await anna.tap("No")
    updates = await bot.get_updates(offset=update_id, timeout=0)
    query = updates[0].callback_query
    assert query is not None and query.data == "no"
    assert isinstance(query.message, Message) and query.message.text == "Sure?"
    assert await query.answer("Noted", show_alert=True)
    assert anna.callback_answers[-1]["text"] == "Noted" and anna.callback_answers[-1]["show_alert"] is True
    with pytest.raises(
        BadRequest, match=r"^Query is too old and response timeout expired or query id is invalid$"
    ):
        await query.answer()
    with pytest.raises(AssertionError, match=r"its buttons are \['Yes', 'No'\]"):
        await anna.tap("Maybe")


async def test_a_tap_can_be_answered_only_for_some_seconds(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """Telegram refuses the answer to a tap that waited too long, as after a bot's restart."""
    await bot.send_message(anna.id, "Sure?", reply_markup=keyboard("Yes", "No"))
    update_id = await anna.tap("Yes")
    query = (await bot.get_updates(offset=update_id, timeout=0))[0].callback_query
    assert query is not None
    fake.callback_answer_seconds = 0.05
    await asyncio.sleep(0.1)
    with pytest.raises(
        BadRequest, match=r"^Query is too old and response timeout expired or query id is invalid$"
    ):
        await query.answer("Noted")
    assert anna.callback_answers == []


async def test_long_polling_returns_as_soon_as_a_user_writes(fake: FakeTelegram, bot: Bot) -> None:
    """getUpdates blocks until an update arrives; a higher offset confirms and drops earlier ones."""
    user = fake.user(7, "Vera", last_name="K", language_code=None)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    update_id = await user.send("  /start now\r\n")  # clients trim and drop CR
    updates = await poll
    assert time.monotonic() - started < 1
    message = updates[0].message
    assert message is not None and message.text == "/start now" and message.from_user is not None
    assert message.entities[0].type == "bot_command" and message.from_user.last_name == "K"
    await fake.wait_delivered(update_id)
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_user_media_parse_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    """Photos, documents, stickers, voice, video and forwards have field sets PTB accepts."""
    user = fake.user(8, "Ira", username="ira")
    await user.send_photo(make_png(1000, 500), caption="screen")
    await user.send_document(b"%PDF-1.4", "spec.pdf", "application/pdf")
    await user.send_sticker()
    await user.send_voice()
    await user.send_video()
    await user.forward("from a customer", "Hidden Person")
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates if u.message is not None]
    assert [p.width for p in messages[0].photo] == [90, 320, 800, 1000]
    assert messages[1].document is not None and messages[1].document.file_name == "spec.pdf"
    assert messages[2].sticker is not None and messages[3].voice is not None and messages[4].video is not None
    assert messages[5].forward_origin is not None and messages[5].forward_origin.type == "hidden_user"
    pdf = await bot.get_file(messages[1].document.file_id)
    assert bytes(await pdf.download_as_bytearray()) == b"%PDF-1.4"


async def test_big_file_cannot_be_fetched(fake: FakeTelegram, bot: Bot) -> None:
    """getFile refuses files over the download limit."""
    big = fake.add_file(None, size=21 * 1024 * 1024, file_name="dump.zip")
    with pytest.raises(BadRequest, match=r"^File is too big$"):
        await bot.get_file(big.file_id)


async def test_uploads_are_recorded(bot: Bot, anna: FakeUser) -> None:
    """Multipart documents and photos land in the chat; non-images are refused as photos."""
    await bot.send_document(
        anna.id, b"a,b\n1,2\n", filename="report.csv", caption="<i>Report</i>", parse_mode=ParseMode.HTML
    )
    doc = anna.last
    assert (doc.kind, doc.text) == ("document", "Report")
    assert doc.file is not None and (doc.file.content, doc.file.file_name) == (b"a,b\n1,2\n", "report.csv")
    photo = await bot.send_photo(anna.id, make_png(2000, 1000))
    assert [p.width for p in photo.photo] == [90, 320, 800, 1280, 2000] and anna.last.kind == "photo"
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(anna.id, b"not an image")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_failures_and_flood_control(bot: Bot, anna: FakeUser) -> None:
    """fail_next overrides the next call; per-chat flood control answers 429 with retry_after."""
    fake_server: FakeTelegram = anna._fake
    fake_server.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 7")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "one")
    assert retry_seconds(caught.value) == 7
    fake_server.fail_next("sendMessage", status=502, description="Bad Gateway")
    with pytest.raises(TelegramError):
        await bot.send_message(anna.id, "two")
    fake_server.per_chat_rate = 1
    await bot.send_message(anna.id, "three")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "four")
    assert retry_seconds(caught.value) == 1
    assert anna.chat.texts == ["three"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_global_flood_control_takes_a_burst_then_the_rate(bot: Bot, anna: FakeUser) -> None:
    """A bot over its overall rate (about 30 a second) is refused with 429 until the bucket refills."""
    fake_server: FakeTelegram = anna._fake
    fake_server.global_rate = 5
    for n in range(5):
        await bot.send_message(anna.id, f"burst {n}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(anna.id, "one too many")
    assert retry_seconds(caught.value) == 1
    await asyncio.sleep(0.25)
    await bot.send_message(anna.id, "refilled")
    assert anna.chat.texts[-1] == "refilled" and len(anna.chat.texts) == 6


async def test_token_method_and_webhook_errors(fake: FakeTelegram, bot: Bot) -> None:
    """Wrong token, unknown method and getUpdates under a webhook fail as on the real server."""
    wrong = Bot("123:WRONG", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()  # initialize() calls getMe
    await wrong.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_commands_and_chat_actions(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """Commands are stored per scope and language; actions are logged per chat."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands([BotCommand("new", "File a ticket")], scope=scope, language_code="en")
    assert fake.commands == {
        ("all_private_chats", "en"): [{"command": "new", "description": "File a ticket"}]
    }
    assert (await bot.get_my_commands(scope=scope, language_code="en"))[0].command == "new"
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("New!", "x")])
    await bot.delete_my_commands(scope=scope, language_code="en")
    assert fake.commands == {}
    await bot.send_chat_action(anna.id, "typing")
    assert anna.chat.actions == ["typing"] and (await bot.get_chat(anna.id)).username == "anna"


async def test_wait_for_timeout_dumps_recent_calls(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    """A timed-out wait names the failing check and shows what the bot did."""
    await bot.send_message(anna.id, "something else", reply_markup=ReplyKeyboardMarkup([["Menu"]]))
    with pytest.raises(AssertionError, match=r"(?s)within 0.1s.*sendMessage.*something else"):
        await fake.wait_for(lambda: anna.last.text == "expected", timeout=0.1)
    assert anna.chat.reply_keyboard == [[{"text": "Menu"}]]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text and a button."""
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(update.effective_message.text, reply_markup=keyboard("Done"))


async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Closed")
    await query.edit_message_text(f"Closed by {query.from_user.first_name}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Welcome!")


async def test_application_polls_and_answers(fake: FakeTelegram) -> None:
    """A real Application long-polls the fake; users see replies and tap buttons."""
    app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(done, pattern="^done$"))
    user = fake.user(42, "Olga")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await user.send("/start")
            await fake.wait_for(lambda: user.last.text == "Welcome!")
            await user.send("Need a Jira ticket")
            await fake.wait_for(lambda: user.last.text == "Need a Jira ticket")
            assert user.last.buttons() == ["Done"]
            await user.tap("Done")
            await fake.wait_for(lambda: user.last.text == "Closed by Olga" and bool(user.callback_answers))
        finally:
            await app.updater.stop()
            await app.stop()
    assert user.callback_answers[0]["text"] == "Closed" and user.last.inline_keyboard == []
    assert [m.text for m in user.messages] == ["Welcome!", "Closed by Olga"]
    assert fake.pending_updates == []


async def test_a_raw_update_is_delivered_as_given(fake: FakeTelegram) -> None:
    """inject_raw queues any JSON under the next update_id; the server checks nothing about it."""
    poll = {"id": "5001", "question": "Lunch?", "options": [{"text": "Yes", "voter_count": 0}]}
    update_id = fake.inject_raw({"poll": poll})
    async with aiohttp.ClientSession() as http, http.post(f"{fake.base_url}{TOKEN}/getUpdates") as response:
        answer = await response.json()
    assert answer == {"ok": True, "result": [{"update_id": update_id, "poll": poll}]}
    assert fake.delivered(update_id) and fake.updates[-1]["poll"] == poll


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_storm_refuses_every_nth_send_or_edit_for_a_while(fake: FakeTelegram, bot: Bot, anna: FakeUser
                                                                  ) -> None:
    """throttle() answers 429 with its retry_after to every n-th send or edit until its time is up."""
    fake.throttle(every=2, retry_after=1, seconds=0.5)
    first = await bot.send_message(anna.id, "one")
    with pytest.raises(RetryAfter) as caught:
        await bot.edit_message_text("uno", anna.id, first.message_id)
    assert retry_seconds(caught.value) == 1
    await bot.edit_message_text("uno", anna.id, first.message_id)
    with pytest.raises(RetryAfter):
        await bot.send_message(anna.id, "two")
    await asyncio.sleep(0.5)
    for text in ("two", "three", "four"):
        await bot.send_message(anna.id, text)
    assert anna.chat.texts == ["uno", "two", "three", "four"]
    assert [c.status for c in fake.calls_in(anna.id)] == [200, 429, 200, 429, 200, 200, 200]


async def test_a_group_in_privacy_mode_shows_the_bot_only_commands_and_replies_to_it(fake: FakeTelegram,
                                                                                      bot: Bot) -> None:
    """Privacy mode: commands and replies to the bot's messages arrive; an admin bot sees everything."""
    anna, ivan = fake.user(11, "Anna"), fake.user(12, "Ivan")
    group = fake.group("Sales team")
    chatter = await group.post(ivan, "the export is broken again")
    command = await group.post(anna, "/ticket@ticketsmith_bot", reply_to=chatter.message_id)
    assert chatter.update_id is None and command.update_id is not None
    [update] = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None and message.chat.type == "supergroup" and message.chat.title == "Sales team"
    assert message.chat.id == group.id < 0 and message.from_user is not None and message.from_user.id == anna.id
    assert message.reply_to_message is not None and message.reply_to_message.text == "the export is broken again"
    sent = await bot.send_message(group.id, "noted", reply_parameters=ReplyParameters(chatter.message_id))
    assert group.messages[-1].text == "noted" and group.messages[-1].reply_to_message_id == chatter.message_id
    reply = await group.post(ivan, "thanks", reply_to=sent.message_id)
    assert reply.update_id is not None, "a reply to the bot's own message reaches it"
    group.bot_admin = True
    assert (await group.post(ivan, "anything at all")).update_id is not None


async def test_the_bot_cannot_write_first_to_someone_it_saw_in_a_group(fake: FakeTelegram, bot: Bot) -> None:
    """403 for a person the bot knows from a group who never started it; 400 for someone it never saw."""
    anna, boris = fake.user(11, "Anna"), fake.user(13, "Boris")
    group = fake.group()
    await group.post(anna, "/ticket")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(anna.id, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(boris.id, "hello")


async def test_reactions_reach_only_an_admin_bot_and_custom_emoji_are_looked_up(fake: FakeTelegram,
                                                                                bot: Bot) -> None:
    """message_reaction updates carry old and new reactions; custom emoji name the emoji they stand for."""
    anna = fake.user(11, "Anna")
    group = fake.group(bot_admin=False)
    posted = await group.post(anna, "/ticket")
    assert await group.react(anna, posted.message_id, "👀") is None
    group.bot_admin = True
    fake.custom_emoji["5368324170671202286"] = "🎫"
    with pytest.raises(AssertionError, match="not a standard reaction"):
        await group.react(anna, posted.message_id, "🎫")
    assert await group.react(anna, posted.message_id, custom_emoji_id="5368324170671202286") is not None
    updates = await bot.get_updates(timeout=0, allowed_updates=["message", "message_reaction"])
    change = updates[-1].message_reaction
    assert change is not None and change.user is not None and change.user.id == anna.id
    assert [r.type for r in change.old_reaction] == ["emoji"]
    assert [r.type for r in change.new_reaction] == ["emoji", "custom_emoji"]
    [sticker] = await bot.get_custom_emoji_stickers(["5368324170671202286", "1"])
    assert sticker.emoji == "🎫"


async def test_group_membership_is_reported(fake: FakeTelegram, bot: Bot) -> None:
    """getChatMember: who posted or joined is a member; who left, or never came, is not."""
    anna, ivan = fake.user(11, "Anna"), fake.user(12, "Ivan")
    group = fake.group()
    await group.post(anna, "/ticket")
    assert (await bot.get_chat_member(group.id, anna.id)).status == "member"
    assert (await bot.get_chat_member(group.id, ivan.id)).status == "left"
    group.leave(anna)
    assert (await bot.get_chat_member(group.id, anna.id)).status == "left"
