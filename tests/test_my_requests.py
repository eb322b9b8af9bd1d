"""/my: a salesperson follows their requests from Telegram."""

from __future__ import annotations

from bot.intake.draft import Draft
from bot.jira.ticket import Reporter, Ticket
from tests.conftest import RunningBot


async def file_directly(bot: RunningBot, count: int, user_id: int = 101) -> None:
    """Confirm requests as the intake journey does and let the outbox file them."""
    assert bot.svc is not None and bot.svc.outbox is not None
    store = bot.svc.store
    for n in range(count):
        bot.clock.advance(60)
        draft = Draft(id=f"req{user_id}-{n:04d}", user_id=user_id, lang="en", reporter=Reporter(user_id, "Anna"),
                      template_id="bug")
        store.confirm(draft, user_id, Ticket("SUP", "Bug", f"Problem number {n}", "d"))
        bot.svc.outbox.kick()
        # One at a time: the outbox files side by side, and the issue numbers must follow the requests' order.
        # The "Created" notice follows the bot's own record of the issue, so this waits for both.
        await bot.tg.wait_for(lambda n=n: sum(r.state == "created" for r in store.requests_of(user_id)) == n + 1,
                              timeout=15)


async def test_my_lists_requests_with_status_and_pages(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/my")
    assert "no requests yet" in user.last.text
    await file_directly(bot, 6)
    bot.jira.go_down()
    assert bot.svc is not None
    bot.svc.store.confirm(Draft(id="late", user_id=101, lang="en", reporter=Reporter(101, "Anna"),
                                template_id="bug"), 101, Ticket("SUP", "Bug", "Still waiting", "d"))
    bot.clock.advance(60)
    bot.jira.come_up()
    # The outbox files it as soon as Jira is back; its notice must not land after the list.
    await bot.tg.wait_for(lambda: any("Created" in m.text and "Still waiting" in m.text for m in user.messages),
                          timeout=10)
    await bot.say(user, "/my")
    lines = user.last.text.splitlines()
    assert lines[0] == "Your requests (1–5 of 7):"
    assert lines[1].startswith("⏳ Still waiting — waiting for Jira") or "Still waiting" in lines[1]
    assert lines[2].startswith("SUP-6 · Problem number 5 — To Do")
    assert "Older ▶️" in user.last.buttons()
    await bot.tap(user, "Older ▶️")
    assert user.last.text.splitlines()[0] == "Your requests (6–7 of 7):"
    assert "◀️ Newer" in user.last.buttons()


async def test_my_writes_the_day_of_each_request_as_its_reader_does(bot: RunningBot) -> None:
    readers = {101: ("en", "(23 Nov)"), 102: ("ru", "(23.11)"), 103: ("de", "(23.11.)")}
    for user_id, (lang, day) in readers.items():
        user = bot.user(user_id, language_code=lang)
        await file_directly(bot, 1, user_id)
        await bot.say(user, "/my")
        assert user.last.text.splitlines()[1].endswith(day), lang
    bot.clock.advance(60 * 24 * 3600)
    user = bot.user(101)
    await bot.say(user, "/my")
    assert user.last.text.splitlines()[1].endswith("(23 Nov 2026)")


async def test_open_shows_the_issue_with_its_comments_and_reply(bot: RunningBot) -> None:
    user = bot.user()
    await file_directly(bot, 1)
    await bot.say(user, "/my")
    await bot.tap(user, "SUP-1")
    view = user.last
    assert view.text.startswith("SUP-1 · Problem number 0")
    assert view.buttons() == ["↩️ Reply"]
    await bot.tap(user, "↩️ Reply")
    await bot.say(user, "Thanks, I'll tell ACME")
    await bot.tg.wait_for(lambda: "Added to SUP-1" in user.last.text, timeout=10)


async def test_another_users_issue_cannot_be_opened(bot: RunningBot) -> None:
    await file_directly(bot, 1, user_id=102)
    user = bot.user()
    await bot.say(user, "/my")
    await bot.handled(await user.tap_data("open:SUP-1"))
    assert "no requests yet" in user.last.text
    assert all("SUP-1 ·" not in m.text for m in user.messages)


async def test_a_deleted_issue_does_not_hide_the_status_of_the_others(bot: RunningBot) -> None:
    user = bot.user()
    await file_directly(bot, 3)
    bot.jira.delete_issue("SUP-2")
    await bot.say(user, "/my")
    lines = user.last.text.splitlines()
    assert lines[1].startswith("SUP-3 · Problem number 2 — To Do")
    assert lines[3].startswith("SUP-1 · Problem number 0 — To Do")
    assert "SUP-2 · Problem number 1" in lines[2] and "To Do" not in lines[2]


async def test_a_page_past_the_last_shows_the_last_and_reads_only_that_page(bot: RunningBot) -> None:
    await file_directly(bot, 7)
    assert bot.svc is not None
    store = bot.svc.store
    shown, page, total = store.requests_page(101, 9, 5)
    assert (page, total) == (1, 7) and [r.ticket.summary for r in shown] == ["Problem number 1", "Problem number 0"]
    shown, page, total = store.requests_page(101, 0, 5)
    assert page == 0 and [r.ticket.summary for r in shown] == [f"Problem number {n}" for n in (6, 5, 4, 3, 2)]
    assert store.requests_page(999, 3, 5) == ([], 0, 0)
