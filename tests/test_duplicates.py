"""Before filing, the bot offers open issues that look the same; joining one adds demand to it."""

from __future__ import annotations

import asyncio

from tests.conftest import RunningBot, created_issue
from tests.helpers import answer_bug_until_summary


def seed_similar(bot: RunningBot) -> str:
    """An open issue in Jira about the same problem for another customer."""
    issue = bot.jira.add_issue("Globex: Export to Excel fails after update", project="SUP", issue_type="Bug",
                               labels=["from-sales", "globex-corporation"], status="In Progress")
    return str(issue["key"])


async def test_similar_open_issue_is_offered_and_joined(bot: RunningBot) -> None:
    key = seed_similar(bot)
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    offer = user.last
    assert "looks like something already in Jira" in offer.text
    assert f"{key} Globex: Export to Excel fails after update — In Progress" in offer.text
    assert offer.buttons() == [f"Same problem: add my customer to {key}", "No, create a new one"]
    await bot.tap(user, f"Same problem: add my customer to {key}")
    assert f"Added your customer to {key}" in user.last.text
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[key]["comments"]), timeout=10)
    [comment] = bot.jira.issues[key]["comments"]
    body = str(comment["body"])
    assert "Also requested for ACME Corp GmbH by Anna Petrova (@anna, Telegram id 101)" in body
    assert "||How urgent is it?|Deal or go\\-live blocked|" in body
    assert "acme-corp-gmbh" in bot.jira.issues[key]["fields"]["labels"]
    assert len(bot.jira.issues) == 1, "no duplicate was filed"
    assert bot.svc is not None and bot.svc.store.subscribers(key)[0][0] == user.id


async def test_no_create_a_new_one_files_it(bot: RunningBot) -> None:
    seed_similar(bot)
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    await bot.tap(user, "No, create a new one")
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 2, timeout=10)
    await bot.tg.wait_for(lambda: any("Created SUP-2" in m.text for m in user.messages), timeout=10)


async def test_nothing_similar_files_at_once(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    await created_issue(bot, user)


async def test_search_trouble_never_blocks_filing(bot: RunningBot) -> None:
    seed_similar(bot)
    bot.jira.fail_next(500, path_contains="search", times=5)
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 2, timeout=10)


def searches(bot: RunningBot) -> list[str]:
    """The JQL of every search for similar issues Jira received."""
    return [str(r.json.get("jql") if isinstance(r.json, dict) else r.query.get("jql")) for r in bot.jira.requests
            if "/search" in r.path]


async def test_the_search_runs_while_the_card_is_read(bot: RunningBot) -> None:
    key = seed_similar(bot)
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    # The card is on screen and nothing was tapped yet: Jira is already being asked.
    await bot.tg.wait_for(lambda: len(searches(bot)) == 1, timeout=5)
    await bot.tap(user, "✅ Create")
    assert key in user.last.text
    assert len(searches(bot)) == 1, "Create used the search begun with the card"


async def test_a_changed_answer_searches_again(bot: RunningBot) -> None:
    seed_similar(bot)
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tg.wait_for(lambda: len(searches(bot)) == 1, timeout=5)
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "What is wrong?")
    await bot.say(user, "Login page shows a blank screen")
    await bot.tap(user, "✅ Create")
    assert len(searches(bot)) == 2
    assert "login" in searches(bot)[-1] and "excel" not in searches(bot)[-1].lower()
    await bot.tg.wait_for(lambda: len(bot.jira.issues) == 2, timeout=10)


async def test_a_slow_search_is_waited_for_at_create(bot: RunningBot) -> None:
    key = seed_similar(bot)
    bot.jira.latency = 0.5
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    assert key in user.last.text, "Create waited for the search still under way"
    assert len(searches(bot)) == 1


def draft_of(bot: RunningBot, user_id: int) -> dict[str, object]:
    """The user's open draft as stored."""
    assert bot.svc is not None
    stored = bot.svc.store.get_draft(user_id)
    assert stored is not None, "the draft is still there"
    return stored.draft.to_dict()


def assert_left_alone(bot: RunningBot, key: str) -> None:
    """Nobody added anything to the issue or followed it."""
    assert bot.jira.issues[key]["comments"] == []
    assert "acme-corp-gmbh" not in bot.jira.issues[key]["fields"]["labels"]
    assert bot.svc is not None and bot.svc.store.subscribers(key) == []
    assert bot.svc.store.db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 0


async def test_a_join_for_an_issue_never_offered_is_refused(bot: RunningBot) -> None:
    other = bot.jira.add_issue("Payroll: salary slips are wrong", project="SUP", issue_type="Bug")
    key = str(other["key"])
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    card = user.last
    before = draft_of(bot, user.id)
    await bot.handled(await user.tap_data(f"join:{key}", card.message_id))
    assert user.callback_answers[-1]["text"].startswith("I didn't suggest that issue for this request")
    assert user.callback_answers[-1]["show_alert"] is True
    assert draft_of(bot, user.id) == before
    assert user.last.message_id == card.message_id and "✅ Create" in user.last.buttons()
    await asyncio.sleep(0.3)  # an outbox run, had anything been queued
    assert_left_alone(bot, key)
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("Created SUP-2" in m.text for m in user.messages), timeout=10)


async def test_only_the_issues_offered_for_this_draft_can_be_joined(bot: RunningBot) -> None:
    offered = seed_similar(bot)
    hidden = str(bot.jira.add_issue("Payroll: salary slips are wrong", project="SUP", issue_type="Bug")["key"])
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✅ Create")
    assert offered in user.last.text and hidden not in user.last.text
    # What was offered is kept with the draft: a restart in between changes nothing.
    await bot.restart()
    await bot.handled(await user.tap_data(f"join:{hidden}"))
    assert user.callback_answers[-1]["text"].startswith("I didn't suggest that issue for this request")
    assert_left_alone(bot, hidden)
    await bot.tap(user, f"Same problem: add my customer to {offered}")
    assert f"Added your customer to {offered}" in user.last.text
    await bot.tg.wait_for(lambda: len(bot.jira.issues[offered]["comments"]) == 1, timeout=10)
    # The offer of an earlier draft does not carry over to the next one.
    await answer_bug_until_summary(bot, user)
    before = draft_of(bot, user.id)
    await bot.say(user, "/lang")
    await bot.tap(user, "Deutsch")
    await bot.handled(await user.tap_data(f"join:{offered}"))
    assert user.callback_answers[-1]["text"].startswith("Dieses Ticket habe ich für diese Anfrage nicht")
    assert draft_of(bot, user.id) == before
    await asyncio.sleep(0.3)
    assert len(bot.jira.issues[offered]["comments"]) == 1
