"""Under Telegram's cap: at most one message sent or edited per dialog step, counted at the fake Telegram."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from tests.conftest import RunningBot, created_issue
from tests.fakes.telegram import FakeUser
from tests.helpers import BUG, open_bug

# What Telegram counts against a bot's ~30 messages a second: anything that puts or changes a message in a chat.
# Answering a tap (answerCallbackQuery) names no chat and is not counted; neither is "typing…".
NOT_MESSAGES = frozenset({"sendChatAction", "answerCallbackQuery", "getFile", "getChat"})
ASK = "ACME can't export invoices to PDF since the update, they go live Friday, we are blocked"


def messages_in(bot: RunningBot, user: FakeUser) -> int:
    """How many calls so far sent, edited or removed a message in this person's chat."""
    return sum(1 for call in bot.tg.calls_in(user.id) if call.method not in NOT_MESSAGES)


@dataclass
class Meter:
    """A person's steps and the messages each cost, as the real python-telegram-bot sent them to the fake Telegram."""

    bot: RunningBot
    user: FakeUser
    costs: list[tuple[str, int]] = field(default_factory=list)

    async def step(self, label: str, update: Awaitable[int]) -> None:
        """Make one update and record how many messages the bot sent or edited for it."""
        before = messages_in(self.bot, self.user)
        await self.bot.handled(await update)
        self.costs.append((label, messages_in(self.bot, self.user) - before))

    async def say(self, text: str) -> None:
        await self.step(text, self.user.send(text))

    async def tap(self, label: str) -> None:
        await self.step(label, self.user.tap(label))

    @property
    def messages(self) -> int:
        return sum(cost for _, cost in self.costs)


async def guided(meter: Meter) -> None:
    """The bug template with taps and typed answers, as most requests go."""
    await meter.say("/new")
    await meter.tap(BUG)
    await meter.say("Export to Excel fails since the update")
    await meter.say("acme")
    await meter.tap("Deal or go-live blocked")
    await meter.say("They sign on Friday, 40k deal")
    await meter.say("Friday")
    await meter.tap("Skip ⏭")
    await meter.tap("✅ Create")


async def typed_ask(meter: Meter) -> None:
    """An informal ask, the one question it leaves open, Create."""
    await meter.say(ASK)
    await meter.say("Their go-live depends on the PDF invoices")
    await meter.tap("✅ Create")


async def with_files(meter: Meter) -> None:
    """Screenshots and a log sent at the files question, then Done."""
    await meter.say("/new")
    await meter.tap(BUG)
    await meter.say("Export to Excel fails since the update")
    await meter.say("acme")
    await meter.tap("Can wait")
    await meter.tap("No deadline")
    await meter.step("photo", meter.user.send_photo())
    await meter.step("document", meter.user.send_document(b"log line\n", "server.log", "text/plain"))
    await meter.tap("✅ Done")
    await meter.tap("✅ Create")


async def corrected(meter: Meter) -> None:
    """A wrong answer corrected from the summary card, Back on the way, a stale tap, and a mistyped date."""
    await meter.say("/new")
    await meter.tap(BUG)
    await meter.say("Export to Excel fails since the update")
    asked_what = meter.user.chat.messages[-2]
    back = asked_what.inline_keyboard[-1][0]["callback_data"]
    await meter.say("acme")
    await meter.tap("Can wait")
    await meter.tap("⬅️ Back")
    await meter.step("stale tap", meter.user.tap_data(back, asked_what.message_id))
    await meter.tap("Can wait")
    await meter.say("the day after never")
    await meter.tap("No deadline")
    await meter.tap("Skip ⏭")
    await meter.tap("✏️ Edit")
    await meter.tap("Which customer?")
    await meter.say("Globex")
    await meter.tap("✅ Create")


CONVERSATIONS: dict[str, Callable[[Meter], Awaitable[None]]] = {
    "guided": guided, "typed ask": typed_ask, "files": with_files, "corrected": corrected,
}


@pytest.mark.parametrize("walk", CONVERSATIONS.values(), ids=CONVERSATIONS.keys())
async def test_a_request_costs_at_most_one_message_per_step(bot: RunningBot, walk: Callable[[Meter], Awaitable[None]]
                                                            ) -> None:
    user = bot.user()
    meter = Meter(bot, user)
    await walk(meter)
    await created_issue(bot, user)
    assert meter.messages <= len(meter.costs), f"{meter.messages} messages for {len(meter.costs)} steps: {meter.costs}"
    assert all(cost <= 1 for _, cost in meter.costs), meter.costs
    # The request as a whole: its steps, and the one message with the issue's key once Jira has it.
    assert messages_in(bot, user) == meter.messages + 1


async def test_typed_answers_leave_each_question_and_answer_in_the_chat(bot: RunningBot) -> None:
    user = bot.user()
    meter = Meter(bot, user)
    await guided(meter)
    texts = user.chat.texts
    for question in ("What is wrong", "Which customer?", "Why is it urgent?", "By when"):
        assert any(question in text for text in texts), user.chat.transcript()
    answered = [message["text"] for message in user.chat.user_messages.values() if "text" in message]
    assert "acme" in answered and "Friday" in answered
    assert not any(call.method == "editMessageReplyMarkup" for call in bot.tg.calls_in(user.id))


async def test_older_prompts_keep_their_buttons_and_a_tap_on_them_changes_nothing(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    asked_what = user.last
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    assert bot.svc is not None
    before = bot.svc.store.get_draft(user.id)
    assert before is not None and asked_what.buttons() == ["⬅️ Back"], "the older prompt still has its button"
    await bot.handled(await user.tap_data(asked_what.inline_keyboard[0][0]["callback_data"], asked_what.message_id))
    after = bot.svc.store.get_draft(user.id)
    assert after is not None and after.draft.answers == before.draft.answers
    assert after.draft.current == before.draft.current == "urgency"
    assert "earlier step" in asked_what.text and "How urgent" in asked_what.text, "the tapped message shows where"
    can_wait = next(button["callback_data"] for row in asked_what.inline_keyboard for button in row
                    if button["text"] == "Can wait")
    await bot.handled(await user.tap_data(can_wait, asked_what.message_id))
    assert "By when" in asked_what.text, "the tapped message is the live prompt now, edited in place"


async def test_a_similar_issue_offer_costs_no_extra_message(bot: RunningBot) -> None:
    first, second = bot.user(), bot.user(102, "Boris")
    await typed_ask(Meter(bot, first))
    await created_issue(bot, first)
    meter = Meter(bot, second)
    await meter.say(ASK)
    await meter.say("Their go-live depends on the PDF invoices")
    await meter.tap("✅ Create")
    assert "already" in second.last.text.lower() or "like yours" in second.last.text.lower(), second.chat.transcript()
    await meter.step("new", second.tap_data("create-new", second.last.message_id))
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 2, timeout=10)
    assert meter.messages <= len(meter.costs), meter.costs
