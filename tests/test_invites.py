"""Invites: /invite makes a one-time deep link, and opening it registers a new person with the role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.people.access_requests import AccessRequests
from bot.people.invites import (
    DAY,
    MAX_TTL,
    InviteError,
    Invites,
    invite_link,
    looks_like_code,
    parse_expiry,
    parse_invite_args,
    parse_role,
)
from bot.storage.store import Store
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot
from tests.fakes.telegram import FakeUser

# -- pure parts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [
    ("7d", 7 * DAY), ("12h", 12 * 3600), ("30m", 1800), ("2w", 14 * DAY), ("90d", 90 * DAY), (" 3D ", 3 * DAY),
    ("3 days", 3 * DAY), ("1hour", 3600), ("3дня", 3 * DAY), ("12ч", 12 * 3600), ("2 Wochen", 14 * DAY),
    ("5 Tage", 5 * DAY), ("45min", 2700),
])
def test_parse_expiry_reads_amount_and_unit(text: str, seconds: float) -> None:
    assert parse_expiry(text) == seconds


@pytest.mark.parametrize("text", ["", "7", "d", "0d", "91d", "13w", "3 fortnights", "-1d", "1.5h", "7d7d", "abc"])
def test_parse_expiry_refuses_bad_input_and_more_than_90_days(text: str) -> None:
    with pytest.raises(ValueError):
        parse_expiry(text)


def test_parse_role_knows_english_russian_and_german_words() -> None:
    assert parse_role("Sales") == "sales"
    assert parse_role("продавец") == "sales"
    assert parse_role("Vertrieb") == "sales"
    assert parse_role("ADMIN") == "admin"
    assert parse_role("админ") == "admin"
    assert parse_role("boss") is None


@pytest.mark.parametrize(("args", "expected"), [
    ([], ("sales", 7 * DAY)),
    (["sales", "3d"], ("sales", 3 * DAY)),
    (["admin", "12h"], ("admin", 12 * 3600)),
    (["12h", "admin"], ("admin", 12 * 3600)),
    (["2w"], ("sales", 14 * DAY)),
    (["админ"], ("admin", 7 * DAY)),
    (["admin", "3", "days"], ("admin", 3 * DAY)),
])
def test_parse_invite_args(args: list[str], expected: tuple[str, float]) -> None:
    assert parse_invite_args(args) == expected


@pytest.mark.parametrize("args", [["boss"], ["sales", "admin"], ["3d", "4d"], ["sales", "100d"], ["7"]])
def test_parse_invite_args_refuses_nonsense(args: list[str]) -> None:
    with pytest.raises(ValueError):
        parse_invite_args(args)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    """A fresh database on the test clock."""
    return Store(tmp_path / "invites.db", clock)


def test_codes_fit_telegrams_start_parameter(store: Store) -> None:
    invites = Invites(store)
    codes = {invites.create("sales", ADMIN_ID).code for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)
        assert looks_like_code(code)
    assert invite_link("ticketsmith_bot", "invABC") == "https://t.me/ticketsmith_bot?start=invABC"
    assert invite_link("@ticketsmith_bot", "invABC") == "https://t.me/ticketsmith_bot?start=invABC"


def test_invite_is_redeemed_once(store: Store, clock: Clock) -> None:
    invites = Invites(store)
    made = invites.create("admin", ADMIN_ID, 3600)
    assert made.usable(clock()) and made.expires_at == clock() + 3600
    used = invites.redeem(made.code, 555)
    assert (used.used_by, used.used_at, used.role) == (555, clock(), "admin")
    with pytest.raises(InviteError) as error:
        invites.redeem(made.code, 556)
    assert error.value.reason == "used"
    with pytest.raises(InviteError) as error:
        invites.redeem("invNoSuchCodeAtAll1234", 556)
    assert error.value.reason == "unknown"


def test_invite_expires(store: Store, clock: Clock) -> None:
    invites = Invites(store)
    made = invites.create("sales", ADMIN_ID, 3600)
    clock.advance(3600)
    assert not made.usable(clock())
    with pytest.raises(InviteError) as error:
        invites.redeem(made.code, 555)
    assert error.value.reason == "expired"


def test_pending_lists_usable_invites_newest_first_and_cancel_withdraws(store: Store, clock: Clock) -> None:
    invites = Invites(store)
    short = invites.create("sales", ADMIN_ID, 60)
    clock.advance(1)
    used = invites.create("sales", ADMIN_ID)
    invites.redeem(used.code, 555)
    clock.advance(1)
    older = invites.create("sales", ADMIN_ID)
    clock.advance(1)
    newer = invites.create("admin", ADMIN_ID)
    assert [i.code for i in invites.pending()] == [newer.code, older.code, short.code]
    clock.advance(60)
    assert [i.code for i in invites.pending()] == [newer.code, older.code]
    assert invites.cancel(older.code) is True
    assert invites.cancel(older.code) is False
    assert invites.cancel(used.code) is False
    assert [i.code for i in invites.pending()] == [newer.code]


def test_create_refuses_bad_role_and_validity(store: Store) -> None:
    invites = Invites(store)
    with pytest.raises(ValueError):
        invites.create("boss", ADMIN_ID)
    with pytest.raises(ValueError):
        invites.create("sales", ADMIN_ID, MAX_TTL + 1)
    with pytest.raises(ValueError):
        invites.create("sales", ADMIN_ID, 0)


# -- through Telegram ---------------------------------------------------------------------------------------


async def make_invite(bot: RunningBot, admin: FakeUser, args: str = "") -> str:
    """Let the admin run /invite and return the code from the link the bot showed."""
    await bot.say(admin, f"/invite {args}".strip())
    found = re.search(r"https://t\.me/ticketsmith_bot\?start=(\S+)", admin.last.text)
    assert found is not None, admin.last.text
    return found.group(1)


def actions(bot: RunningBot) -> list[str]:
    """Return the audit log's actions, oldest first."""
    assert bot.svc is not None
    return [entry.action for entry in reversed(bot.svc.audit.recent())]


