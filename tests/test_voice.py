"""Voice notes: read as a typed ask or answer through a speech-to-text endpoint, always attached to the issue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.intake.customers import CustomerDirectory, load_customers
from bot.intake.dialog import Engine
from bot.intake.draft import Spoken, Tap, Text
from bot.jira.ticket import Attachment, Reporter
from bot.templates.schema import load_templates
from bot.text.yamlfile import ConfigError
from tests.conftest import ROOT, Clock, RunningBot, created_issue, write_config
from tests.fakes.jira import FakeJira
from tests.fakes.speech import FakeSpeech
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.helpers import open_bug

ASK = "ACME can't export invoices to PDF since the update, they go live Friday, we are blocked"
ASK_AUDIO = b"OggS\x00\x02voice: acme pdf export"


@pytest.fixture
async def speech() -> AsyncIterator[FakeSpeech]:
    """A speech-to-text server on loopback that wants an API key."""
    fake = FakeSpeech(api_key="speech-key-secret", slow_seconds=3.0)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def listening(tg: FakeTelegram, jira: FakeJira, tmp_path: Path, clock: Clock, speech: FakeSpeech,
                    monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RunningBot]:
    """A running bot whose voice notes go to the fake speech server."""
    monkeypatch.setenv("SPEECH_API_KEY", "speech-key-secret")
    config = write_config(tmp_path, jira.url, speech={"url": speech.url, "model": "large-v3",
                                                      "api_key_env": "SPEECH_API_KEY", "timeout_seconds": 1,
                                                      "max_seconds": 120})
    running = RunningBot(tg, jira, config, clock)
    await running.start()
    yield running
    await running.stop()


async def speak(bot: RunningBot, user: FakeUser, audio: bytes, *, duration: int = 6) -> None:
    """User sends a voice note; returns when the bot has answered."""
    await bot.handled(await user.send_voice(audio, duration=duration))


async def voice_in_jira(bot: RunningBot, issue: dict[str, Any], audio: bytes) -> None:
    """Wait until the issue has the voice note attached, byte for byte."""
    key = issue["key"]
    await bot.tg.wait_for(lambda: bool(bot.jira.issues[key]["attachments"]), timeout=10)
    [attachment] = bot.jira.issues[key]["attachments"]
    assert attachment["filename"].startswith("voice_") and attachment["filename"].endswith(".ogg")
    assert bot.jira.attachment_bytes[attachment["id"]] == audio


async def test_a_spoken_ask_is_read_like_a_typed_one_and_its_audio_attached(listening: RunningBot,
                                                                             speech: FakeSpeech) -> None:
    user = listening.user()
    await speak(listening, user, speech.says(ASK_AUDIO, ASK))
    [sent] = speech.requests
    assert (sent.model, sent.language, sent.response_format) == ("large-v3", "en", "json")
    assert sent.audio == ASK_AUDIO and sent.content_type == "audio/ogg"
    assert sent.authorization == "Bearer speech-key-secret"
    prompt = user.last.text
    assert f"🎙 I heard: “{ASK}”" in prompt
    assert "Something is broken" in prompt and "marked ✎" in prompt and "Why is it urgent?" in prompt
    await listening.say(user, "Their go-live depends on the PDF invoices")
    card = user.last.text
    assert f"{ASK} ✎" in card and "ACME Corp GmbH ✎" in card, "the transcript is on the card, marked as read"
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    assert issue["fields"]["duedate"] == "2026-11-27"
    assert "export invoices to PDF since the update" in issue["fields"]["description"]
    await voice_in_jira(listening, issue, ASK_AUDIO)


async def test_a_misheard_word_is_fixed_with_one_tap(listening: RunningBot, speech: FakeSpeech) -> None:
    user = listening.user()
    await open_bug(listening, user)
    assert "What is wrong?" in user.last.text
    audio = speech.says(b"OggS\x00\x02what is wrong", "Export to Excel fails since the abdate")
    await speak(listening, user, audio)
    assert "🎙 I heard: “Export to Excel fails since the abdate”" in user.last.text
    assert "Which customer?" in user.last.text, "the spoken answer moved the dialog on"
    await listening.say(user, "acme")
    await listening.tap(user, "Can wait")
    await listening.tap(user, "No deadline")
    await listening.tap(user, "Skip ⏭")
    card = user.last
    assert "Export to Excel fails since the abdate ✎" in card.text
    await listening.tap(user, "✎ What is wrong?")
    await listening.say(user, "Export to Excel fails since the update")
    assert "since the update" in user.last.text and "abdate" not in user.last.text
    assert "since the update ✎" not in user.last.text, "a typed correction is no longer marked as heard"
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    assert "Export to Excel fails since the update" in issue["fields"]["description"]
    await voice_in_jira(listening, issue, audio)


async def test_a_failing_endpoint_keeps_the_note_and_asks_for_the_text(listening: RunningBot,
                                                                        speech: FakeSpeech) -> None:
    user = listening.user()
    await open_bug(listening, user)
    speech.mode = "failing"
    audio = b"OggS\x00\x02broken export"
    await speak(listening, user, audio)
    prompt = user.last.text
    assert "Speech recognition is not working right now" in prompt and "please type the words instead" in prompt
    assert "What is wrong?" in prompt, "the same question is asked again"
    await listening.say(user, "Export to Excel fails since the update")
    await listening.say(user, "acme")
    await listening.tap(user, "Can wait")
    await listening.tap(user, "No deadline")
    await listening.tap(user, "Skip ⏭")
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    await voice_in_jira(listening, issue, audio)


@pytest.mark.parametrize(("mode", "words"), [
    ("slow", "Speech recognition took too long to answer"),
    ("garbage", "Speech recognition is not working right now"),
    ("ok", "I couldn't make out any words in this voice note"),  # a recording it hears nothing in
])
async def test_an_unread_spoken_ask_is_kept_until_the_text_is_typed(listening: RunningBot, speech: FakeSpeech,
                                                                    mode: str, words: str) -> None:
    speech.mode = mode  # type: ignore[assignment]
    user = listening.user()
    audio = b"OggS\x00\x02unclear " + mode.encode()
    await speak(listening, user, audio)
    assert words in user.last.text
    assert "What do you need?" in user.last.text and "Something is broken" in user.last.buttons()
    outcome = {"slow": "slow", "garbage": "down", "ok": "empty"}[mode]
    assert listening.svc is not None
    assert f'ticketsmith_voice_notes_total{{outcome="{outcome}"}} 1.0'.encode() in listening.svc.metrics.render()
    await listening.say(user, ASK)
    assert "Something is broken" in user.last.text and "marked ✎" in user.last.text
    await listening.say(user, "Their go-live depends on the PDF invoices")
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    await voice_in_jira(listening, issue, audio)


async def test_a_note_over_the_length_limit_is_not_sent_to_the_endpoint(listening: RunningBot,
                                                                         speech: FakeSpeech) -> None:
    user = listening.user()
    await speak(listening, user, speech.says(b"OggS\x00\x02long", ASK), duration=600)
    assert speech.requests == []
    assert "too long for me to transcribe: I take up to 2 min." in user.last.text


async def test_words_in_another_language_than_the_app_are_read_all_the_same(listening: RunningBot,
                                                                              speech: FakeSpeech) -> None:
    speech.mode = "wrong_language"
    user = listening.user()
    spoken = "ACME kann seit dem Update keine Rechnungen als PDF exportieren, bis Freitag, wir sind blockiert"
    await speak(listening, user, speech.says(b"OggS\x00\x02german", spoken, "de"))
    assert speech.requests[0].language == "en", "the hint is the app's language"
    assert "Something is broken" in user.last.text and "marked ✎" in user.last.text
    await listening.say(user, "Their go-live depends on the PDF invoices")
    assert "ACME Corp GmbH ✎" in user.last.text and "27" in user.last.text


async def test_a_note_at_the_files_question_is_a_file_not_an_answer(listening: RunningBot,
                                                                     speech: FakeSpeech) -> None:
    user = listening.user()
    await open_bug(listening, user)
    await listening.say(user, "Export to Excel fails since the update")
    await listening.say(user, "acme")
    await listening.tap(user, "Can wait")
    await listening.tap(user, "No deadline")
    assert "Screenshots or files?" in user.last.text
    await speak(listening, user, b"OggS\x00\x02a file")
    assert speech.requests == [] and "1 file" in user.last.text


async def test_a_note_at_the_card_changes_the_answers_it_names(listening: RunningBot, speech: FakeSpeech) -> None:
    user = listening.user()
    await open_bug(listening, user)
    await listening.say(user, "Export to Excel fails since the update")
    await listening.say(user, "acme")
    await listening.tap(user, "Can wait")
    await listening.tap(user, "No deadline")
    await listening.tap(user, "Skip ⏭")
    assert "✅ Create" in user.last.buttons()
    audio = speech.says(b"OggS\x00\x02at the card", "Oh and the deadline is Friday")
    await speak(listening, user, audio)
    card = user.last.text
    assert "🎙 I heard: “Oh and the deadline is Friday”" in card and "✎ Changed: By when is it needed?" in card
    assert "✅ Create" in user.last.buttons() and "Please tap" not in card
    assert "Export to Excel fails since the update" in card, "the description is left alone"
    # Words it cannot place change nothing, and say how to change an answer instead; the note is kept all the same.
    other = speech.says(b"OggS\x00\x02nothing to change", "looks good to me")
    await speak(listening, user, other)
    assert "I couldn't tell which answer that changes" in user.last.text and "✅ Create" in user.last.buttons()
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    assert issue["fields"]["duedate"] == "2026-11-27"
    key = issue["key"]
    await listening.tg.wait_for(lambda: len(listening.jira.issues[key]["attachments"]) == 2, timeout=10)


async def test_a_note_gives_the_reason_for_another_priority(listening: RunningBot, speech: FakeSpeech) -> None:
    user = listening.user()
    await listening.say(user, "ACME can't export invoices to PDF since the update, go-live is tomorrow, we are blocked")
    await listening.say(user, "The go-live needs the PDF invoices")
    await listening.tap(user, "⚖️ Disagree with the priority")
    await listening.tap(user, "Medium")
    assert "Why Medium?" in user.last.text
    speech.mode = "failing"
    await speak(listening, user, b"OggS\x00\x02unheard reason")
    assert "Speech recognition is not working right now" in user.last.text and "Why Medium?" in user.last.text
    speech.mode = "ok"
    await speak(listening, user, speech.says(b"OggS\x00\x02reason", "Go-live moved to January, they told me today"))
    card = user.last.text
    assert "🎙 I heard" in card and "Medium — your call: Go-live moved to January, they told me today" in card
    await listening.tap(user, "✅ Create")
    issue = await created_issue(listening, user)
    assert issue["fields"]["priority"]["name"] == "Medium"
    key = issue["key"]
    await listening.tg.wait_for(lambda: len(listening.jira.issues[key]["attachments"]) == 2, timeout=10)


@pytest.mark.parametrize(("lang", "off"), [
    ("en", "speech recognition is not set up"),
    ("ru", "распознавание речи не настроено"),
    ("de", "Spracherkennung ist nicht eingerichtet"),
])
async def test_without_an_endpoint_the_bot_says_why_in_the_users_language(bot: RunningBot, lang: str,
                                                                         off: str) -> None:
    user = bot.user(language_code=lang)
    await speak(bot, user, b"OggS\x00\x02no endpoint")
    assert off in user.last.text
    assert len(user.last.buttons()) >= 2, "the forms are offered, to type the ask or pick one"


async def test_without_an_endpoint_the_note_still_reaches_the_issue(bot: RunningBot) -> None:
    user = bot.user()
    audio = b"OggS\x00\x02no endpoint, typed after"
    await speak(bot, user, audio)
    await bot.say(user, ASK)
    await bot.say(user, "Their go-live depends on the PDF invoices")
    await bot.tap(user, "✅ Create")
    issue = await created_issue(bot, user)
    await voice_in_jira(bot, issue, audio)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "🎙 I heard: “{}”"),
    ("ru", "🎙 Я услышал: «{}»"),
    ("de", "🎙 Ich habe verstanden: „{}“"),
])
async def test_the_transcript_is_quoted_in_the_users_language(listening: RunningBot, speech: FakeSpeech,
                                                              lang: str, words: str) -> None:
    user = listening.user(language_code=lang)
    await speak(listening, user, speech.says(b"OggS\x00\x02" + lang.encode(), ASK))
    assert speech.requests[0].language == lang
    assert words.format(ASK) in user.last.text


def test_the_speech_section_is_checked(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://jira.example.com",
                          speech={"url": "ftp://speech", "api_key_env": "not a name", "timeout_seconds": 0,
                                  "max_seconds": 0})
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    problems = "\n".join(raised.value.problems)
    assert "'speech.url' must be an http:// or https:// address" in problems
    config = write_config(tmp_path, "https://jira.example.com",
                          speech={"url": "http://127.0.0.1:8080/v1/audio/transcriptions", "api_key_env": "not a name",
                                  "timeout_seconds": 0, "max_seconds": 0})
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    problems = "\n".join(raised.value.problems)
    for key in ("speech.api_key_env", "speech.timeout_seconds", "speech.max_seconds"):
        assert f"'{key}'" in problems
    assert "config.yaml, line" in problems


def test_the_key_comes_from_the_environment_and_stays_out_of_logs(tmp_path: Path) -> None:
    config = write_config(tmp_path, "https://jira.example.com",
                          speech={"url": "http://127.0.0.1:8080/", "api_key_env": "MY_SPEECH_KEY"})
    loaded = load_config(config, env={"MY_SPEECH_KEY": "sk-live-123456"})
    assert loaded.speech is not None
    assert loaded.speech.url == "http://127.0.0.1:8080" and loaded.speech.api_key == "sk-live-123456"
    assert "sk-live-123456" in loaded.secrets and "sk-live-123456" not in repr(loaded)
    assert load_config(config, env={}).speech is not None


ENGINE = Engine(load_templates(ROOT / "templates.example.yaml"),
                CustomerDirectory(load_customers(ROOT / "customers.example.yaml")),
                clock=lambda: datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Berlin")), default_project="SUP")
NOTE = Attachment("AwACAgIAAxkBAAI-note", "voice_AgAD.ogg", 5120, "audio/ogg", "voice")


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=400)), st.sampled_from(["down", "slow", "empty", "long", "nonsense"]))
def test_whatever_the_endpoint_hears_the_note_is_kept_and_the_dialog_goes_on(heard: str | None, problem: str) -> None:
    draft = ENGINE.new_draft(Reporter(42, "Anna Petrova", "anna"), "en")
    ENGINE.handle(draft, Tap("tpl:bug"))
    assert draft.current == "what"
    step = ENGINE.handle(draft, Spoken(NOTE, heard, None if heard is not None else problem))
    assert step.prompt is not None and step.changed
    assert [f["file_id"] for f in draft.kept_files] == [NOTE.file_id]
    answered = draft.current != "what"
    if answered:
        assert heard is not None and draft.guessed["what"] == heard and step.lead and "🎙" in step.lead
    else:
        assert step.notice, "a note that does not answer says why"
    ticket_files = [a.file_id for a in ENGINE.preview(draft).attachments] if draft.template_id else []
    assert ticket_files == [NOTE.file_id]


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=300)))
def test_whatever_is_heard_at_the_card_the_note_is_kept_and_the_description_stands(heard: str | None) -> None:
    draft = ENGINE.new_draft(Reporter(42, "Anna Petrova", "anna"), "en")
    for action in (Tap("tpl:bug"), Text("Export to Excel fails since the update"), Text("acme"), Tap("opt:2"),
                   Tap("date:none"), Tap("skip")):
        ENGINE.handle(draft, action if not isinstance(action, Tap) else Tap(action.token, draft.seq))
    assert draft.stage == "summary", draft.stage
    step = ENGINE.handle(draft, Spoken(NOTE, heard, None if heard is not None else "down"))
    assert step.prompt is not None and step.changed and draft.stage == "summary"
    assert draft.answers["what"] == "Export to Excel fails since the update"
    assert [f["file_id"] for f in draft.kept_files] == [NOTE.file_id]
    assert step.notice or (step.lead and "🎙" in step.lead)
