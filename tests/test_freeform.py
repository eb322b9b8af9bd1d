"""Informal asks: a message outside a dialog becomes a prefilled request, in the user's language."""

from __future__ import annotations

from tests.conftest import RunningBot, created_issue


async def test_an_informal_ask_is_filed_after_one_question(bot: RunningBot) -> None:
    user = bot.user()
    ask = "ACME can't export invoices to PDF since the update, they go live Friday, we are blocked"
    await bot.say(user, ask)
    assert "Something is broken" in user.last.text and "marked ✎" in user.last.text
    assert "Why is it urgent?" in user.last.text, "only the question the message leaves open is asked"
    assert "↔ Other type" in user.last.buttons()
    await bot.say(user, "Their go-live depends on the PDF invoices")
    card = user.last.text
    assert "Please check your request" in card
    assert f"{ask} ✎" in card and "ACME Corp GmbH ✎" in card
    assert "✎ Which customer?" in user.last.buttons()
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    fields = issue["fields"]
    assert fields["duedate"] == "2026-11-27"
    assert "acme-corp-gmbh" in fields["labels"]
    assert "export invoices to PDF since the update" in fields["description"]
    assert "depends on the PDF invoices" in fields["description"]


async def test_an_ask_typed_at_the_template_choice_is_read_as_an_ask(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "/new")
    chooser = user.last
    assert "Something is broken" in chooser.buttons()
    await bot.say(user, "ACME can't export invoices to PDF since the update, they go live Friday, we are blocked")
    assert "Something is broken" in user.last.text and "marked ✎" in user.last.text
    assert "Why is it urgent?" in user.last.text
    # The empty draft's template buttons stay, harmless: a tap on one changes nothing in the new draft.
    await bot.handled(await user.tap_data(chooser.inline_keyboard[1][0]["callback_data"], chooser.message_id))
    assert "That button belongs to an earlier step" in chooser.text and "Why is it urgent?" in chooser.text
    await bot.say(user, "Their go-live depends on the PDF invoices")
    assert "ACME Corp GmbH ✎" in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert issue["fields"]["duedate"] == "2026-11-27"


async def test_a_guess_is_corrected_in_one_tap(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "ACME can't export invoices to PDF since the update, no rush, whenever you can")
    assert "Please check your request" in user.last.text
    await bot.tap(user, "✎ Which customer?")
    assert "Which customer?" in user.last.text
    await bot.say(user, "Globex")
    assert "Please check your request" in user.last.text
    assert "Globex ✎" not in user.last.text and "Globex" in user.last.text


async def test_a_forwarded_customer_message_is_quoted_in_the_ticket(bot: RunningBot) -> None:
    user = bot.user()
    await bot.handled(await user.forward("Hello, the export to Excel fails with error 500 since Monday, please help",
                                         "Ivan Petrov"))
    while "Please check your request" not in user.last.text:
        prompt = user.last.text
        if "Which customer?" in prompt:
            await bot.say(user, "acme")
        elif "urgent" in prompt:
            await bot.tap(user, "Can wait")
        else:
            raise AssertionError(f"unexpected question: {prompt}")
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    description = issue["fields"]["description"]
    assert "h3. Forwarded message from Ivan Petrov" in description
    assert "error 500 since Monday" in description


async def test_an_unclear_ask_offers_the_templates_likeliest_first(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "Talked to Initech today about next quarter, they have some thoughts")
    assert "What kind of request is this?" in user.last.text
    await bot.tap(user, "Something is broken")
    assert "Something is broken" in user.last.text and "marked ✎" in user.last.text
    stored = bot.svc.store.get_draft(user.id) if bot.svc else None
    assert stored is not None and stored.draft.answers.get("customer") == "Initech Ltd"


async def test_a_short_message_is_not_an_ask(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "hi there")
    assert "/new" in user.last.text or "New request" in user.last.text
    assert bot.svc is not None and bot.svc.store.get_draft(user.id) is None


async def test_a_russian_ask_is_prefilled_in_russian(bot: RunningBot) -> None:
    user = bot.user(language_code="ru")
    await bot.say(user, "У АКМЕ не работает выгрузка в Excel после обновления, горит, до пятницы надо починить")
    assert "Что-то сломалось" in user.last.text or "отмечено ✎" in user.last.text
    stored = bot.svc.store.get_draft(user.id) if bot.svc else None
    assert stored is not None and stored.draft.template_id == "bug"
    assert stored.draft.answers["customer"] == "ACME Corp GmbH"
    assert stored.draft.answers["deadline"] == "2026-11-27"


async def test_a_captioned_screenshot_goes_with_the_ask_unless_too_big(bot: RunningBot) -> None:
    user = bot.user()
    await bot.handled(await user.send_photo(caption="ACME dashboard shows a blank page since the update, no rush"))
    assert "⚠️" not in user.last.text, "prefilling is news, not a warning"
    stored = bot.svc.store.get_draft(user.id) if bot.svc else None
    assert stored is not None and len(stored.draft.answers["files"]) == 1
    await bot.say(user, "/cancel")
    await bot.handled(await user.send_photo(caption="ACME dashboard shows a blank page since the update, no rush",
                                            size=25 * 1024 * 1024))
    assert "20 MB" in user.last.text
    stored = bot.svc.store.get_draft(user.id) if bot.svc else None
    assert stored is not None and stored.draft.answers.get("files") is None


async def test_an_ask_longer_than_its_answer_can_hold_reaches_jira_whole(bot: RunningBot) -> None:
    user = bot.user()
    details = " ".join(f"step {n}: the export stops with error E{n}." for n in range(120))
    ask = f"ACME can't export invoices to PDF since the update, no rush. {details} The very end."
    await bot.say(user, ask)
    assert "Please check your request" in user.last.text
    await bot.tap(user, "✅ Create")
    description = (await created_issue(bot, user))["fields"]["description"]
    assert "h3. The salesperson's message" in description
    assert "The very end." in description


async def test_an_ask_kept_whole_in_its_answer_is_not_quoted_again(bot: RunningBot) -> None:
    user = bot.user()
    await bot.say(user, "ACME can't export invoices to PDF since the update, no rush, whenever you can")
    await bot.tap(user, "✅ Create")
    description = (await created_issue(bot, user))["fields"]["description"]
    assert "The salesperson's message" not in description
    assert description.count("export invoices to PDF") == 1
