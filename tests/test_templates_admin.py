"""Admins manage the templates from Telegram: list, download, upload, publish, history, rollback and reload."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.templates.publishing import AlreadyLive, Problem, problems_of, reload, rollback
from bot.templates.schema import version_of
from bot.text.yamlfile import ConfigError
from handlers.serve import serve
from tests.conftest import ADMIN_ID, ROOT, Clock, RunningBot, build_bot, created_issue, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.helpers import finish_with_defaults, open_bug

EXAMPLE = (ROOT / "templates.example.yaml").read_text(encoding="utf-8")
IDEA = """\
  - id: idea
    title: {en: An idea for the product, ru: Идея для продукта, de: Eine Produktidee}
    jira:
      issue_type: Task
      summary: "Idea: {idea}"
    questions:
      - id: idea
        text: {en: "What is the idea?", ru: "В чём идея?", de: "Was ist die Idee?"}
"""
# v2 as an admin would write it: a new template, and the bug's customer question reworded.
EDITED = EXAMPLE.replace('"Which customer?"', '"Which client?"', 1) + IDEA
BROKEN = EXAMPLE.replace("type: choice", "type: choise", 1).replace("min_length: 10", "min_lenght: 10", 1)


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based line where fragment first occurs."""
    return text[: text.index(fragment)].count("\n") + 1


def admin_of(bot: RunningBot) -> FakeUser:
    """Return the config's admin as a Telegram user."""
    return bot.user(ADMIN_ID, "Olga", username="olga")


async def upload(bot: RunningBot, user: FakeUser, text: str, name: str = "templates.yaml",
                 caption: str | None = None) -> None:
    """Send a templates file as a document; return when the bot has answered."""
    await bot.handled(await user.send_document(text.encode("utf-8"), name, "application/x-yaml", caption=caption))


def versions(bot: RunningBot) -> list[tuple[int, str]]:
    """Return (number, source) of every stored version, newest first."""
    assert bot.svc is not None and bot.svc.library is not None
    return [(v.number, v.source) for v in bot.svc.library.history()]


def live_hash(bot: RunningBot) -> str:
    """Return the version id of the live template set."""
    assert bot.svc is not None
    return bot.svc.engine.templates.version


