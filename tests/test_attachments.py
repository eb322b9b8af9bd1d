"""Files at the attachments question: what Telegram or Jira will not take is explained, the rest reaches Jira."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Clock, RunningBot, created_issue, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.telegram import FakeTelegram
from tests.helpers import answer_bug_until_summary


async def test_file_over_the_download_limit_is_explained(bot: RunningBot) -> None:
    user = bot.user()
    await answer_bug_until_summary(bot, user)
    await bot.tap(user, "✏️ Edit")
    await bot.tap(user, "Screenshots or files?")
    await bot.handled(await user.send_document(None, "recording.mp4", "video/mp4", size=25 * 1024 * 1024))
    assert "recording.mp4" in user.last.text and "20 MB" in user.last.text
    await bot.handled(await user.send_document(b"log line\n", "server.log", "text/plain"))
    await bot.tap(user, "✅ Done")
    assert "server.log" in user.last.text and "recording.mp4" not in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[issue["key"]]["attachments"]), timeout=10)
    [attachment] = bot.jira.issues[issue["key"]]["attachments"]
    assert attachment["filename"] == "server.log"
    assert bot.jira.attachment_bytes[attachment["id"]] == b"log line\n"


async def test_file_over_jiras_attachment_limit_is_explained(tg: FakeTelegram, tmp_path: Path, clock: Clock) -> None:
    with FakeJira("dc9", pat="pat-secret", upload_limit=1024 * 1024) as jira:
        config = write_config(tmp_path, jira.url, jira={"pat": "pat-secret", "email": None, "api_token": None})
        running = RunningBot(tg, jira, config, clock)
        await running.start()
        try:
            user = running.user()
            await answer_bug_until_summary(running, user)
            await running.tap(user, "✏️ Edit")
            await running.tap(user, "Screenshots or files?")
            await running.handled(await user.send_document(None, "dump.zip", "application/zip", size=5 * 1024 * 1024))
            assert "Jira accepts attachments only up to 1.0 MB" in user.last.text
        finally:
            await running.stop()
