"""/users: admins list people, open a card, promote, demote, revoke and restore, within the rules."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from bot.config import AccessConfig
from bot.jira.ticket import Reporter
from bot.people.access import Access
from bot.people.audit import Audit
from bot.people.roles import change_role
from bot.storage.store import SEEN_RESOLUTION, Store
from handlers.telegram.menus import register_admins
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot
from tests.fakes.telegram import FakeUser
from tests.helpers import answer_bug_until_summary

# -- the rules, without Telegram ----------------------------------------------------------------------------


@pytest.fixture
def access(tmp_path: Path, clock: Clock) -> Access:
    """Access with one bootstrap admin (1) and one listed salesperson (2), on a fresh database."""
    store = Store(tmp_path / "people.db", clock)
    for user_id, name in ((1, "Root"), (2, "Sam"), (3, "Ada"), (4, "Ben")):
        store.remember_user(user_id, user_id, name.lower(), name, "en")
    return Access(AccessConfig(admins=(1,), users=(2,)), store)


def test_last_seen_is_kept_to_the_minute_and_changes_are_written_at_once(access: Access, clock: Clock) -> None:
    store = access.store
    assert store is not None
    first = clock.now
    clock.advance(30)
    store.remember_user(3, 3, "ada", "Ada", "en")
    person = access.person(3)
    assert person is not None and person.last_seen == first  # the same details, seen within the minute
    store.remember_user(3, 3, "ada", "Ada Lovelace", "de")
    person = access.person(3)
    assert person is not None and (person.name, person.last_seen) == ("Ada Lovelace", clock.now)
    clock.advance(SEEN_RESOLUTION)
    store.remember_user(3, 3, "ada", "Ada Lovelace", "de")
    person = access.person(3)
    assert person is not None and person.last_seen == clock.now
    store.set_active(3, False)
    store.remember_user(3, 3, "ada", "Ada Lovelace", "de")  # writing again proves they unblocked the bot
    person = access.person(3)
    assert person is not None and person.reachable


def test_promote_demote_revoke_and_restore_are_audited(access: Access) -> None:
    assert change_role(access, 2, "admin", 1, "Root") is None
    assert access.role_by_id(2) == "admin"
    assert change_role(access, 2, "sales", 1, "Root") is None
    assert change_role(access, 2, "revoked", 1, "Root") is None
    assert access.role_by_id(2) == "revoked" and not access.allowed(2, "sam")
    assert change_role(access, 2, "sales", 1, "Root") is None
    assert access.allowed(2, "sam")
    assert access.store is not None
    entries = [(e.actor_id, e.action, e.detail) for e in reversed(Audit(access.store).recent())]
    assert entries == [
        (1, "role.change", "Sam (@sam, 2): sales → admin"),
        (1, "role.change", "Sam (@sam, 2): admin → sales"),
        (1, "user.revoke", "Sam (@sam, 2): sales → revoked"),
        (1, "user.restore", "Sam (@sam, 2): revoked → sales"),
    ]


def test_refusals(access: Access) -> None:
    assert change_role(access, 1, "sales", 2, "Sam") == "forbidden"
    assert change_role(access, 2, "sales", 1, "Root") == "unchanged"
    assert change_role(access, 1, "revoked", 1, "Root") == "bootstrap"
    assert change_role(access, 3, "admin", 1, "Root") is None
    assert change_role(access, 1, "sales", 3, "Ada") == "bootstrap"
    assert change_role(access, 3, "revoked", 3, "Ada") == "self"
    assert change_role(access, 3, "sales", 3, "Ada") == "self"
    assert access.role_by_id(3) == "admin"
    with pytest.raises(ValueError):
        change_role(access, 3, "boss", 1, "Root")


def test_the_last_admin_cannot_go(tmp_path: Path, clock: Clock) -> None:
    store = Store(tmp_path / "alone.db", clock)
    access = Access(AccessConfig(), store)
    access.set_role(3, "admin", None, name="Ada")
    assert change_role(access, 3, "sales", 3, "Ada") == "last_admin"
    access.set_role(4, "admin", None, name="Ben")
    assert change_role(access, 3, "sales", 3, "Ada") == "self"
    assert change_role(access, 3, "sales", 4, "Ben") is None
    assert change_role(access, 4, "revoked", 4, "Ben") == "last_admin"


async def test_revoking_discards_the_draft(bot: RunningBot) -> None:
    assert bot.svc is not None
    draft = bot.svc.engine.new_draft(Reporter(SALES_IDS[0], "Anna"), "en")
    bot.svc.store.save_draft(draft, SALES_IDS[0])
    bot.svc.store.remember_user(ADMIN_ID, ADMIN_ID, "boss", "Boss", "en")
    assert change_role(bot.svc.access, SALES_IDS[0], "revoked", ADMIN_ID, "Boss") is None
    assert bot.svc.store.get_draft(SALES_IDS[0]) is None


# -- through Telegram ---------------------------------------------------------------------------------------


async def open_card(bot: RunningBot, admin: FakeUser, label: str) -> None:
    """The admin runs /users and opens the card behind a person's button."""
    await bot.say(admin, "/users")
    await bot.tap(admin, label)


