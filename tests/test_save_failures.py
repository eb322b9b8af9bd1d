"""An answer the database cannot save is not called saved, and what was saved before stays."""

from __future__ import annotations

import pytest

from tests.conftest import RunningBot, fill_the_disk, free_the_disk


@pytest.mark.parametrize(("language_code", "told"), [
    ("en", "I could not save this answer"),
    ("ru", "не удалось сохранить этот ответ"),
    ("de", "diese Antwort konnte ich nicht speichern"),
])
async def test_an_answer_the_full_disk_refuses_is_not_called_saved(bot: RunningBot, language_code: str, told: str
                                                                  ) -> None:
    assert bot.svc is not None
    user = bot.user(language_code=language_code)
    await bot.say(user, "/new")
    await bot.tap(user, user.last.buttons()[0])
    await bot.say(user, "Export to Excel fails since the update")
    await bot.say(user, "acme")
    await bot.tap(user, user.last.buttons()[0])
    asked = user.last.text
    fill_the_disk(bot.svc.store)
    why = "Подписывают в пятницу, сделка на 40 тысяч. " * 60
    await bot.say(user, why)
    free_the_disk(bot.svc.store)
    assert told in user.last.text
    assert not any(word in user.last.text for word in ("so far are saved", "ответы сохранены", "sind gespeichert"))
    assert bot.svc.store.get_draft(user.id) is not None
    # What was answered before is still there: the same question again, and the answers on the card.
    await bot.say(user, "/new")
    await bot.tap(user, user.last.buttons()[0])
    assert user.last.text == asked
    await bot.say(user, why)
    assert user.last.text.startswith("5/6")
    stored = bot.svc.store.get_draft(user.id)
    assert stored is not None
    assert stored.draft.answers == {"what": "Export to Excel fails since the update", "customer": "ACME Corp GmbH",
                                    "urgency": "blocker", "why": why.strip()}
