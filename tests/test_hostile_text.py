"""Text as salespeople type it: markup, emoji and other scripts kept verbatim, control characters kept from Jira."""

from __future__ import annotations

import pytest

from tests.conftest import RunningBot, created_issue
from tests.helpers import finish_with_defaults, open_bug


@pytest.mark.parametrize("answer", [
    "*bold* _it_ [link](x) ~strike~ `code` > quote # h + - = | { } . ! < > &",
    "Экспорт в Excel 🚀 не работает 🙈 с обновления",
    "التصدير إلى إكسل لا يعمل منذ التحديث",
])
async def test_hostile_text_is_kept_verbatim(bot: RunningBot, answer: str) -> None:
    user = bot.user()
    await open_bug(bot, user)
    await bot.say(user, answer)
    assert "Which customer?" in user.last.text
    await bot.say(user, "acme")
    await finish_with_defaults(bot, user)
    assert answer in user.last.text
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    assert answer.split()[0].strip("*") in issue["fields"]["summary"]


async def test_control_characters_in_answers_never_reach_jira(bot: RunningBot) -> None:
    user = bot.user()
    await open_bug(bot, user)
    # Telegram turns C0 controls into spaces and drops bidi embeddings; C1 controls, DEL and isolates come through.
    await bot.say(user, "Export\x01 to Excel\x9b[2J fails\x7f since\u2066 the\x85update\u2069\x90")
    await bot.say(user, "acme")
    await bot.tap(user, "Deal or go-live blocked")
    await bot.say(user, "They sign\x08 on Friday\x9c")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")
    await bot.tap(user, "✅ Create")
    fields = (await created_issue(bot, user))["fields"]
    assert fields["summary"] == "ACME Corp GmbH: Export to Excel[2J fails since the update"
    controls = {chr(code) for code in (*range(0x20), *range(0x7F, 0xA0))} - {"\n"}
    isolates = {chr(code) for code in range(0x2066, 0x206A)}
    assert not set(fields["summary"]) & (controls | isolates)
    assert not set(fields["description"] + "".join(fields["labels"])) & controls
    assert "They sign" in fields["description"] and "on Friday\n" in fields["description"]
