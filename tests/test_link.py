"""Linking a salesperson to their Jira user: an exact login, confirmed by an admin, and nothing revealed before."""

from __future__ import annotations

import asyncio
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import JiraConfig
from bot.i18n.catalog import LANGUAGES, MESSAGES
from bot.jira.gateway import JiraGateway
from tests.conftest import ADMIN_ID, SALES_IDS, Clock, RunningBot, created_issue, write_config
from tests.fakes.jira import FakeJira, Mode
from tests.fakes.telegram import BotMessage, FakeTelegram, FakeUser
from tests.helpers import answer_bug_until_summary

EVA_EMAIL = "eva@company.com"
ASKED = "Asked an admin to confirm that {login} is you; I'll tell you when it's done."


def add_eva(jira: FakeJira) -> dict[str, Any]:
    """Eva Engineer, a Jira user with a Data Center user name of her own."""
    return jira.add_user("eva.engineer", EVA_EMAIL, "Eva Engineer")


async def reachable_admin(bot: RunningBot, user_id: int = ADMIN_ID, name: str = "Boss") -> FakeUser:
    """Return an admin who has written to the bot, so the bot can reach them."""
    admin = bot.user(user_id, name)
    await bot.say(admin, "/start")
    return admin


def cards(admin: FakeUser) -> list[BotMessage]:
    """Return the link-request cards an admin received."""
    return [m for m in admin.messages if " asks to file as " in m.text]


def callback(card: BotMessage, label: str) -> str:
    """Return the data of a card's button."""
    return next(str(b["callback_data"]) for row in card.inline_keyboard for b in row if b["text"] == label)


def actions(bot: RunningBot) -> list[str]:
    """Return the audit log's actions, oldest first."""
    assert bot.svc is not None
    return [entry.action for entry in reversed(bot.svc.audit.recent())]


def linked_login(bot: RunningBot, user_id: int = SALES_IDS[0]) -> str | None:
    """Return the Jira login the bot files a user's requests as."""
    assert bot.svc is not None
    return bot.svc.store.jira_user_of(user_id)


async def file_request(bot: RunningBot, user: FakeUser) -> dict[str, Any]:
    """File a bug report (past the offer of look-alike issues) and return the issue Jira made of it."""
    before = len(bot.jira.issues)
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    if "No, create a new one" in user.last.buttons():
        await bot.tap(user, "No, create a new one")
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == before + 1, timeout=10)
    return list(bot.jira.issues.values())[-1]


async def linked_by_admin(bot: RunningBot, user: FakeUser, admin: FakeUser, login: str) -> None:
    """The user asks to file as login and the admin confirms it."""
    await bot.say(user, f"/link {login}")
    await bot.tap(admin, "✅ Confirm")


# -- asking: nothing is linked and nothing is revealed ---------------------------------------------------------


