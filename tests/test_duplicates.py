"""Before filing, the bot offers open issues that look the same; joining one adds demand to it."""

from __future__ import annotations

from tests.conftest import RunningBot
from tests.test_intake import answer_bug_until_summary, created_issue


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
