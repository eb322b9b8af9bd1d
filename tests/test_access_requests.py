"""Asking for access: a stranger taps Ask, admins approve or deny, the first decision wins, no spamming."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.people.access_requests import COOLDOWN, AccessRequests
from bot.storage.store import Store
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot
from tests.fakes.telegram import BotMessage, FakeUser

# -- the record of requests ---------------------------------------------------------------------------------


@pytest.fixture
def requests(tmp_path: Path, clock: Clock) -> AccessRequests:
    """Access requests in a fresh database on the test clock."""
    return AccessRequests(Store(tmp_path / "requests.db", clock))


def test_one_pending_request_per_user(requests: AccessRequests) -> None:
    first, new = requests.ask(555, 555, "eve", "Eve", "de")
    assert new and first.state == "pending" and first.lang == "de" and first.label == "Eve (@eve)"
    again, new = requests.ask(555, 555, "eve", "Eve", "de")
    assert not new and again == first
    assert [r.user_id for r in requests.pending()] == [555]


def test_first_decision_wins(requests: AccessRequests, clock: Clock) -> None:
    requests.ask(555, 555, None, "Eve", "en")
    requests.set_admin_messages(555, [(900, 7), (101, 3)])
    decided = requests.decide(555, "sales", ADMIN_ID)
    assert decided is not None
    assert (decided.state, decided.decided_by, decided.decided_at) == ("approved", ADMIN_ID, clock())
    assert decided.admin_messages == ((900, 7), (101, 3)) and decided.granted == "sales"
    assert requests.decide(555, None, 101) is None
    assert requests.decide(777, "sales", ADMIN_ID) is None
    assert requests.pending() == []


def test_a_denied_user_may_ask_again_only_after_the_cooldown(requests: AccessRequests, clock: Clock) -> None:
    requests.ask(555, 555, None, "Eve", "en")
    denied = requests.decide(555, None, ADMIN_ID)
    assert denied is not None and denied.retry_at() == clock() + COOLDOWN and denied.granted is None
    clock.advance(COOLDOWN - 1)
    assert requests.ask(555, 555, None, "Eve", "en") == (denied, False)
    clock.advance(1)
    fresh, new = requests.ask(555, 555, None, "Eve", "en")
    assert new and fresh.state == "pending" and fresh.decided_by is None and fresh.admin_messages == ()


# -- through Telegram ---------------------------------------------------------------------------------------


async def reachable_admin(bot: RunningBot, user_id: int = ADMIN_ID, name: str = "Boss") -> FakeUser:
    """Return an admin who has written to the bot, so the bot can reach them."""
    admin = bot.user(user_id, name)
    await bot.say(admin, "/start")
    return admin


def cards(admin: FakeUser) -> list[BotMessage]:
    """Return the access-request cards an admin received."""
    return [m for m in admin.messages if "asks for access" in m.text]


async def ask(bot: RunningBot, stranger: FakeUser, label: str = "🙋 Ask for access") -> None:
    """The stranger writes to the bot and taps Ask for access."""
    await bot.say(stranger, "/new")
    assert stranger.last.buttons() == [label]
    await bot.tap(stranger, label)


def actions(bot: RunningBot) -> list[str]:
    """Return the audit log's actions, oldest first."""
    assert bot.svc is not None
    return [entry.action for entry in reversed(bot.svc.audit.recent())]


async def test_unknown_user_is_offered_the_ask_button(bot: RunningBot) -> None:
    stranger = bot.user(555, "Eve", username="eve")
    await bot.say(stranger, "hello")
    assert "not on its list" in stranger.last.text and "555" in stranger.last.text
    assert stranger.last.buttons() == ["🙋 Ask for access"]