def actions(bot: RunningBot) -> list[str]:
    """Return the audit log's actions, oldest first."""
    assert bot.svc is not None
    return [entry.action for entry in reversed(bot.svc.audit.recent())]


async def test_non_admins_cannot_list_users(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/users")
    assert seller.last.text == "This command is for admins."
    await bot.handled(await seller.tap_data(f"user:{SALES_IDS[1]}:revoke:0"))
    assert seller.callback_answers[-1]["text"] == "This command is for admins."
    assert actions(bot) == []


async def test_users_are_listed_with_role_activity_and_pages(bot: RunningBot) -> None:
    assert bot.svc is not None
    for n in range(15):
        bot.svc.store.remember_user(200 + n, 200 + n, f"user{n}", f"Person {n:02d}", "en")
        bot.clock.advance(60)
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/start")
    bot.clock.advance(3 * 3600)
    admin = bot.user(ADMIN_ID, "Boss")
    await bot.say(admin, "/users")
    lines = admin.last.text.splitlines()
    assert lines[0] == "👥 People (1–10 of 17)"
    assert lines[2] == "👑 Boss Petrova (@boss) — admin, seen just now, requests: 0"
    assert lines[3] == "💼 Anna Petrova (@anna) — salesperson, seen 3 h ago, requests: 0"
    assert lines[4].startswith("❔ Person 14 (@user14) — no access, seen 3 h ago")
    buttons = admin.last.buttons()
    assert buttons[:3] == ["👑 Boss Petrova", "💼 Anna Petrova", "❔ Person 14"]
    assert buttons[-1] == "Next ▶️" and len(buttons) == 11
    await bot.tap(admin, "Next ▶️")
    assert admin.last.text.splitlines()[0] == "👥 People (11–17 of 17)"
    assert admin.last.buttons()[-1] == "◀️ Previous" and len(admin.last.buttons()) == 8
    await bot.tap(admin, "◀️ Previous")
    assert admin.last.text.splitlines()[0] == "👥 People (1–10 of 17)"
    assert len(admin.messages) == 1  # the pages turn in place


async def test_an_admin_listed_by_username_gets_the_admin_menu_at_start(bot: RunningBot) -> None:
    boris = bot.user(102, "Boris", username="boris")
    await bot.say(boris, "/start")
    assert bot.svc is not None and bot.app is not None
    config = bot.svc.access.config
    bot.svc.access = Access(dataclasses.replace(config, admins=(*config.admins, "@boris")), bot.svc.store)
    await register_admins(bot.app.bot, bot.svc)
    assert "users" in {c["command"] for c in bot.tg.commands_for("chat:102")}


async def test_promote_and_demote(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/start")
    admin = bot.user(ADMIN_ID, "Boss")
    await open_card(bot, admin, "💼 Anna Petrova")
    card = admin.last.text
    assert card.startswith("💼 Anna Petrova (@anna)")
    assert "Telegram id: 101" in card and "Role: salesperson" in card and "Requests filed: 0" in card
    assert "Last active: Mon 23 Nov 2026 09:00" in card
    assert admin.last.buttons() == ["🎖 Make lead", "👑 Make admin", "🚫 Revoke access", "⬅️ Back to the list"]
    assert bot.tg.commands_for(f"chat:{SALES_IDS[0]}") == []
    await bot.tap(admin, "👑 Make admin")
    assert admin.last.text.startswith("✅ Anna Petrova is an admin now.")
    # Admins find their commands in the menu of their own chat; everyone else keeps the plain one.
    menu = [c["command"] for c in bot.tg.commands_for(f"chat:{SALES_IDS[0]}")]
    assert menu[:7] == ["new", "my", "cancel", "settings", "lang", "help", "start"]
    assert {"templates", "users", "invite", "web", "outbox", "reload"} <= set(menu)
    assert "users" in [c["command"] for c in bot.tg.commands_for(f"chat:{ADMIN_ID}")]
    assert "Role: admin" in admin.last.text
    assert admin.last.buttons() == ["💼 Make salesperson", "🎖 Make lead", "🚫 Revoke access", "⬅️ Back to the list"]
    assert "An admin made you an admin" in seller.last.text
    await bot.say(seller, "/users")
    assert seller.last.text.startswith("👥 People")
    await bot.tap(admin, "💼 Make salesperson")
    assert admin.last.text.startswith("✅ Anna Petrova is a salesperson now.")
    assert "no longer an admin" in seller.last.text
    assert bot.tg.commands_for(f"chat:{SALES_IDS[0]}") == []
    await bot.say(seller, "/users")
    assert seller.last.text == "This command is for admins."
    await bot.tap(admin, "⬅️ Back to the list")
    assert admin.last.text.startswith("👥 People")
    assert actions(bot) == ["role.change", "role.change"]


async def test_revoke_discards_the_draft_and_refuses_the_user_until_restored(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await bot.say(seller, "/new")
    prompt = seller.last
    assert "What do you need?" in prompt.text and prompt.buttons()
    admin = bot.user(ADMIN_ID, "Boss")
    await open_card(bot, admin, "💼 Anna Petrova")
    await bot.tap(admin, "🚫 Revoke access")
    assert "Revoke access for Anna Petrova?" in admin.last.text
    assert admin.last.buttons() == ["🚫 Yes, revoke", "✖️ Keep access", "⬅️ Back to the list"]
    await bot.tap(admin, "✖️ Keep access")
    assert bot.svc is not None and bot.svc.access.allowed(SALES_IDS[0], "anna")
    await bot.tap(admin, "🚫 Revoke access")
    await bot.tap(admin, "🚫 Yes, revoke")
    assert admin.last.text.startswith("🚫 Anna Petrova no longer has access.")
    assert admin.last.buttons() == ["♻️ Restore access", "⬅️ Back to the list"]
    assert bot.svc.store.get_draft(SALES_IDS[0]) is None
    assert seller.chat.get(prompt.message_id).buttons() == []
    assert "access to this bot was revoked" in seller.last.text
    assert "unfinished request was discarded" in seller.last.text
    await bot.say(seller, "/new")
    assert "access to this bot was revoked" in seller.last.text and seller.last.buttons() == []
    await bot.handled(await seller.tap_data("access:ask"))
    assert "access to this bot was revoked" in seller.last.text
    await bot.say(admin, "/users")
    assert "🚫 Anna Petrova (@anna) — access revoked" in admin.last.text
    await bot.tap(admin, "🚫 Anna Petrova")
    await bot.tap(admin, "♻️ Restore access")
    assert admin.last.text.startswith("✅ Anna Petrova is a salesperson now.")
    assert "You have access to the bot again" in seller.last.text
    await bot.say(seller, "/new")
    assert "What do you need?" in seller.last.text
    assert actions(bot) == ["user.revoke", "user.restore"]


async def test_bootstrap_admin_and_self_demotion_are_refused(bot: RunningBot) -> None:
    second = bot.user(SALES_IDS[0])
    await bot.say(second, "/start")
    boss = bot.user(ADMIN_ID, "Boss")
    await open_card(bot, boss, "👑 Boss Petrova")
    assert "config file" in boss.last.text and boss.last.buttons() == ["⬅️ Back to the list"]
    await bot.tap(boss, "⬅️ Back to the list")
    await bot.tap(boss, "💼 Anna Petrova")
    await bot.tap(boss, "👑 Make admin")
    await open_card(bot, second, "👑 Boss Petrova")
    assert "config file" in second.last.text and second.last.buttons() == ["⬅️ Back to the list"]
    await bot.handled(await second.tap_data(f"user:{ADMIN_ID}:revoke:0"))
    assert second.callback_answers[-1]["text"] == (
        "Boss Petrova is an admin in the bot's config file; that can only be changed there.")
    await open_card(bot, second, "👑 Anna Petrova")
    assert "This is you" in second.last.text and second.last.buttons() == ["⬅️ Back to the list"]
    for action in ("sales", "revoke"):
        await bot.handled(await second.tap_data(f"user:{SALES_IDS[0]}:{action}:0"))
        assert second.callback_answers[-1]["text"] == "You can't demote or revoke yourself; another admin can."
    assert bot.svc is not None
    assert bot.svc.access.is_admin(ADMIN_ID, "boss") and bot.svc.access.is_admin(SALES_IDS[0], "anna")
    assert actions(bot) == ["role.change"]


async def test_help_lists_the_admin_commands_for_admins_only(bot: RunningBot) -> None:
    admin, seller = bot.user(ADMIN_ID, "Boss"), bot.user(SALES_IDS[0])
    await bot.say(admin, "/help")
    assert "/templates" in admin.last.text and "/invite [sales|admin] [7d]" in admin.last.text
    await bot.say(seller, "/help")
    assert "/new" in seller.last.text and "/templates" not in seller.last.text


async def test_a_request_filed_after_revocation_is_not_announced_to_its_author(bot: RunningBot) -> None:
    seller = bot.user(SALES_IDS[0])
    await answer_bug_until_summary(bot, seller)
    bot.jira.go_down()
    await bot.tap(seller, "✅ Create")
    admin = bot.user(ADMIN_ID, "Boss")
    await open_card(bot, admin, "💼 Anna Petrova")
    await bot.tap(admin, "🚫 Revoke access")
    await bot.tap(admin, "🚫 Yes, revoke")
    assert "access to this bot was revoked" in seller.last.text
    seen = len(seller.messages)
    bot.jira.come_up()
    assert bot.svc is not None and bot.svc.outbox is not None
    store = bot.svc.store
    bot.clock.advance(60)
    bot.svc.outbox.kick()
    await bot.tg.wait_for(lambda: store.requests_of(SALES_IDS[0])[0].state == "created", timeout=10)
    await asyncio.sleep(0.3)  # the Created notice would follow the record at once
    assert len(seller.messages) == seen, [m.text for m in seller.messages[seen:]]