async def test_a_partial_login_never_links_and_reveals_nothing(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    add_eva(bot.jira)
    user = bot.user()
    answers = []
    for login in ("eva", "nobody@example.com", EVA_EMAIL):
        await bot.say(user, f"/link {login}")
        answers.append(user.last.text.replace(login, "{login}"))
        assert user.last.buttons() == []
    # The same answer whether Jira knows the login, knows somebody by its start, or knows nobody.
    assert answers == [ASKED] * 3
    assert not any("Eva" in m.text or "Engineer" in m.text for m in user.messages)
    assert linked_login(bot) is None
    first = cards(admin)[0]
    assert first.text.startswith("🔗 Anna Petrova (@anna, 101) asks to file as eva — Jira: not found in Jira")
    assert first.text.endswith("↪️ Replaced by a newer request.") and first.buttons() == []
    issue = await file_request(bot, user)
    assert issue["fields"]["reporter"]["displayName"] == "Ticketsmith Bot"


@pytest.fixture(scope="module", params=["cloud", "dc9"])
def directory(request: pytest.FixtureRequest) -> Iterator[tuple[FakeJira, JiraGateway]]:
    """A fake Jira knowing Eva, and the bot's gateway to it."""
    mode: Mode = request.param
    with FakeJira(mode, email="bot@example.com", api_token="token", pat="pat") as fake:
        add_eva(fake)
        fake.add_user("evan", "evan@company.com", "Evan Evans")
        cloud = mode == "cloud"
        config = JiraConfig(fake.url, "SUP", email="bot@example.com" if cloud else None,
                            api_token="token" if cloud else None, pat=None if cloud else "pat", timeout=5)
        gateway = JiraGateway(config)
        yield fake, gateway
        asyncio.run(gateway.close())


def eva_logins(fake: FakeJira) -> list[str]:
    """The logins that name Eva exactly: her email, and on Data Center her user name."""
    return [EVA_EMAIL] if fake.mode == "cloud" else [EVA_EMAIL, "eva.engineer"]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_only_an_exact_login_finds_a_jira_user(directory: tuple[FakeJira, JiraGateway], data: st.DataObject) -> None:
    fake, gateway = directory
    login = data.draw(st.sampled_from(eva_logins(fake)))
    cut = data.draw(st.integers(1, len(login) - 1))
    longer = login + data.draw(st.text(string.ascii_letters + string.digits + ".-_@", min_size=1, max_size=8))
    for partial in (login[:cut], login[:cut].upper(), longer):
        assert asyncio.run(gateway.find_user(partial)) is None, partial
    cased = "".join(c.upper() if data.draw(st.booleans()) else c for c in login)
    found = asyncio.run(gateway.find_user(cased))
    assert found is not None and found["displayName"] == "Eva Engineer"


async def test_a_request_no_admin_could_see_reaches_them_when_asked_again(bot: RunningBot) -> None:
    add_eva(bot.jira)
    user = bot.user()
    await bot.say(user, f"/link {EVA_EMAIL}")
    assert user.last.text.startswith(f"I saved your request to file as {EVA_EMAIL}, but I can't reach any admin")
    admin = await reachable_admin(bot)
    assert cards(admin) == []
    await bot.say(user, f"/link {EVA_EMAIL}")
    assert user.last.text == ASKED.format(login=EVA_EMAIL)
    await bot.say(user, f"/link {EVA_EMAIL}")
    assert len(cards(admin)) == 1, "an admin who has the request is not shown it again"
    await bot.tap(admin, "✅ Confirm")
    assert linked_login(bot) == EVA_EMAIL


# -- an admin decides -----------------------------------------------------------------------------------------


async def test_an_exact_email_confirmed_by_an_admin_files_as_that_user(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    eva = add_eva(bot.jira)
    user = bot.user()
    await bot.say(user, f"/link {EVA_EMAIL}")
    assert user.last.text == ASKED.format(login=EVA_EMAIL)
    [card] = cards(admin)
    assert card.text.startswith(f"🔗 Anna Petrova (@anna, 101) asks to file as {EVA_EMAIL} — Jira: Eva Engineer")
    assert "Confirm only if you know that this Jira user is the person asking." in card.text
    assert card.buttons() == ["✅ Confirm", "⛔ Decline"]
    assert linked_login(bot) is None, "nothing is linked before an admin confirms"
    await bot.tap(admin, "✅ Confirm")
    [card] = cards(admin)
    assert card.text.endswith("✅ Confirmed by Boss Petrova.") and card.buttons() == []
    assert user.last.text == "✅ An admin confirmed it: your requests are now filed as Eva Engineer in Jira."
    assert linked_login(bot) == EVA_EMAIL
    issue = await file_request(bot, user)
    assert issue["fields"]["reporter"]["accountId"] == eva["accountId"]
    assert actions(bot) == ["link.confirm"]
    assert bot.svc is not None
    assert bot.svc.audit.recent()[0].detail == f"Anna Petrova (@anna, 101) as {EVA_EMAIL} (Jira: Eva Engineer)"


async def test_linked_salesperson_is_the_reporter(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    user = bot.user()
    await bot.say(user, "/link")
    assert "/link anna@company.com" in user.last.text
    await linked_by_admin(bot, user, admin, "alice@example.com")
    assert "filed as Alice Anders" in user.last.text
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["reporter"]["accountId"].endswith("00000000002")
    assert "Anna Petrova (@anna, Telegram id 101)" in issue["fields"]["description"]


async def test_reporter_jira_refuses_falls_back_to_the_bot(bot: RunningBot) -> None:
    bot.jira.remove_from_screen("Bug", "reporter")
    admin = await reachable_admin(bot)
    user = bot.user()
    await linked_by_admin(bot, user, admin, "alice@example.com")
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["reporter"]["displayName"] == "Ticketsmith Bot"
    assert len(bot.jira.creates) == 2


DECLINED = {
    "en": ("Asked an admin to confirm that eva@company.com is you; I'll tell you when it's done.",
           "An admin did not confirm that eva@company.com is you, so your requests are filed as before."),
    "ru": ("Попросил администратора подтвердить, что eva@company.com — это вы; я сообщу, когда всё будет готово.",
           "Администратор не подтвердил, что eva@company.com — это вы, поэтому запросы создаются как прежде."),
    "de": ("Ich habe einen Admin gebeten zu bestätigen, dass eva@company.com du bist; ich sage dir Bescheid, sobald "
           "es erledigt ist.",
           "Ein Admin hat nicht bestätigt, dass eva@company.com du bist; deine Anfragen werden also weiter wie bisher "
           "angelegt."),
}


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_declined_link_is_told_in_the_salespersons_language(bot: RunningBot, lang: str) -> None:
    admin = await reachable_admin(bot)
    add_eva(bot.jira)
    user = bot.user(language_code=lang)
    asked, declined = DECLINED[lang]
    await bot.say(user, f"/link {EVA_EMAIL}")
    assert user.last.text == asked
    await bot.tap(admin, "⛔ Decline")
    [card] = cards(admin)
    assert card.text.endswith("⛔ Declined by Boss Petrova.") and card.buttons() == []
    assert user.last.text.startswith(declined)
    assert linked_login(bot) is None
    assert actions(bot) == ["link.decline"]


def test_the_link_texts_exist_in_every_language() -> None:
    keys = ["link_usage", "link_asked", "link_asked_nobody", "link_confirmed", "link_declined", "link_removed",
            "link_withdrawn", "link_not_linked", "link_card", "link_card_not_found", "link_confirm", "link_decline",
            "link_outcome_confirmed", "link_outcome_declined", "link_self", "link_unmatched"]
    for key in keys:
        assert set(MESSAGES.get(key, {})) == set(LANGUAGES), key
    assert "linked" not in MESSAGES and "link_not_found" not in MESSAGES, "no text says whom Jira found"


async def test_forged_decisions_change_nothing(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    add_eva(bot.jira)
    user = bot.user()
    await bot.say(user, f"/link {EVA_EMAIL}")
    [card] = cards(admin)
    confirm = callback(card, "✅ Confirm")
    # A salesperson crafts the admins' Confirm, for their own request.
    await bot.handled(await user.tap_data(confirm))
    assert user.callback_answers[-1]["text"] == "This command is for admins."
    seller = bot.user(SALES_IDS[1], "Bob")
    await bot.say(seller, "/start")
    await bot.handled(await seller.tap_data(confirm))
    assert seller.callback_answers[-1]["text"] == "This command is for admins."
    # An admin's Confirm for a request that does not exist.
    await bot.handled(await admin.tap_data("lk:ok:999"))
    assert admin.callback_answers[-1]["text"] == "This request is no longer open."
    assert linked_login(bot) is None and card.buttons() == ["✅ Confirm", "⛔ Decline"]
    # A login Jira does not know exactly has no Confirm button; a crafted one is refused.
    await bot.say(user, "/link eva")
    unmatched = cards(admin)[-1]
    assert unmatched.buttons() == ["⛔ Decline"]
    await bot.handled(await admin.tap_data(callback(unmatched, "⛔ Decline").replace(":no:", ":ok:")))
    assert admin.callback_answers[-1]["text"] == "Jira has no user with exactly this login: this request can " \
                                                 "only be declined."
    assert unmatched.buttons() == ["⛔ Decline"]
    # The replaced request's Confirm is stale now.
    await bot.handled(await admin.tap_data(confirm, card.message_id))
    assert admin.callback_answers[-1]["text"] == "This request is no longer open."
    assert linked_login(bot) is None and actions(bot) == []
    assert not any("confirmed" in m.text for m in user.messages)


@pytest.fixture
async def two_admins(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> Any:
    """A running bot with a second admin, 950 (Olga), next to the usual one."""
    config = write_config(tmp_path, jira.url, access={"admins": [ADMIN_ID, 950], "users": list(SALES_IDS)})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    yield running
    await running.stop()


async def test_the_first_admin_decides_and_the_others_learn_who(two_admins: RunningBot) -> None:
    bot = two_admins
    boss, olga = await reachable_admin(bot), await reachable_admin(bot, 950, "Olga")
    add_eva(bot.jira)
    user = bot.user()
    await bot.say(user, f"/link {EVA_EMAIL}")
    late = cards(olga)[0]
    decline = callback(late, "⛔ Decline")
    await bot.tap(boss, "✅ Confirm")
    # Olga's tap was on its way before her copy was updated.
    await bot.handled(await olga.tap_data(decline, late.message_id))
    assert olga.callback_answers[-1]["text"] == "Already decided by Boss Petrova."
    for admin in (boss, olga):
        [card] = cards(admin)
        assert card.text.endswith("✅ Confirmed by Boss Petrova.") and card.buttons() == []
    assert linked_login(bot) == EVA_EMAIL and actions(bot) == ["link.confirm"]
    assert [m.text for m in user.messages].count(
        "✅ An admin confirmed it: your requests are now filed as Eva Engineer in Jira.") == 1


async def test_an_admin_needs_another_admin_to_confirm_their_own_link(two_admins: RunningBot) -> None:
    bot = two_admins
    boss, olga = await reachable_admin(bot), await reachable_admin(bot, 950, "Olga")
    add_eva(bot.jira)
    await bot.say(boss, f"/link {EVA_EMAIL}")
    assert boss.last.text == ASKED.format(login=EVA_EMAIL)
    assert cards(boss) == [], "their own request goes to the other admins"
    [card] = cards(olga)
    await bot.handled(await boss.tap_data(callback(card, "✅ Confirm")))
    assert boss.callback_answers[-1]["text"] == "Another admin has to confirm your own link."
    assert linked_login(bot, ADMIN_ID) is None
    await bot.tap(olga, "✅ Confirm")
    assert linked_login(bot, ADMIN_ID) == EVA_EMAIL
    assert "filed as Eva Engineer" in boss.last.text


async def test_the_only_admin_confirms_their_own_link_and_the_audit_says_so(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    add_eva(bot.jira)
    await bot.say(admin, f"/link {EVA_EMAIL}")
    [card] = cards(admin)
    assert card.text.startswith(f"🔗 Boss Petrova (@boss, {ADMIN_ID}) asks to file as {EVA_EMAIL}")
    await bot.tap(admin, "✅ Confirm")
    assert linked_login(bot, ADMIN_ID) == EVA_EMAIL
    assert bot.svc is not None
    [entry] = bot.svc.audit.recent()
    assert entry.action == "link.confirm" and entry.actor_id == ADMIN_ID
    assert entry.detail.endswith("confirmed by themselves as the only admin")


# -- replacing, restarting, unlinking -------------------------------------------------------------------------


async def test_a_new_link_replaces_the_pending_one_and_survives_a_restart(bot: RunningBot) -> None:
    admin = await reachable_admin(bot)
    eva = add_eva(bot.jira)
    user = bot.user()
    await bot.say(user, "/link alice@example.com")
    await bot.say(user, f"/link {EVA_EMAIL}")
    old, new = cards(admin)
    assert old.text.endswith("↪️ Replaced by a newer request.") and old.buttons() == []
    assert new.buttons() == ["✅ Confirm", "⛔ Decline"]
    # Asking again for the same login does not bother the admins again.
    await bot.say(user, f"/link {EVA_EMAIL.upper()}")
    assert len(cards(admin)) == 2 and user.last.text == ASKED.format(login=EVA_EMAIL.upper())
    await bot.say(user, "/link")
    assert user.last.text.startswith(f"⏳ An admin has yet to confirm that {EVA_EMAIL} is you.")
    await bot.restart()
    await bot.tap(admin, "✅ Confirm")
    assert cards(admin)[-1].text.endswith("✅ Confirmed by Boss Petrova.")
    assert "filed as Eva Engineer" in user.last.text
    issue = await file_request(bot, user)
    assert issue["fields"]["reporter"]["accountId"] == eva["accountId"]


async def test_link_off_unlinks_and_the_configured_reporter_applies_again(tg: FakeTelegram, jira: FakeJira,
                                                                       tmp_path: Path, clock: Clock) -> None:
    config = write_config(tmp_path, jira.url, jira={"reporters": {SALES_IDS[0]: "alice@example.com"}})
    bot = RunningBot(tg, jira, config, clock)
    await bot.start()
    try:
        admin = await reachable_admin(bot)
        eva = add_eva(jira)
        user = bot.user()
        issue = await file_request(bot, user)
        assert issue["fields"]["reporter"]["displayName"] == "Alice Anders", "the admins' mapping applies"
        await linked_by_admin(bot, user, admin, EVA_EMAIL)
        await bot.say(user, "/link")
        assert user.last.text.startswith(f"🔗 Your requests are filed in Jira as {EVA_EMAIL}.")
        await bot.say(user, f"/link {EVA_EMAIL}")
        assert user.last.text.startswith(f"🔗 Your requests are filed in Jira as {EVA_EMAIL}.")
        assert len(cards(admin)) == 1, "the login they file as already needs no admin"
        issue = await file_request(bot, user)
        assert issue["fields"]["reporter"]["accountId"] == eva["accountId"], "a confirmed link comes first"
        await bot.say(user, "/link bob@example.com")
        await bot.say(user, "/link off")
        assert user.last.text == f"✅ Unlinked: your requests are no longer filed as {EVA_EMAIL} in Jira."
        assert cards(admin)[-1].text.endswith("↩️ Withdrawn by the person asking.")
        assert cards(admin)[-1].buttons() == []
        assert linked_login(bot) is None
        issue = await file_request(bot, user)
        assert issue["fields"]["reporter"]["displayName"] == "Alice Anders"
        await bot.say(user, "/link off")
        assert user.last.text.startswith("Your requests are not linked to a Jira user.")
        assert actions(bot) == ["link.confirm", "link.remove"]
    finally:
        await bot.stop()