async def test_templates_lists_the_live_version_and_each_template(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await bot.say(admin, "/templates")
    lines = admin.last.text.splitlines()
    assert lines[0] == "🗂 Templates v1 · from the file at start-up, 23 Nov 09:00"
    assert "✅ Something is broken (bug) · questions: 6" in lines
    assert "✅ A feature for a deal (feature) · questions: 5" in lines
    assert "✅ A question for engineering (question) · questions: 3" in lines
    assert admin.last.buttons() == ["⬇️ Download", "🕘 History"]


async def test_download_sends_the_live_file(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await bot.say(admin, "/templates")
    await bot.tap(admin, "⬇️ Download")
    document = admin.last
    assert document.kind == "document" and document.file is not None
    assert document.file.file_name == "templates.yaml"
    assert document.file.data().decode("utf-8") == EXAMPLE
    assert "Templates v1" in document.text


async def test_a_broken_upload_lists_problems_by_line_and_changes_nothing(bot: RunningBot) -> None:
    sales, admin = bot.user(), admin_of(bot)
    await open_bug(bot, sales)
    await bot.say(sales, "Export to Excel fails since the update")
    assert bot.svc is not None
    draft_before = bot.svc.store.get_draft(sales.id)
    await upload(bot, admin, BROKEN)
    reply = admin.last
    assert reply.text.startswith("❌ templates.yaml was not published — problems found: 3. Nothing changed, v1 "
                                 "stays live.")
    assert (f"• Line {line_of(BROKEN, 'type: choise')}: template 'bug', question 'urgency': unknown type "
            "'choise'") in reply.text
    assert f"• Line {line_of(BROKEN, 'min_lenght')}: template 'bug', question 'what': unknown question key " \
           "'min_lenght' (did you mean 'min_length'?)" in reply.text
    assert reply.buttons() == []
    assert versions(bot) == [(1, "file")] and live_hash(bot) == version_of(EXAMPLE)
    assert (Path(bot.config_path).parent / "templates.yaml").read_text(encoding="utf-8") == EXAMPLE
    assert bot.svc.store.get_draft(sales.id) == draft_before
    await bot.say(sales, "acme")
    assert "How urgent" in sales.last.text


async def test_a_yaml_syntax_error_is_shown_with_its_line(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, "templates:\n  - id: bug\n    title: [unclosed\n", name="mine.yml")
    assert admin.last.text.startswith("❌ mine.yml was not published — problems found: 1.")
    assert "\n• Line 4: expected ',' or ']'" in admin.last.text


async def test_a_file_nested_thousands_deep_is_refused_by_name(bot: RunningBot) -> None:
    admin = admin_of(bot)
    deep = "templates:\n  - id: bug\n    title: " + "[" * 5000 + "]" * 5000 + "\n"
    await upload(bot, admin, deep, name="deep.yaml")
    assert admin.last.text.startswith("❌ deep.yaml was not published — problems found: 1. Nothing changed, v1 "
                                      "stays live.")
    assert "\n• Line 3: nested too deeply (more than 64 levels)" in admin.last.text
    assert admin.last.buttons() == [] and versions(bot) == [(1, "file")]


async def test_uploading_the_live_file_offers_nothing_to_publish(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, EXAMPLE)
    assert admin.last.text == "📄 templates.yaml is the same as the live v1; nothing to publish."
    assert admin.last.buttons() == [] and versions(bot) == [(1, "file")]


async def test_publish_applies_to_new_drafts_while_a_started_draft_finishes_on_its_version(bot: RunningBot) -> None:
    anna, boris, admin = bot.user(), bot.user(102, "Boris"), admin_of(bot)
    await open_bug(bot, anna)
    await bot.say(anna, "Export to Excel fails since the update")
    assert "Which customer?" in anna.last.text
    await upload(bot, admin, EDITED, caption="Ideas from the sales meeting")
    shown = admin.last
    assert shown.text.splitlines()[0] == "📄 templates.yaml checked: 4 templates, 15 questions. Changes against v1:"
    assert "➕ New template An idea for the product (idea) · questions: 1" in shown.text
    assert "✏️ Something is broken (bug):" in shown.text
    assert "    ✏️ question “Which client?” (customer): wording" in shown.text
    assert shown.buttons() == ["✅ Publish v2", "🗑 Discard"]
    await bot.say(boris, "/new")
    assert "An idea for the product" not in boris.last.buttons(), "nothing is live before Publish"

    await bot.tap(admin, "✅ Publish v2")
    assert admin.last.text == "✅ Published v2. New requests use it now; 1 draft in progress finishes on v1."
    assert shown.buttons() == [], "the used buttons are gone"
    assert versions(bot) == [(2, "upload"), (1, "file")]
    assert (Path(bot.config_path).parent / "templates.yaml").read_text(encoding="utf-8") == EDITED
    assert bot.svc is not None
    entry = bot.svc.audit.recent()[0]
    assert (entry.actor_id, entry.actor_name, entry.action) == (ADMIN_ID, "Olga Petrova", "templates.publish")
    assert entry.detail.startswith("v2 (upload): ➕ New template An idea for the product (idea)")
    assert entry.detail.endswith("— Ideas from the sales meeting")

    await bot.say(boris, "/cancel")
    await bot.say(boris, "/new")
    assert "An idea for the product" in boris.last.buttons()
    await bot.tap(boris, "Something is broken")
    await bot.say(boris, "The dashboard is empty since Monday")
    assert "Which client?" in boris.last.text

    # Anna's draft began on v1: she is asked v1's questions and Jira gets them.
    await bot.say(anna, "acme")
    assert "How urgent" in anna.last.text
    await finish_with_defaults(bot, anna)
    await bot.tap(anna, "✅ Create")
    issue = await created_issue(bot, anna)
    assert "Which customer?" in issue["fields"]["description"]
    assert "Which client?" not in issue["fields"]["description"]


async def test_discard_keeps_the_live_version(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, EDITED)
    await bot.tap(admin, "🗑 Discard")
    assert admin.last.text == "🗑 Discarded. v1 stays live."
    assert versions(bot) == [(1, "file")] and live_hash(bot) == version_of(EXAMPLE)
    await bot.handled(await admin.tap_data(f"tmpl:pub:{version_of(EDITED)}"))
    assert admin.callback_answers[-1].get("text") == ("Nothing is waiting to be published. Send me a templates "
                                                      "file first.")
    assert versions(bot) == [(1, "file")]


async def test_a_pending_upload_survives_a_restart(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, EDITED)
    await bot.restart()
    await bot.tap(admin, "✅ Publish v2")
    assert admin.last.text == "✅ Published v2. New requests use it now."
    assert live_hash(bot) == version_of(EDITED)
    await bot.restart()
    assert live_hash(bot) == version_of(EDITED), "the published version stays live after a restart"


async def test_publishing_after_someone_else_shows_the_diff_again(bot: RunningBot) -> None:
    olga, ivan = admin_of(bot), bot.user(903, "Ivan")
    assert bot.svc is not None
    bot.svc.access.set_role(903, "admin", ADMIN_ID)
    await upload(bot, olga, EDITED)
    await upload(bot, ivan, EXAMPLE + IDEA)
    await bot.tap(ivan, "✅ Publish v2")
    await bot.tap(olga, "✅ Publish v2")
    assert olga.last.text.startswith("⚠️ v2 was published in the meantime. Here are your changes against it:")
    assert "➕ New template" not in olga.last.text and "(customer): wording" in olga.last.text
    await bot.tap(olga, "✅ Publish v3")
    assert olga.last.text == "✅ Published v3. New requests use it now."


async def test_history_and_rollback(bot: RunningBot) -> None:
    admin, boris = admin_of(bot), bot.user(102, "Boris")
    await upload(bot, admin, EDITED)
    await bot.tap(admin, "✅ Publish v2")
    await bot.say(admin, "/templates history")
    lines = admin.last.text.splitlines()
    assert lines[0] == "🕘 Template versions, newest first:"
    assert "v2 · 23 Nov 09:00 · published by Olga Petrova · ● live" in lines
    assert "v1 · 23 Nov 09:00 · from the file at start-up" in lines
    assert admin.last.buttons() == ["↩️ Roll back to v1"]

    await bot.tap(admin, "↩️ Roll back to v1")
    assert admin.last.text.startswith("Roll back to v1 (from the file at start-up, 23 Nov 09:00)? It goes live as "
                                      "v3. Changes against the live v2:")
    assert "➖ Removed template An idea for the product (idea)" in admin.last.text
    await bot.tap(admin, "Cancel")
    assert admin.last.text == "Rollback cancelled. v2 stays live."

    await bot.say(admin, "/templates")
    await bot.tap(admin, "🕘 History")
    await bot.tap(admin, "↩️ Roll back to v1")
    await bot.tap(admin, "↩️ Yes, roll back to v1")
    assert admin.last.text == "↩️ Rolled back: v3 has the templates of v1. New requests use it now."
    assert versions(bot) == [(3, "rollback"), (2, "upload"), (1, "file")]
    assert live_hash(bot) == version_of(EXAMPLE)
    assert bot.svc is not None and bot.svc.audit.recent()[0].action == "templates.rollback"
    await bot.say(boris, "/new")
    assert "An idea for the product" not in boris.last.buttons()
    await bot.say(admin, "/templates history")
    assert "v3 · 23 Nov 09:00 · Olga Petrova rolled back to v1 · ● live" in admin.last.text.splitlines()
    assert admin.last.buttons() == ["↩️ Roll back to v2"]


async def test_reload_with_a_broken_file_keeps_the_old_set_and_tells_admins(bot: RunningBot) -> None:
    admin, ivan, anna = admin_of(bot), bot.user(903, "Ivan"), bot.user()
    assert bot.svc is not None
    bot.svc.access.set_role(903, "admin", ADMIN_ID)
    await bot.say(ivan, "/templates")  # an admin the bot can reach
    path = Path(bot.config_path).parent / "templates.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    await bot.say(admin, "/reload")
    expected = "❌ templates.yaml on the server was not loaded — problems found: 3. v1 stays live."
    assert admin.last.text.startswith(expected)
    assert f"• Line {line_of(BROKEN, 'type: choise')}:" in admin.last.text
    assert ivan.last.text.startswith(expected)
    assert versions(bot) == [(1, "file")] and live_hash(bot) == version_of(EXAMPLE)
    await open_bug(bot, anna)
    assert "What is wrong?" in anna.last.text
    await bot.say(admin, "/reload")
    assert admin.last.text.startswith(expected), "told again while the file stays broken"


async def test_reload_with_a_good_file_publishes_it(bot: RunningBot) -> None:
    admin, boris = admin_of(bot), bot.user(102, "Boris")
    await bot.say(admin, "/reload")
    assert admin.last.text == "📄 templates.yaml has not changed since v1; nothing to reload."
    (Path(bot.config_path).parent / "templates.yaml").write_text(EDITED, encoding="utf-8")
    await bot.say(admin, "/reload")
    assert admin.last.text.startswith("🔄 Reloaded templates.yaml: v2 is live. Changes:\n➕ New template An idea")
    assert versions(bot) == [(2, "reload"), (1, "file")]
    assert bot.svc is not None and bot.svc.audit.recent()[0].action == "templates.reload"
    await bot.say(boris, "/new")
    assert "An idea for the product" in boris.last.buttons()


async def test_reloads_at_the_same_time_publish_the_file_once(bot: RunningBot) -> None:
    assert bot.svc is not None
    (Path(bot.config_path).parent / "templates.yaml").write_text(EDITED, encoding="utf-8")
    bot.jira.latency = 0.2  # both reloads are still asking Jira when the other one starts
    first, second = await asyncio.gather(reload(bot.svc, ADMIN_ID, "Olga"), reload(bot.svc, None, ""))
    assert sorted([first.kind, second.kind]) == ["changed", "unchanged"]
    assert versions(bot) == [(2, "reload"), (1, "file")]
    assert live_hash(bot) == version_of(EDITED)


async def test_a_file_saved_with_windows_line_ends_is_the_same_file(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, "\ufeff" + EXAMPLE.replace("\n", "\r\n"))
    assert admin.last.text == "📄 templates.yaml is the same as the live v1; nothing to publish."
    await upload(bot, admin, EDITED.replace("\n", "\r\n"))
    await bot.tap(admin, "✅ Publish v2")
    assert live_hash(bot) == version_of(EDITED)
    await bot.say(admin, "/reload")  # the file on disk reads back with Unix line ends
    assert admin.last.text == "📄 templates.yaml has not changed since v2; nothing to reload."


async def test_rolling_back_to_the_live_version_publishes_nothing(bot: RunningBot) -> None:
    assert bot.svc is not None
    with pytest.raises(AlreadyLive):
        await rollback(bot.svc, 1, ADMIN_ID, "Olga")
    assert versions(bot) == [(1, "file")]


async def test_a_file_broken_while_stopped_keeps_the_last_version_and_admins_are_told(bot: RunningBot) -> None:
    admin, anna = admin_of(bot), bot.user()
    await bot.say(admin, "/templates")
    await bot.stop()
    (Path(bot.config_path).parent / "templates.yaml").write_text(BROKEN, encoding="utf-8")
    await bot.start()
    await bot.tg.wait_for(lambda: any("not used at start-up" in m.text for m in admin.messages), timeout=10)
    notice = next(m for m in admin.messages if "not used at start-up" in m.text)
    assert notice.text.startswith("⚠️ templates.yaml has problems, so it was not used at start-up; v1 stays live:")
    assert "unknown type 'choise'" in notice.text
    await open_bug(bot, anna)
    assert "What is wrong?" in anna.last.text


async def test_a_template_jira_refuses_blocks_the_publish(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, EXAMPLE + IDEA.replace("issue_type: Task", "issue_type: Epic"))
    text = admin.last.text
    assert "➕ New template An idea for the product (idea)" in text
    assert "⛔ Jira would refuse these templates, so this file cannot be published (v1 stays live):" in text
    assert "• idea: project SUP has no issue type 'Epic'" in text
    assert admin.last.buttons() == []
    assert versions(bot) == [(1, "file")]


async def test_upload_while_jira_is_down_warns_but_may_be_published(bot: RunningBot) -> None:
    admin = admin_of(bot)
    bot.jira.go_down()
    try:
        await upload(bot, admin, EDITED)
    finally:
        bot.jira.come_up()
    assert "⚠️ Jira could not be asked (" in admin.last.text
    await bot.tap(admin, "✅ Publish v2")
    assert admin.last.text == "✅ Published v2. New requests use it now."


async def test_templates_refused_at_start_are_listed_with_why(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                              clock: Clock) -> None:
    jira.require_field("Bug", "duedate")
    running = RunningBot(tg, jira, write_config(tmp_path, jira.url), clock)
    await running.start()
    try:
        admin = admin_of(running)
        await running.say(admin, "/templates")
        refused = next(line for line in admin.last.text.splitlines() if "(bug)" in line)
        assert refused.startswith("⛔ Something is broken (bug) · questions: 6 — not offered, Jira would refuse it:")
        assert "duedate" in refused
    finally:
        await running.stop()


async def test_non_admins_are_refused(bot: RunningBot) -> None:
    sales = bot.user()
    await bot.say(sales, "/templates")
    assert sales.last.text == "This command is for admins."
    await bot.say(sales, "/reload")
    assert sales.last.text == "This command is for admins."
    await bot.handled(await sales.tap_data("tmpl:rbok:1"))
    assert sales.callback_answers[-1].get("text") == "This command is for admins."
    await upload(bot, sales, EDITED)
    assert all("checked" not in m.text and "Publish" not in " ".join(m.buttons()) for m in sales.messages)
    assert versions(bot) == [(1, "file")]


async def test_an_admins_yaml_answers_a_files_question(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await open_bug(bot, admin)
    await bot.say(admin, "Export to Excel fails since the update")
    await bot.say(admin, "acme")
    await finish_with_defaults(bot, admin)
    await bot.tap(admin, "✏️ Edit")
    await bot.tap(admin, "Screenshots or files?")
    await upload(bot, admin, EDITED, name="customer-config.yaml")
    assert "customer-config.yaml" in admin.last.text
    assert "checked" not in admin.last.text
    assert versions(bot) == [(1, "file")]


@asynccontextmanager
async def served(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock) -> AsyncIterator[Any]:
    """Run the bot with handlers.serve, as `ticketsmith run` does (it installs the signal handlers)."""
    svc, app = build_bot(write_config(tmp_path, jira.url), tg, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(svc, app, stop))
    try:
        for _ in range(250):
            if app.running:
                break
            await asyncio.sleep(0.02)
        yield svc
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def test_sighup_reloads_the_file_and_tells_admins(tg: FakeTelegram, jira: FakeJira, tmp_path: Path,
                                                        clock: Clock) -> None:
    async with served(tg, jira, tmp_path, clock) as svc:
        admin = tg.user(ADMIN_ID, "Olga", username="olga")
        await admin.send("/templates")
        await tg.wait_for(lambda: any("Templates v1" in m.text for m in admin.messages), timeout=10)
        (tmp_path / "templates.yaml").write_text(EDITED, encoding="utf-8")
        os.kill(os.getpid(), signal.SIGHUP)
        await tg.wait_for(lambda: any("🔄 Reloaded templates.yaml: v2 is live." in m.text for m in admin.messages),
                          timeout=10)
        assert svc.engine.templates.version == version_of(EDITED)
        (tmp_path / "templates.yaml").write_text(BROKEN, encoding="utf-8")
        os.kill(os.getpid(), signal.SIGHUP)
        await tg.wait_for(lambda: any("was not loaded" in m.text for m in admin.messages), timeout=10)
        assert svc.engine.templates.version == version_of(EDITED)


async def test_an_older_uploads_buttons_cannot_publish_a_newer_upload(bot: RunningBot) -> None:
    admin = admin_of(bot)
    await upload(bot, admin, EDITED)
    first = admin.last
    await upload(bot, admin, EXAMPLE + IDEA)
    await bot.handled(await admin.tap_data(first.inline_keyboard[0][0]["callback_data"], first.message_id))
    assert admin.callback_answers[-1].get("text") == "You sent a newer file since; use the buttons under that one."
    assert first.buttons() == [] and versions(bot) == [(1, "file")]
    await bot.tap(admin, "✅ Publish v2")
    assert live_hash(bot) == version_of(EXAMPLE + IDEA)


def test_problems_are_split_into_line_and_message() -> None:
    error = ConfigError(["templates.yaml, line 12: template 'bug': 'questions' must be a non-empty list",
                         "templates.yaml: expected a top-level 'templates:' list with at least one template",
                         "/srv/bot/templates.yaml: templates file not found"])
    assert problems_of(error) == (
        Problem(12, "template 'bug': 'questions' must be a non-empty list"),
        Problem(None, "expected a top-level 'templates:' list with at least one template"),
        Problem(None, "templates file not found"),
    )


async def test_a_publish_the_file_could_not_take_is_not_undone_by_reload(bot: RunningBot,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = admin_of(bot)
    path = Path(bot.config_path).parent / "templates.yaml"
    path.write_text(EDITED, encoding="utf-8")
    await bot.say(admin, "/reload")
    assert versions(bot) == [(2, "reload"), (1, "file")]
    # The operator made the file read-only: the next publish lives in the database only.
    writable = os.access
    monkeypatch.setattr(os, "access", lambda target, mode, **kw: False if Path(target) == path and mode == os.W_OK
                        else writable(target, mode, **kw))
    await bot.say(admin, "/templates history")
    await bot.tap(admin, "↩️ Roll back to v1")
    await bot.tap(admin, "↩️ Yes, roll back to v1")
    assert live_hash(bot) == version_of(EXAMPLE) and path.read_text(encoding="utf-8") == EDITED
    await bot.say(admin, "/reload")
    assert admin.last.text == "📄 templates.yaml has not changed since v3; nothing to reload."
    assert versions(bot) == [(3, "rollback"), (2, "reload"), (1, "file")] and live_hash(bot) == version_of(EXAMPLE)
    # An edit on disk after that is news again.
    path.write_text(EDITED.replace("An idea for the product", "A wish for the product"), encoding="utf-8")
    await bot.say(admin, "/reload")
    assert versions(bot)[0] == (4, "reload")