async def test_invited_newcomer_is_registered_and_can_file_a_request(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss")
    code = await make_invite(bot, admin)
    assert "One-time invite for a new salesperson" in admin.last.text
    assert admin.last.buttons() == ["✖️ Withdraw this invite"]
    assert len(code) <= 64
    newcomer = bot.user(555, "Nina", username="nina")
    await bot.say(newcomer, f"/start {code}")
    assert "Welcome, Nina! The invite worked" in newcomer.last.text
    assert "📝 New request" in newcomer.last.reply_buttons()
    assert bot.svc is not None
    assert bot.svc.access.role_of(555, "nina") == "sales"
    assert "🎟 Nina Petrova (@nina, 555) joined with your invite as salesperson." in admin.last.text
    await bot.say(newcomer, "/new")
    assert "What do you need?" in newcomer.last.text
    assert actions(bot) == ["invite.create", "invite.redeem"]
    assert bot.svc.audit.recent()[0].actor_id == 555


async def test_an_invite_settles_the_access_request_sent_before_it(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss")
    await bot.say(admin, "/start")
    newcomer = bot.user(555, "Nina", username="nina")
    await bot.say(newcomer, "/new")
    await bot.tap(newcomer, "🙋 Ask for access")
    [card] = [m for m in admin.messages if "asks for access" in m.text]
    assert card.buttons() != []
    code = await make_invite(bot, admin)
    await bot.say(newcomer, f"/start {code}")
    assert "Welcome, Nina! The invite worked" in newcomer.last.text
    # The admins' card no longer offers Approve / Deny, and nobody is listed as asking any more.
    assert card.buttons() == [] and "Approved as salesperson by Boss Petrova" in card.text
    assert bot.svc is not None and AccessRequests(bot.svc.store).pending() == []


async def test_a_used_code_is_refused_the_second_time(bot: RunningBot) -> None:
    code = await make_invite(bot, bot.user(ADMIN_ID, "Boss"))
    await bot.say(bot.user(555, "Nina"), f"/start {code}")
    latecomer = bot.user(556, "Leo", username="leo")
    await bot.say(latecomer, f"/start {code}")
    assert "already used" in latecomer.last.text
    assert latecomer.last.buttons() == ["🙋 Ask for access"]
    assert bot.svc is not None and bot.svc.access.role_of(556, "leo") is None
    await bot.say(latecomer, "/new")
    assert "not on its list" in latecomer.last.text


async def test_an_expired_code_is_refused(bot: RunningBot) -> None:
    code = await make_invite(bot, bot.user(ADMIN_ID, "Boss"), "sales 1h")
    bot.clock.advance(3600)
    newcomer = bot.user(555, "Nina", username="nina")
    await bot.say(newcomer, f"/start {code}")
    assert "has expired" in newcomer.last.text
    assert bot.svc is not None and bot.svc.access.role_of(555, "nina") is None


async def test_a_mangled_code_is_explained(bot: RunningBot) -> None:
    newcomer = bot.user(555, "Nina")
    await bot.say(newcomer, "/start invThisCodeWasNeverMade123")
    assert "not valid" in newcomer.last.text


async def test_admin_invite_makes_an_admin(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss", language_code="ru")
    code = await make_invite(bot, admin, "админ 12ч")
    assert "администратор" in admin.last.text
    newcomer = bot.user(555, "Nina", username="nina", language_code="de")
    await bot.say(newcomer, f"/start {code}")
    assert "Willkommen, Nina!" in newcomer.last.text and "/users" in newcomer.last.text
    assert bot.svc is not None and bot.svc.access.is_admin(555, "nina")
    await bot.say(newcomer, "/users")
    assert "Personen" in newcomer.last.text


async def test_non_admins_cannot_invite(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/invite")
    assert seller.last.text == "This command is for admins."
    assert actions(bot) == []


async def test_bad_arguments_are_explained(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss")
    for args in ("boss", "sales 100d", "admin sales", "7"):
        await bot.say(admin, f"/invite {args}")
        assert admin.last.text.startswith("Usage: /invite [role] [validity]"), args
        assert "at most 90 days" in admin.last.text
    assert actions(bot) == []


async def test_someone_with_access_leaves_the_invite_for_its_person(bot: RunningBot) -> None:
    code = await make_invite(bot, bot.user(ADMIN_ID, "Boss"))
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, f"/start {code}")
    assert "already have access" in seller.last.text
    newcomer = bot.user(555, "Nina", username="nina")
    await bot.say(newcomer, f"/start {code}")
    assert "Welcome, Nina!" in newcomer.last.text


async def test_a_withdrawn_invite_no_longer_works(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss")
    code = await make_invite(bot, admin)
    await bot.tap(admin, "✖️ Withdraw this invite")
    assert "Invite withdrawn" in admin.last.text and admin.last.buttons() == []
    newcomer = bot.user(555, "Nina")
    await bot.say(newcomer, f"/start {code}")
    assert "not valid" in newcomer.last.text
    assert actions(bot) == ["invite.create", "invite.cancel"]


async def test_an_ordinary_start_still_greets(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/start")
    assert "Hi Anna" in seller.last.text


async def test_a_revoked_user_cannot_come_back_with_an_invite(bot: RunningBot) -> None:
    admin = bot.user(ADMIN_ID, "Boss")
    code = await make_invite(bot, admin)
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/start")
    assert bot.svc is not None
    bot.svc.access.set_role(SALES_IDS[0], "revoked", ADMIN_ID)
    await bot.say(seller, f"/start {code}")
    assert "access to this bot was revoked" in seller.last.text
    assert bot.svc.access.role_of(SALES_IDS[0], "anna") == "revoked"
    newcomer = bot.user(555, "Nina")
    await bot.say(newcomer, f"/start {code}")
    assert "Welcome, Nina!" in newcomer.last.text
