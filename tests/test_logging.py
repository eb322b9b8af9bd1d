"""Logs are readable, optionally JSON, and never contain the Telegram token, Jira API token or PAT."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, setup_logging
from tests.conftest import TOKEN, RunningBot

SECRETS = (TOKEN, "jira-api-token-secret", "pat-secret-value")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    setup_logging("text", SECRETS, logging.DEBUG, stream)
    yield stream
    setup_logging("text", (), logging.WARNING)


def test_secrets_in_messages_arguments_and_tracebacks_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("ticketsmith.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning("Authorization: Bearer pat-secret-value")
    try:
        raise RuntimeError("401 for jira-api-token-secret")
    except RuntimeError:
        log.exception("boom")
    output = captured.getvalue()
    assert not any(secret in output for secret in SECRETS)
    assert output.count(REDACTED) == 4


def test_credentials_written_into_urls_are_masked(captured: io.StringIO) -> None:
    logging.getLogger("ticketsmith.test").warning("GET https://bot:s3cr3t-4711@jira.example.com/rest/api/2 and "
                                                  "http://tok-4711@proxy.example.com:8080 failed")
    output = captured.getvalue()
    assert "GET https://***@jira.example.com/rest/api/2 and http://***@proxy.example.com:8080 failed" in output
    assert "4711" not in output


def test_json_lines() -> None:
    stream = io.StringIO()
    setup_logging("json", SECRETS, logging.INFO, stream)
    logging.getLogger("ticketsmith.test").info("request %s filed with %s", "r1", TOKEN)
    setup_logging("text", (), logging.WARNING)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["level"] == "info" and entry["message"] == f"request r1 filed with {REDACTED}"


async def test_a_whole_conversation_logs_no_secret(bot: RunningBot, captured: io.StringIO) -> None:
    user = bot.user()
    await bot.say(user, "/new")
    await bot.tap(user, "Something is broken")
    await bot.say(user, "Export to Excel fails since the update")
    bot.jira.fail_next(401, times=5)
    await bot.say(user, "acme")
    await bot.tap(user, "Can wait")
    await bot.tap(user, "No deadline")
    await bot.tap(user, "Skip ⏭")
    await bot.tap(user, "✅ Create")
    await bot.tg.wait_for(lambda: any("not reachable" in m.text for m in user.messages), timeout=10)
    output = captured.getvalue()
    assert output, "the conversation was logged"
    basic = base64.b64encode(b"bot@example.com:jira-api-token-secret").decode()
    assert not any(secret in output for secret in (*SECRETS, basic))


async def test_lines_name_the_user_and_the_request(bot: RunningBot) -> None:
    stream = io.StringIO()
    setup_logging("json", SECRETS, logging.INFO, stream)
    try:
        user = bot.user()
        await bot.say(user, "/new")
        await bot.tap(user, "Something is broken")
        await bot.say(user, "Export to Excel fails since the update")
        await bot.say(user, "acme")
        await bot.tap(user, "Can wait")
        await bot.tap(user, "No deadline")
        await bot.tap(user, "Skip ⏭")
        await bot.tap(user, "✅ Create")
        await bot.tg.wait_for(lambda: any("Created" in m.text for m in user.messages), timeout=10)
    finally:
        setup_logging("text", (), logging.WARNING)
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    filed = next(e for e in entries if "filed as SUP-1" in e["message"])
    assert filed["user_id"] == user.id and filed["request_id"] in filed["message"]


def test_text_lines_carry_the_context() -> None:
    from bot.logs import REQUEST_ID, USER_ID

    stream = io.StringIO()
    setup_logging("text", (), logging.INFO, stream)
    user_token, request_token = USER_ID.set(42), REQUEST_ID.set("abc")
    try:
        logging.getLogger("ticketsmith.test").info("hello")
    finally:
        USER_ID.reset(user_token)
        REQUEST_ID.reset(request_token)
        setup_logging("text", (), logging.WARNING)
    assert stream.getvalue().rstrip().endswith("hello [user=42 request=abc]")