async def test_approved_stranger_is_told_and_can_use_the_bot(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    stranger = bot.user(555, "Eve", username="eve", language_code="ru")
    await ask(bot, stranger, "🙋 Запросить доступ")
    assert "Запрос отправлен администраторам" in stranger.last.text
    assert stranger.last.buttons() == []
    [card] = cards(admin)
    assert "Eve Petrova (@eve) asks for access to the bot." in card.text
    assert "Telegram id: 555 · language: ru" in card.text
    assert card.buttons() == ["✅ Approve", "👑 Approve as admin", "⛔ Deny"]
    await bot.tap(admin, "✅ Approve")
    [card] = cards(admin)
    assert card.text.endswith("✅ Approved as salesperson by Boss Petrova.") and card.buttons() == []
    assert "Добро пожаловать, Eve Petrova!" in stranger.last.text
    assert "📝 Новый запрос" in stranger.last.reply_buttons()
    assert bot.svc is not None and bot.svc.access.role_of(555, "eve") == "sales"
    # Notices reach them in the language they asked in, before they write again.
    assert bot.svc.store.db.execute("SELECT lang FROM users WHERE id = 555").fetchone()[0] == "ru"
    await bot.say(stranger, "/new")
    assert "Что вам нужно?" in stranger.last.text
    assert actions(bot) == ["access.approve"]


async def test_denied_stranger_is_told_stays_out_and_cannot_spam(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    stranger = bot.user(555, "Eve", username="eve")
    await ask(bot, stranger)
    await bot.tap(admin, "⛔ Deny")
    assert cards(admin)[0].text.endswith("⛔ Denied by Boss Petrova.")
    assert "an admin declined your request" in stranger.last.text
    assert "ask again after Tue 24 Nov 2026 09:00" in stranger.last.text
    await bot.say(stranger, "/new")
    assert "declined your request" in stranger.last.text and stranger.last.buttons() == []
    # An old Ask button does not reach the admins again.
    await bot.handled(await stranger.tap_data("access:ask"))
    assert len(cards(admin)) == 1
    assert bot.svc is not None and bot.svc.access.role_of(555, "eve") is None
    bot.clock.advance(COOLDOWN)
    await ask(bot, stranger)
    assert len(cards(admin)) == 2 and cards(admin)[-1].buttons() == ["✅ Approve", "👑 Approve as admin", "⛔ Deny"]
    assert actions(bot) == ["access.deny"]


async def test_a_pending_request_is_not_sent_twice(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    stranger = bot.user(555, "Eve")
    await ask(bot, stranger)
    await bot.say(stranger, "/new")
    assert "waiting for an admin" in stranger.last.text and stranger.last.buttons() == []
    await bot.handled(await stranger.tap_data("access:ask"))
    assert "waiting for an admin" in stranger.last.text
    assert len(cards(admin)) == 1


async def test_two_admins_decide_the_same_request(bot: RunningBot) -> None:
    boss = await reachable_admin(bot)
    second = await reachable_admin(bot, SALES_IDS[0], "Anna")
    await bot.say(boss, "/users")
    await bot.tap(boss, "💼 Anna Petrova")
    await bot.tap(boss, "👑 Make admin")
    assert bot.svc is not None and bot.svc.access.is_admin(SALES_IDS[0], "anna")
    stranger = bot.user(555, "Eve", username="eve")
    await ask(bot, stranger)
    assert len(cards(boss)) == 1 and len(cards(second)) == 1
    late = cards(second)[0].message_id
    await bot.tap(boss, "👑 Approve as admin")
    # The second admin's tap was on its way before their copy was updated.
    await bot.handled(await second.tap_data("ar:deny:555", late))
    assert second.callback_answers[-1]["text"] == "Already decided by Boss Petrova."
    for admin in (boss, second):
        [card] = cards(admin)
        assert card.text.endswith("👑 Approved as admin by Boss Petrova.") and card.buttons() == []
    assert bot.svc.access.role_of(555, "eve") == "admin"
    assert "/users" in stranger.last.text
    assert actions(bot) == ["role.change", "access.approve"]
    # A later change of role does not rewrite what the decision was.
    bot.svc.access.set_role(555, "sales", ADMIN_ID)
    await bot.handled(await second.tap_data("ar:deny:555", late))
    [card] = cards(second)
    assert card.text.endswith("👑 Approved as admin by Boss Petrova.")


async def test_a_salesperson_cannot_decide(bot: RunningBot) -> None:
    await reachable_admin(bot)
    stranger = bot.user(555, "Eve")
    await ask(bot, stranger)
    seller = bot.user(SALES_IDS[1], "Bob")
    await bot.say(seller, "/start")
    await bot.handled(await seller.tap_data("ar:sales:555"))
    assert seller.callback_answers[-1]["text"] == "This command is for admins."
    assert bot.svc is not None and AccessRequests(bot.svc.store).get(555).state == "pending"  # type: ignore[union-attr]


async def test_users_list_offers_the_pending_request(bot: RunningBot) -> None:
    stranger = bot.user(555, "Eve", username="eve")
    await ask(bot, stranger)
    # No admin had written to the bot yet: the request waits for them in /users.
    assert "can't reach any admin" in stranger.last.text
    admin = bot.user(ADMIN_ID, "Boss")
    await bot.say(admin, "/users")
    assert "🙋 Asking for access: 1" in admin.last.text
    await bot.tap(admin, "🙋 Eve Petrova (@eve)")
    assert "Eve Petrova (@eve) asks for access" in admin.last.text
    await bot.tap(admin, "✅ Approve")
    assert admin.last.text.endswith("✅ Approved as salesperson by Boss Petrova.")
    assert "Welcome, Eve Petrova!" in stranger.last.text
